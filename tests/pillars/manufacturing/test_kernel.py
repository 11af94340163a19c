"""The compiled queue gives the numbers of the numpy recursion it replaced, to the last bit.

The oracle is the numpy recursion itself, kept verbatim in ``reference_queue.py``. For
the same arrivals, process and generator seed, every array of the
:class:`CapacityOutcome` must have the same dtype, shape and bytes, and the generator must
be left in the same state (so every draw made after the plant, by the same stream, is
unchanged too). Hypothesis draws processes over every branch of the recursion: fixed and
lognormal vein-to-vein times (binomial and multinomial splits), whole-month and
within-month delays, dropouts or none, QC failures and re-manufacture, cold-chain loss,
expansion with and without lead time, a contract manufacturer, no suite at all.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pillars.manufacturing.reference_queue import simulate_capacity_fast as numpy_recursion

from simulator.pillars.manufacturing.outcome import CapacityOutcome
from simulator.pillars.manufacturing.process import CellTherapyProcess
from simulator.pillars.manufacturing.queue import simulate_capacity_fast

SHIPPED_CAR_T = CellTherapyProcess(  # scenarios/base/assets.yaml, autologous_car_t
    initial_suites=2,
    batches_per_suite_month=20,
    manufacturing_months=0.92,
    manufacturing_log_sd=0.2,
    qc_failure_prob=0.05,
    remanufacture_prob=0.29,
    dropout_hazard_monthly=0.10,
    expansion_backlog_threshold=60,
    expansion_lead_months=18,
    max_suites=6,
    capex_per_suite_musd=30,
)


def assert_bit_identical(arrivals: np.ndarray, process: CellTherapyProcess, seed: int) -> None:
    rng_old, rng_new = np.random.default_rng(seed), np.random.default_rng(seed)
    old = numpy_recursion(arrivals, process, rng_old)
    new = simulate_capacity_fast(arrivals, process, rng_new)
    for f in dataclasses.fields(CapacityOutcome):
        a, b = getattr(old, f.name), getattr(new, f.name)
        assert (a.dtype, a.shape) == (b.dtype, b.shape), f.name
        assert a.tobytes() == b.tobytes(), f"{f.name} moved"
    assert rng_old.bit_generator.state == rng_new.bit_generator.state


def demand(n: int, months: int, peak: float, seed: int) -> np.ndarray:
    """Poisson referrals ramping up to ``peak`` a month, as after a launch."""
    ramp = np.minimum(np.arange(months) / 24.0, 1.0) * peak
    return np.random.default_rng(seed).poisson(np.broadcast_to(ramp, (n, months)))


@pytest.mark.parametrize("log_sd", [0.0, 0.2])
@pytest.mark.parametrize("peak", [10.0, 45.0, 120.0])  # capacity above, near, far below demand
def test_shipped_plant_is_bit_identical(log_sd, peak):
    process = dataclasses.replace(SHIPPED_CAR_T, manufacturing_log_sd=log_sd)
    assert_bit_identical(demand(400, 360, peak, seed=3), process, seed=11)


processes = st.builds(
    CellTherapyProcess,
    initial_suites=st.integers(0, 3),
    batches_per_suite_month=st.integers(1, 12),
    manufacturing_months=st.sampled_from([0.0, 0.4, 0.92, 1.0, 2.5]),
    manufacturing_log_sd=st.sampled_from([0.0, 0.0, 0.15, 0.5]),
    qc_failure_prob=st.sampled_from([0.0, 0.05, 0.3]),
    remanufacture_prob=st.sampled_from([0.0, 0.29, 1.0]),
    cold_chain_loss_prob=st.sampled_from([0.0, 0.02]),
    dropout_hazard_monthly=st.sampled_from([0.0, 0.1, 0.8]),
    expansion_backlog_threshold=st.sampled_from([None, 0, 5, 60]),
    expansion_lead_months=st.sampled_from([0.0, 3.0, 18.0]),
    max_suites=st.integers(3, 5),
    capex_per_suite_musd=st.sampled_from([0.0, 30.0]),
    contract_slots_per_month=st.sampled_from([0, 0, 4]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    process=processes,
    n=st.integers(1, 40),
    months=st.integers(1, 80),
    peak=st.floats(0.0, 40.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_process_is_bit_identical(process, n, months, peak, seed):
    assert_bit_identical(demand(n, months, peak, seed), process, seed)
