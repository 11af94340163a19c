"""Named benchmark tables of phase success rates, selectable by name.

A stage in benchmark mode succeeds with its ``p_success``. Instead of typing the numbers,
an asset may name a published table: ``phases: {success_rates: bio_2011_2020/oncology}``
fills ``p_success`` of phase I, II, III and review wherever the scenario does not give one
(an explicit number still wins). Each category carries the published likelihood of
approval from phase I (LOA) and how sure we are of each rate (the flags of the
reference table of published figures: VERIFIED-PRIMARY, VERIFIED-SECONDARY, DERIVED,
UNVERIFIED-CONSISTENT, UNVERIFIED).

- ``bio_2006_2015``: BIO, Biomedtracker & Amplion, *Clinical Development Success Rates
  2006-2015* (June 2016; published figures, section 2). Every category is the report's own
  phase table (VERIFIED-SECONDARY).
- ``bio_2011_2020``: BIO, Informa & QLS, *Clinical Development Success Rates and
  Contributing Factors 2011-2020* (Feb 2021; section 2). The all-drug phase rates are the
  report's (phase I 52.0% VERIFIED-SECONDARY, phase II 28.9% VERIFIED-PRIMARY, phase III
  57.8% and review 90.6% UNVERIFIED-CONSISTENT: they reproduce the verified LOA of 7.9%).
  For the other categories only the LOA is verified, so the phase rates are DERIVED:
  the all-drug rates raised to one power ``beta = ln(LOA) / ln(product of the all-drug
  rates)``, so that they multiply to the published LOA exactly and keep the all-drug
  shape. With a selection biomarker phase II is "nearly one-in-two" (VERIFIED-PRIMARY),
  taken as 0.48 (the exact figure is an ASSUMPTION) and the other three are scaled.
- ``wong_2019``: Wong, Siah & Lo 2019, *Biostatistics* 20:273 (section 3). Its phase-level
  probabilities are path-by-path, not multiplicative, and not verified; only the LOAs are
  (overall 13.8% and biomarker-selected 10.3% vs 5.5%: VERIFIED-SECONDARY; oncology 3.4%:
  VERIFIED-PRIMARY), so every category is DERIVED the same way from the BIO 2011-2020
  all-drug shape. The paper warns its biomarker figures may use another denominator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

STAGES = ("phase1", "phase2", "phase3", "review")
#: BIO 2011-2020, all drugs: the shape every DERIVED category keeps.
BIO_2011_2020_ALL = (0.520, 0.289, 0.578, 0.906)
#: "Nearly one-in-two" phase II success with a selection biomarker (BIO 2011-2020).
BIOMARKER_PHASE2_2011_2020 = 0.48

SOURCES = {
    "bio_2006_2015": "BIO, Biomedtracker & Amplion, Clinical Development Success Rates "
    "2006-2015 (2016)",
    "bio_2011_2020": "BIO, Informa & QLS, Clinical Development Success Rates and "
    "Contributing Factors 2011-2020 (2021)",
    "wong_2019": "Wong, Siah & Lo 2019, Biostatistics 20:273",
}


@dataclass(frozen=True)
class Rates:
    """One category of a table: phase I, II, III and review success, and the LOA."""

    phase1: float
    phase2: float
    phase3: float
    review: float
    loa: float  # the published likelihood of approval from phase I
    flags: str  # provenance of the phase rates

    def by_stage(self) -> dict[str, float]:
        return {s: getattr(self, s) for s in STAGES}


def derived(loa: float, pinned: dict[int, float] | None = None) -> tuple[float, ...]:
    """Phase rates of the all-drug shape, scaled by one power to multiply to ``loa``;
    ``pinned`` stages (index -> rate) keep their rate and the others make up the rest."""
    pinned = pinned or {}
    free = [i for i in range(len(STAGES)) if i not in pinned]
    rest = loa / math.prod(pinned.values())
    beta = math.log(rest) / math.log(math.prod(BIO_2011_2020_ALL[i] for i in free))
    return tuple(pinned.get(i, BIO_2011_2020_ALL[i] ** beta) for i in range(len(STAGES)))


def _published(rates, loa, flags="VERIFIED-SECONDARY") -> Rates:
    return Rates(*rates, loa=loa, flags=flags)


def _derived(loa, flags, pinned=None) -> Rates:
    return Rates(*derived(loa, pinned), loa=loa, flags=flags)


_D = "DERIVED from the verified LOA and the BIO 2011-2020 all-drug shape"

TABLES: dict[str, dict[str, Rates]] = {
    "bio_2006_2015": {
        "all": _published((0.632, 0.307, 0.581, 0.853), 0.096),
        "selection_biomarker": _published((0.76, 0.46, 0.76, 0.94), 0.259),
        "no_biomarker": _published((0.63, 0.28, 0.55, 0.83), 0.084),
        "rare_disease": _published((0.76, 0.50, 0.73, 0.89), 0.253),
        "chronic_high_prevalence": _published((0.58, 0.27, 0.61, 0.87), 0.087),
        "oncology": _published((0.628, 0.246, 0.401, 0.824), 0.051),
    },
    "bio_2011_2020": {
        "all": _published(
            BIO_2011_2020_ALL,
            0.079,
            "phase I VERIFIED-SECONDARY, II VERIFIED-PRIMARY, III and review UNVERIFIED-CONSISTENT",
        ),
        "selection_biomarker": _derived(
            0.159, f"{_D}; phase II 'nearly one-in-two' taken as 0.48", {1: 0.48}
        ),
        "rare_disease": _derived(0.170, _D),
        "oncology": _derived(0.053, _D),
        "chronic_high_prevalence": _derived(0.059, _D),
        "hematology": _derived(0.239, _D),
        "car_t": _derived(0.173, _D),
        "biologic": _derived(0.091, _D),
        "new_molecular_entity": _derived(0.057, _D),
    },
    "wong_2019": {
        "all": _derived(0.138, f"{_D} (LOA VERIFIED-SECONDARY)"),
        "selection_biomarker": _derived(0.103, f"{_D} (LOA VERIFIED-SECONDARY)"),
        "no_biomarker": _derived(0.055, f"{_D} (LOA VERIFIED-SECONDARY)"),
        "oncology": _derived(0.034, f"{_D} (LOA VERIFIED-PRIMARY)"),
    },
}

#: The most recent table: what the shipped scenario uses.
LATEST = "bio_2011_2020"


def lookup(name: str) -> Rates:
    """The category ``set/category``; a ValueError naming the known ones otherwise."""
    table, _, category = str(name).partition("/")
    if table not in TABLES:
        raise ValueError(
            f"unknown success-rate table {table!r} in {name!r}; known: "
            f"{', '.join(TABLES)} (write table/category, e.g. {LATEST}/oncology)"
        )
    if category not in TABLES[table]:
        raise ValueError(
            f"{table} has no category {category!r}; its categories: {', '.join(TABLES[table])}"
        )
    return TABLES[table][category]


def switched(name: str, table: str) -> str | None:
    """``name``'s category in another table (None if that table does not have it)."""
    category = str(name).partition("/")[2]
    return f"{table}/{category}" if category in TABLES.get(table, {}) else None
