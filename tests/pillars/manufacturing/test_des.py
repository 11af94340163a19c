"""SimPy cell-therapy model: closed forms, M/D/1, traces, and agreement with the fast path.

Agreement tolerances. Each compared quantity is a mean over iterations of both paths,
so its Monte Carlo standard error is ``se = sqrt(var_event / n_event + var_fast / n_fast)``
(200 SimPy runs, 4,000 fast ones: the SimPy side dominates). A test allows
``4 se`` (a false alarm for one quantity about 1 in 16,000) plus a stated *modelling*
allowance for what the monthly grid cannot see:

- patients treated, lost while waiting, lost after failure or transit, per year:
  1% of the referrals per year. The fast path has no queueing inside a month, so the
  event model's sub-month waits (M/D/c-like, about 0.05-0.3 months near capacity) and
  the dropouts during them (hazard x wait x referrals, under 0.5% of referrals here) are
  missing; batches and re-manufactures crossing the horizon shift by under a month.
- mean wait: 0.15 months, the sub-month waits again (the fast path counts whole months
  between the arrival cohort and the slot month, unbiased only for waits of a month or
  more).
- month of the first capacity addition: 0.5 months (reviews and start-ups are on the
  same monthly grid in both paths, so only the backlog crossing time differs).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.pillars.manufacturing.des import (
    run_cell_therapy,
    simulate_capacity_event,
    trace_events,
)
from simulator.pillars.manufacturing.outcome import CapacityOutcome
from simulator.pillars.manufacturing.process import CellTherapyProcess
from simulator.pillars.manufacturing.queue import draw_arrivals, simulate_capacity_fast

NO_LOSS = dict(qc_failure_prob=0.0, remanufacture_prob=0.0, cold_chain_loss_prob=0.0)
LOSSES = dict(
    manufacturing_months=1.0, qc_failure_prob=0.05, remanufacture_prob=0.5,
    cold_chain_loss_prob=0.02,
)  # fmt: skip


def event(rate, process, months, seed=0, n=1) -> CapacityOutcome:
    rng = np.random.default_rng(seed)
    rate = np.broadcast_to(np.asarray(rate, dtype=float), (months,))
    return CapacityOutcome.concatenate(
        [simulate_capacity_event(rate, process, rng, months) for _ in range(n)]
    )


# --- closed forms and bookkeeping -------------------------------------------------------


def test_ample_capacity_without_losses_infuses_every_referral_one_month_later():
    process = CellTherapyProcess(batches_per_suite_month=500, manufacturing_months=1.0, **NO_LOSS)
    out = event(20.0, process, 36, n=5)
    np.testing.assert_array_equal(out.treated[:, 1:], out.referred[:, :-1])
    assert not out.treated[:, 0].any() and not out.backlog.any()
    assert np.all(out.mean_wait_months == 0.0)


def test_zero_capacity_treats_nobody():
    closed = event(5.0, CellTherapyProcess(initial_suites=0), 24, n=5)
    assert not closed.treated.any() and not closed.batches_started.any()
    np.testing.assert_array_equal(closed.backlog, np.cumsum(closed.referred, axis=1))
    leaky = event(5.0, CellTherapyProcess(initial_suites=0, dropout_hazard_monthly=0.3), 24, n=5)
    np.testing.assert_array_equal(
        leaky.backlog + np.cumsum(leaky.lost_waiting, axis=1), np.cumsum(leaky.referred, axis=1)
    )
    assert leaky.lost_waiting.sum() > 0


def test_patients_are_conserved_and_runs_reproduce():
    process = CellTherapyProcess(
        initial_suites=1, batches_per_suite_month=4, manufacturing_months=1.4,
        qc_failure_prob=0.2, remanufacture_prob=0.5, cold_chain_loss_prob=0.05,
        dropout_hazard_monthly=0.15, expansion_backlog_threshold=10, max_suites=3,
        expansion_lead_months=3,
    )  # fmt: skip
    out = event(6.0, process, 48, seed=7, n=10)
    in_flight = (out.batches_started - out.shipments - out.manufacturing_failures).sum(axis=1)
    accounted = (
        out.treated.sum(axis=1)
        + out.lost_waiting.sum(axis=1)
        + out.lost_after_failure_or_transit.sum(axis=1)
        + out.backlog[:, -1]
        + in_flight
    )
    np.testing.assert_array_equal(accounted, out.referred.sum(axis=1))
    again = event(6.0, process, 48, seed=7, n=10)
    np.testing.assert_array_equal(again.treated, out.treated)


@pytest.mark.parametrize("rho", [0.5, 0.7])
def test_single_slot_is_md1(rho):
    """1 slot booked for one month (mu = 1/month), Poisson(rho): W_q = rho / (2 mu (1 - rho)).

    30 independent runs of 1,500 months (about 1,000 patients each): their spread gives
    the standard error; the start from an empty queue biases the mean by far less than
    one standard error (relaxation time of a few months against 1,500).
    """
    process = CellTherapyProcess(manufacturing_months=0.5, **NO_LOSS)
    waits = event(rho, process, 1500, seed=11, n=30).mean_wait_months
    expected = rho / (2 * 1.0 * (1 - rho))
    se = waits.std(ddof=1) / math.sqrt(waits.size)
    assert abs(waits.mean() - expected) < 4 * se, (waits.mean(), expected, se)


def test_suite_timing_and_trace():
    process = CellTherapyProcess(
        initial_suites=1, expansion_backlog_threshold=0, expansion_lead_months=2.5,
        max_suites=3, capex_per_suite_musd=30.0, **NO_LOSS,
    )  # fmt: skip
    rate = np.zeros(24)
    rate[0] = 100.0
    collector = run_cell_therapy(rate, process, np.random.default_rng(3), 24)
    out = collector.to_outcome(process)
    np.testing.assert_array_equal(out.suites[0, :10], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3])
    np.testing.assert_array_equal(np.flatnonzero(out.capex_musd[0]), [0, 4])
    lines = trace_events(collector)
    assert lines[0][0] == 0 and lines[0][1].startswith("month 0: suite ordered (backlog ")
    online = [text for _, text in lines if "comes online" in text]
    # ordered at the end of month 0, online at 0 + 1 + ceil(2.5); the backlog it meets
    assert online[0] == f"month 4: suite 2 comes online (backlog {out.backlog[0, 3]})"
    assert online[1].startswith("month 8: suite 3 comes online")


def test_patient_trace_is_readable_and_ordered():
    process = CellTherapyProcess(qc_failure_prob=0.5, remanufacture_prob=0.5, **{
        "batches_per_suite_month": 3, "dropout_hazard_monthly": 0.2})  # fmt: skip
    collector = run_cell_therapy(
        np.full(12, 4.0), process, np.random.default_rng(5), 12, record_patients=True
    )
    lines = trace_events(collector)
    months = [month for month, _ in lines]
    assert months == sorted(months) and all(0 <= m < 12 for m in months)
    texts = " ".join(text for _, text in lines)
    for phrase in ("referred", "gets a slot", "fails QC", "infused"):
        assert phrase in texts
    assert trace_events(collector, patients=False) == []


# --- agreement with the fast path -------------------------------------------------------


def compare(process, rate, months, n_event=200, n_fast=4000, seed=2024):
    """(event mean, fast mean, combined standard error) of each compared quantity."""
    ev = event(rate, process, months, seed=seed, n=n_event)
    rng = np.random.default_rng(seed + 1)
    fa = simulate_capacity_fast(draw_arrivals(np.full(months, rate), n_fast, rng), process, rng)
    years = months / 12

    def per_iteration(out):
        return {
            "treated_per_year": out.treated.sum(axis=1) / years,
            "lost_waiting_per_year": out.lost_waiting.sum(axis=1) / years,
            "lost_after_per_year": out.lost_after_failure_or_transit.sum(axis=1) / years,
            "mean_wait_months": out.mean_wait_months,
            "first_expansion_month": out.first_expansion_month,
            "contract_batches_per_year": out.contract_batches.sum(axis=1) / years,
        }

    result = {}
    event_values, fast_values = per_iteration(ev), per_iteration(fa)
    for name, e in event_values.items():
        f = fast_values[name]
        e, f = e[~np.isnan(e)], f[~np.isnan(f)]
        if e.size < 2 or f.size < 2:
            assert e.size <= 0.02 * n_event and f.size <= 0.02 * n_fast, name
            continue
        se = math.sqrt(e.var(ddof=1) / e.size + f.var(ddof=1) / f.size)
        result[name] = (e.mean(), f.mean(), se)
    return result


def assert_agree(result, referrals_per_year):
    allowance = {
        "treated_per_year": 0.01 * referrals_per_year,
        "lost_waiting_per_year": 0.01 * referrals_per_year,
        "lost_after_per_year": 0.01 * referrals_per_year,
        "mean_wait_months": 0.15,
        "first_expansion_month": 0.5,
        "contract_batches_per_year": 0.01 * referrals_per_year,
    }
    for name, (event_mean, fast_mean, se) in result.items():
        tolerance = 4 * se + allowance[name]
        assert abs(event_mean - fast_mean) <= tolerance, (name, event_mean, fast_mean, tolerance)


def regime(slots: int, hazard: float, **expansion) -> CellTherapyProcess:
    return CellTherapyProcess(
        batches_per_suite_month=slots, dropout_hazard_monthly=hazard, **expansion, **LOSSES
    )


REGIMES = {
    # 10 slots a month for 5 referrals
    "ample": (regime(10, 0.05), 5.0),
    # 6 slots for 5 referrals plus re-manufactures: utilization about 0.85
    "near": (regime(6, 0.05), 5.0),
    # 4 slots for 8 referrals: the queue settles where dropouts balance the excess
    "overloaded": (regime(4, 0.1), 8.0),
    # 3 slots for 8 referrals, a suite ordered whenever more than 15 wait, 6-month lead
    "overloaded_expanding": (
        regime(3, 0.1, expansion_backlog_threshold=15, expansion_lead_months=6, max_suites=4),
        8.0,
    ),
    # 4 own slots and 3 at a contract manufacturer for 8 referrals: the overflow goes out
    "overloaded_with_contract": (regime(4, 0.1, contract_slots_per_month=3), 8.0),
    # near capacity with a wide spread of vein-to-vein times (lognormal, shape 0.5)
    "near_variable_vein_to_vein": (regime(6, 0.05, manufacturing_log_sd=0.5), 5.0),
}


@pytest.mark.slow
@pytest.mark.parametrize("regime", list(REGIMES))
def test_fast_path_agrees_with_event_model(regime):
    process, rate = REGIMES[regime]
    result = compare(process, rate, months=60)
    if regime == "overloaded_expanding":
        assert "first_expansion_month" in result
    if regime == "overloaded_with_contract":
        assert result["contract_batches_per_year"][0] > 12  # more than a slot a month
    else:
        assert result["contract_batches_per_year"][:2] == (0.0, 0.0)
    assert_agree(result, referrals_per_year=12 * rate)
