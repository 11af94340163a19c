"""Vectorized trial simulation against the exact design probabilities.

Every comparison allows 3 Monte Carlo standard errors, sqrt(p (1 - p) / n); seeds are fixed,
so the tests are deterministic.
"""

import numpy as np
import pytest

from simulator.pillars.trials.boundaries import (
    design_exit_probabilities,
    design_group_sequential,
    expected_sample_size,
    fixed_design_drift,
)
from simulator.pillars.trials.simulate import (
    drift_from_effect,
    max_sample_size,
    simulate_group_sequential,
)

N = 10**6


def _within(rate: float, p: float, n: int, k: float = 3.0) -> bool:
    return abs(rate - p) <= k * np.sqrt(p * (1.0 - p) / n)


@pytest.fixture(scope="module")
def futility_design():
    return design_group_sequential(
        k=3, alpha=0.025, power=0.9, spending="hsd", gamma=-4, futility="hsd", futility_gamma=-2
    )


def test_type_one_error_at_drift_zero(futility_design):
    d = futility_design
    se = np.sqrt(d.alpha * (1 - d.alpha) / N)
    ignored = simulate_group_sequential(
        d, np.zeros(N), np.random.default_rng(1), obey_futility=False
    )
    assert ignored.success.mean() <= d.alpha + 3 * se
    assert _within(ignored.success.mean(), d.alpha, N)  # non-binding: alpha is exhausted
    obeyed = simulate_group_sequential(d, np.zeros(N), np.random.default_rng(2))
    assert obeyed.success.mean() <= d.alpha + 3 * se
    assert _within(obeyed.success.mean(), design_exit_probabilities(d, 0.0)[0].sum(), N)


@pytest.mark.parametrize("futility", [None, "obf"])
def test_power_at_design_alternative(futility):
    d = design_group_sequential(k=4, alpha=0.025, power=0.8, spending="pocock", futility=futility)
    out = simulate_group_sequential(d, np.full(N, d.drift_design), np.random.default_rng(3))
    assert _within(out.success.mean(), 0.8, N)


def test_stopping_distribution_and_sample_size_match_exact(futility_design):
    d = futility_design
    out = simulate_group_sequential(d, np.full(N, d.drift_design), np.random.default_rng(4))
    up, lo = design_exit_probabilities(d, d.drift_design)
    for k in range(d.k):
        at_k = out.stage == k + 1
        assert _within(np.mean(at_k & out.success), up[k], N, 4.0)
        assert _within(np.mean(at_k & ~out.success), lo[k], N, 4.0)
    assert np.array_equal(out.early_efficacy, out.success & (out.stage < d.k))
    assert np.array_equal(out.early_futility, ~out.success & (out.stage < d.k))
    assert np.array_equal(out.info_fraction, d.info_fractions[out.stage - 1])
    mean_n = d.inflation_factor * out.info_fraction.mean()
    se_n = d.inflation_factor * out.info_fraction.std() / np.sqrt(N)
    assert abs(mean_n - expected_sample_size(d, d.drift_design)) <= 3 * se_n


def test_each_iteration_uses_its_own_drift():
    d = design_group_sequential(k=3, power=0.9, spending="obf")
    n = 200_000
    drift = np.repeat([0.0, d.drift_design], n)
    out = simulate_group_sequential(d, drift, np.random.default_rng(5))
    assert _within(out.success[:n].mean(), 0.025, n)
    assert _within(out.success[n:].mean(), 0.9, n)


def test_reproducible_and_common_random_numbers():
    plain = design_group_sequential(k=3, spending="obf")
    with_futility = design_group_sequential(k=3, spending="obf", futility="obf")
    np.testing.assert_array_equal(plain.efficacy_z, with_futility.efficacy_z)  # non-binding
    drift = np.random.default_rng(6).normal(1.5, 1.5, 100_000)
    out1 = simulate_group_sequential(plain, drift, np.random.default_rng(7))
    out2 = simulate_group_sequential(plain, drift, np.random.default_rng(7))
    assert all(np.array_equal(x, y) for x, y in zip(out1, out2, strict=True))
    assert out1.success.dtype == bool and out1.stage.dtype == np.int8
    # The draws do not depend on the decisions, so designs run on the same paths:
    # overriding the futility bound reproduces the plain design exactly ...
    ignored = simulate_group_sequential(with_futility, drift, np.random.default_rng(7), False)
    assert all(np.array_equal(x, y) for x, y in zip(out1, ignored, strict=True))
    # ... and obeying it only turns some successes into failures, never the reverse.
    obeyed = simulate_group_sequential(with_futility, drift, np.random.default_rng(7))
    assert np.all(obeyed.success <= out1.success)
    assert np.any(obeyed.success < out1.success)
    assert np.all(obeyed.stage <= out1.stage)


def test_sample_size_helpers():
    theta = 0.25
    d = design_group_sequential(k=3, spending="obf", power=0.9)
    n_fixed = 4 * fixed_design_drift(0.025, 0.9) ** 2 / theta**2
    assert max_sample_size(d, theta) == pytest.approx(d.inflation_factor * n_fixed)
    assert drift_from_effect(theta, max_sample_size(d, theta)) == pytest.approx(d.drift_design)
    np.testing.assert_allclose(drift_from_effect([0.0, 0.5], 400), [0.0, 5.0])
    with pytest.raises(ValueError):
        max_sample_size(d, 0.0)
    with pytest.raises(ValueError):
        simulate_group_sequential(d, np.zeros((2, 2)), np.random.default_rng(0))
