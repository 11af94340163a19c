"""The monthly grid, discounting, and spreading a cost over a stretch of months.

Time runs in whole months ``m = 0, 1, ..., M-1`` from the scenario start to the horizon.
Everything that happens is placed on that grid: a stage that starts at continuous time
``s`` and ends at ``e`` occupies months ``round(s) .. round(e) - 1`` (boundaries are
rounded, never durations, so rounding errors do not pile up along a pipeline).

Cash of month ``m`` is taken to flow evenly within the month, so it is discounted from
its middle (the *mid-month convention*):

    v = (1 + r_annual) ** (-1/12),        PV = sum_m cash_m * v ** (m + 1/2)

A cost ``C`` spread evenly over ``d`` months from month ``s`` has the closed form

    PV = (C / d) * v**(s + 1/2) * (1 - v**d) / (1 - v)      (v < 1)

which :func:`pv_spread` uses instead of summing month by month.

**The end of time.** The grid places events up to ``TIME_LIMIT_MONTHS`` (200 years,
:mod:`.limits`) from the start, and no earlier than as many months before it: a time
beyond is placed at the limit (an infinite one too), which is past every horizon, so
nothing inside the model moves; what it prevents is an infinite time turning into the
smallest 64-bit integer, or a would-be launch centuries away compounding a capitalized
cost past float64.
"""

from __future__ import annotations

import numpy as np

from simulator.core.limits import TIME_LIMIT_MONTHS

MONTHS_PER_YEAR = 12


def monthly_factor(rate_annual: float) -> float:
    """Monthly discount factor ``v`` for an annual rate."""
    return (1.0 + rate_annual) ** (-1.0 / MONTHS_PER_YEAR)


def discount_factors(rate_annual: float, months: int) -> np.ndarray:
    """``v ** (m + 1/2)`` for ``m = 0 .. months-1`` (mid-month convention)."""
    return monthly_factor(rate_annual) ** (np.arange(months) + 0.5)


def to_month(t: np.ndarray) -> np.ndarray:
    """Continuous time in months -> the grid month it falls in (round half up), within
    +-``TIME_LIMIT_MONTHS`` (see the module docstring; NaN is not a time and raises)."""
    t = np.asarray(t, dtype=float)
    if np.isnan(t).any():
        raise ValueError("a time on the monthly grid is NaN")
    month = np.floor(np.clip(t, -TIME_LIMIT_MONTHS, TIME_LIMIT_MONTHS) + 0.5)
    return month.astype(np.int64)


def pv_spread(
    amount: np.ndarray, start: np.ndarray, length: np.ndarray, rate_annual: float, horizon: int
) -> np.ndarray:
    """Present value of ``amount`` spread evenly over ``length`` months from ``start``.

    Months at or past ``horizon`` are cut off (they are outside the model).
    """
    v = monthly_factor(rate_annual)
    start = np.asarray(start)
    end = np.minimum(start + length, horizon)
    start_c = np.minimum(start, horizon)
    per_month = amount / length
    if v == 1.0:
        return per_month * (end - start_c)
    return per_month * v**0.5 * (v**start_c - v**end) / (1.0 - v)


def add_spread(
    out: np.ndarray, rows: np.ndarray, amount: np.ndarray, start: np.ndarray, length: np.ndarray
) -> None:
    """Add ``amount`` spread evenly over ``length`` months from ``start`` to a *difference*
    array ``out`` of shape ``(n, M + 1)``; ``np.cumsum(out, axis=1)[:, :M]`` gives the
    monthly amounts. Starts and ends past the horizon are clipped to column ``M``.

    Each call must name each row at most once (true of one stage of one asset).
    """
    horizon = out.shape[1] - 1
    per_month = amount / length
    out[rows, np.minimum(start, horizon)] += per_month
    out[rows, np.minimum(start + length, horizon)] -= per_month
