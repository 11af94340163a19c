"""The monthly queue recursion of :mod:`.queue`, compiled: iteration by iteration, month by month.

:func:`advance_months` runs steps 1-4 of :mod:`.queue` for every iteration and month, as
loops that numba compiles to machine code. Iterations are independent in the queue, so the
outer loop is over iterations, each drawing from **its own generator** (numba's Generator
methods run numpy's own algorithms on the bit generator): iteration ``i``'s plant is a
function of its generator and its arrivals only, not of how many iterations share the
call, which is what makes iteration ``i`` the same future in a run of any length
(:mod:`simulator.core.seeding`). Within an iteration, each month draws in the order of
the numpy recursion the kernel replaced:

- completions (QC failures, re-made ones, cold-chain losses), the carried queue's
  dropouts (re-manufactures, then referrals), the vein-to-vein split of the month's starts
  (numpy's multinomial algorithm: conditional binomials, offset by offset, stopping when
  none are left, or one binomial for a fixed time), the completions within the month, then
  the dropouts of the rest of the month (carried, new, re-manufactures, fresh and late
  failures);
- floating-point arithmetic is done in the same order and with the same operations; the
  dropout probabilities of the carried queue come from tables built with numpy for every
  (queue, capacity) pair they can take (the ratio saturates at the capacity); the latest
  arrivals' dropout probability uses the C library's ``expm1`` and the month's sum of
  waits is summed in order, cohort by cohort (numpy's vectorized ``expm1`` and a BLAS
  product could differ in the last bit from machine to machine).

``tests/pillars/manufacturing/test_kernel.py`` holds the compiled recursion to the numpy
recursion it replaced, run one iteration at a time from the same generators, bit for bit,
over random processes and demands.

The compiled code is cached on disk next to this module (numba's ``cache=True``): the
first run after an install compiles it once (a few seconds), later processes, pool
workers included, load it.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba.np.random.distributions import random_binomial_btpe
from numba.np.random.generator_core import next_double

__all__ = ["advance_months"]

# rows of the ``counts`` array: monthly integer outcomes, (iterations, months) each
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
def _split_starts(bg, cache, first_id, starts, offsets, split):
    """numpy's ``Generator.multinomial(starts, offsets)``: conditional binomials over the
    offsets until no batch is left."""
    d = offsets.size
    remaining_p = 1.0
    dn = starts
    for j in range(d):
        split[j] = 0
    for j in range(d - 1):
        p_j = offsets[j] / remaining_p
        split[j] = _binomial(bg, dn, p_j, first_id + j, cache) if dn > 0 else 0
        dn = dn - split[j]
        if dn <= 0:
            break
        remaining_p -= offsets[j]
    if dn > 0:
        split[d - 1] = dn


@numba.njit(cache=True)
def _complete(bg, cache, done, q_fail, p_reman, p_cold):
    """QC failures, re-made ones and cold-chain losses of ``done`` batches (in that order)."""
    failed = _binomial(bg, done, q_fail, Q_FAIL, cache) if done > 0 else 0
    requeued = _binomial(bg, failed, p_reman, P_REMAN, cache) if failed > 0 else 0
    shipped = done - failed
    cold = _binomial(bg, shipped, p_cold, P_COLD, cache) if shipped > 0 else 0
    return failed, requeued, shipped, cold


@numba.njit(cache=True)
def _book(counts, t, failed, requeued, shipped, cold):
    counts[FAILURES, t] += failed
    counts[LOST_AFTER, t] += failed - requeued + cold
    counts[SHIPMENTS, t] += shipped
    counts[TREATED, t] += shipped - cold


@numba.njit(cache=True)
def _one_iteration(
    bg, cache, arrivals, params, iparams, offsets, p_pre_table, p_post_table, table_start,
    counts, capex, first_starts, wait_sum,
):  # fmt: skip
    """Steps 1-4 of :mod:`.queue` for every month of one iteration, from its bit generator."""
    months = arrivals.size
    hazard, delay_frac, q_fail, p_reman, p_cold, capex_per_suite, p_fresh, p_late = params
    initial_suites, bpsm, contract, delay_floor, log_spread, threshold, max_suites = iparams[:7]
    expansion_delay = iparams[7]
    k_off = offsets.size
    n_table = p_pre_table.size
    post_id, split_id = FIXED_IDS + n_table, FIXED_IDS + 2 * n_table
    suites = initial_suites
    online_month = -1
    queue_new = 0
    queue_reman = 0
    cohorts = np.zeros(months)  # how many of each arrival month are still waiting
    pipeline = np.zeros(months + k_off + 1, np.int64)  # batches completing each month
    taken = np.zeros(months)  # slots given to each waiting cohort this month, from ``head``
    split = np.zeros(k_off, np.int64)
    drops = np.zeros(5, np.int64)
    lefts = np.zeros(5, np.int64)
    head = 0  # no cohort before it has anyone waiting
    for t in range(months):
        if online_month == t:
            suites += 1
            online_month = -1
        counts[SUITES, t] = suites
        capacity = suites * bpsm + contract
        failed, fresh_reman, shipped, cold = _complete(
            bg, cache, pipeline[t], q_fail, p_reman, p_cold
        )
        _book(counts, t, failed, fresh_reman, shipped, cold)
        pipeline[t] = 0

        # carried queue: dropouts until the served reach their slot
        k = table_start[suites] + min(queue_reman + queue_new, capacity)
        m = queue_reman
        drop_reman = _binomial(bg, m, p_pre_table[k], FIXED_IDS + k, cache) if m > 0 else 0
        m = queue_new
        drop_carried = _binomial(bg, m, p_pre_table[k], FIXED_IDS + k, cache) if m > 0 else 0
        keep = 1.0 - drop_carried / queue_new if queue_new > 0 else 0.0
        for a in range(head, t):
            cohorts[a] *= keep
        queue_reman -= drop_reman
        queue_new -= drop_carried

        # slots: re-manufactures first, then referrals oldest cohort first
        width = t + 1 - head
        a_t = arrivals[t]
        start_reman = min(queue_reman, capacity)
        start_fresh = min(fresh_reman, capacity - start_reman)
        start_new = min(queue_new + a_t, capacity - start_reman - start_fresh)
        from_arrivals = max(start_new - queue_new, 0)
        cohorts[t] = a_t
        running = 0.0
        sn = float(start_new)
        for a in range(width):
            w = cohorts[head + a]
            running += w
            x = sn - (running - w)
            x = x if x > 0.0 else 0.0  # np.clip(x, 0, w), as numpy's clip compares
            taken[a] = x if x < w else w
        new_left = a_t - from_arrivals
        latest = new_left / max(a_t, 1) if a_t > 0 else 0.0
        x = hazard * latest  # the latest arrivals' dropout probability (see .queue)
        p_latest = 1.0 + math.expm1(-x) / x if x > 0 else 0.0
        waits = 0.0  # the waits of the month's first slots, summed in order
        for a in range(width):
            waits += (t - head - a) * taken[a]
        wait_sum[t] = waits
        for a in range(width):
            w = cohorts[head + a] - taken[a]
            cohorts[head + a] = 0.0 if w < 1e-9 else w

        starts = start_reman + start_fresh + start_new
        first_starts[t] = start_new
        counts[STARTED, t] = starts
        counts[CONTRACT, t] = max(starts - suites * bpsm, 0)
        fresh_late = 0
        if log_spread:  # a spread of vein-to-vein times
            _split_starts(bg, cache, split_id, starts, offsets, split)
            for j in range(1, k_off):
                pipeline[t + j] += split[j]
            failed, fresh_late, shipped, cold = _complete(
                bg, cache, split[0], q_fail, p_reman, p_cold
            )
            _book(counts, t, failed, fresh_late, shipped, cold)
        else:
            late = _binomial(bg, starts, delay_frac, DELAY_FRAC, cache) if starts > 0 else 0
            pipeline[t + delay_floor + 1] += late
            if delay_floor > 0:
                pipeline[t + delay_floor] += starts - late
            else:  # batches done within the month; failures queue from next month
                failed, fresh_late, shipped, cold = _complete(
                    bg, cache, starts - late, q_fail, p_reman, p_cold
                )
                _book(counts, t, failed, fresh_late, shipped, cold)

        # the rest of the month for those still waiting
        lefts[0] = queue_new - (start_new - from_arrivals)  # carried
        lefts[1] = a_t - from_arrivals  # new
        lefts[2] = queue_reman - start_reman  # re-manufactures
        lefts[3] = fresh_reman - start_fresh  # fresh failures
        lefts[4] = fresh_late  # failures of batches done this month
        m = lefts[0]
        drops[0] = _binomial(bg, m, p_post_table[k], post_id + k, cache) if m > 0 else 0
        m = lefts[1]
        drops[1] = _binomial(bg, m, p_latest, -1, cache) if m > 0 else 0
        m = lefts[2]
        drops[2] = _binomial(bg, m, p_post_table[k], post_id + k, cache) if m > 0 else 0
        m = lefts[3]
        drops[3] = _binomial(bg, m, p_fresh, P_FRESH, cache) if m > 0 else 0
        m = lefts[4]
        drops[4] = _binomial(bg, m, p_late, P_LATE, cache) if m > 0 else 0
        c_left, n_left = lefts[0], lefts[1]
        keep_carried = 1.0 - drops[0] / c_left if c_left > 0 else 0.0
        keep_new = 1.0 - drops[1] / n_left if n_left > 0 else 0.0
        for a in range(head, t):
            cohorts[a] *= keep_carried
        cohorts[t] *= keep_new
        queue_new = c_left - drops[0] + n_left - drops[1]
        queue_reman = lefts[2] - drops[2] + lefts[3] - drops[3] + lefts[4] - drops[4]
        lost = drop_reman + drop_carried
        for j in range(5):
            lost += drops[j]
        counts[LOST_WAITING, t] = lost
        backlog = queue_new + queue_reman
        counts[BACKLOG, t] = backlog
        ordered = threshold >= 0 and backlog > threshold and online_month < 0
        if ordered and suites < max_suites:
            online_month = t + 1 + expansion_delay
            capex[t] = capex_per_suite

        new_head = t + 1
        for a in range(head, new_head):
            if cohorts[a] != 0.0:
                new_head = a
                break
        head = new_head


@numba.njit(cache=True)
def advance_months(
    rngs,  # numba.typed.List: one np.random.Generator per iteration (one may repeat)
    arrivals,  # (n, months) int64
    params,  # float64: see queue.simulate_capacity_fast
    iparams,  # int64: see queue.simulate_capacity_fast
    offsets,  # float64 (K,): vein-to-vein offset law
    p_pre_table,  # float64: P(drop) before the slot, by capacity index and carried queue
    p_post_table,  # float64: P(drop) after the slot, same index
    table_start,  # int64 (suites + 1,): where each suite count's row starts in the tables
    counts,  # (9, n, months) int64 out
    capex,  # (n, months) float64 out
    first_starts,  # (n, months) int64 out
    wait_sum,  # (n, months) float64 out
):
    """Steps 1-4 of :mod:`.queue` for every iteration, one after the other, each from its
    own generator (see the module docstring)."""
    n = arrivals.shape[0]
    n_table = p_pre_table.size
    cache = np.full((FIXED_IDS + 2 * n_table + offsets.size, CACHED_N, 2), np.nan)
    for i in range(n):
        _one_iteration(
            rngs[i].bit_generator, cache, arrivals[i], params, iparams, offsets, p_pre_table,
            p_post_table, table_start, counts[:, i], capex[i], first_starts[i], wait_sum[i],
        )  # fmt: skip
