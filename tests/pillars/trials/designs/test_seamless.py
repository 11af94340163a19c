"""Seamless phase II/III: its type I error with dose selection over 10^6 null trials (and
that without the selection adjustment it would exceed alpha); its power against a
numerical integration and its go rate against the multivariate normal CDF.

Seeds are fixed, so the tests are deterministic.
"""

import numpy as np
import pytest
from scipy import integrate, stats

from simulator.pillars.trials.designs.seamless import simulate_seamless

N = 10**6
ALPHA = 0.025
SE_ALPHA = np.sqrt(ALPHA * (1 - ALPHA) / N)


def _within(rate: float, p: float, n: int, k: float = 3.0) -> bool:
    return abs(rate - p) <= k * np.sqrt(p * (1.0 - p) / n)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize(("arms", "go_z"), [(1, None), (3, 0.0), (4, None)])
def test_seamless_keeps_alpha_with_dose_selection(arms, go_z):
    out = simulate_seamless(np.zeros(N), 200, 300, rng(5), arms=arms, go_z=go_z)
    assert out.success.mean() <= ALPHA + 3 * SE_ALPHA
    if arms == 1 and go_z is None:  # no selection, no stop: the combination test is exact
        assert _within(out.success.mean(), ALPHA, N)


def test_without_the_selection_adjustment_alpha_would_be_exceeded():
    """The Bonferroni step is needed: selecting the best of 4 doses and testing it as if
    it had been the only one inflates the type I error well beyond alpha."""
    r = rng(6)
    per_arm = 200 / 5
    e = r.standard_normal((5, N))
    z1 = ((e[1:] - e[0]) / np.sqrt(2)).max(axis=0)
    w1 = np.sqrt(2 * per_arm / (2 * per_arm + 300))
    naive = w1 * z1 + np.sqrt(1 - w1**2) * r.standard_normal(N) >= stats.norm.isf(ALPHA)
    assert naive.mean() > ALPHA + 10 * SE_ALPHA


def test_seamless_power_matches_integration_and_the_go_rate_the_mvn_cdf():
    delta, n1, n2, go_z = 0.12, 180.0, 300.0, 0.5
    out = simulate_seamless(np.full(N, delta), n1, n2, rng(9), arms=1, go_z=go_z)
    w1 = np.sqrt(n1 / (n1 + n2))
    w2 = np.sqrt(1 - w1**2)
    crit = stats.norm.isf(ALPHA)

    def f(z1):
        return stats.norm.pdf(z1 - delta * np.sqrt(n1)) * stats.norm.cdf(
            delta * np.sqrt(n2) - (crit - w1 * z1) / w2
        )

    power = integrate.quad(f, go_z, delta * np.sqrt(n1) + 12)[0]
    assert _within(out.success.mean(), power, N)
    # two doses sharing a control: P(go) = 1 - P(both z < go_z), correlation 1/2
    two = simulate_seamless(np.full(N, delta), n1, n2, rng(10), arms=2, go_z=go_z)
    mean = delta * np.sqrt(2 * n1 / 3)
    no_go = stats.multivariate_normal([mean, mean], [[1, 0.5], [0.5, 1]]).cdf([go_z, go_z])
    assert _within((two.stage == 2).mean(), 1 - no_go, N)
    assert np.all(two.patients == np.where(two.stage == 2, n1 + n2, n1))
