"""Patients as a stock and a flow: closed forms of time on therapy, the waiting pool and
false positives, per iteration and month, and the properties they must keep."""

import copy
import math

import numpy as np
import pytest
from helpers import asset, make
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine.chunk import simulate_chunk
from simulator.pillars.commercial.therapy import (
    for_months,
    on_therapy,
    persistence,
    pool_starts,
    pool_uptake_by_month,
)

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LAUNCH = 78  # 12 + 24 + 30 + 12 months: helpers.asset's path
PRICE = 120_000.0  # a patient-year: 10,000 a month


def plain(**commercial) -> dict:
    """A certain asset whose monthly cash is its revenue: no R&D cost, no costs of
    selling, no rebates, no erosion within the horizon, the whole share from launch."""
    com = {
        "patients_per_year": 12_000,
        "peak_share": 0.5,
        "uptake_curve": [1.0],
        "list_price_usd": PRICE,
        "gross_to_net": 0.0,
        "cogs_share": 0.0,
        "selling_share": 0.0,
        "sales_force_musd_per_year": 0.0,
        "launch_cost_musd": 0.0,
        "royalty_rate": 0.0,
        "exclusivity_years": 40,
        "erosion_first_year": 0.0,
    }
    com.update(commercial)
    a = asset(cost=(0, 0, 0, 0))
    a["commercial"] = com
    return a


def monthly_revenue(a: dict, n: int = 2) -> np.ndarray:
    """The asset's monthly cash (its revenue), first iteration."""
    s = make({"p": [a]}, iterations=n, chunk_size=n, tax_rate=0.0)
    return simulate_chunk(s, 0, keep_monthly=True).monthly_cash_musd["p"][0]


def test_on_therapy_is_the_geometric_sum_of_starts_and_reaches_starts_times_mean_months():
    rho = persistence(np.array([10.0]))  # a mean of 10 months: rho = 0.9
    starts = np.full((1, 240), 500.0)
    on = on_therapy(starts, rho)[0]
    k = np.arange(240)
    np.testing.assert_allclose(on, 500.0 * (1 - 0.9 ** (k + 1)) / 0.1, rtol=1e-12)
    assert on[-1] == pytest.approx(500.0 * 10.0, rel=1e-9)  # steady state: s x T


def test_steady_state_patients_on_therapy_are_starts_times_mean_months_in_the_engine():
    a = plain(therapy={"time_on_therapy": {"mean_months": 10}})
    revenue = monthly_revenue(a)
    k = np.arange(360 - LAUNCH)
    starts = 12_000 / 12 * 0.5  # 500 a month
    on = starts * (1 - 0.9 ** (k + 1)) / 0.1
    np.testing.assert_allclose(revenue[LAUNCH:], on * PRICE / 12 / 1e6, rtol=1e-9)
    assert revenue[:LAUNCH].sum() == 0.0
    assert revenue[-1] == pytest.approx(starts * 10 * PRICE / 12 / 1e6, rel=1e-9)


@pytest.mark.parametrize(
    ("form", "mean"),
    [
        ({"mean_months": 18}, 18.0),
        ({"median_months": 18}, 18 / math.log(2)),
        ({"discontinuation_hazard_monthly": 0.05}, 20.0),
    ],
)
def test_the_three_forms_of_time_on_therapy_give_their_mean(form, mean):
    revenue = monthly_revenue(plain(therapy={"time_on_therapy": form}))
    months = 360 - LAUNCH  # on therapy at the horizon: s T (1 - rho^months)
    expected = 500 * mean * (1 - (1 - 1 / mean) ** months) * PRICE / 12 / 1e6
    assert revenue[-1] == pytest.approx(expected, rel=1e-9)


def test_without_time_on_therapy_every_start_is_one_patient_year():
    flow = monthly_revenue(plain())
    np.testing.assert_allclose(flow[LAUNCH:], 12_000 * 0.5 * PRICE / 12 / 1e6, rtol=1e-12)
    one_time = monthly_revenue(plain(therapy={"one_time": True}))
    np.testing.assert_allclose(one_time, flow, rtol=1e-12)  # a treatment at the same price


def test_loss_of_exclusivity_erodes_patients_already_on_therapy():
    a = plain(therapy={"time_on_therapy": {"mean_months": 10}}, exclusivity_years=10)
    a["commercial"]["erosion_first_year"] = 0.5
    revenue = monthly_revenue(a)
    k = np.arange(360 - LAUNCH)
    on = 500 * (1 - 0.9 ** (k + 1)) / 0.1
    keep = np.where(k < 120, 1.0, 0.5 ** ((k - 120) / 12))
    np.testing.assert_allclose(revenue[LAUNCH:], on * keep * PRICE / 12 / 1e6, rtol=1e-9)


def test_a_moving_sum_gives_each_start_exactly_a_months():
    rng = np.random.default_rng(3)
    starts = rng.random((4, 50))
    starts[:, 40:] = 0.0  # every start's months fall inside the grid
    a = np.array([0.4, 1.0, 2.5, 7.25])
    on = for_months(starts, a)
    np.testing.assert_allclose(on.sum(axis=1), starts.sum(axis=1) * a, rtol=1e-12)
    # month by month, for a = 2.5: this month's and last month's starts, half the one before
    s = starts[2]
    expected = s + np.r_[0, s[:-1]] + 0.5 * np.r_[0, 0, s[:-2]]
    np.testing.assert_allclose(on[2], expected, rtol=1e-12)


def test_false_positive_revenue_is_their_starts_times_assessment_months_times_price():
    """A test with specificity < 1: the false positives' revenue (the difference with a
    perfect test, whose true positives are the same) is FP starts x a x monthly price, and
    each stops at its assessment (the last ones are cut by the end of life)."""
    life = 200
    cohort = {
        "incidence_per_year": 100_000,
        "biomarker_prevalence": 0.05,
        "testing": {"initial_rate": 1.0, "mature_rate": 1.0, "sensitivity": 0.95},
    }

    def with_test(specificity):
        a = plain(
            therapy={"time_on_therapy": {"mean_months": 10}, "assessment_months": 3},
            commercial_life_years=life / 12,
        )
        a["commercial"].pop("patients_per_year")
        a["cohort"] = copy.deepcopy(cohort)
        a["cohort"]["testing"]["specificity"] = specificity
        return a

    difference = monthly_revenue(with_test(0.98)) - monthly_revenue(with_test(1.0))
    fp_starts = 100_000 / 12 * 0.95 * 0.02 * 0.5  # a month: (1 - p)(1 - sp) x share
    k = np.arange(360 - LAUNCH)
    on = np.where(k < life, fp_starts * np.minimum(k + 1, 3), 0.0)  # at most 3 months each
    np.testing.assert_allclose(difference[LAUNCH:], on * PRICE / 12 / 1e6, rtol=1e-9, atol=1e-12)
    total = fp_starts * (3 * life - 3)  # the last two starts lose 2 and 1 months
    assert difference.sum() == pytest.approx(total * PRICE / 12 / 1e6, rel=1e-9)


def test_a_pool_without_incidence_is_drawn_down_geometrically():
    """No new patients: the pool adopts with the launch curve (year 1: linearly to its
    value) and waiting patients die at mu a year, so the starts are W A/12 (1 - mu)^(k/12)
    in the first year and none after, and those still waiting fall geometrically."""
    w, share, mu = 3_000.0, 0.6, 0.3
    uptake = pool_uptake_by_month([1.0], 120)
    np.testing.assert_allclose(uptake[:12], np.arange(1, 13) / 12)
    since = np.arange(120)[None, :]
    starts = pool_starts(np.array([w]), share * uptake[None, :], since, np.array([mu]))[0]
    alive = (1 - mu) ** (np.arange(120) / 12)
    np.testing.assert_allclose(starts[:12], w * share / 12 * alive[:12], rtol=1e-12)
    assert np.all(starts[12:] == 0.0)
    waiting = w * (1 - share * np.minimum(np.arange(120), 12) / 12) * alive
    np.testing.assert_allclose(waiting[13:] / waiting[12:-1], (1 - mu) ** (1 / 12), rtol=1e-12)


def test_a_pool_alone_in_the_engine_treats_its_share_of_the_waiting_patients():
    a = plain(therapy={"one_time": True})
    a["commercial"].pop("patients_per_year")
    a["cohort"] = {
        "incidence_per_year": 0,
        "treatable_fraction": 0.8,
        "prevalent_pool": {"patients": 3_000, "mortality_annual": 0.0},
    }
    s = make({"p": [a]}, iterations=2, chunk_size=2)
    cols = simulate_chunk(s, 0).columns
    np.testing.assert_allclose(cols["p.drug.pool_patients_started"], 3_000 * 0.8 * 0.5)
    np.testing.assert_allclose(cols["p.drug.patients_started"], 3_000 * 0.8 * 0.5)


mean_months = st.floats(1.0, 120.0)


@SETTINGS
@given(t1=mean_months, dt=st.floats(0.0, 60.0), share=st.floats(0.01, 0.9))
def test_longer_time_on_therapy_never_lowers_revenue(t1, dt, share):
    short = plain(peak_share=share, therapy={"time_on_therapy": {"mean_months": t1}})
    long = plain(peak_share=share, therapy={"time_on_therapy": {"mean_months": t1 + dt}})
    assert np.all(monthly_revenue(long) >= monthly_revenue(short) - 1e-12)


@SETTINGS
@given(sp1=st.floats(0.5, 1.0), dsp=st.floats(0.0, 0.5), p=st.floats(0.01, 0.5))
def test_higher_specificity_never_raises_the_number_treated(sp1, dsp, p):
    def treated(sp):
        a = asset("drug", p=(1, 1, 1, 1), therapy={"time_on_therapy": {"mean_months": 12}})
        a["commercial"].pop("patients_per_year")
        a["cohort"] = {
            "incidence_per_year": 50_000,
            "biomarker_prevalence": p,
            "testing": {"initial_rate": 0.3, "mature_rate": 0.8, "sensitivity": 0.9,
                        "specificity": sp},
        }  # fmt: skip
        a["phases"]["phase2"] = {
            "cost_musd": 20,
            "p_success": 1.0,
            "trial": {"patients": 100, "sites": 10, "screened_per_site_month": 5},
        }
        return simulate_chunk(make({"p": [a]}, iterations=2, chunk_size=2), 0).columns

    lo, hi = treated(sp1), treated(min(sp1 + dsp, 1.0))
    assert np.all(hi["p.drug.patients_started"] <= lo["p.drug.patients_started"] + 1e-9)


def test_the_plant_is_asked_for_the_starts_the_waiting_pool_included():
    a = plain(therapy={"one_time": True})
    a["modality"] = "autologous_cell_therapy"
    a["commercial"].pop("patients_per_year")
    a["cohort"] = {
        "incidence_per_year": 1_200,
        "prevalent_pool": {"patients": 600, "mortality_annual": 0.0},
    }
    a["manufacturing"] = {"suites": 50, "batches_per_suite_month": 50}
    a["pricing"] = {"price_basis": "one_time"}
    s = make({"p": [a]}, iterations=2, chunk_size=2)
    path = simulate_chunk(s, 0, keep_paths=True).paths["p"][0]
    demand = path.plant.demand_per_month[0]
    expected = np.where(np.arange(360) < LAUNCH, 0.0, 1_200 / 12 * 0.5)
    expected[LAUNCH : LAUNCH + 12] += 600 * 0.5 / 12  # the pool, over the first launch year
    np.testing.assert_allclose(demand, expected, rtol=1e-12)
