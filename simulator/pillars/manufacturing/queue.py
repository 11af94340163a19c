"""The fast path of the plant: every iteration's manufacturing queue, month by month.

The process it runs (referral, slot, manufacture, QC, re-manufacture, cold chain,
dropouts, capacity growth) is told in :mod:`.process`; this module advances all
iterations together on the monthly grid and returns a :class:`~.outcome.CapacityOutcome`.
The loop itself is compiled (:mod:`.kernel`, numba), iteration by iteration, each from its
own generator, with the draws of the numpy loop it replaced; this module prepares its
inputs and derives the waits and utilization from what it returns. The SimPy model
(:mod:`.des`) runs the same process patient by patient; the tests hold the two against
each other.

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
from collections.abc import Sequence

import numba
import numpy as np
from numpy.typing import ArrayLike

from simulator.pillars.manufacturing.kernel import COUNT_NAMES, advance_months
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


def _carried_dropout_tables(p: CellTherapyProcess) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps 2 and 4's dropout probabilities of the carried queue, for every value they take.

    With ``C`` slots and ``c`` carried, ``tau = min(c / C, 1) / 2`` takes ``C + 1`` values
    (``c >= C`` saturates), so each suite count ``s`` gets a row of ``C_s + 1`` entries,
    computed by numpy exactly as the recursion's own arrays would be. Returns the
    before-slot and after-slot probabilities and where the row of ``s`` suites starts.
    """
    top = max(p.initial_suites, p.max_suites)
    capacity = np.arange(top + 1, dtype=np.int64) * p.batches_per_suite_month
    capacity += p.contract_slots_per_month
    table_start = np.concatenate([[0], np.cumsum(capacity + 1)[:-1]]).astype(np.int64)
    carried = np.concatenate([np.arange(c + 1, dtype=np.int64) for c in capacity])
    cap = np.repeat(capacity, capacity + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pre = 0.5 * np.where(cap > 0, np.minimum(carried / cap, 1.0), 1.0)
    h = p.dropout_hazard_monthly
    return _p_drop(h, pre), _p_drop(h, 1.0 - pre), table_start


def simulate_capacity_fast(
    arrivals: np.ndarray,
    process: CellTherapyProcess,
    rng: np.random.Generator | Sequence[np.random.Generator],
) -> CapacityOutcome:
    """Advance every iteration's manufacturing queue month by month (steps 1-4 above).

    Parameters
    ----------
    arrivals
        Referred patients per month, int array (n_iterations, months).
    process
        The manufacturing process.
    rng
        Source of the binomial and multinomial draws (failures, losses, dropouts, delays):
        one generator per iteration (iteration ``i`` draws from ``rng[i]`` only, so its
        plant does not depend on the other rows), or one generator that the iterations
        draw from one after the other.

    Returns
    -------
    CapacityOutcome
        (n,) and (n, months) arrays.
    """
    arrivals = np.asarray(arrivals)
    if arrivals.ndim != 2 or np.any(arrivals < 0):
        raise ValueError("arrivals must be a non-negative integer array (n_iterations, months)")
    if process.high_risk_share > 0:
        raise ValueError("the fast path has one risk class: risk classes need the SimPy model")
    arrivals = arrivals.astype(np.int64)
    n, months = arrivals.shape
    p = process
    h = p.dropout_hazard_monthly
    delay_floor = math.floor(p.manufacturing_months)
    delay_frac = p.manufacturing_months - delay_floor
    offsets = p.completion_offsets()

    rngs = numba.typed.List([rng] * n if isinstance(rng, np.random.Generator) else rng)
    if len(rngs) != n:
        raise ValueError(f"rng: one generator per iteration expected ({n}), got {len(rngs)}")
    # iteration-major: each iteration reads and writes its own contiguous rows
    counts = np.zeros((len(COUNT_NAMES), n, months), dtype=np.int64)
    capex = np.zeros((n, months))
    first_starts = np.zeros((n, months), dtype=np.int64)
    wait_sum = np.zeros((n, months))
    p_pre, p_post, table_start = _carried_dropout_tables(p)
    threshold = p.expansion_backlog_threshold
    params = np.array([
        h, delay_frac, p.qc_failure_prob, p.remanufacture_prob, p.cold_chain_loss_prob,
        p.capex_per_suite_musd, _p_drop_latest(h, np.ones(1))[0],
        _p_drop_latest(h, np.full(1, 0.5))[0],
    ])  # fmt: skip
    iparams = np.array([
        p.initial_suites, p.batches_per_suite_month, p.contract_slots_per_month, delay_floor,
        p.manufacturing_log_sd > 0, -1 if threshold is None else threshold, p.max_suites,
        p.expansion_delay_months,
    ], dtype=np.int64)  # fmt: skip
    if n > 0:
        advance_months(
            rngs, np.ascontiguousarray(arrivals), params, iparams, offsets, p_pre, p_post,
            table_start, counts, capex, first_starts, wait_sum,
        )  # fmt: skip

    out = dict(zip(COUNT_NAMES, counts, strict=True))
    # Mean wait over first slots whose batch completes inside the horizon.
    # weight of a start in month s: P(its batch is done by the last month)
    done_by = np.minimum(np.cumsum(offsets), 1.0)
    done_by[-1] = 1.0
    left = months - 1 - np.arange(months)  # months after the start month
    weight = np.where(left >= 0, done_by[np.minimum(np.maximum(left, 0), offsets.size - 1)], 0.0)
    # Each iteration's own sum over its contiguous months (numpy's pairwise sum of one row),
    # not ``wait_sum @ weight``: a BLAS product's summation order depends on the CPU's
    # kernels and on the number of rows, so its last bits would too; these do not.
    weighted_waits = (wait_sum * weight).sum(axis=1)
    weighted_starts = (first_starts * weight).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_wait = weighted_waits / weighted_starts
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
