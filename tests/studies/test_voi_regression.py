"""The value-of-information estimators against closed forms and their ordering.

Linear-normal decision: ``V = a + b theta + noise``, ``theta ~ N(mu, sigma)``. Knowing
``theta`` is worth ``s L(|m| / s)`` with ``m = a + b mu``, ``s = |b| sigma`` and ``L`` the
unit normal loss integral ``L(z) = phi(z) - z (1 - Phi(z))`` (Raiffa & Schlaifer 1961).
A study reading ``S = theta + tau e`` moves the posterior mean with standard deviation
``s' = |b| sigma^2 / sqrt(sigma^2 + tau^2)`` (preposterior analysis), worth ``s' L(|m| / s')``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator.studies.voi_regression import (
    conditional_mean,
    decision_value,
    spline_basis,
    value_of_information,
)


def loss_integral(z):
    return stats.norm.pdf(z) - z * stats.norm.sf(z)


def linear_problem(n, a, b, mu, sigma, noise, seed):
    rng = np.random.default_rng(seed)
    theta = rng.normal(mu, sigma, n)
    return rng, theta, a + b * theta + noise * rng.standard_normal(n)


@pytest.mark.parametrize("a, b, mu, sigma", [(-1.0, 1.0, 1.0, 2.0), (50.0, -20.0, 1.5, 1.0)])
def test_evppi_of_a_normal_input_is_the_normal_loss_integral(a, b, mu, sigma):
    _, theta, v = linear_problem(200_000, a, b, mu, sigma, abs(b) * sigma * 0.5, 1)
    m, s = a + b * mu, abs(b) * sigma
    exact = s * loss_integral(abs(m) / s)
    value, se = value_of_information(theta, v, bootstrap=20)
    assert value == pytest.approx(exact, rel=0.02)
    assert 0 < se < 0.02 * exact


def test_evsi_of_a_noisy_reading_is_the_preposterior_closed_form():
    a, b, mu, sigma, tau = -1.0, 1.0, 1.0, 2.0, 1.5
    rng, theta, v = linear_problem(200_000, a, b, mu, sigma, 1.0, 2)
    reading = theta + tau * rng.standard_normal(theta.size)
    s = abs(b) * sigma**2 / np.sqrt(sigma**2 + tau**2)
    exact = s * loss_integral(abs(a + b * mu) / s)
    out = decision_value(reading, v, np.ones(v.size, bool), bootstrap=20)
    assert out["evsi_gross_musd"] == pytest.approx(exact, rel=0.02)


def test_an_input_the_decision_does_not_depend_on_is_worth_nothing():
    # E[V] = 0: the decision is on its edge, where the estimator's upward bias is largest
    rng, theta, v = linear_problem(100_000, -1.0, 1.0, 1.0, 2.0, 1.0, 3)
    unrelated = rng.gamma(2.0, size=v.size)
    value, se = value_of_information(unrelated, v, bootstrap=40)
    relevant, _ = value_of_information(theta, v, bootstrap=20)
    assert 0 <= value <= 3 * se
    assert value < 0.01 * relevant


def test_a_two_point_input_gives_its_exact_conditional_means():
    # V = v_hi with probability p, v_lo otherwise, known perfectly: -(1 - p) v_lo
    rng = np.random.default_rng(4)
    good = rng.random(100_000) < 0.3
    v = np.where(good, 500.0, -120.0)
    value, _ = value_of_information(good.astype(float), v, bootstrap=20)
    assert v.mean() > 0  # go without information; the information saves the bad futures
    assert value == pytest.approx((~good).mean() * 120.0, rel=1e-9)


@pytest.mark.parametrize("mu, c", [(300.0, 200.0), (220.0, 200.0), (150.0, 200.0)])
def test_a_binary_input_with_a_noisy_value_is_worth_its_closed_form(mu, c):
    # V = x W - c: a stage succeeds (x = 1, probability p) and then earns W ~ N(mu, 400),
    # its cost c is spent either way. Knowing x is worth
    # p max(mu - c, 0) + (1 - p) max(-c, 0) - max(p mu - c, 0): p (mu - c) where going
    # is wrong on average but right given success, 0 where success does not pay either
    rng = np.random.default_rng(11)
    p, n = 0.6, 400_000
    x = rng.random(n) < p
    v = np.where(x, rng.normal(mu, 400.0, n), 0.0) - c
    value, se = value_of_information(x.astype(float), v, bootstrap=40)
    exact = p * max(mu - c, 0.0) - max(p * mu - c, 0.0)
    assert value == pytest.approx(exact, abs=3 * se + 1e-9)
    if exact == 0.0:
        assert value <= 3 * se  # exactly 0 here: E[V | x] < 0 at both values
    else:
        assert value == pytest.approx(exact, rel=0.05)
        # the sample's own closed form, exactly (the indicators are the group means)
        means = [v[~x].mean(), v[x].mean()]
        own = (np.maximum(means, 0.0) @ [(~x).mean(), x.mean()]) - max(v.mean(), 0.0)
        assert value == pytest.approx(own, rel=1e-9)


def test_only_reaching_iterations_decide_and_values_are_per_future():
    rng, theta, v = linear_problem(100_000, -1.0, 1.0, 1.0, 2.0, 1.0, 5)
    reached = rng.random(v.size) < 0.4
    given_reach, _ = value_of_information(theta[reached], v[reached], bootstrap=10)
    per_future, _ = value_of_information(theta, np.where(reached, v, 0.0), reached, bootstrap=10)
    assert per_future == pytest.approx(reached.mean() * given_reach, rel=1e-12)


def test_spline_is_linear_beyond_its_outer_knots_and_fits_a_cubic_inside():
    x = np.linspace(-3, 3, 2001)
    b = spline_basis(x)
    outside = x > np.quantile(x, 0.95)
    second = np.diff(b[outside], n=2, axis=0)
    np.testing.assert_allclose(second, 0.0, atol=1e-9)
    smooth = np.sin(x)
    inside = np.abs(x) < np.quantile(x, 0.95)
    assert np.max(np.abs(conditional_mean(x, smooth) - smooth)[inside]) < 0.05


def test_net_is_gross_less_delay_and_cost():
    rng, theta, v = linear_problem(20_000, -1.0, 1.0, 1.0, 2.0, 1.0, 6)
    reached = rng.random(v.size) < 0.5
    v = np.where(reached, v, 0.0)
    cost = np.where(reached, 0.1, 0.0)
    out = decision_value(theta, v, reached, 0.9, cost, bootstrap=20)
    free = decision_value(theta, v, reached, bootstrap=20)
    assert out["evsi_gross_musd"] == free["evsi_gross_musd"] == free["evsi_net_musd"]
    assert out["cost_musd"] == pytest.approx(0.1 * reached.mean())
    net = out["evsi_gross_musd"] - out["delay_loss_musd"] - out["cost_musd"]
    assert out["evsi_net_musd"] == pytest.approx(net)
    assert out["delay_loss_musd"] > 0


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    m=st.floats(-2.0, 2.0),
    b=st.floats(0.2, 5.0),
    noise=st.floats(0.0, 3.0),
    tau=st.floats(0.0, 5.0),
    reach=st.floats(0.2, 1.0),
    seed=st.integers(0, 2**16),
)
def test_evsi_is_never_below_zero_nor_above_evpi(m, b, noise, tau, reach, seed):
    rng, theta, v = linear_problem(4000, m, b, 0.0, 1.0, noise, seed)
    reached = rng.random(v.size) < reach
    v = np.where(reached, v, 0.0)
    reading = theta + tau * rng.standard_normal(v.size)
    out = decision_value(reading, v, reached, bootstrap=30, seed=seed)
    evppi, evppi_se = value_of_information(theta, v, reached, bootstrap=30, seed=seed)
    evpi, evpi_se = value_of_information(None, v, reached, bootstrap=30, seed=seed)
    evsi, evsi_se = out["evsi_gross_musd"], out["evsi_gross_se_musd"]
    assert evsi >= 0.0 and evppi >= 0.0  # exact: Jensen's inequality over the sample
    assert evsi <= evppi + 3 * np.hypot(evsi_se, evppi_se) + 1e-9
    assert evppi <= evpi + 3 * np.hypot(evppi_se, evpi_se) + 1e-9
