"""The cohort inside a chunk: who can be treated, read from an asset's typed draws.

The funnel's equations are in :mod:`.funnel`; this module applies them to one asset's
draws. An asset without a cohort block, or without a test, reads as prevalence,
sensitivity and specificity 1 (everyone is eligible, nobody is tested, nobody is a false
positive). Where an enrichment trial won an all-comer label (``label`` False), nobody
needs the test either.
"""

from __future__ import annotations

import numpy as np

from simulator.core.draws import Draws, value_or
from simulator.pillars.cohort.funnel import positive_fraction, true_positive_share


def assay(draws: Draws, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Biomarker prevalence, assay sensitivity and specificity (1 where absent)."""
    cohort = draws.cohort
    return (
        value_or(cohort.biomarker_prevalence, n, 1.0),
        value_or(cohort.testing.sensitivity, n, 1.0),
        value_or(cohort.testing.specificity, n, 1.0),
    )


def tested(label: np.ndarray | None, n: int) -> np.ndarray:
    """Where patients must test positive to be treated: always, unless an enrichment trial
    won an all-comer label."""
    return np.ones(n, dtype=bool) if label is None else label


def eligible_share(draws: Draws, n: int, label: np.ndarray | None = None) -> np.ndarray:
    """Share of the patients with the disease who are eligible with everyone tested
    (before the ramp): treatable fraction x share testing positive; where an enrichment
    trial won an all-comer label, the treatable fraction."""
    positive = positive_fraction(*assay(draws, n))
    if label is not None:
        positive = np.where(label, positive, 1.0)
    return draws.cohort.treatable_fraction * positive


def eligible_per_year(draws: Draws, n: int, label: np.ndarray | None = None) -> np.ndarray:
    """Eligible patients a year at base incidence with everyone tested (before the ramp):
    incidence x treatable fraction x share testing positive (:func:`eligible_share`)."""
    positive = positive_fraction(*assay(draws, n))
    if label is not None:
        positive = np.where(label, positive, 1.0)
    return draws.cohort.incidence_per_year * draws.cohort.treatable_fraction * positive


def true_positive_share_treated(draws: Draws, n: int, label: np.ndarray | None) -> np.ndarray:
    """Share of the patients who start therapy who are truly biomarker-positive: the
    test's positive predictive value where the label needs the test, 1 where it does not
    (an all-comer label, or no test)."""
    ppv = true_positive_share(*assay(draws, n))
    return ppv if label is None else np.where(label, ppv, 1.0)


def eligible_at_maturity(draws: Draws, n: int, label: np.ndarray | None) -> np.ndarray:
    """Eligible patients a year once testing has reached its mature rate."""
    mature = value_or(draws.cohort.testing.mature_rate, n, 1.0)
    return eligible_per_year(draws, n, label) * np.where(tested(label, n), mature, 1.0)
