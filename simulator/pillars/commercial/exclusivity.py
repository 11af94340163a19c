"""Exclusivity on the calendar: when generics or biosimilars may enter.

A drug is protected by its compound patent and by regulatory exclusivities, whichever
ends later; both run on the calendar, not from launch, so a slow trial or a late
companion diagnostic eats protected sales instead of pushing loss of exclusivity back.

**The patent.** Filed in month ``F`` (default: the start of the asset's first modelled
stage, when the compound is typically protected; or ``patent_filed_month``), it expires
20 years later (35 U.S.C. 154(a)(2)): ``E = F + 240``.

**Patent-term extension** (Hatch-Waxman; 35 U.S.C. 156) restores part of the term lost to
development and review: half the testing phase (from the later of the first clinical
stage's start and the filing, to the submission: the start of review) plus the whole
approval phase (submission to approval ``A``), at most 5 years, and at most what brings
the remaining term after approval to 14 years:

    ext = min(clinical / 2 + review, 60, max(0, A + 168 - E))

(The statute counts the testing phase from the later of the IND and the patent's *grant*;
the filing month stands in for the grant here, which overstates the extension of a patent
granted years after filing: an approximation.)

**Regulatory exclusivity** from approval: new chemical entity 5 years (21 U.S.C.
355(j)(5)(F)(ii)), orphan drug 7 years (21 U.S.C. 360cc), biologic reference product 12
years (42 U.S.C. 262(k)(7)); an asset with several takes the longest. Paediatric
exclusivity (21 U.S.C. 355a) adds 6 months to both.

**Loss of exclusivity** is the later of the two:

    LOE = max(E + ext, A + 12 R) + 6 [paediatric]

and the months of protected sales after launch ``L`` are ``max(LOE - L, 0)``: a launch
delayed by ``d`` months (a late CDx) loses exactly ``d`` of them, where the old
``exclusivity_years`` counted from launch lost none. A later approval adds to the
extension at most what it took (review counts in full, the clinical phase by half), so
protected time after launch never grows with a later launch.

These statutory terms are not in the project's table of published figures; the table's
market exclusivity period of 12.9 years (Grabowski, Long & Mortimer 2014) is what they
should give on average (shown in the issue's closing note).
"""

from __future__ import annotations

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR

#: Regulatory exclusivity from approval, years: NCE 21 U.S.C. 355(j)(5)(F)(ii); orphan
#: 21 U.S.C. 360cc; biologic 42 U.S.C. 262(k)(7).
REGULATORY_YEARS: dict[str, float] = {"nce": 5.0, "orphan": 7.0, "biologic": 12.0}
PAEDIATRIC_MONTHS = 6.0  # 21 U.S.C. 355a
MAX_EXTENSION_MONTHS = 5.0 * MONTHS_PER_YEAR  # 35 U.S.C. 156(g)(6)(A)
MAX_TERM_AFTER_APPROVAL_MONTHS = 14.0 * MONTHS_PER_YEAR  # 35 U.S.C. 156(c)(3)


def regulatory_kinds(block, modality: str) -> list[str]:
    """The asset's regulatory exclusivities: as given, else NCE for a small molecule and
    biologic (reference product) for everything else; orphan too where flagged."""
    kinds = list(block.regulatory) if block.regulatory is not None else []
    if block.regulatory is None:
        kinds.append("nce" if modality == "small_molecule" else "biologic")
    return kinds + (["orphan"] if block.orphan else [])


def term_extension_months(
    filed: np.ndarray,
    clinical_start: np.ndarray,
    review_start: np.ndarray,
    approval: np.ndarray,
    term_months: float,
) -> np.ndarray:
    """Hatch-Waxman extension (months) of a patent filed in ``filed`` (see the module
    docstring)."""
    testing = np.maximum(review_start - np.maximum(clinical_start, filed), 0.0)
    review = np.maximum(approval - review_start, 0.0)
    room = np.maximum(approval + MAX_TERM_AFTER_APPROVAL_MONTHS - (filed + term_months), 0.0)
    return np.minimum(np.minimum(0.5 * testing + review, MAX_EXTENSION_MONTHS), room)


def loss_of_exclusivity_month(
    filed: np.ndarray,
    clinical_start: np.ndarray,
    review_start: np.ndarray,
    approval: np.ndarray,
    *,
    term_years: float = 20.0,
    extension: bool = True,
    regulatory_years: float = 0.0,
    paediatric: bool = False,
) -> np.ndarray:
    """Calendar month of loss of exclusivity: ``max(E + ext, A + 12 R) + 6 [paediatric]``
    (continuous months; see the module docstring)."""
    term = term_years * MONTHS_PER_YEAR
    filed = np.asarray(filed, dtype=float)
    approval = np.asarray(approval, dtype=float)
    patent = filed + term
    if extension:
        clinical, review = np.asarray(clinical_start, float), np.asarray(review_start, float)
        patent = patent + term_extension_months(filed, clinical, review, approval, term)
    loe = np.maximum(patent, approval + regulatory_years * MONTHS_PER_YEAR)
    return loe + (PAEDIATRIC_MONTHS if paediatric else 0.0)
