"""The compiled queue gives the numbers of the numpy recursion it replaced, to the last bit,
one iteration at a time.

The oracle is the numpy recursion itself, kept in ``reference_queue.py`` (verbatim but
for two ways of computing a number, marked there). The kernel runs the iterations one
after the other, each from its own generator; the oracle runs each iteration alone
(``n = 1``) from a copy of that generator. For the same arrivals and process, every array
of the :class:`CapacityOutcome` must have the same dtype, shape and bytes, and every
generator must be left in the same state (so every draw made after the plant, by the same
stream, is unchanged too). The same holds with one generator shared by all iterations,
drawn from one iteration after the other. Hypothesis draws processes over every branch of
the recursion: fixed and lognormal vein-to-vein times (binomial and multinomial splits),
whole-month and within-month delays, dropouts or none, QC failures and re-manufacture,
cold-chain loss, expansion with and without lead time, a contract manufacturer, no suite
at all. Last, iteration ``i``'s plant does not depend on the iterations after it: the
property that makes iteration ``i`` the same future in a longer run.
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


def generators(n: int, seed: int) -> list[np.random.Generator]:
    return [np.random.default_rng([seed, i]) for i in range(n)]


def assert_bit_identical(
    arrivals: np.ndarray, process: CellTherapyProcess, seed: int, *, shared: bool = False
) -> None:
    n = arrivals.shape[0]
    if shared:  # one generator, drawn from by one iteration after the other
        rng_old, rng_new = np.random.default_rng(seed), np.random.default_rng(seed)
        olds, news, left_old, left_new = [rng_old] * n, rng_new, [rng_old], [rng_new]
    else:
        olds, news = generators(n, seed), generators(n, seed)
        left_old, left_new = olds, news
    old = CapacityOutcome.concatenate(
        [numpy_recursion(arrivals[i : i + 1], process, olds[i]) for i in range(n)]
    )
    new = simulate_capacity_fast(arrivals, process, news)
    for f in dataclasses.fields(CapacityOutcome):
        a, b = getattr(old, f.name), getattr(new, f.name)
        assert (a.dtype, a.shape) == (b.dtype, b.shape), f.name
        assert a.tobytes() == b.tobytes(), f"{f.name} moved"
    states = [g.bit_generator.state for g in left_old]
    assert states == [g.bit_generator.state for g in left_new]


def demand(n: int, months: int, peak: float, seed: int) -> np.ndarray:
    """Poisson referrals ramping up to ``peak`` a month, as after a launch."""
    ramp = np.minimum(np.arange(months) / 24.0, 1.0) * peak
    return np.random.default_rng(seed).poisson(np.broadcast_to(ramp, (n, months)))


@pytest.mark.parametrize("log_sd", [0.0, 0.2])
@pytest.mark.parametrize("peak", [10.0, 45.0, 120.0])  # capacity above, near, far below demand
def test_shipped_plant_is_bit_identical(log_sd, peak):
    process = dataclasses.replace(SHIPPED_CAR_T, manufacturing_log_sd=log_sd)
    assert_bit_identical(demand(40, 360, peak, seed=3), process, seed=11)
    assert_bit_identical(demand(10, 360, peak, seed=4), process, seed=12, shared=True)


def test_an_iteration_does_not_depend_on_those_after_it():
    arrivals = demand(30, 240, 45.0, seed=5)
    full = simulate_capacity_fast(arrivals, SHIPPED_CAR_T, generators(30, 9))
    first = simulate_capacity_fast(arrivals[:7], SHIPPED_CAR_T, generators(7, 9))
    for f in dataclasses.fields(CapacityOutcome):
        a, b = getattr(full, f.name)[:7], getattr(first, f.name)
        assert a.tobytes() == b.tobytes(), f.name
    assert full.treated.sum() > first.treated.sum() > 0  # the later rows did something


def test_one_generator_per_iteration_is_checked():
    with pytest.raises(ValueError, match="one generator per iteration expected"):
        simulate_capacity_fast(np.ones((3, 4), np.int64), SHIPPED_CAR_T, generators(2, 0))


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
    assert_bit_identical(demand(n, months, peak, seed), process, seed, shared=seed % 2 == 1)
