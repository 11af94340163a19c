"""The value rule (least-squares Monte Carlo, cross-fitted) against closed forms."""

import numpy as np

from simulator.pillars.decisions.policy import (
    cross_fitted_value,
    option_value,
    value_rule,
)


def _toy(n, p, v_hi, v_lo, seed):
    rng = np.random.default_rng(seed)
    good = rng.random(n) < p
    return good, np.where(good, v_hi, v_lo), rng


def test_perfect_signal_gives_the_closed_form_option_value():
    p, v_hi, v_lo = 0.3, 500.0, -120.0
    good, v, _ = _toy(200_000, p, v_hi, v_lo, 1)
    go = value_rule(cross_fitted_value(good.astype(float), v))
    value, se = option_value(v, go)
    assert abs(value - (-(1 - p) * v_lo)) < 4 * se + 1e-9
    assert se > 0


def test_signal_of_zero_information_is_worth_nothing():
    p, v_hi, v_lo = 0.3, 500.0, -120.0  # E[V] = 66 > 0: always continue
    _, v, rng = _toy(200_000, p, v_hi, v_lo, 2)
    noise = rng.normal(size=v.size)
    go = value_rule(cross_fitted_value(noise, v))
    value, se = option_value(v, go)
    assert abs(value) <= 4 * se + 1e-9


def test_forward_value_agrees_with_nested_simulation():
    # V | s ~ 10 + 30 s + 5 s^2 + noise: the regression recovers E[V | s] at s = 0.5, as an
    # inner simulation of 200,000 futures at that s does
    rng = np.random.default_rng(3)
    s = rng.uniform(-1, 1, 100_000)
    v = 10 + 30 * s + 5 * s**2 + rng.normal(0, 40, s.size)
    est = cross_fitted_value(s, v, folds=4)
    inner = 10 + 30 * 0.5 + 5 * 0.25 + rng.normal(0, 40, 200_000)
    near = np.abs(s - 0.5) < 0.01
    se = np.sqrt(inner.var() / inner.size + est[near].var() / near.sum() + 0.3**2 * 0.01**2)
    assert abs(est[near].mean() - inner.mean()) < 4 * se + 0.5


def test_cross_fitting_does_not_score_a_fold_on_its_own_paths():
    rng = np.random.default_rng(4)
    s = rng.normal(size=2000)
    v = 3 * s + rng.normal(size=2000)
    fold = np.random.default_rng(0).permutation(2000) % 2
    est = cross_fitted_value(s, v, folds=2, seed=0)
    v2 = v.copy()
    v2[fold == 0] += rng.normal(0, 100, (fold == 0).sum())  # change fold 0's outcomes
    est2 = cross_fitted_value(s, v2, folds=2, seed=0)
    np.testing.assert_array_equal(est[fold == 0], est2[fold == 0])
    assert not np.allclose(est[fold == 1], est2[fold == 1])


def test_out_of_sample_policy_does_not_lose_against_the_baseline():
    rng = np.random.default_rng(5)
    s = rng.normal(size=50_000)
    v = 20 + 50 * s + rng.normal(0, 80, s.size)
    value, se = option_value(v, value_rule(cross_fitted_value(s, v)))
    assert value > -2 * se
