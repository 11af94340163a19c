"""The annual R&D budget, enforced in every iteration: stage starts wait for room.

Without a budget each asset walks its stages back to back: stage ``s`` starts when stage
``s - 1`` ends (:mod:`simulator.pillars.development.stages`). With an annual budget
``B`` (USD millions per calendar year of the scenario, year ``y`` = months ``12y ..
12y + 11``) a stage may start in grid month ``m`` only if, in every year it spans, the
spend the portfolio has already *committed* (the stages started before it, to their ends)
plus its own stays within the budget:

    Y_y + rate * |[m, m + L) ∩ [12y, 12y + 12)|  <=  B      for every year y < horizon,

with ``rate = C / L`` the stage's cost spread evenly over its ``L`` grid months (as the
development pillar spends it). A stage that does not fit waits and tries again the next
month; the months it waited, ``w_s``, shift it and everything after it. A stage whose
own spend exceeds the budget in some year never fits: it starts when nothing else is
committed in the years it spans (it runs alone). Spend at or past the horizon is outside
the model and unconstrained. Only the drug's stages before launch are budgeted (the CDx,
and a confirmatory trial after an accelerated approval, are not).

Committed means *started*: a stage that fails has still been paid in full, and a
programme's later stages reserve nothing until they start, so the budget never looks
ahead at outcomes the committee cannot know. In each month the waiting stages are served
in the portfolio's listed order (``priority: listed``): an earlier asset's stage takes
the room first, but a stage that already started is never pre-empted.

The waits are integers, so a stage that waits ``w`` months starts exactly ``w`` grid
months later and keeps its length: ``to_month(t + w) = to_month(t) + w``. With a budget
that never binds every wait is 0 and the development path is the unbudgeted one, bit for
bit (``t + 0.0 == t``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR, to_month

#: Relative slack on the budget test, so that a stage that fits exactly (on paper) is not
#: refused by floating-point rounding of its monthly rate.
SLACK = 1e-9


@dataclass(frozen=True)
class BudgetedAsset:
    """One asset's stages before launch, arrays over iterations (in priority order)."""

    start_month: np.ndarray  # (n,) continuous month the first stage is ready
    durations_months: Sequence[np.ndarray]  # per stage, (n,) continuous
    costs_musd: Sequence[np.ndarray]  # per stage, (n,)
    passed: Sequence[np.ndarray]  # per stage, (n,) bool: the stage succeeds if run


def stage_year_spend(
    start: np.ndarray, length: np.ndarray, rate: np.ndarray, years: int
) -> np.ndarray:
    """``(rows, years)``: what a stage spending ``rate`` a month over grid months
    ``[start, start + length)`` spends in each calendar year (before the horizon)."""
    year_start = MONTHS_PER_YEAR * np.arange(years)[None, :]
    lo = np.maximum(start[:, None], year_start)
    hi = np.minimum((start + length)[:, None], year_start + MONTHS_PER_YEAR)
    return rate[:, None] * np.clip(hi - lo, 0, None)


def budget_waits(
    assets: Sequence[BudgetedAsset], annual_budget_musd: float, horizon: int
) -> list[np.ndarray]:
    """Months each stage of each asset waits for the annual budget (see the module
    docstring); a list of ``(n, stages)`` arrays in the order of ``assets``."""
    if not assets:
        return []
    n = assets[0].start_month.size
    years = horizon // MONTHS_PER_YEAR
    limit = annual_budget_musd * (1.0 + SLACK)
    committed = np.zeros((n, years))
    states = [_State(a, n) for a in assets]
    m = min(s.next_month() for s in states)
    while m < horizon:
        waiting = False
        for s in states:
            waiting |= s.serve(int(m), committed, limit, horizon, years)
        m = m + 1 if waiting else max(min(s.next_month() for s in states), m + 1)
    return [s.waits for s in states]


class _State:
    """Where one asset is on its path: the next stage, when it is ready, whether alive."""

    def __init__(self, asset: BudgetedAsset, n: int):
        self.d = np.column_stack([np.asarray(x, dtype=float) for x in asset.durations_months])
        self.c = np.column_stack([np.asarray(x, dtype=float) for x in asset.costs_musd])
        self.ok = np.column_stack([np.asarray(x, dtype=bool) for x in asset.passed])
        self.stages = self.d.shape[1]
        self.t = np.asarray(asset.start_month, dtype=float).copy()  # ready time, continuous
        self.k = np.zeros(n, dtype=np.int64)  # next stage
        self.active = np.ones(n, dtype=bool)  # alive with a stage still to start
        self.waits = np.zeros((n, self.stages))

    def next_month(self) -> float:
        """The earliest grid month a stage of this asset is ready (inf: none left)."""
        if not self.active.any():
            return np.inf
        return float(to_month(self.t[self.active]).min())

    def serve(self, m: int, committed, limit: float, horizon: int, years: int) -> bool:
        """Start the stages ready by month ``m`` that fit; True if any must wait."""
        rows = np.flatnonzero(self.active & (to_month(self.t) <= m))
        waiting = False
        while rows.size:  # a zero-length stage can make the next one ready the same month
            k = self.k[rows]
            w = (m - to_month(self.t[rows])).astype(float)
            t0 = self.t[rows] + w
            start = to_month(t0)
            t1 = t0 + self.d[rows, k]
            length = np.maximum(to_month(t1) - start, 1)
            spend = stage_year_spend(start, length, self.c[rows, k] / length, years)
            booked = committed[rows]
            fits = np.all(booked + spend <= limit, axis=1)
            alone = ~np.any((spend > 0) & (booked > 0), axis=1)
            go = fits | alone | (start >= horizon)
            waiting |= bool((~go).any())
            r, kk = rows[go], k[go]
            committed[r] += spend[go]
            self.waits[r, kk] = w[go]
            self.t[r] = t1[go]
            self.k[r] = kk + 1
            # past the horizon nothing is constrained: the rest of the path waits no more
            self.active[r] = self.ok[r, kk] & (kk + 1 < self.stages) & (start[go] < horizon)
            rows = r[self.active[r] & (to_month(self.t[r]) <= m)]
        return waiting
