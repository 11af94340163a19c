"""The engine against closed forms and an independent month-by-month implementation."""

import numpy as np
import pytest
from helpers import asset, make, reference_monthly_cash, reference_npv, scenario_dict
from scipy import stats

import simulator as sim
from simulator.engine.chunk import simulate_chunk

HORIZON = 360


@pytest.mark.parametrize("tax", [0.0, 0.25])
@pytest.mark.parametrize("rate", [0.0, 0.08, 0.105])
def test_deterministic_asset_npv_equals_the_closed_form(rate, tax):
    a = asset(price_growth_annual=0.03)
    s = make({"p": [a]}, iterations=3, chunk_size=3, discount_rate_annual=rate, tax_rate=tax)
    chunk = simulate_chunk(s, 0, keep_monthly=True)
    expected_cash = np.array(reference_monthly_cash(a, HORIZON)) * (1 - tax)
    np.testing.assert_allclose(chunk.monthly_cash_musd["p"][0], expected_cash, atol=1e-9)
    expected = reference_npv(list(expected_cash), rate)
    np.testing.assert_allclose(chunk.columns["p.npv_musd"], expected, rtol=1e-10)
    np.testing.assert_allclose(chunk.columns["p.drug.npv_musd"], expected, rtol=1e-10)
    assert chunk.columns["p.drug.launch_month"][0] == 78  # 12 + 24 + 30 + 12 months


def test_trough_and_breakeven_of_a_deterministic_asset():
    a = asset()
    s = make({"p": [a]}, iterations=1, chunk_size=1)
    cols = simulate_chunk(s, 0).columns
    cumulative = np.cumsum(reference_monthly_cash(a, HORIZON))
    assert cols["p.cash_trough_musd"][0] == pytest.approx(cumulative.min())
    assert cols["p.breakeven_month"][0] == np.flatnonzero(cumulative < 0)[-1] + 1


def test_risky_asset_mean_npv_matches_the_expected_npv():
    p = (0.6, 0.4, 0.65, 0.9)
    a = asset(p=p, peak_share="triangular(0.1, 0.3, 0.5)")
    s = make({"p": [a]}, iterations=60_000, chunk_size=20_000)
    npv = sim.run(s).npv("p")
    # expected NPV: the cash of failing at each stage, weighted by its probability, plus
    # the launch cash (linear in the peak share, so its mean 0.3 gives the mean NPV)
    expected = 0.0
    reach = 1.0
    for stage, q in enumerate(p):
        fail = reach * (1 - q)
        expected += fail * reference_npv(reference_monthly_cash(a, HORIZON, reach=stage), 0.1)
        reach *= q
    launched = dict(a, commercial=dict(a["commercial"], peak_share=0.3))
    expected += reach * reference_npv(reference_monthly_cash(launched, HORIZON), 0.1)
    se = npv.std(ddof=1) / np.sqrt(npv.size)
    assert abs(npv.mean() - expected) < 3 * se, (npv.mean(), expected, se)


def test_monthly_cash_discounts_to_the_npv_in_the_shipped_scenario():
    s = sim.load_scenario("scenarios/nichebuster.yaml").with_(iterations=400, chunk_size=400)
    chunk = simulate_chunk(s, 0, keep_monthly=True)
    v = (1 + s.market.discount_rate_annual) ** (-1 / 12)
    disc = v ** (np.arange(HORIZON) + 0.5)
    for p in s.portfolios:
        cash = chunk.monthly_cash_musd[p]
        np.testing.assert_allclose(
            cash @ disc, chunk.columns[f"{p}.npv_musd"], rtol=1e-9, atol=1e-6
        )
        np.testing.assert_allclose(
            cash.sum(axis=1), chunk.yearly_cash_musd[p].sum(axis=1), atol=1e-6
        )


def test_risk_group_members_succeed_together_as_the_copula_says():
    rho, q = 0.5, 0.4
    members = [asset(f"m{i}", p=(q, 1, 1, 1)) for i in range(2)]
    for m in members:
        m["risk_group"] = "platform"
    d = scenario_dict({"p": members}, iterations=100_000, chunk_size=50_000)
    d["portfolios"]["p"]["risk_groups"] = {"platform": {"correlation": rho}}
    s = sim.scenario_from_dict(d)
    it = sim.run(s).iterations
    both = (it["p.m0.launched"] & it["p.m1.launched"]).mean()
    z = stats.norm.ppf(q)
    expected = stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([z, z])
    se = np.sqrt(expected * (1 - expected) / len(it))
    assert abs(both - expected) < 4 * se
    assert abs(it["p.m0.launched"].mean() - q) < 4 * np.sqrt(q * (1 - q) / len(it))


def test_same_asset_in_two_portfolios_draws_the_same_numbers():
    a = asset("shared", p=(0.5, 0.5, 0.5, 0.9), peak_share="pert(0.1, 0.2, 0.4)")
    s = make({"x": [a], "y": [a, asset("other", p=(0.5, 0.5, 0.5, 0.5))]}, iterations=2000)
    it = sim.run(s).iterations
    np.testing.assert_array_equal(it["x.shared.npv_musd"], it["y.shared.npv_musd"])
