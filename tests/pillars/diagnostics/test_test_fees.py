"""The CDx partner's per-test fee: once per patient tested, whoever treats them.

Oracle: with a constant testing rate and no growth, the fee's present value is
``F I f tau / 12e6 x sum v^(m + 1/2)`` over the months from launch (the CDx is approved
before it) to loss of exclusivity, whatever the peak share; a chronic patient is not
charged again each year on therapy.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import asset, make

from simulator.engine.chunk import simulate_chunk

TAU, FEE, INCIDENCE, TREATABLE = 0.6, 300.0, 20_000, 0.5


def _targeted(fee: float, peak_share: float = 0.3) -> dict:
    a = asset(peak_share=peak_share, exclusivity_years=10)
    a["commercial"].pop("patients_per_year")
    a["cohort"] = {
        "incidence_per_year": INCIDENCE,
        "biomarker_prevalence": 0.1,
        "treatable_fraction": TREATABLE,
        "testing": {"initial_rate": TAU, "mature_rate": TAU, "ramp_years": 2,
                    "sensitivity": 0.9, "specificity": 0.95},
    }  # fmt: skip
    a["cdx"] = {"development_start": "phase3", "development_months": 20, "review_months": 6,
                "per_test_fee_usd": fee}  # fmt: skip
    return a


def _npv(a: dict) -> float:
    s = make({"p": [a]}, iterations=2, chunk_size=2)
    return simulate_chunk(s, 0).columns["p.npv_musd"][0]


def test_the_fee_is_paid_once_per_patient_tested_until_loss_of_exclusivity():
    launch = 12 + 24 + 30 + 12  # the helper's stages
    v = 1.1 ** (-1 / 12)
    months = np.arange(launch, launch + 120)
    expected = FEE * INCIDENCE * TREATABLE * TAU / 12 / 1e6 * (v ** (months + 0.5)).sum()
    paid = _npv(_targeted(0.0)) - _npv(_targeted(FEE))
    assert paid == pytest.approx(expected, rel=1e-10)
    # the fee follows the tested patients, not the treated ones
    paid_at_double_share = _npv(_targeted(0.0, 0.6)) - _npv(_targeted(FEE, 0.6))
    assert paid_at_double_share == pytest.approx(expected, rel=1e-10)


def test_a_cdx_that_neither_delays_launch_nor_charges_a_fee_costs_nothing_after_launch():
    plain = _targeted(0.0)
    no_cdx = copy.deepcopy(plain)
    del no_cdx["cdx"]
    assert _npv(plain) == pytest.approx(_npv(no_cdx), rel=1e-12)
