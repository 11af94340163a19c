"""A data partner: recruitment under its factors is the closed form, its fee is paid only
where the supported trial runs, it is a pure transfer when its effect is off, and its
speed-up shows as an earlier launch."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import asset, make, scenario_dict, write_yaml

from simulator.engine.chunk import simulate_chunk

RATE = 0.1
P, SE, SP = 0.1, 0.9, 0.95
Q = P * SE + (1 - P) * (1 - SP)  # share of screened candidates who test positive
N, SITES, R = 120, 20.0, 4.0


def trial_asset(p1: float = 1.0, **commercial) -> dict:
    """Phase II recruits N test-positive patients (start-up 6, follow-up 12 months)."""
    a = asset(p=(p1, 1.0, 0.7, 0.9), **commercial)
    a["cohort"] = {"incidence_per_year": a["commercial"].pop("patients_per_year"),
                   "biomarker_prevalence": P,
                   "testing": {"initial_rate": 0.2, "mature_rate": 0.78, "ramp_years": 4,
                               "sensitivity": SE, "specificity": SP}}  # fmt: skip
    a["phases"]["phase2"] = {
        "cost_musd": 30, "p_success": 1.0,
        "trial": {"patients": N, "sites": SITES, "screened_per_site_month": R,
                  "startup_months": 6, "followup_months": 12, "screening_cost_usd": 2000},
    }  # fmt: skip
    return a


def _run(a: dict, deal: dict | None, n: int = 400):
    a = copy.deepcopy(a)
    if deal is not None:
        a["deal"] = deal
    s = make({"pf": [a]}, iterations=n, chunk_size=n, discount_rate_annual=RATE, tax_rate=0.2)
    return simulate_chunk(s, 0).columns


def partner(**terms) -> dict:
    return {"type": "data_partner", "stages": ["phase2"], **terms}


@pytest.mark.parametrize(("y", "v"), [(1.0, 2.0), (2.0, 1.0), (3.0, 1.5), (30.0, 1.0), (0.5, 1.0)])
def test_recruitment_under_the_factors_is_the_closed_form(y, v):
    """recruitment = n / min(1, y q) / (S r v); the trial, and the launch, end that much
    sooner; the screening cost follows the candidates screened."""
    free = _run(trial_asset(), None, n=5)
    cols = _run(trial_asset(), partner(screening_yield_factor=y, recruitment_speed_factor=v), n=5)
    q = min(1.0, y * Q)  # capped: at most every screened candidate tests positive
    months = N / q / (SITES * R * v)
    np.testing.assert_allclose(cols["pf.drug.recruitment_months"], months, rtol=1e-12)
    np.testing.assert_allclose(cols["pf.drug.screening_cost_musd"], N / q * 2000 / 1e6,
                               rtol=1e-12)  # fmt: skip
    assert free["pf.drug.recruitment_months"][0] == pytest.approx(N / Q / (SITES * R))
    launch = cols["pf.drug.launch_month"][cols["pf.drug.launched"]]
    assert np.all(launch == round(12 + 6 + months + 12 + 30 + 12))


def test_the_speed_factor_reaches_a_mechanistic_trial():
    """A simulated (all-comer) phase III recruits its patients at ``S r v``."""
    a = asset("m", p=(1.0, 1.0, 1.0, 1.0))
    a["phases"]["phase3"] = {
        "cost_musd": 100,
        "trial": {"patients": 400, "sites": 20, "screened_per_site_month": 2.0,
                  "enrolment": "all_comers", "startup_months": 6, "followup_months": 6},
        "design": {"type": "fixed"},
    }  # fmt: skip
    a["effect"] = {"positive": 0.25}
    s = make({"pf": [a]}, iterations=50, chunk_size=50)
    free = simulate_chunk(s, 0).columns["pf.m.recruitment_months"]
    a["deal"] = {"type": "data_partner", "stages": ["phase3"], "recruitment_speed_factor": 2.5}
    fast = simulate_chunk(make({"pf": [a]}, iterations=50, chunk_size=50), 0).columns
    np.testing.assert_allclose(free, 400 / 40, rtol=1e-12)
    np.testing.assert_allclose(fast["pf.m.recruitment_months"], 400 / (40 * 2.5), rtol=1e-12)


def test_the_fee_is_paid_only_where_the_supported_trial_runs():
    """Upfront U where phase II starts, F / 12 in each of its months, nothing where the
    asset fails phase I: PV = U d(a) + (F / 12) sum_{a <= t < b} d(t), with
    d(t) = (1 + r)^(-(t + 1/2) / 12)."""
    upfront, fee = 5.0, 12.0
    cols = _run(trial_asset(p1=0.5), partner(upfront_musd=upfront, fee_per_year_musd=fee),
                n=2000)  # fmt: skip
    paid = -cols["pf.drug.deal_to_sponsor_pv_musd"] / 0.8  # after tax at 20%
    entered = cols["pf.drug.stages_entered"] >= 2
    assert 0.3 < entered.mean() < 0.7  # some iterations run phase II, some never do
    assert np.all(paid[~entered] == 0.0)
    start = 12  # phase I lasts 12 months from month 0
    end = start + round(6 + N / Q / (SITES * R) + 12)  # phase II's end on the month grid
    d = (1 + RATE) ** (-(np.arange(start, end) + 0.5) / 12)
    np.testing.assert_allclose(paid[entered], upfront * d[0] + fee / 12 * d.sum(), rtol=1e-12)


def test_with_its_effect_off_the_data_partner_is_a_pure_transfer():
    """Factors 1: sponsor + partner = the deal-free asset's NPV per iteration, and the
    sponsor loses exactly what the partner gains (the fee)."""
    free = _run(trial_asset(p1=0.6), None, n=1000)
    cols = _run(trial_asset(p1=0.6), partner(upfront_musd=5, fee_per_year_musd=12), n=1000)
    a = "pf.drug"
    sponsor, partner_npv = cols[f"{a}.npv_musd"], cols[f"{a}.deal_partner_npv_musd"]
    np.testing.assert_allclose(sponsor + partner_npv, free[f"{a}.npv_musd"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(partner_npv, -cols[f"{a}.deal_to_sponsor_pv_musd"], atol=1e-9)
    assert partner_npv.max() > 0


def test_the_speed_up_shows_as_an_earlier_launch_and_a_higher_standalone_value():
    """For a drug worth launching (a price that pays for it), the same sales earlier."""
    rich = trial_asset(p1=0.6, list_price_usd=3_000_000)
    free = _run(rich, None, n=1000)
    cols = _run(rich, partner(recruitment_speed_factor=2.0), n=1000)
    a = "pf.drug"
    launched = free[f"{a}.launched"]
    np.testing.assert_array_equal(cols[f"{a}.launched"], launched)  # same futures
    gain = free[f"{a}.launch_month"] - cols[f"{a}.launch_month"]
    saved = N / Q / (SITES * R) / 2  # half the recruitment
    assert np.all(np.abs(gain[launched] - saved) <= 1)  # launch months are whole
    ahead = cols[f"{a}.deal_standalone_npv_musd"] - free[f"{a}.npv_musd"]
    assert free[f"{a}.npv_musd"][launched].min() > 0  # the drug pays for itself
    assert np.all(ahead[launched] > 0)  # the same sales, sooner


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"stages": ["phase2"], "recruitment_speed_factor": 0}, "recruitment_speed_factor"),
        ({"stages": ["phase2"], "screening_yield_factor": -1}, "screening_yield_factor"),
        ({"stages": ["phase9"]}, "stages"),
        ({"stages": ["phase3"]}, "stages[0]"),  # phase III has no trial block: nothing to speed
    ],
)
def test_bad_data_partners_exit_2_naming_the_field(tmp_path, terms, field):
    from simulator.cli.app import main

    a = trial_asset()
    a["deal"] = {"type": "data_partner", **terms}
    path = write_yaml(tmp_path / "bad.yaml", scenario_dict({"pf": [a]}))
    res = CliRunner().invoke(main, [str(path), "--iterations", "10", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "bad.yaml:" in res.output and "deal" in res.output and field in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o").exists()
