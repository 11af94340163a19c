"""Fast monthly manufacturing queue: validation, closed forms, an exact FIFO oracle, invariants.

Monotonicity (more suites, lower failure or dropout never lower the patients treated) is
checked on means with common random numbers: the same arrivals and the same rng seed for
both arms. It is *not* checked pathwise with random failures or dropouts: numpy's
binomial sampler uses a variable number of uniforms, so two arms with different counts
desynchronise the stream and a single path can go either way. The pathwise check is done
where the fast path is deterministic given the arrivals (no failures, no dropout, a whole
number of vein-to-vein months): there the shared arrivals are an exact coupling.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.pillars.manufacturing.outcome import (
    CapacityOutcome,
    manufacturing_cost_musd,
    yearly_totals,
)
from simulator.pillars.manufacturing.process import CellTherapyProcess
from simulator.pillars.manufacturing.queue import draw_arrivals, simulate_capacity_fast

NO_LOSS = dict(qc_failure_prob=0.0, remanufacture_prob=0.0, cold_chain_loss_prob=0.0)


def fast(arrivals, process, seed=0) -> CapacityOutcome:
    return simulate_capacity_fast(np.asarray(arrivals), process, np.random.default_rng(seed))


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"initial_suites": -1}, "initial_suites"),
        ({"initial_suites": 1.5}, "initial_suites"),
        ({"batches_per_suite_month": 0}, "batches_per_suite_month"),
        ({"qc_failure_prob": 1.2}, "qc_failure_prob"),
        ({"cold_chain_loss_prob": -0.1}, "cold_chain_loss_prob"),
        ({"manufacturing_months": -1.0}, "manufacturing_months"),
        ({"dropout_hazard_monthly": math.inf}, "dropout_hazard_monthly"),
        ({"expansion_backlog_threshold": -3}, "expansion_backlog_threshold"),
        ({"expansion_backlog_threshold": 5, "initial_suites": 3, "max_suites": 2}, "max_suites"),
        ({"capex_per_suite_musd": -5.0}, "capex_per_suite_musd"),
        ({"max_suites": True}, "max_suites"),
    ],
)
def test_invalid_process_is_rejected(changes, message):
    with pytest.raises(ValueError, match=message):
        CellTherapyProcess(**changes)


def test_bad_arrivals_are_rejected():
    with pytest.raises(ValueError, match="arrivals"):
        fast(np.ones(12, dtype=int), CellTherapyProcess())
    with pytest.raises(ValueError, match="rate_per_month"):
        draw_arrivals(np.full(12, -1.0), 3, np.random.default_rng(0))


def test_draw_arrivals_shape_and_mean():
    arrivals = draw_arrivals(np.full(24, 7.0), 2000, np.random.default_rng(1))
    assert arrivals.shape == (2000, 24)
    assert arrivals.mean() == pytest.approx(7.0, abs=4 * math.sqrt(7.0 / arrivals.size))


# --- closed forms -----------------------------------------------------------------------


@pytest.mark.parametrize("manufacturing_months", [0.0, 1.0, 2.0])
def test_ample_capacity_without_losses_treats_every_referral(manufacturing_months):
    process = CellTherapyProcess(
        initial_suites=1, batches_per_suite_month=1000,
        manufacturing_months=manufacturing_months, **NO_LOSS,
    )  # fmt: skip
    arrivals = draw_arrivals(np.full(36, 20.0), 50, np.random.default_rng(2))
    out = fast(arrivals, process)
    shift = int(manufacturing_months)
    np.testing.assert_array_equal(out.treated[:, shift:], arrivals[:, : 36 - shift])
    assert not out.treated[:, :shift].any()
    assert not out.backlog.any() and not out.lost_waiting.any()
    assert np.all(out.mean_wait_months == 0.0)


def test_zero_capacity_treats_nobody_and_the_queue_only_grows_or_drops_out():
    arrivals = draw_arrivals(np.full(24, 5.0), 100, np.random.default_rng(3))
    closed = fast(arrivals, CellTherapyProcess(initial_suites=0))
    assert not closed.treated.any() and not closed.batches_started.any()
    np.testing.assert_array_equal(closed.backlog, np.cumsum(arrivals, axis=1))
    leaky = fast(arrivals, CellTherapyProcess(initial_suites=0, dropout_hazard_monthly=0.3))
    np.testing.assert_array_equal(
        leaky.backlog + np.cumsum(leaky.lost_waiting, axis=1), np.cumsum(arrivals, axis=1)
    )
    assert np.isnan(closed.mean_wait_months).all() and np.isnan(closed.utilization).all()


def test_saturated_plant_runs_at_capacity_with_known_waits():
    """8 referrals a month into 4 slots: 4 treated a month, cohort a waits a and a+1 months."""
    process = CellTherapyProcess(initial_suites=2, batches_per_suite_month=2, **NO_LOSS)
    out = fast(np.full((1, 25), 8), process)
    assert np.all(out.treated[0, 1:] == 4) and out.treated[0, 0] == 0
    np.testing.assert_array_equal(out.backlog[0], 4 * np.arange(1, 26))
    assert np.all(out.utilization == 1.0)
    # Starts in months 0..23 complete in the horizon; month s serves cohort s // 2 (wait s - s//2).
    waits = [s - s // 2 for s in range(24)]
    assert out.mean_wait_months[0] == pytest.approx(np.mean(waits))


def test_a_contract_manufacturer_takes_only_the_overflow_at_its_price():
    """8 referrals a month, 4 own slots, 3 contract slots, no losses: 7 batches a month,
    4 of them own and 3 the contract manufacturer's; own utilization 1; the cost splits
    at the two prices."""
    process = CellTherapyProcess(
        initial_suites=2, batches_per_suite_month=2, contract_slots_per_month=3,
        cost_per_batch_musd=0.1, contract_cost_per_batch_musd=0.25, **NO_LOSS,
    )  # fmt: skip
    out = fast(np.full((1, 24), 8), process)
    assert np.all(out.batches_started == 7) and np.all(out.contract_batches == 3)
    assert np.all(out.utilization == 1.0)
    np.testing.assert_array_equal(out.backlog[0], np.arange(1, 25))
    np.testing.assert_allclose(manufacturing_cost_musd(out, process), 4 * 0.1 + 3 * 0.25)
    # below capacity the own suites suffice and the contract manufacturer makes nothing
    light = fast(np.full((1, 24), 3), process)
    assert not light.contract_batches.any() and np.all(light.batches_started == 3)


@pytest.mark.parametrize("median, log_sd", [(0.92, 0.2), (1.5, 0.5), (0.3, 1.0), (2.0, 0.0)])
def test_completion_offsets_are_the_distribution_of_whole_months_to_release(median, log_sd):
    """floor(U + D) with U uniform: the offsets sum to 1 and their mean is E[D] (for any
    x, E floor(U + x) = x), the lognormal mean median * exp(log_sd^2 / 2); a Monte Carlo
    of floor(U + D) agrees month by month."""
    p = CellTherapyProcess(manufacturing_months=median, manufacturing_log_sd=log_sd)
    offsets = p.completion_offsets()
    assert offsets.sum() == pytest.approx(1.0, abs=1e-12) and np.all(offsets >= 0)
    mean = (np.arange(offsets.size) * offsets).sum()
    assert mean == pytest.approx(median * math.exp(log_sd**2 / 2), abs=2e-3)
    rng = np.random.default_rng(7)
    draws = median * np.exp(log_sd * rng.standard_normal(400_000))
    months = np.floor(rng.random(draws.size) + draws).astype(int)
    freq = np.bincount(months, minlength=offsets.size)[: offsets.size] / draws.size
    np.testing.assert_allclose(freq, offsets, atol=4 * math.sqrt(0.25 / draws.size) + 1e-4)


def test_md1_throughput_only():
    """M/D/1 (1 slot, Poisson arrivals): the fast path gets throughput = lambda right.

    Its wait is not compared with W_q = rho / (2 mu (1 - rho)): the service time here is
    the one-month grid step itself, so the monthly path cannot see waits inside a month
    (the event model is held to the M/D/1 formula instead).
    """
    process = CellTherapyProcess(manufacturing_months=0.0, **NO_LOSS)
    out = fast(draw_arrivals(np.full(600, 0.7), 200, np.random.default_rng(4)), process)
    per_month = out.treated[:, 60:].mean()
    assert per_month == pytest.approx(0.7, abs=4 * math.sqrt(0.7 / out.treated[:, 60:].size))


def test_expansion_timing_capex_and_costs():
    process = CellTherapyProcess(
        initial_suites=1, expansion_backlog_threshold=0, expansion_lead_months=2.5,
        max_suites=3, capex_per_suite_musd=30.0, fixed_cost_per_suite_year_musd=12.0,
        cost_per_batch_musd=0.1, logistics_per_shipment_musd=0.01, **NO_LOSS,
    )  # fmt: skip
    arrivals = np.zeros((1, 24), dtype=int)
    arrivals[0, 0] = 100
    out = fast(arrivals, process)
    # Ordered at the end of month 0, works from month 0 + 1 + ceil(2.5) = 4; next at 8.
    np.testing.assert_array_equal(out.suites[0, :10], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3])
    assert out.first_expansion_month[0] == 4
    np.testing.assert_array_equal(np.flatnonzero(out.capex_musd[0]), [0, 4])
    assert out.capex_per_year_musd[0, 0] == 60.0
    cost = manufacturing_cost_musd(out, process)
    assert cost[0, 0] == pytest.approx(30.0 + 1.0 + 0.1)
    assert cost[0, 1] == pytest.approx(1.0 + 0.1 + 0.01)


def test_yearly_totals_keeps_a_partial_year():
    monthly = np.arange(30).reshape(1, 30)
    np.testing.assert_array_equal(
        yearly_totals(monthly), [[sum(range(12)), sum(range(12, 24)), sum(range(24, 30))]]
    )


def test_patients_are_conserved():
    """referred = treated + lost + waiting + in flight, iteration by iteration."""
    process = CellTherapyProcess(
        initial_suites=1, batches_per_suite_month=4, manufacturing_months=1.4,
        qc_failure_prob=0.2, remanufacture_prob=0.5, cold_chain_loss_prob=0.05,
        dropout_hazard_monthly=0.15, expansion_backlog_threshold=10, max_suites=3,
        expansion_lead_months=3,
    )  # fmt: skip
    out = fast(draw_arrivals(np.full(48, 6.0), 300, np.random.default_rng(5)), process)
    in_flight = (out.batches_started - out.shipments - out.manufacturing_failures).sum(axis=1)
    accounted = (
        out.treated.sum(axis=1)
        + out.lost_waiting.sum(axis=1)
        + out.lost_after_failure_or_transit.sum(axis=1)
        + out.backlog[:, -1]
        + in_flight
    )
    np.testing.assert_array_equal(accounted, out.referred.sum(axis=1))


# --- exact FIFO oracle ------------------------------------------------------------------


def fifo_reference(arrivals_row, process):
    """Patient-by-patient FIFO with the same monthly slots, delays and expansion rule."""
    months, delay = len(arrivals_row), int(process.manufacturing_months)
    queue, suites, online_month = deque(), process.initial_suites, None
    treated, backlog, suites_by_month, waits = [0] * months, [], [], []
    for t, arrivals in enumerate(arrivals_row):
        if online_month == t:
            suites, online_month = suites + 1, None
        suites_by_month.append(suites)
        queue.extend([t] * arrivals)
        for _ in range(min(len(queue), suites * process.batches_per_suite_month)):
            arrived = queue.popleft()
            if t + delay < months:
                treated[t + delay] += 1
                waits.append(t - arrived)
        backlog.append(len(queue))
        threshold = process.expansion_backlog_threshold
        if (
            threshold is not None
            and len(queue) > threshold
            and online_month is None
            and suites < process.max_suites
        ):
            online_month = t + 1 + math.ceil(process.expansion_lead_months)
    return treated, backlog, suites_by_month, (np.mean(waits) if waits else math.nan)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.lists(st.integers(0, 6), min_size=18, max_size=18), min_size=1, max_size=3),
    initial_suites=st.integers(0, 2),
    batches=st.integers(1, 3),
    delay=st.sampled_from([0.0, 1.0, 2.0]),
    threshold=st.one_of(st.none(), st.integers(0, 8)),
    lead=st.sampled_from([0.0, 1.0, 2.5]),
    extra_suites=st.integers(0, 2),
)
def test_deterministic_fast_path_matches_fifo_oracle(
    rows, initial_suites, batches, delay, threshold, lead, extra_suites
):
    process = CellTherapyProcess(
        initial_suites=initial_suites, batches_per_suite_month=batches,
        manufacturing_months=delay, expansion_backlog_threshold=threshold,
        expansion_lead_months=lead, max_suites=initial_suites + extra_suites, **NO_LOSS,
    )  # fmt: skip
    out = fast(np.array(rows), process)
    for i, row in enumerate(rows):
        treated, backlog, suites, mean_wait = fifo_reference(row, process)
        np.testing.assert_array_equal(out.treated[i], treated)
        np.testing.assert_array_equal(out.backlog[i], backlog)
        np.testing.assert_array_equal(out.suites[i], suites)
        np.testing.assert_allclose(out.mean_wait_months[i], mean_wait, equal_nan=True)


# --- invariants -------------------------------------------------------------------------


def assert_not_lower(higher: np.ndarray, lower: np.ndarray) -> None:
    """Paired means: mean(higher - lower) >= -4 standard errors (CRN makes the SE small)."""
    diff = (higher - lower).astype(float)
    se = diff.std(ddof=1) / math.sqrt(diff.size)
    assert diff.mean() >= -4 * se - 1e-9, (diff.mean(), se)


process_strategy = st.builds(
    CellTherapyProcess,
    initial_suites=st.integers(0, 3),
    batches_per_suite_month=st.integers(1, 4),
    manufacturing_months=st.sampled_from([0.5, 1.0, 1.7]),
    qc_failure_prob=st.floats(0.0, 0.3),
    remanufacture_prob=st.floats(0.0, 1.0),
    cold_chain_loss_prob=st.floats(0.0, 0.1),
    dropout_hazard_monthly=st.floats(0.0, 0.4),
)
invariant_settings = settings(max_examples=10, deadline=None)


def treated_by_arm(process_a, process_b, rate, seed, n=400, months=36):
    arrivals = draw_arrivals(np.full(months, rate), n, np.random.default_rng(seed))
    a = fast(arrivals, process_a, seed + 1).treated.sum(axis=1)
    b = fast(arrivals, process_b, seed + 1).treated.sum(axis=1)
    return a, b


@invariant_settings
@given(process_strategy, st.integers(1, 2), st.floats(1.0, 12.0), st.integers(0, 2**31))
def test_more_suites_never_lower_treated(process, extra, rate, seed):
    """Without expansion: a bigger plant can delay an expansion, so that case is left out."""
    bigger = dataclasses.replace(process, initial_suites=process.initial_suites + extra)
    more, fewer = treated_by_arm(bigger, process, rate, seed)
    assert_not_lower(more, fewer)


@invariant_settings
@given(process_strategy, st.floats(0.01, 0.5), st.floats(1.0, 12.0), st.integers(0, 2**31))
def test_higher_failure_rate_never_raises_treated(process, bump, rate, seed):
    worse = dataclasses.replace(process, qc_failure_prob=min(1.0, process.qc_failure_prob + bump))
    base, failing = treated_by_arm(process, worse, rate, seed)
    assert_not_lower(base, failing)


@invariant_settings
@given(process_strategy, st.floats(0.02, 1.0), st.floats(1.0, 12.0), st.integers(0, 2**31))
def test_higher_dropout_never_raises_treated(process, bump, rate, seed):
    worse = dataclasses.replace(
        process, dropout_hazard_monthly=process.dropout_hazard_monthly + bump
    )
    base, leaky = treated_by_arm(process, worse, rate, seed)
    assert_not_lower(base, leaky)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(st.lists(st.integers(0, 8), min_size=24, max_size=24), min_size=1, max_size=4),
    suites=st.integers(0, 3),
    extra=st.integers(1, 2),
    delay=st.sampled_from([0.0, 1.0, 3.0]),
)
def test_more_suites_treat_at_least_as_many_by_every_month_pathwise(rows, suites, extra, delay):
    """Deterministic given arrivals: shared arrivals are an exact coupling."""
    process = CellTherapyProcess(initial_suites=suites, manufacturing_months=delay, **NO_LOSS)
    bigger = dataclasses.replace(process, initial_suites=suites + extra)
    arrivals = np.array(rows)
    more = np.cumsum(fast(arrivals, bigger).treated, axis=1)
    fewer = np.cumsum(fast(arrivals, process).treated, axis=1)
    assert np.all(more >= fewer)
