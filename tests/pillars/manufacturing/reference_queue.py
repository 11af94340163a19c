"""The oracle of the compiled queue: the numpy recursion it replaced, kept verbatim.

``simulator.pillars.manufacturing.queue`` ran this code (a Python loop over months of
numpy operations over iterations) until the recursion was compiled
(``simulator.pillars.manufacturing.kernel``). The kernel now runs one iteration after
the other, each from its own generator; ``test_kernel.py`` runs this recursion on one
iteration at a time (``n = 1``) from the same generators and requires the same arrays to
the last bit. What follows is the module as it was, its docstring included, with two
changes marked ``(kernel)``, both in how a number is computed, not which: the latest
arrivals' dropout probability takes the C library's ``expm1`` (numpy's vectorized one
differs in the last bit on some CPUs), and a month's sum of waits adds the cohorts in
order (a BLAS product may not).

The fast path of the plant: every iteration's manufacturing queue, month by month.

The process it runs (referral, slot, manufacture, QC, re-manufacture, cold chain,
dropouts, capacity growth) is told in :mod:`.process`; this module advances all
iterations together on the monthly grid, as arrays, and returns a
:class:`~.outcome.CapacityOutcome`. The SimPy model (:mod:`.des`) runs the same process
patient by patient; the tests hold the two against each other.

Equations
---------
In month ``t``, with ``A_t`` referrals, ``Q`` referrals and ``R`` re-manufactures
carried from last month and ``C_t = suites_t * batches_per_suite_month`` slots:

1. ``K`` batches complete. A month's ``S`` starts are spread over the later months by
   the vein-to-vein offset law (:mod:`.vein_to_vein`): with a fixed vein-to-vein time
   ``m`` they complete ``floor(m)`` or ``floor(m) + 1`` months later, split
   ``Bin(S, frac(m))`` so the mean delay is ``m``; with a lognormal one, by a multinomial
   draw over the offsets. ``F ~ Bin(K, q)`` fail QC, of whom ``Bin(F, r)`` rejoin the
   queue; ``cold ~ Bin(K - F, c)``; ``treated_t = K - F - cold``.
2. The carried queue loses patients until the served ones reach their slot:
   ``tau = min((Q + R) / C_t, 1) / 2`` months, ``Bin(Q + R, 1 - exp(-h tau))``.
3. Slots go to re-manufactures, then referrals oldest first:
   ``S_t = min(R + rejoined + Q + A_t, C_t)``.
4. Those still waiting are thinned for the rest of the month: carried patients with
   ``1 - exp(-h (1 - tau))``, the unserved last fraction ``f`` of the month's arrivals
   with ``1 - (1 - exp(-h f)) / (h f)`` (uniform arrival times).

A contract manufacturer (optional) adds ``contract_slots_per_month`` to ``C_t`` at a
higher cost per batch; the own suites' slots are used first, so a month's contract
batches are ``max(S_t - suites_t * batches_per_suite_month, 0)``.

``h`` is the monthly dropout hazard, ``q`` the QC failure probability, ``r`` the
re-manufacture probability and ``c`` the cold-chain loss probability. Splitting the
dropouts around the slots (2 and 4) matches the continuous-time queue to second order in
``h``; serving first and thinning after would overstate a long queue. A suite is ordered
at the end of month ``t`` when ``backlog_t > threshold``, none is on order and fewer than
``max_suites`` are online; it works from month ``t + 1 + ceil(lead)``; its capex is
booked in the order month. What the grid cannot see: queueing *inside* a month (a
referral served in its arrival month waits zero here, a few days in the event model) and
the dropouts during those waits.

Waits
-----
Waits are tracked by *cohorts*, not by Little's law: the queue of new referrals is kept
as an (iterations, months) array of how many patients of each arrival month are still
waiting (dropouts thin every cohort in proportion). Slots are given to the oldest cohort
first, so a patient served in month ``s`` from cohort ``a`` waited ``s - a`` months
(both ends are, on average, mid-month). Little's law (W = L / lambda) would be cheaper,
but it averages over everyone who *leaves* the queue, dropouts included, and over a
finite horizon with a growing backlog it mixes waits of patients not yet served; the
question here is the wait of the *treated*, which the cohorts give directly. The cost is
O(iterations x months x queue age), cut to the span of cohorts still waiting.
``mean_wait_months`` is the wait from referral to the first slot, averaged over first
slots whose batch completes within the horizon (QC and transport outcomes do not depend
on the wait, so this estimates the mean wait of the treated).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from simulator.pillars.manufacturing.outcome import (
    CapacityOutcome,
    manufacturing_cost_musd,
    yearly_totals,
)
from simulator.pillars.manufacturing.process import CellTherapyProcess

# CapacityOutcome, CellTherapyProcess, manufacturing_cost_musd and yearly_totals live in
# .outcome and .process; they are re-exported here for the modules that import them from
# the queue.
__all__ = [
    "CapacityOutcome",
    "CellTherapyProcess",
    "draw_arrivals",
    "manufacturing_cost_musd",
    "simulate_capacity_fast",
    "yearly_totals",
]


def draw_arrivals(rate_per_month: ArrayLike, n: int, rng: np.random.Generator) -> np.ndarray:
    """Poisson referrals per month, (n, months), for a rate of shape (months,) or (n, months)."""
    rate = np.asarray(rate_per_month, dtype=float)
    if rate.ndim not in (1, 2) or np.any(rate < 0) or not np.all(np.isfinite(rate)):
        raise ValueError("rate_per_month must be a finite, non-negative (months,) or (n, months)")
    return rng.poisson(np.broadcast_to(rate, (n, rate.shape[-1])))


def _p_drop(hazard_monthly: float, exposure_months: np.ndarray) -> np.ndarray:
    """P(drop out) during an exposure at a constant hazard: 1 - exp(-h t)."""
    return -np.expm1(-hazard_monthly * exposure_months)


def _p_drop_latest(hazard_monthly: float, fraction: np.ndarray) -> np.ndarray:
    """P(drop out) for the latest ``fraction`` of a month's uniform arrivals, to month end.

    They arrived s ~ U(0, f) months before the month end: 1 - (1 - exp(-h f)) / (h f).
    """
    x = hazard_monthly * fraction
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(x > 0, 1.0 + np.expm1(-x) / np.where(x > 0, x, 1.0), 0.0)


def _p_drop_latest_libm(hazard_monthly: float, fraction: np.ndarray) -> np.ndarray:
    """(kernel) :func:`_p_drop_latest` with the C library's ``expm1``, element by element."""
    x = hazard_monthly * fraction
    return np.array([1.0 + math.expm1(-v) / v if v > 0 else 0.0 for v in x])


def simulate_capacity_fast(
    arrivals: np.ndarray, process: CellTherapyProcess, rng: np.random.Generator
) -> CapacityOutcome:
    """Advance every iteration's manufacturing queue month by month (steps 1-4 above).

    Parameters
    ----------
    arrivals
        Referred patients per month, int array (n_iterations, months).
    process
        The manufacturing process.
    rng
        Source of the binomial and multinomial draws (failures, losses, dropouts, delays).

    Returns
    -------
    CapacityOutcome
        (n,) and (n, months) arrays.
    """
    arrivals = np.asarray(arrivals)
    if arrivals.ndim != 2 or np.any(arrivals < 0):
        raise ValueError("arrivals must be a non-negative integer array (n_iterations, months)")
    arrivals = arrivals.astype(np.int64)
    n, months = arrivals.shape
    p = process
    h = p.dropout_hazard_monthly
    delay_floor = math.floor(p.manufacturing_months)
    delay_frac = p.manufacturing_months - delay_floor
    offsets = p.completion_offsets()

    # month-major state: each month reads and writes one contiguous row of n iterations
    shape = (months, n)
    arrivals_by_month = np.ascontiguousarray(arrivals.T)
    out = {name: np.zeros(shape, dtype=np.int64) for name in (
        "treated", "lost_waiting", "manufacturing_failures", "lost_after_failure_or_transit",
        "backlog", "suites", "batches_started", "shipments", "contract_batches",
    )}  # fmt: skip
    capex = np.zeros(shape)
    first_starts = np.zeros(shape, dtype=np.int64)
    wait_sum = np.zeros(shape)

    suites = np.full(n, p.initial_suites, dtype=np.int64)
    online_month = np.full(n, -1, dtype=np.int64)  # month a suite on order starts working
    queue_new = np.zeros(n, dtype=np.int64)  # referrals waiting (first slot)
    queue_reman = np.zeros(n, dtype=np.int64)  # failed batches waiting to be re-made
    cohorts = np.zeros(shape)  # waiting referrals by arrival month (expected composition)
    head = 0  # no cohort before this column has anyone waiting
    pipeline = np.zeros((months + offsets.size + 1, n), dtype=np.int64)

    def book_completions(t: int, done: np.ndarray) -> np.ndarray:
        failed = rng.binomial(done, p.qc_failure_prob)
        requeued = rng.binomial(failed, p.remanufacture_prob)
        shipped = done - failed
        cold_lost = rng.binomial(shipped, p.cold_chain_loss_prob)
        out["manufacturing_failures"][t] += failed
        out["lost_after_failure_or_transit"][t] += failed - requeued + cold_lost
        out["shipments"][t] += shipped
        out["treated"][t] += shipped - cold_lost
        return requeued

    for t in range(months):
        arriving = online_month == t
        suites += arriving
        online_month[arriving] = -1
        out["suites"][t] = suites
        own_capacity = suites * p.batches_per_suite_month
        capacity = own_capacity + p.contract_slots_per_month

        fresh_reman = book_completions(t, pipeline[t])
        pipeline[t] = 0

        # Carried queue: dropouts until the served reach their slot.
        carried = queue_reman + queue_new
        with np.errstate(invalid="ignore", divide="ignore"):
            pre = 0.5 * np.where(capacity > 0, np.minimum(carried / capacity, 1.0), 1.0)
        p_pre = _p_drop(h, pre)
        drop_reman = rng.binomial(queue_reman, p_pre)
        drop_carried = rng.binomial(queue_new, p_pre)
        with np.errstate(invalid="ignore", divide="ignore"):
            keep = np.where(queue_new > 0, 1.0 - drop_carried / queue_new, 0.0)
        cohorts[head:t] *= keep[None, :]
        queue_reman = queue_reman - drop_reman
        queue_new = queue_new - drop_carried

        # Slots: re-manufactures first, then referrals oldest cohort first.
        a_t = arrivals_by_month[t]
        start_reman = np.minimum(queue_reman, capacity)
        start_fresh = np.minimum(fresh_reman, capacity - start_reman)
        start_new = np.minimum(queue_new + a_t, capacity - start_reman - start_fresh)
        from_arrivals = np.maximum(start_new - queue_new, 0)
        cohorts[t] = a_t
        window = cohorts[head : t + 1]
        before = np.cumsum(window, axis=0) - window
        taken = np.clip(start_new[None, :] - before, 0.0, window)
        ages = np.arange(t - head, -1, -1, dtype=float)
        wait_sum[t] = np.cumsum(ages[:, None] * taken, axis=0)[-1]  # (kernel): in order
        window -= taken
        window[window < 1e-9] = 0.0

        starts = start_reman + start_fresh + start_new
        first_starts[t] = start_new
        out["batches_started"][t] = starts
        out["contract_batches"][t] = np.maximum(starts - own_capacity, 0)
        if p.manufacturing_log_sd > 0:  # a spread of vein-to-vein times
            split = rng.multinomial(starts, offsets)
            pipeline[t + 1 : t + offsets.size] += split[:, 1:].T
            fresh_late = book_completions(t, split[:, 0])
        else:
            late = rng.binomial(starts, delay_frac) if delay_frac > 0 else 0
            pipeline[t + delay_floor + 1] += late
            if delay_floor > 0:
                pipeline[t + delay_floor] += starts - late
                fresh_late = 0
            else:  # batches done within the month; failures queue from next month
                fresh_late = book_completions(t, starts - late)

        # The rest of the month for those still waiting.
        carried_left = queue_new - (start_new - from_arrivals)
        new_left = a_t - from_arrivals
        reman_left = queue_reman - start_reman
        fresh_left = fresh_reman - start_fresh
        p_post = _p_drop(h, 1.0 - pre)
        with np.errstate(invalid="ignore", divide="ignore"):
            latest = np.where(a_t > 0, new_left / np.maximum(a_t, 1), 0.0)
        drops = [
            rng.binomial(carried_left, p_post),
            rng.binomial(new_left, _p_drop_latest_libm(h, latest)),  # (kernel)
            rng.binomial(reman_left, p_post),
            rng.binomial(fresh_left, _p_drop_latest(h, np.ones(n))),
            rng.binomial(fresh_late, _p_drop_latest(h, np.full(n, 0.5))),
        ]
        with np.errstate(invalid="ignore", divide="ignore"):
            keep_carried = np.where(carried_left > 0, 1.0 - drops[0] / carried_left, 0.0)
            keep_new = np.where(new_left > 0, 1.0 - drops[1] / new_left, 0.0)
        window[:-1] *= keep_carried[None, :]
        window[-1] *= keep_new
        queue_new = carried_left - drops[0] + new_left - drops[1]
        queue_reman = reman_left - drops[2] + fresh_left - drops[3] + fresh_late - drops[4]
        out["lost_waiting"][t] = drop_reman + drop_carried + sum(drops)
        backlog = queue_new + queue_reman
        out["backlog"][t] = backlog

        if p.expansion_backlog_threshold is not None:
            order = (
                (backlog > p.expansion_backlog_threshold)
                & (online_month < 0)
                & (suites < p.max_suites)
            )
            online_month[order] = t + 1 + p.expansion_delay_months
            capex[t, order] = p.capex_per_suite_musd

        occupied = np.flatnonzero(cohorts[head : t + 1].any(axis=1))
        head = head + int(occupied[0]) if occupied.size else t + 1

    out = {name: np.ascontiguousarray(v.T) for name, v in out.items()}  # back to (n, months)
    capex = np.ascontiguousarray(capex.T)
    # Mean wait over first slots whose batch completes inside the horizon.
    # weight of a start in month s: P(its batch is done by the last month)
    done_by = np.minimum(np.cumsum(offsets), 1.0)
    done_by[-1] = 1.0
    left = months - 1 - np.arange(months)  # months after the start month
    weight = np.where(left >= 0, done_by[np.minimum(np.maximum(left, 0), offsets.size - 1)], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # sums over the months, not a BLAS product (its last bits vary by CPU); with one
        # iteration (n = 1, as test_kernel.py runs it) numpy's pairwise sum of one row,
        # as the kernel's caller sums each row
        waits = (weight[:, None] * wait_sum).sum(axis=0)
        mean_wait = waits / (weight[:, None] * first_starts).sum(axis=0)
        slots = out["suites"] * p.batches_per_suite_month
        own = out["batches_started"] - out["contract_batches"]
        utilization = np.where(slots > 0, own / slots, np.nan)
    return CapacityOutcome(
        referred=arrivals,
        capex_musd=capex,
        mean_wait_months=mean_wait,
        utilization=utilization,
        **out,
    )
