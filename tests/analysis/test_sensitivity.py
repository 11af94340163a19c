"""Tornadoes: the regression recovers known linear effects; the one-way swing is exact.

The oracle scenario: two portfolios of one certain-to-succeed asset each, every input
fixed except the list price of asset ``a`` and the launch cost of asset ``b``. Each
portfolio's NPV is then exactly linear in its one input, with a slope we compute
independently of the engine (the month-by-month reference of ``tests/helpers.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import asset, make, reference_monthly_cash, reference_npv

import simulator as sim
from simulator.studies.sensitivity import one_way_swing, regression_sensitivity

RATE = 0.1
HORIZON = 30 * 12
PRICE = (60_000.0, 140_000.0)  # uniform
LAUNCH_COST = (0.0, 400.0)  # uniform, USD millions


def _slope(field: str, x0: float, x1: float) -> float:
    """d NPV / d field of the deterministic asset, by the independent reference."""
    npv = [
        reference_npv(reference_monthly_cash(asset("x", **{field: v}), HORIZON), RATE)
        for v in (x0, x1)
    ]
    return (npv[1] - npv[0]) / (x1 - x0)


def _scenario(iterations: int = 4000):
    a = asset("a", list_price_usd=f"uniform({PRICE[0]}, {PRICE[1]})")
    b = asset("b", launch_cost_musd=f"uniform({LAUNCH_COST[0]}, {LAUNCH_COST[1]})")
    return make({"a": [a], "b": [b]}, iterations=iterations, discount_rate_annual=RATE)


def test_regression_recovers_ranking_signs_and_sizes_of_a_linear_model():
    r = sim.run(_scenario())
    b_price = _slope("list_price_usd", 100_000, 101_000)  # USD M per USD of price
    b_cost = _slope("launch_cost_musd", 0, 100)  # USD M per USD M of launch cost
    assert b_price > 0 > b_cost
    price = r.column("input:a.a.commercial.list_price_usd")
    cost = r.column("input:b.b.commercial.launch_cost_musd")
    d = r.npv("a") - r.npv("b")
    # the paired difference: + price effect, and - (a negative cost effect) = positive
    expected = {
        "a.a.commercial.list_price_usd": b_price * price.std() / d.std(),
        "b.b.commercial.launch_cost_musd": -b_cost * cost.std() / d.std(),
    }
    t = regression_sensitivity(r, "a - b")
    assert list(t.index) == sorted(expected, key=lambda k: -abs(expected[k]))
    for name, src in expected.items():
        assert t.loc[name, "src"] == pytest.approx(src, rel=1e-6)
        assert np.sign(t.loc[name, "rank_corr"]) == np.sign(src)
    assert t.attrs["r2"] == pytest.approx(1.0, abs=1e-9)
    # each portfolio on its own: one input, SRC = +-1
    ta = regression_sensitivity(r, "a")
    assert ta.loc["a.a.commercial.list_price_usd", "src"] == pytest.approx(1.0, abs=1e-9)
    assert ta.loc["b.b.commercial.launch_cost_musd", "src"] == pytest.approx(0.0, abs=1e-9)
    tb = regression_sensitivity(r, "b")
    assert tb.index[0] == "b.b.commercial.launch_cost_musd"
    assert tb.iloc[0]["src"] == pytest.approx(-1.0, abs=1e-9)


def test_one_way_swing_is_the_slope_times_the_p10_p90_range():
    s = _scenario(iterations=1000)
    t = one_way_swing(s, pair=("a", "b"))
    price, cost = "a.a.commercial.list_price_usd", "b.b.commercial.launch_cost_musd"
    assert set(t.index) == {price, cost}
    lo, hi = PRICE[0] + 0.1 * (PRICE[1] - PRICE[0]), PRICE[0] + 0.9 * (PRICE[1] - PRICE[0])
    assert t.loc[price, "low_value"] == pytest.approx(lo)
    assert t.loc[price, "high_value"] == pytest.approx(hi)
    b_price = _slope("list_price_usd", 100_000, 101_000)
    b_cost = _slope("launch_cost_musd", 0, 100)
    # common random numbers: only the pinned input moves, so the swing is exact
    span = t.loc[price, "diff_at_high_musd"] - t.loc[price, "diff_at_low_musd"]
    assert span == pytest.approx(b_price * (hi - lo), rel=1e-6)
    c_lo, c_hi = 0.1 * LAUNCH_COST[1], 0.9 * LAUNCH_COST[1]
    span = t.loc[cost, "diff_at_high_musd"] - t.loc[cost, "diff_at_low_musd"]
    assert span == pytest.approx(-b_cost * (c_hi - c_lo), rel=1e-6)
    assert list(t.index) == list(t["swing_musd"].sort_values(ascending=False).index)
    # the base is the same run as the plain scenario
    r = sim.run(s)
    assert t.attrs["base_musd"] == pytest.approx(float(np.mean(r.npv("a") - r.npv("b"))), abs=1e-9)


def test_swing_pins_each_copy_of_a_counted_asset_separately():
    a = asset("a", list_price_usd="uniform(60000, 140000)")
    a["count"] = 2
    s = make({"a": [a], "b": [asset("b")]}, iterations=200)
    t = one_way_swing(s, pair=("a", "b"), inputs=["a.a_2.commercial.list_price_usd"])
    b_price = _slope("list_price_usd", 100_000, 101_000)
    span = t.iloc[0]["diff_at_high_musd"] - t.iloc[0]["diff_at_low_musd"]
    assert span == pytest.approx(b_price * 0.8 * 80_000, rel=1e-6)  # one copy, not two
