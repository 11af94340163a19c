"""Patients as a stock and a flow: who starts therapy, how long they stay, what a waiting
pool adds.

**Starts.** In month ``m`` (``k = m - L`` months after launch ``L``) new patients start
therapy at the rate

    s[m] = N / 12 * D * share * uptake(k) * x[m]                        [patients / month]

with ``N`` the eligible patients a year (:mod:`simulator.pillars.cohort.step`), ``D``
the market's demand shock, ``share`` the peak share, ``uptake(k)`` the launch curve and
``x[m]`` what moves in time: cohort growth, the testing ramp, a late CDx, the asset's
share of its indication (:mod:`.competition`). A share ``PPV`` of the starts are truly
biomarker-positive (the test's positive predictive value; 1 without a test).

**On therapy.** A chronic or progression-limited therapy keeps a patient on it for a
time with mean ``T`` months; on the monthly grid a patient on therapy this month is still
on it next month with probability ``rho = 1 - 1/T`` (a geometric time on therapy, counted
from the month of the start, whose mean is ``T`` exactly), so

    P[m] = rho P[m-1] + PPV s[m]             P = s T  in the steady state

``T`` is given as a mean, as a median ``M`` of an exponential time on therapy
(``T = M / ln 2``), or as a monthly discontinuation hazard ``h`` (``T = 1 / h``). A false
positive starts too, and stops at the first response assessment ``a`` months later: the
false positives on therapy are a moving sum of the last ``a`` months' false-positive
starts (``floor(a)`` whole months and ``frac(a)`` of the one before), so each brings
exactly ``a`` patient-months. Without ``time_on_therapy`` every start is one patient-year
at once, ``P[m] = 12 s[m]`` (and a false positive ``a s[m]``): the flow model as it was
before stock and flow, kept as the switch that measures it.

**Once.** A one-time therapy (gene and cell therapies) treats each start once: treated =
starts (a cell or gene therapy's plant turns them into patients treated:
:mod:`simulator.pillars.manufacturing`). A false positive is treated and paid like the
others.

**A waiting pool.** ``W`` diagnosed patients wait at launch (:class:`PrevalentPool`;
eligible ones: ``W`` times the treatable share testing positive). The pool adopts the
therapy as access spreads: of the patients still waiting, a share starts each month so
that, without deaths, the pool's cumulative starts by month ``k`` are ``W F[k]``, with
``F`` the running maximum of the month's capture share (``D share`` times the launch
curve, read as the cumulative share reached by the end of each launch year and rising
linearly within it, times the testing ramp, the late-CDx factor and the share of the
indication). Waiting patients die at ``mu`` a month, so

    pool starts[k] = W (F[k] - F[k-1]) (1 - mu)^k,     waiting[k] = W (1 - F[k-1]) (1 - mu)^k

With no adoption after launch (``F`` flat) the pool is drawn down geometrically by
mortality alone. Pool starts join the month's starts (they stay on therapy, or are
treated once, like any start).

**Volume.** Loss of exclusivity and the end of commercial life act on volume: patients on
therapy (or treated) are multiplied by the retention after loss of exclusivity, so the
brand loses existing patients to generics as well as new ones (:mod:`.flows`).
"""

from __future__ import annotations

import math

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR


def mean_months_on_therapy(block, draws) -> np.ndarray:
    """Mean months on therapy ``T`` (rows,) from a time-on-therapy block and its draws (of
    the same rows): the mean, ``median / ln 2``, or ``1 / hazard``."""
    if block.mean_months is not None:
        return np.asarray(draws.mean_months, dtype=float)
    if block.median_months is not None:
        return np.asarray(draws.median_months, dtype=float) / math.log(2.0)
    return 1.0 / np.asarray(draws.discontinuation_hazard_monthly, dtype=float)


def persistence(mean_months: np.ndarray) -> np.ndarray:
    """``rho = 1 - 1/T``: the chance a patient on therapy stays on it another month."""
    return 1.0 - 1.0 / np.maximum(np.asarray(mean_months, dtype=float), 1.0)


def on_therapy(starts: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Patients on therapy ``P[m] = rho P[m-1] + s[m]``, ``(rows, months)``, from
    ``starts`` ``(rows, months)`` and ``rho`` ``(rows,)``."""
    by_month = np.array(starts, dtype=float).T.copy()  # (months, rows): one month at a time
    keep = np.asarray(rho, dtype=float)
    for m in range(1, by_month.shape[0]):
        by_month[m] += keep * by_month[m - 1]
    return by_month.T


def for_months(starts: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Patients on therapy when each start stays ``a`` months (``a`` per row, any real
    >= 0): ``sum_{j < floor(a)} s[m-j] + frac(a) s[m-floor(a)]``."""
    a = np.maximum(np.asarray(months, dtype=float), 0.0)
    whole = np.floor(a).astype(np.int64)
    frac = a - whole
    out = np.zeros_like(starts, dtype=float)
    n = starts.shape[1]
    for j in range(min(int(whole.max()), n - 1) + 1):  # the start j months back
        weight = np.where(j < whole, 1.0, np.where(j == whole, frac, 0.0))
        if np.any(weight > 0):
            out[:, j:] += weight[:, None] * starts[:, : n - j]
    return out


def pool_uptake_by_month(curve, months: int) -> np.ndarray:
    """The launch curve read as a cumulative share for a stock: ``curve[y]`` reached by the
    end of launch year ``y + 1``, rising linearly within each year from 0 at launch."""
    c = np.asarray(curve, dtype=float)
    k = np.arange(months)
    year = k // MONTHS_PER_YEAR
    start = np.where(year == 0, 0.0, c[np.minimum(year - 1, c.size - 1)])
    end = c[np.minimum(year, c.size - 1)]
    return start + (end - start) * ((k % MONTHS_PER_YEAR) + 1) / MONTHS_PER_YEAR


def pool_starts(
    pool: np.ndarray, capture: np.ndarray, since_launch: np.ndarray, mortality_annual: np.ndarray
) -> np.ndarray:
    """Starts from a waiting pool (see the module docstring), ``(rows, months)``.

    ``pool`` is the eligible pool at launch (rows,); ``capture`` the month's capture share
    ``(rows, months)`` (0 before launch; its running maximum is ``F``); ``since_launch``
    ``(rows, months)`` months since launch; ``mortality_annual`` (rows,).
    """
    adopted = np.maximum.accumulate(np.clip(capture, 0.0, 1.0), axis=1)
    gained = np.diff(adopted, axis=1, prepend=0.0)
    survive = np.log1p(-np.minimum(mortality_annual, 1.0 - 1e-12)) / MONTHS_PER_YEAR
    alive = np.exp(survive[:, None] * np.maximum(since_launch, 0))
    return pool[:, None] * gained * alive
