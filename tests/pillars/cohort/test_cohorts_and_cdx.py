"""Cohorts, recruitment, companion diagnostics and regulatory pathways: closed forms,
equivalences and invariants."""

import copy

import numpy as np
import pytest
from helpers import asset, make, scenario_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import simulator as sim
from simulator.pillars.cohort.funnel import recruitment_months

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def with_cohort(a: dict, **cohort) -> dict:
    a = copy.deepcopy(a)
    patients = a["commercial"].pop("patients_per_year")
    a["cohort"] = {"incidence_per_year": patients, **cohort}
    return a


def test_all_comer_cohort_reproduces_the_plain_asset_exactly():
    plain = asset(p=(0.6, 0.5, 0.7, 0.9), peak_share="pert(0.1, 0.3, 0.5)")
    cohort = with_cohort(plain, biomarker_prevalence=1.0, treatable_fraction=1.0)
    a = sim.run(make({"p": [plain]}, iterations=3000)).iterations
    b = sim.run(make({"p": [cohort]}, iterations=3000)).iterations
    for col in ("p.npv_musd", "p.launches", "p.peak_revenue_musd", "p.cash_trough_musd"):
        np.testing.assert_array_equal(a[col], b[col])


def trial_asset(prevalence, *, sites=20.0, rate=4.0, n=120, enrolment="biomarker_positive"):
    a = with_cohort(
        asset(),
        biomarker_prevalence=prevalence,
        testing={
            "initial_rate": 0.2,
            "mature_rate": 0.78,
            "ramp_years": 4,
            "sensitivity": 0.9,
            "specificity": 0.95,
        },
    )
    a["phases"]["phase2"] = {
        "cost_musd": 30,
        "p_success": 1.0,
        "trial": {
            "patients": n,
            "sites": sites,
            "screened_per_site_month": rate,
            "enrolment": enrolment,
            "startup_months": 6,
            "followup_months": 12,
            "screening_cost_usd": 2000,
        },
    }
    return a


def test_recruitment_months_match_the_closed_form():
    it = sim.run(make({"p": [trial_asset(0.1)]}, iterations=5)).iterations
    # n / (share testing positive) / (sites x rate): the trial enrols the false positives
    # too, p se + (1 - p)(1 - sp) = 0.09 + 0.045 of those screened
    q = 0.1 * 0.9 + 0.9 * 0.05
    expected = 120 / q / (20 * 4.0)
    assert it["p.drug.recruitment_months"].iloc[0] == pytest.approx(expected)
    assert it["p.drug.screening_cost_musd"].iloc[0] == pytest.approx(120 / q * 2000 / 1e6)
    assert recruitment_months(120, 0.1, 0.9, 20, 4.0, specificity=0.95) == pytest.approx(expected)
    assert recruitment_months(120, 0.1, 0.9, 20, 4.0) == pytest.approx(120 / 0.09 / 80)
    # the stage lasts start-up + recruitment + follow-up: launch moves accordingly
    launch = it["p.drug.launch_month"].iloc[0]
    assert launch == round(12 + 6 + expected + 12 + 30 + 12)


def test_all_comer_trial_screens_only_whom_it_enrols():
    it = sim.run(make({"p": [trial_asset(0.1, enrolment="all_comers")]}, iterations=2)).iterations
    assert it["p.drug.recruitment_months"].iloc[0] == pytest.approx(120 / 80)


@SETTINGS
@given(p_low=st.floats(0.02, 0.9), dp=st.floats(0.01, 0.5))
def test_lower_prevalence_never_shortens_recruitment_nor_raises_eligible_patients(p_low, dp):
    p_high = min(p_low + dp, 1.0)
    lo = sim.run(make({"p": [trial_asset(p_low)]}, iterations=3)).iterations
    hi = sim.run(make({"p": [trial_asset(p_high)]}, iterations=3)).iterations
    assert np.all(lo["p.drug.recruitment_months"] >= hi["p.drug.recruitment_months"])
    assert np.all(lo["p.drug.eligible_patients_mature"] <= hi["p.drug.eligible_patients_mature"])


def cdx_asset(**cdx):
    a = with_cohort(
        asset(months=(12, 24, 30, 12)),
        biomarker_prevalence=0.2,
        testing={"initial_rate": 0.5, "mature_rate": 0.9, "sensitivity": 0.95, "specificity": 0.97},
    )
    a["cdx"] = {"development_start": "phase3", "development_months": 24, "review_months": 6, **cdx}
    return a


def test_launch_never_precedes_cdx_approval_unless_allowed():
    a = cdx_asset(
        development_months="pert(20, 40, 70)",
        review_months="uniform(3, 12)",
        delay_probability=0.3,
        delay_months=12,
    )
    it = sim.run(make({"p": [a]}, iterations=4000)).iterations
    launched = it["p.drug.launched"]
    assert launched.any()
    # drug approval is month 78; CDx approval = 36 + development + delay + review
    assert (it.loc[launched, "p.drug.launch_month"] >= 78).all()
    delay = it.loc[launched, "p.drug.cdx_delay_months"]
    assert (delay >= 0).all() and (delay > 0).any()
    np.testing.assert_array_equal(it.loc[launched, "p.drug.launch_month"], 78 + delay)
    allowed = copy.deepcopy(a)
    allowed["cdx"]["launch_before_cdx"] = True
    allowed["cdx"]["uptake_before_cdx"] = 0.3
    it2 = sim.run(make({"p": [allowed]}, iterations=4000)).iterations
    assert (it2.loc[it2["p.drug.launched"], "p.drug.launch_month"] == 78).all()
    assert it2["p.peak_revenue_musd"].mean() < it["p.peak_revenue_musd"].mean() * 1.5


def test_a_ready_cdx_never_delays_launch():
    a = cdx_asset(development_months="uniform(10, 40)", review_months=0)  # done before month 78
    it = sim.run(make({"p": [a]}, iterations=2000)).iterations
    assert (it["p.drug.cdx_delay_months"] == 0).all()
    assert not it["p.drug.cdx_delayed"].any()


@SETTINGS
@given(review=st.floats(0, 30), extra=st.floats(0.5, 30), seed=st.integers(0, 1000))
def test_a_longer_cdx_review_never_advances_launch(review, extra, seed):
    short = cdx_asset(development_months="pert(20, 40, 70)", review_months=review)
    long = cdx_asset(development_months="pert(20, 40, 70)", review_months=review + extra)
    a = sim.run(make({"p": [short]}, iterations=200, seed=seed)).iterations
    b = sim.run(make({"p": [long]}, iterations=200, seed=seed)).iterations
    assert (b["p.drug.launch_month"].fillna(1e9) >= a["p.drug.launch_month"].fillna(1e9)).all()


def test_expected_cdx_delay_matches_numerical_integration():
    """Drug approval A = 36 + phase III (uniform 20-40) + review 12; CDx approval
    B = 36 + development (triangular 18-30-60) + review (uniform 3-9); independent.
    E[launch - A] = E[max(A, B)] - E[A] = E[(B - A)+], integrated with scipy."""
    a = cdx_asset(development_months="triangular(18, 30, 60)", review_months="uniform(3, 9)")
    a["phases"]["phase3"]["duration_months"] = "uniform(20, 40)"
    it = sim.run(make({"p": [a]}, iterations=60_000, chunk_size=20_000)).iterations
    delay = it["p.drug.cdx_delay_months"].to_numpy()
    # density of B - 36 = development + review by numerical convolution on a fine grid
    dx = 0.005
    x = np.arange(0, 80, dx)
    f_dev = stats.triang(c=12 / 42, loc=18, scale=42).pdf(x)
    f_rev = stats.uniform(3, 6).pdf(x)
    f_b = np.convolve(f_dev, f_rev)[: x.size] * dx
    # A - 36 ~ uniform(32, 52): E[(b - A)+] in closed form
    inner = np.where(x <= 32, 0.0, np.where(x >= 52, x - 42, (x - 32) ** 2 / 40))
    expected = integrate.trapezoid(f_b * inner, x)
    se = delay.std(ddof=1) / np.sqrt(delay.size)
    # months are whole on the grid: rounding both dates adds at most ~0.02 months of bias
    assert abs(delay.mean() - expected) < 3 * se + 0.05, (delay.mean(), expected, se)


def test_failed_cdx_without_fallback_blocks_launch_and_fallback_delays_it():
    never = cdx_asset(failure_probability=1.0)
    it = sim.run(make({"p": [never]}, iterations=200)).iterations
    assert not it["p.drug.launched"].any()
    late = cdx_asset(failure_probability=1.0, fallback_delay_months=18)
    it = sim.run(make({"p": [late]}, iterations=200)).iterations
    assert (it["p.drug.launch_month"] == 36 + 24 + 6 + 18).all()


def aa_asset(p3: float, life_years=15):
    a = asset(p=(1, 1, p3, 1), months=(12, 24, 30, 12), commercial_life_years=life_years)
    a["regulatory"] = {"accelerated_approval": True}
    return a


def test_accelerated_approval_with_failed_confirmatory_earns_only_until_withdrawal():
    r = sim.run(make({"p": [aa_asset(0.0)]}, iterations=3))
    it = r.iterations
    launch = int(it["p.drug.launch_month"].iloc[0])
    assert launch == 12 + 24 + 12  # filed after phase II
    withdrawal = launch + 30  # confirmatory phase III runs 30 months from launch
    cash = sim.engine.chunk.simulate_chunk(r.scenario, 0, keep_monthly=True).monthly_cash_musd["p"][
        0
    ]
    assert np.all(cash[withdrawal:] <= 0)  # no revenue after withdrawal
    assert cash[withdrawal - 1] > 0


def test_accelerated_approval_with_certain_confirmatory_is_a_regular_approval_launched_earlier():
    aa = sim.run(make({"p": [aa_asset(1.0)]}, iterations=2, horizon_years=40))
    regular = sim.run(
        make(
            {"p": [asset(months=(12, 24, 30, 12), commercial_life_years=15)]},
            iterations=2,
            horizon_years=40,
        )
    )
    shift = 30  # phase III months, saved by filing after phase II
    assert (
        regular.iterations["p.drug.launch_month"].iloc[0]
        - aa.iterations["p.drug.launch_month"].iloc[0]
        == shift
    )
    rev_aa = aa._out.yearly_revenue_musd["p"][0].sum()
    rev_reg = regular._out.yearly_revenue_musd["p"][0].sum()
    assert rev_aa == pytest.approx(rev_reg, rel=1e-12)
    # the same revenue stream, earlier: worth more at a 10% discount rate
    assert aa.npv("p")[0] > regular.npv("p")[0]


def test_priority_review_and_breakthrough_shorten_the_path():
    base = asset(months=(12, 24, 30, 12))
    fast = copy.deepcopy(base)
    fast["regulatory"] = {"priority_review_months": 6, "breakthrough_time_factor": 0.5}
    it = sim.run(make({"p": [fast]}, iterations=2)).iterations
    assert it["p.drug.launch_month"].iloc[0] == 6 + 12 + 15 + 6


def test_indication_split_among_launched_assets():
    one = with_cohort(asset("a"), indication="nsclc")
    two = with_cohort(asset("b"), indication="nsclc")
    solo = sim.run(make({"p": [one]}, iterations=2)).iterations
    pair = sim.run(make({"p": [one, two]}, iterations=2)).iterations
    assert pair["p.peak_revenue_musd"].iloc[0] == pytest.approx(solo["p.peak_revenue_musd"].iloc[0])
    d = scenario_dict({"p": [one, two]})
    d["portfolios"]["p"]["assets"][1]["phases"]["phase1"]["p_success"] = 0.0
    alone = sim.run(sim.scenario_from_dict(d)).iterations
    assert alone["p.peak_revenue_musd"].iloc[0] == pytest.approx(
        solo["p.peak_revenue_musd"].iloc[0]
    )
