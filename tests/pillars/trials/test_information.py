"""Information per patient by endpoint, and the sample-size cost of not targeting
(Simon & Maitournam 2004), closed forms checked by simulating the fixed designs.

Seeds are fixed, so the tests are deterministic.
"""

import numpy as np
import pytest
from scipy import stats

from simulator.pillars.trials.designs.fixed import simulate_fixed
from simulator.pillars.trials.information import (
    drift_per_patient,
    fixed_sample_size,
    information_per_patient,
    population_effect,
    untargeted_sample_size_ratio,
)

N = 10**6
ALPHA = 0.025


def _within(rate: float, p: float, n: int, k: float = 3.0) -> bool:
    return abs(rate - p) <= k * np.sqrt(p * (1.0 - p) / n)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5, 0.8])
def test_untargeted_design_needs_one_over_p_squared_patients(p):
    """Simon & Maitournam (2004): effect only in positives (prevalence p); for the same
    power an untargeted fixed design needs 1/p^2 times the targeted design's patients."""
    theta = 0.3
    targeted = fixed_sample_size(theta, ALPHA, 0.9)
    untargeted = fixed_sample_size(float(population_effect(theta, 0.0, p)), ALPHA, 0.9)
    assert untargeted / targeted == pytest.approx(1 / p**2, rel=1e-12)
    assert untargeted_sample_size_ratio(p) == pytest.approx(1 / p**2, rel=1e-12)
    # and both designs really have the power: simulate them
    m = 400_000
    d_t = drift_per_patient(theta, 1.0)
    d_u = drift_per_patient(population_effect(theta, 0.0, p), 1.0)
    assert _within(simulate_fixed(np.full(m, d_t), targeted, rng(14)).success.mean(), 0.9, m)
    assert _within(simulate_fixed(np.full(m, d_u), untargeted, rng(15)).success.mean(), 0.9, m)


def test_information_per_patient():
    np.testing.assert_allclose(information_per_patient("continuous", [0.1, 0.5]), 1.0)
    # binary: difference 0.1 over control 0.3, pbar = 0.35
    assert information_per_patient("binary", 0.1, control_rate=0.3) == pytest.approx(
        1 / (0.35 * 0.65)
    )
    # time to event: Schoenfeld, information = events / 4, i.e. event_fraction per patient
    assert information_per_patient("time_to_event", 0.3, event_fraction=0.6) == 0.6
    with pytest.raises(ValueError):
        information_per_patient("binary", 0.1)
    with pytest.raises(ValueError):
        information_per_patient("ordinal", 0.1)
    # a fixed binary trial sized by the classical formula has its power
    n = fixed_sample_size(0.1, ALPHA, 0.8, float(information_per_patient("binary", 0.1, 0.3)))
    classical = (stats.norm.isf(ALPHA) + stats.norm.ppf(0.8)) ** 2 * 2 * 2 * 0.35 * 0.65 / 0.01
    assert n == pytest.approx(classical)
