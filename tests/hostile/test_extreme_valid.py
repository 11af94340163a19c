"""Extreme but valid inputs: each runs, without a warning, to summaries that are finite
(NaN only where a figure is undefined by construction, :func:`common.assert_defined`),
and each agrees with what the extreme implies in closed form."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import yaml

import simulator as sim
from hostile.common import SMALL, assert_defined
from simulator.core.limits import RECRUITMENT_LIMIT_MONTHS, TIME_LIMIT_MONTHS
from simulator.core.timeline import pv_spread, to_month
from simulator.pillars.cohort.funnel import recruit

BASE = sim.scenario_from_dict(yaml.safe_load(SMALL)).with_(iterations=200, chunk_size=100)
ONC = "templates.onc."
CART = "portfolios.niche.assets.cart."
BIG = "portfolios.big.assets.big1."
PRICES = {
    f"{ONC}commercial.list_price_usd": 0,
    f"{CART}commercial.list_price_usd": 0,
    "portfolios.niche.assets.gsd.commercial.list_price_usd": 0,
    "portfolios.niche.assets.enrich.commercial.list_price_usd": 0,
    f"{BIG}commercial.list_price_usd": 0,
}

CASES = {
    "prevalence 0": {f"{ONC}cohort.biomarker_prevalence": 0.0},
    "prevalence 0, no false positives": {
        f"{ONC}cohort.biomarker_prevalence": 0.0,
        f"{ONC}cohort.testing.specificity": 1.0,
    },
    "prevalence 1": {f"{ONC}cohort.biomarker_prevalence": 1.0},
    "no plant capacity": {f"{CART}manufacturing.suites": 0, f"{CART}manufacturing.expansion": None},
    "zero vein-to-vein time": {f"{CART}manufacturing.vein_to_vein_months": 0.0},
    "QC failure 1": {f"{CART}manufacturing.qc_failure_prob": 1.0},
    "discount 0": {"market.discount_rate_annual": 0.0},
    "discount 0.5": {"market.discount_rate_annual": 0.5},
    "horizon 1 year": {"market.horizon_years": 1},
    "horizon 60 years": {"market.horizon_years": 60},
    "one iteration": {"simulation.iterations": 1},
    "an asset that never succeeds": {f"{BIG}phases.phase3.p_success": 0.0},
    "price 0": PRICES,
    "every outside entrant takes all new patients": {
        f"{ONC}commercial.competition": {"entries_per_year": 12, "share_loss": 1.0}
    },
}


def _run(sets):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning, no "Mean of empty slice"
        r = sim.run(BASE.with_(sets), backend="sequential")
        assert_defined(r)
        return r


@pytest.mark.parametrize("case", list(CASES))
def test_extreme_input_runs_to_defined_summaries(case):
    r = _run(CASES[case])
    it = r.iterations
    if case == "prevalence 0":  # only false positives test positive: q = 1 - sp = 0.02
        for name in ("onc_1", "onc_2"):  # screened n / q = 5,000 at S r = 60 a month
            np.testing.assert_allclose(it[f"niche.{name}.recruitment_months"], 5000 / 60)
            np.testing.assert_allclose(it[f"niche.{name}.screening_cost_musd"], 5.0)
    if case == "prevalence 0, no false positives":  # q = 0: nobody to find, no launch
        for name in ("onc_1", "onc_2"):
            assert (it[f"niche.{name}.launched"] == 0).all()
            assert (it[f"niche.{name}.recruitment_months"] == RECRUITMENT_LIMIT_MONTHS).all()
            assert np.isfinite(it[f"niche.{name}.npv_musd"]).all()
    if case == "prevalence 1":  # every candidate is positive: screened = n / sensitivity
        fee = 100 / 0.95 * 1000 / 1e6
        np.testing.assert_allclose(it["niche.onc_1.screening_cost_musd"], fee, rtol=1e-12)
    if case in ("no plant capacity", "QC failure 1"):  # nobody is treated, nothing is earned
        assert (it["niche.cart.patients_treated"] == 0).all()
    if case == "horizon 1 year":  # the shortest path to launch is 42 months
        assert (it["niche.launches"] == 0).all() and (it["big.launches"] == 0).all()
    if case == "one iteration":
        s = r.summary()
        assert (s["npv_mean_musd"] == s["npv_p50_musd"]).all()
    if case == "an asset that never succeeds":
        # big1 pays its phase III (150 over 30 months from month 0) and stops there
        v_rate, tax = BASE.market.discount_rate_annual, BASE.market.tax_rate
        pv = pv_spread(np.array([150.0]), np.array([0]), np.array([30]), v_rate, 240)[0]
        np.testing.assert_allclose(it["big.npv_musd"], -(1 - tax) * pv, rtol=1e-9)
        assert (it["big.launches"] == 0).all()
    if case == "every outside entrant takes all new patients":  # log(1 - 1): no warning
        alone = _run({}).iterations["niche.onc_1.patients_started"]  # same seed, no entrant
        started = it["niche.onc_1.patients_started"]
        assert np.isfinite(started).all() and (started <= alone).all()
        assert started.sum() < 0.5 * alone.sum()  # the first entrant comes in ~a month
    if case == "price 0":  # only costs: no future is worth anything
        assert (it["niche.npv_musd"] <= 0).all() and (it["big.npv_musd"] <= 0).all()


def test_recruitment_without_positives_is_bounded_in_closed_form():
    """At prevalence 0 the sites screen ``S r`` candidates a month for the whole limit."""
    screened, months = recruit(np.array([120.0]), np.array([0.0]), 0.9, 20.0, 4.0)
    assert months[0] == RECRUITMENT_LIMIT_MONTHS
    assert screened[0] == RECRUITMENT_LIMIT_MONTHS * 20 * 4
    screened, months = recruit(np.array([120.0]), np.array([0.1]), 0.9, 20.0, 4.0)
    assert months[0] == pytest.approx(120 / 0.09 / 80) and screened[0] == pytest.approx(120 / 0.09)
    screened, months = recruit(np.array([0.0]), np.array([0.0]), 0.9, 20.0, 4.0)
    assert months[0] == 0 and screened[0] == 0  # nobody to enrol takes no time


def test_infinite_times_are_placed_at_the_end_of_time():
    months = to_month(np.array([np.inf, -np.inf, 1e300, 11.4, 11.5]))
    assert months.tolist() == [TIME_LIMIT_MONTHS, -TIME_LIMIT_MONTHS, TIME_LIMIT_MONTHS, 11, 12]
    with pytest.raises(ValueError, match="NaN"):
        to_month(np.array([math.nan]))
