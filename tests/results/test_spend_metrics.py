"""R&D spend, launches per $B and the budget delay as summary metrics, against closed forms."""

from __future__ import annotations

import pytest
from helpers import asset, make, reference_monthly_cash, reference_npv

import simulator as sim


def test_spend_and_launches_per_billion_of_a_certain_asset():
    a = asset("sure")  # every stage succeeds: costs 10 + 30 + 100 + 20 = 160 USD M
    r = sim.run(make({"p": [a]}, iterations=20, chunk_size=20))
    row = r.summary().loc["p"]
    assert row["rd_oop_mean_musd"] == pytest.approx(160.0)
    rd_pv = -reference_npv(reference_monthly_cash(a, 360, reach=3), 0.1)
    assert row["rd_pv_mean_musd"] == pytest.approx(rd_pv, rel=1e-9)
    assert row["launches_per_busd"] == pytest.approx(1000 / 160)
    assert row["budget_delay_mean_months"] != row["budget_delay_mean_months"]  # NaN: no budget


def test_the_budget_delay_metric_is_the_mean_total_wait():
    one = asset("a")
    one["start_stage"] = "review"
    one["phases"] = {"review": {"duration_months": 12, "cost_musd": 12, "p_success": 1.0}}
    two = dict(one, name="b")
    s = make({"p": [one, two]}, iterations=10, chunk_size=10)
    s = s.with_({"portfolios.p.budget": {"annual_rd_musd": 12}})
    assert sim.run(s).summary().loc["p", "budget_delay_mean_months"] == 12
