"""The monthly queue recursion of :mod:`.queue`, compiled: one pass over months and iterations.

:func:`advance_months` runs steps 1-4 of :mod:`.queue` for every month and iteration, as
loops that numba compiles to machine code (no Python between one iteration's month and
the next). It replaces a Python loop of about forty small numpy operations a month, and
it gives **the same numbers to the last bit**:

- every binomial draw is made by the same numpy ``Generator`` (numba's Generator methods
  run numpy's own algorithms on the same bit generator), in the same order: within a
  month, each kind of draw for iterations ``0 .. n-1`` in turn, as numpy's array calls
  draw them;
- the multinomial split of a month's starts over the vein-to-vein offsets is numpy's
  algorithm (conditional binomials, offset by offset, stopping when none are left);
- floating-point arithmetic is done in the same order and with the same operations; the
  few numbers computed by numpy's vectorized ``expm1`` (whose SIMD implementation can
  differ from the C library's in the last bit) and by the BLAS product of the waits are
  computed by numpy itself: the dropout probabilities of the carried queue come from
  tables built with numpy for every (queue, capacity) pair they can take (the ratio
  saturates at the capacity), and the latest arrivals' dropout probability and the
  month's sum of waits are computed by numpy once a month (an object-mode block).

``tests/pillars/manufacturing/test_kernel.py`` holds the compiled recursion to the numpy
recursion it replaced, bit for bit, over random processes and demands.

The compiled code is cached on disk next to this module (numba's ``cache=True``): the
first run after an install compiles it once (a few seconds), later processes, pool
workers included, load it.
"""

from __future__ import annotations

import numba
import numpy as np
from numba.np.random.distributions import random_binomial_btpe
from numba.np.random.generator_core import next_double

__all__ = ["advance_months"]

# rows of the ``counts`` array: monthly integer outcomes, month-major
TREATED, LOST_WAITING, FAILURES, LOST_AFTER, BACKLOG, SUITES, STARTED, SHIPMENTS, CONTRACT = range(
    9
)
COUNT_NAMES = (
    "treated",
    "lost_waiting",
    "manufacturing_failures",
    "lost_after_failure_or_transit",
    "backlog",
    "suites",
    "batches_started",
    "shipments",
    "contract_batches",
)


def _numpy_month_end(hazard, latest, p_latest, taken, t, head, width, wait_sum):
    """What numpy computes once a month: the latest arrivals' dropout probability and the
    waits of the month's first slots (``ages @ taken``, the BLAS product)."""
    x = hazard * latest
    with np.errstate(invalid="ignore", divide="ignore"):
        p_latest[:] = np.where(x > 0, 1.0 + np.expm1(-x) / np.where(x > 0, x, 1.0), 0.0)
    wait_sum[t] = np.arange(t - head, -1, -1, dtype=float) @ taken[:width]


#: ``n`` below which an inversion's set-up is kept per probability (see :func:`_binomial`)
CACHED_N = 256
# probability ids of the set-up cache: the fixed probabilities, then the tables' entries
# and the multinomial's conditional probabilities (``_first_ids``)
Q_FAIL, P_REMAN, P_COLD, DELAY_FRAC, P_FRESH, P_LATE, FIXED_IDS = range(7)


@numba.njit(cache=True)
def _inversion(bg, n, p, pid, cache):
    """numpy's ``random_binomial_inversion`` (``n p <= 30``), with its set-up
    ``(q^n, bound)`` kept per probability id and ``n`` (the same expressions, so the
    same bits) instead of recomputed at every draw."""
    q = 1.0 - p
    if pid >= 0 and n < CACHED_N:
        qn = cache[pid, n, 0]
        if qn != qn:  # NaN: not computed yet
            qn = np.exp(n * np.log(q))
            cache[pid, n, 0] = qn
            np_ = n * p
            cache[pid, n, 1] = min(n, np_ + 10.0 * np.sqrt(np_ * q + 1))
        bound = cache[pid, n, 1]
    else:
        qn = np.exp(n * np.log(q))
        np_ = n * p
        bound = min(n, np_ + 10.0 * np.sqrt(np_ * q + 1))
    x = 0
    px = qn
    u = next_double(bg)
    while u > px:
        x = x + 1
        if x > bound:
            x = 0
            px = qn
            u = next_double(bg)
        else:
            u -= px
            px = ((n - x + 1) * p * px) / (x * q)
    return x


@numba.njit(cache=True, inline="always")
def _binomial(bg, n, p, pid, cache):
    """numpy's ``random_binomial(n, p)`` on the bit generator ``bg``: inversion for
    ``min(p, 1 - p) n <= 30``, BTPE above (numba's port of numpy's), 0 without a draw
    when ``n = 0`` or ``p = 0``. ``pid`` names ``p`` for the set-up cache (-1: none)."""
    if n == 0 or p == 0.0:
        return 0
    if p <= 0.5:
        if p * n <= 30.0:
            return _inversion(bg, n, p, pid, cache)
        return random_binomial_btpe(bg, n, p)
    q = 1.0 - p
    if q * n <= 30.0:
        return n - _inversion(bg, n, q, pid, cache)
    return n - random_binomial_btpe(bg, n, q)


@numba.njit(cache=True)
def _complete(bg, cache, t, done, counts, requeued, q_fail, p_reman, p_cold):
    """Book the batches ``done`` in month ``t``: QC failures (some re-made), cold-chain
    losses, shipments and treated patients; ``requeued`` gets the re-made ones."""
    n = done.size
    failed = np.empty(n, np.int64)
    for i in range(n):
        failed[i] = _binomial(bg, done[i], q_fail, Q_FAIL, cache) if done[i] > 0 else 0
    for i in range(n):
        m = failed[i]
        requeued[i] = _binomial(bg, m, p_reman, P_REMAN, cache) if m > 0 else 0
    for i in range(n):
        shipped = done[i] - failed[i]
        cold = _binomial(bg, shipped, p_cold, P_COLD, cache) if shipped > 0 else 0
        counts[FAILURES, t, i] += failed[i]
        counts[LOST_AFTER, t, i] += failed[i] - requeued[i] + cold
        counts[SHIPMENTS, t, i] += shipped
        counts[TREATED, t, i] += shipped - cold


@numba.njit(cache=True)
def _split_starts(bg, cache, first_id, starts, offsets, split):
    """numpy's ``Generator.multinomial(starts, offsets)``, row by row: conditional
    binomials over the offsets until no batch is left."""
    d = offsets.size
    for i in range(starts.size):
        remaining_p = 1.0
        dn = starts[i]
        for j in range(d):
            split[i, j] = 0
        for j in range(d - 1):
            p_j = offsets[j] / remaining_p
            split[i, j] = _binomial(bg, dn, p_j, first_id + j, cache) if dn > 0 else 0
            dn = dn - split[i, j]
            if dn <= 0:
                break
            remaining_p -= offsets[j]
        if dn > 0:
            split[i, d - 1] = dn


@numba.njit(cache=True)
def advance_months(
    rng,
    arrivals_by_month,  # (months, n) int64
    params,  # float64: see queue.simulate_capacity_fast
    iparams,  # int64: see queue.simulate_capacity_fast
    offsets,  # float64 (K,): vein-to-vein offset law
    p_pre_table,  # float64: P(drop) before the slot, by capacity index and carried queue
    p_post_table,  # float64: P(drop) after the slot, same index
    table_start,  # int64 (suites + 1,): where each suite count's row starts in the tables
    counts,  # (9, months, n) int64 out
    capex,  # (months, n) float64 out
    first_starts,  # (months, n) int64 out
    wait_sum,  # (months, n) float64 out
):
    """Steps 1-4 of :mod:`.queue` for every month and iteration (see the module docstring)."""
    months, n = arrivals_by_month.shape
    hazard, delay_frac, q_fail, p_reman, p_cold, capex_per_suite, p_fresh, p_late = params
    initial_suites, bpsm, contract, delay_floor, log_spread, threshold, max_suites = iparams[:7]
    expansion_delay = iparams[7]
    k_off = offsets.size
    bg = rng.bit_generator
    n_table = p_pre_table.size
    post_id, split_id = FIXED_IDS + n_table, FIXED_IDS + 2 * n_table
    cache = np.full((split_id + k_off, CACHED_N, 2), np.nan)
    suites = np.full(n, initial_suites, np.int64)
    online_month = np.full(n, -1, np.int64)
    queue_new = np.zeros(n, np.int64)
    queue_reman = np.zeros(n, np.int64)
    cohorts = np.zeros((n, months))  # iteration-major: one iteration's cohorts are contiguous
    pipeline = np.zeros((months + k_off + 1, n), np.int64)
    taken = np.zeros((months, n))  # month-major: the rows numpy's product reads
    split = np.zeros((n, k_off), np.int64)
    fresh_reman = np.zeros(n, np.int64)
    fresh_late = np.zeros(n, np.int64)
    capacity = np.zeros(n, np.int64)
    row = np.zeros(n, np.int64)  # table row of (capacity, carried queue)
    drop_reman = np.zeros(n, np.int64)
    drop_carried = np.zeros(n, np.int64)
    start_reman = np.zeros(n, np.int64)
    start_fresh = np.zeros(n, np.int64)
    start_new = np.zeros(n, np.int64)
    from_arrivals = np.zeros(n, np.int64)
    latest = np.zeros(n)
    p_latest = np.zeros(n)
    drops = np.zeros((5, n), np.int64)
    lefts = np.zeros((5, n), np.int64)
    head = 0
    for t in range(months):
        for i in range(n):
            if online_month[i] == t:
                suites[i] += 1
                online_month[i] = -1
            counts[SUITES, t, i] = suites[i]
            capacity[i] = suites[i] * bpsm + contract
        _complete(bg, cache, t, pipeline[t], counts, fresh_reman, q_fail, p_reman, p_cold)
        pipeline[t, :] = 0

        # carried queue: dropouts until the served reach their slot
        for i in range(n):
            carried = queue_reman[i] + queue_new[i]
            row[i] = table_start[suites[i]] + min(carried, capacity[i])
        for i in range(n):
            k = row[i]
            m = queue_reman[i]
            drop_reman[i] = _binomial(bg, m, p_pre_table[k], FIXED_IDS + k, cache) if m > 0 else 0
        for i in range(n):
            k = row[i]
            m = queue_new[i]
            drop_carried[i] = _binomial(bg, m, p_pre_table[k], FIXED_IDS + k, cache) if m > 0 else 0
        for i in range(n):
            keep = 1.0 - drop_carried[i] / queue_new[i] if queue_new[i] > 0 else 0.0
            for a in range(head, t):
                cohorts[i, a] *= keep
            queue_reman[i] -= drop_reman[i]
            queue_new[i] -= drop_carried[i]

        # slots: re-manufactures first, then referrals oldest cohort first
        width = t + 1 - head
        for i in range(n):
            a_t = arrivals_by_month[t, i]
            cap = capacity[i]
            start_reman[i] = min(queue_reman[i], cap)
            start_fresh[i] = min(fresh_reman[i], cap - start_reman[i])
            start_new[i] = min(queue_new[i] + a_t, cap - start_reman[i] - start_fresh[i])
            from_arrivals[i] = max(start_new[i] - queue_new[i], 0)
            cohorts[i, t] = a_t
            running = 0.0
            sn = float(start_new[i])
            for a in range(width):
                w = cohorts[i, head + a]
                running += w
                x = sn - (running - w)
                x = x if x > 0.0 else 0.0  # np.clip(x, 0, w), as numpy's clip compares
                taken[a, i] = x if x < w else w
            new_left = a_t - from_arrivals[i]
            latest[i] = new_left / max(a_t, 1) if a_t > 0 else 0.0
        with numba.objmode():
            _numpy_month_end(hazard, latest, p_latest, taken, t, head, width, wait_sum)
        for i in range(n):
            for a in range(width):
                w = cohorts[i, head + a] - taken[a, i]
                cohorts[i, head + a] = 0.0 if w < 1e-9 else w

        for i in range(n):
            starts = start_reman[i] + start_fresh[i] + start_new[i]
            first_starts[t, i] = start_new[i]
            counts[STARTED, t, i] = starts
            counts[CONTRACT, t, i] = max(starts - suites[i] * bpsm, 0)
        if log_spread:  # a spread of vein-to-vein times
            _split_starts(bg, cache, split_id, counts[STARTED, t], offsets, split)
            for j in range(1, k_off):
                for i in range(n):
                    pipeline[t + j, i] += split[i, j]
            done = split[:, 0].copy()
            _complete(bg, cache, t, done, counts, fresh_late, q_fail, p_reman, p_cold)
        else:
            for i in range(n):
                starts = counts[STARTED, t, i]
                late = _binomial(bg, starts, delay_frac, DELAY_FRAC, cache) if starts > 0 else 0
                pipeline[t + delay_floor + 1, i] += late
                if delay_floor > 0:
                    pipeline[t + delay_floor, i] += starts - late
                else:
                    split[i, 0] = starts - late
            if delay_floor > 0:
                fresh_late[:] = 0
            else:  # batches done within the month; failures queue from next month
                done = split[:, 0].copy()
                _complete(bg, cache, t, done, counts, fresh_late, q_fail, p_reman, p_cold)

        # the rest of the month for those still waiting
        for i in range(n):
            lefts[0, i] = queue_new[i] - (start_new[i] - from_arrivals[i])  # carried
            lefts[1, i] = arrivals_by_month[t, i] - from_arrivals[i]  # new
            lefts[2, i] = queue_reman[i] - start_reman[i]  # re-manufactures
            lefts[3, i] = fresh_reman[i] - start_fresh[i]  # fresh failures
            lefts[4, i] = fresh_late[i]  # failures of batches done this month
        for i in range(n):
            k = row[i]
            m = lefts[0, i]
            drops[0, i] = _binomial(bg, m, p_post_table[k], post_id + k, cache) if m > 0 else 0
        for i in range(n):
            m = lefts[1, i]
            drops[1, i] = _binomial(bg, m, p_latest[i], -1, cache) if m > 0 else 0
        for i in range(n):
            k = row[i]
            m = lefts[2, i]
            drops[2, i] = _binomial(bg, m, p_post_table[k], post_id + k, cache) if m > 0 else 0
        for i in range(n):
            m = lefts[3, i]
            drops[3, i] = _binomial(bg, m, p_fresh, P_FRESH, cache) if m > 0 else 0
        for i in range(n):
            m = lefts[4, i]
            drops[4, i] = _binomial(bg, m, p_late, P_LATE, cache) if m > 0 else 0
        for i in range(n):
            c_left, n_left = lefts[0, i], lefts[1, i]
            keep_carried = 1.0 - drops[0, i] / c_left if c_left > 0 else 0.0
            keep_new = 1.0 - drops[1, i] / n_left if n_left > 0 else 0.0
            for a in range(head, t):
                cohorts[i, a] *= keep_carried
            cohorts[i, t] *= keep_new
            queue_new[i] = c_left - drops[0, i] + n_left - drops[1, i]
            queue_reman[i] = (
                lefts[2, i] - drops[2, i] + lefts[3, i] - drops[3, i] + lefts[4, i] - drops[4, i]
            )
            lost = drop_reman[i] + drop_carried[i]
            for k in range(5):
                lost += drops[k, i]
            counts[LOST_WAITING, t, i] = lost
            backlog = queue_new[i] + queue_reman[i]
            counts[BACKLOG, t, i] = backlog
            ordered = threshold >= 0 and backlog > threshold and online_month[i] < 0
            if ordered and suites[i] < max_suites:
                online_month[i] = t + 1 + expansion_delay
                capex[t, i] = capex_per_suite

        # no cohort before ``head`` has anyone waiting: the first occupied one of any iteration
        new_head = t + 1
        for i in range(n):
            for a in range(head, new_head):
                if cohorts[i, a] != 0.0:
                    new_head = a
                    break
        head = new_head
