"""The fixed design against its closed-form power; its type I error over 10^6 null trials.

Seeds are fixed, so the tests are deterministic.
"""

import numpy as np
from scipy import stats

from simulator.pillars.trials.designs.fixed import simulate_fixed

N = 10**6
ALPHA = 0.025


def _within(rate: float, p: float, n: int, k: float = 3.0) -> bool:
    return abs(rate - p) <= k * np.sqrt(p * (1.0 - p) / n)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_fixed_type_one_error_and_closed_form_power():
    assert _within(simulate_fixed(np.zeros(N), 300, rng(1)).success.mean(), ALPHA, N)
    delta = 0.15
    power = stats.norm.cdf(delta * np.sqrt(300) - stats.norm.isf(ALPHA))
    assert _within(simulate_fixed(np.full(N, delta), 300, rng(2)).success.mean(), power, N)
