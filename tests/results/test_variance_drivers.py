"""The variance-based drivers: first-order shares of a known decomposition recovered
within Monte Carlo error (additive inputs plus a binary success draw, and a success draw
that switches a value on), the additive share, labels, and the shipped scenario's
drivers with stage outcomes as inputs."""

from __future__ import annotations

import numpy as np
import pytest

import simulator as sim
from simulator.results.drivers import (
    additive_share,
    bin_index,
    driver_label,
    first_order_indices,
    plot_variance_tornado,
    variance_drivers,
)

N = 40_000


def _within(got, se, expected, k=4.0, bias=0.005):
    """Within ``k`` Monte Carlo errors (plus the binning's small bias for smooth inputs)."""
    assert abs(got - expected) <= k * se + bias, (got, se, expected)


def test_additive_inputs_plus_a_success_draw_recover_their_shares():
    rng = np.random.default_rng(1)
    x1, x2 = rng.uniform(0, 1, N), rng.normal(0, 1, N)
    success = rng.random(N) < 0.3
    noise = rng.normal(0, 1, N)  # not recorded: the unexplained part
    y = 3 * x1 + x2 + 5 * success + noise
    var = 9 / 12 + 1 + 25 * 0.3 * 0.7 + 1  # 8.0
    table = first_order_indices(np.column_stack([x1, x2, success]), y)
    for j, share in enumerate((9 / 12 / var, 1 / var, 25 * 0.21 / var)):
        _within(table["first_order"][j], table["first_order_se"][j], share)
    # the tornado's bar ends of the success draw: the mean given failure and given success
    assert table["low_musd"][2] == pytest.approx(y[~success].mean())
    assert table["high_musd"][2] == pytest.approx(y[success].mean())
    _within(additive_share(np.column_stack([x1, x2, success]), y), 0.005, 7 / 8)


def test_a_success_draw_that_switches_a_value_on_has_the_closed_form_shares():
    """y = B (10 + 5 X): S1_B = p(1-p)(10 + 5 E[X])^2 / Var(y), S1_X = p^2 25 Var(X) / Var(y)."""
    rng = np.random.default_rng(2)
    p, x = 0.4, rng.uniform(0, 2, N)
    b = rng.random(N) < p
    y = b * (10 + 5 * x)
    e_v, var_v = 10 + 5 * 1.0, 25 * 4 / 12
    var = p * (var_v + e_v**2) - (p * e_v) ** 2
    table = first_order_indices(np.column_stack([b, x]), y)
    _within(table["first_order"][0], table["first_order_se"][0], p * (1 - p) * e_v**2 / var)
    _within(table["first_order"][1], table["first_order_se"][1], p**2 * var_v / var)
    # the interaction is not a main effect: main effects explain less than all of it
    assert additive_share(np.column_stack([b, x]), y) < 0.99


def test_an_input_without_effect_has_a_first_order_share_near_zero():
    rng = np.random.default_rng(3)
    table = first_order_indices(rng.normal(size=(N, 1)), rng.normal(size=N))
    _within(table["first_order"][0], table["first_order_se"][0], 0.0)


def test_bins_are_by_value_for_stage_outcomes_and_by_equal_counts_otherwise():
    b, k = bin_index(np.array([0.0, 1.0, 1.0, 0.0]))
    assert k == 2 and list(b) == [0, 1, 1, 0]
    b, k = bin_index(np.arange(1000.0), bins=20)
    assert k == 20 and (np.bincount(b) == 50).all()


def test_labels_read_like_the_scenario():
    stage, prevalence = "phases.phase3.passed", "cohort.biomarker_prevalence"
    assert driver_label(f"input:nb.onc_kinase_1.{stage}") == "onc_kinase_1 phase III outcome"
    assert driver_label(f"input:nb.onc_1.{prevalence}") == "onc_1 biomarker prevalence"
    assert driver_label("market.demand_multiplier") == "market demand multiplier"
    assert driver_label("input:nb.rare.development") == "rare development (stages passed)"


@pytest.mark.slow
def test_on_the_shipped_scenario_stage_outcomes_explain_most_of_the_variance():
    s = sim.load_scenario("scenarios/nichebuster.yaml").with_(iterations=20_000)
    r = sim.run(s, backend="local")
    table = variance_drivers(r, "nichebuster")
    assert table.attrs["explained"] > 0.6  # most; the linear regression explains < 0.5
    top = table.head(10)
    assert top.index.str.endswith((".development", ".passed")).sum() >= 5
    assert "market.demand_multiplier" in table.index  # the market shock is an input, ranked
    plot_variance_tornado(table)


def test_ranks_and_bins_are_scipys_to_the_last_bit():
    """The ranks from one sort are scipy's ``rankdata`` (average for the rank correlation,
    min for the equal-count bins), ties and all; the batched first-order errors are those
    of each batch computed alone."""
    from scipy.stats import rankdata

    from simulator.results.drivers import average_ranks, first_order_effect

    rng = np.random.default_rng(7)
    for x in (rng.normal(size=997), rng.integers(0, 40, 997).astype(float), np.ones(50)):
        assert np.array_equal(average_ranks(x), rankdata(x))
        b, k = bin_index(x)
        if k == 20 and np.unique(x).size > 20:
            assert np.array_equal(b, (rankdata(x, method="min").astype(int) - 1) * 20 // x.size)
    x = rng.normal(size=(1000, 2))
    y = x[:, 0] + rng.normal(size=1000)
    table = first_order_indices(x, y, batches=10)
    b, k = bin_index(x[:, 0])
    parts = [first_order_effect(b[i * 100 : (i + 1) * 100], k, y[i * 100 : (i + 1) * 100])[0]
             for i in range(10)]  # fmt: skip
    assert table["first_order_se"][0] == np.nanstd(parts, ddof=1) / np.sqrt(10)
