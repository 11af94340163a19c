"""A simulated group-sequential design against its exact power (recursive integration);
enrolment stops at the look.

Seeds are fixed, so the tests are deterministic.
"""

import numpy as np

from simulator.pillars.trials.boundaries import design_group_sequential, power_at
from simulator.pillars.trials.designs.group_sequential import simulate_gsd

N = 10**6
ALPHA = 0.025


def _within(rate: float, p: float, n: int, k: float = 3.0) -> bool:
    return abs(rate - p) <= k * np.sqrt(p * (1.0 - p) / n)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _gsd():
    return design_group_sequential(
        alpha=ALPHA, power=0.9, spending="obf", futility="hsd", info_fractions=(0.5, 0.75, 1.0)
    )


def test_group_sequential_power_from_sample_size_and_effect():
    d = _gsd()
    n, delta = 500.0, 0.13
    out = simulate_gsd(d, np.full(N, delta), n, rng(7))
    assert _within(out.success.mean(), power_at(d, delta * np.sqrt(n)), N)
    np.testing.assert_allclose(np.unique(out.patients), n * d.info_fractions)
