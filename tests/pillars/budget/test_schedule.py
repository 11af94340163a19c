"""The annual R&D budget: serial delays where it fits one stage at a time, no change where
it never binds, and the invariants of the schedule (the budget is never exceeded by
stages that fit, a wait never shortens a path)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import asset, make
from hypothesis import given, settings
from hypothesis import strategies as st

import simulator as sim
from simulator.engine.chunk import simulate_chunk
from simulator.pillars.budget.schedule import BudgetedAsset, budget_waits, stage_year_spend


def _one_stage(name: str, cost: float = 12.0, months: float = 12.0, start: float = 0.0):
    """An asset in review only: one stage of a known cost and length, then a launch."""
    a = asset(name)
    a["start_stage"] = "review"
    a["start_month"] = start
    a["phases"] = {"review": {"duration_months": months, "cost_musd": cost, "p_success": 1.0}}
    return a


def _portfolio(assets, budget=None):
    s = make({"p": assets}, iterations=4, chunk_size=4)
    if budget is None:
        return s
    return s.with_({"portfolios.p.budget": budget})


def test_a_budget_that_fits_one_stage_at_a_time_runs_them_in_series():
    # three $12M stages of 12 months ($1M a month) under $12M a year: one a year, in order
    s = _portfolio([_one_stage(n) for n in ("a", "b", "c")], {"annual_rd_musd": 12})
    cols = simulate_chunk(s, 0).columns
    for name, delay in (("a", 0), ("b", 12), ("c", 24)):
        assert (cols[f"p.{name}.budget_delay_months"] == delay).all()
        assert (cols[f"p.{name}.launch_month"] == 12 + delay).all()
    assert (cols["p.budget_delay_months"] == 36).all()


def test_a_stage_spanning_two_years_waits_for_room_in_both():
    # a starts at month 6: $6M in year 0 and $6M in year 1 of a $12M budget. b, ready at
    # month 7, fits first at month 18 ($6M in year 1, $6M in year 2): 11 months late
    s = _portfolio([_one_stage("a", start=6), _one_stage("b", start=7)], {"annual_rd_musd": 12})
    cols = simulate_chunk(s, 0).columns
    assert (cols["p.a.budget_delay_months"] == 0).all()
    assert (cols["p.b.budget_delay_months"] == 11).all()


def test_a_started_stage_is_never_pre_empted_by_a_higher_priority_one():
    # b (listed second) is ready at month 0 and starts; a, ready at month 6, waits for
    # year 1: priority orders the stages that wait, it does not stop what runs
    s = _portfolio([_one_stage("a", start=6), _one_stage("b")], {"annual_rd_musd": 12})
    cols = simulate_chunk(s, 0).columns
    assert (cols["p.b.budget_delay_months"] == 0).all()
    assert (cols["p.a.budget_delay_months"] == 6).all()


def test_a_stage_larger_than_the_budget_runs_alone():
    s = _portfolio([_one_stage("a", cost=24), _one_stage("b")], {"annual_rd_musd": 12})
    cols = simulate_chunk(s, 0).columns
    assert (cols["p.a.budget_delay_months"] == 0).all()  # nothing else committed: it starts
    assert (cols["p.b.budget_delay_months"] == 12).all()  # b waits until a's year is over


def test_an_unlimited_budget_reproduces_the_unbudgeted_run_bit_for_bit():
    s = sim.load_scenario("scenarios/nichebuster.yaml").with_(iterations=300, chunk_size=300)
    free = simulate_chunk(s, 0).columns
    budgeted = s.with_({f"portfolios.{p}.budget": {"annual_rd_musd": 1e9} for p in s.portfolios})
    cols = simulate_chunk(budgeted, 0).columns
    for k, v in free.items():
        assert np.array_equal(cols[k], v, equal_nan=True), k
    for p in s.portfolios:
        assert (cols[f"{p}.budget_delay_months"] == 0).all()


def test_a_binding_budget_delays_launches_and_never_advances_them():
    s = sim.load_scenario("scenarios/nichebuster.yaml").with_(iterations=300, chunk_size=300)
    free = simulate_chunk(s, 0).columns
    tight = simulate_chunk(s.with_({"portfolios.nichebuster.budget": {"annual_rd_musd": 60}}), 0)
    cols = tight.columns
    assert cols["nichebuster.budget_delay_months"].mean() > 12
    for a in s.portfolios["nichebuster"].assets:
        k = f"nichebuster.{a.name}"
        both = np.isfinite(free[f"{k}.launch_month"]) & np.isfinite(cols[f"{k}.launch_month"])
        assert (cols[f"{k}.launch_month"][both] >= free[f"{k}.launch_month"][both]).all()
    # the other portfolio does not see the nichebuster's budget
    assert np.array_equal(cols["blockbuster.npv_musd"], free["blockbuster.npv_musd"])


@settings(max_examples=40, deadline=None)
@given(
    costs=st.lists(st.floats(1, 30), min_size=2, max_size=5),
    months=st.lists(st.integers(1, 30), min_size=2, max_size=5),
    starts=st.lists(st.integers(0, 30), min_size=2, max_size=5),
    budget=st.floats(5, 40),
)
def test_stages_that_fit_keep_every_year_within_the_budget(costs, months, starts, budget):
    k = min(len(costs), len(months), len(starts))
    assets = [
        BudgetedAsset(
            np.array([float(starts[i])]),
            [np.array([float(months[i])])] * 2,
            [np.array([costs[i]])] * 2,
            [np.array([True])] * 2,
        )
        for i in range(k)
    ]
    horizon = 240
    waits = budget_waits(assets, budget, horizon)
    spend = np.zeros((1, horizon // 12))
    for a, w in zip(assets, waits, strict=True):
        t = a.start_month.copy()
        for s in range(2):
            t = t + w[:, s]
            start = np.floor(t + 0.5).astype(int)
            t = t + a.durations_months[s]
            length = np.maximum(np.floor(t + 0.5).astype(int) - start, 1)
            own = stage_year_spend(start, length, a.costs_musd[s] / length, horizon // 12)
            alone = own.max() > budget
            if not alone and start[0] < horizon:
                assert (spend + own <= budget * (1 + 1e-9))[own > 0].all()
            spend += own
    assert all((w >= 0).all() for w in waits)


@pytest.mark.parametrize("months", [1, 7, 12, 25])
def test_stage_year_spend_sums_to_the_stage_cost(months):
    start = np.array([5, 11, 0])
    length = np.full(3, months)
    got = stage_year_spend(start, length, np.full(3, 2.0) / months, 10)
    np.testing.assert_allclose(got.sum(axis=1), 2.0)
