"""Internal rate of return of many cash-flow rows at once, with a reason where it is missing.

The IRR of a cash flow ``c_0, ..., c_{T-1}`` (one value per period: a month, or a year) is
the periodic rate ``r`` at which its present value is zero,

    f(r) = sum_t c_t (1 + r)^(-t) = 0,

reported as an annual rate ``(1 + r)^p - 1`` for ``p`` periods a year. It exists only when
the cash changes sign; by Descartes' rule of signs a flow whose sign changes once (spend,
then earn) has exactly one root, a flow that changes sign several times may have several.

The solver works in ``y = log(1 + r)``, ``f(y) = sum_t c_t exp(-t y)``, on the range
of rates where no power overflows: ``|y| (T - 1) <= 690``. It evaluates ``f`` on a fixed
grid of rates (dense from -50% to +200% a year, sparse beyond) for every row with one
matrix product, takes the first sign change as the bracket, and refines it by Newton
steps (``f`` and its slope by Horner's rule) kept inside the bracket (a bisection where a
step would leave it), the safeguarded iteration of ``scipy.optimize.brentq``'s family; a
row stops on the root, or when its bracket or its Newton step is below ``1e-13`` in
``y``. The grid spans annual rates from -100% (to within ``1e-10`` on 30 years of
months, ``1e-5`` on 60) to +100,000%. Each row gets a reason code:

- ``OK`` (0): one root in the grid's range;
- ``NO_SIGN_CHANGE`` (1): the cash never changes sign (all >= 0 or all <= 0): NaN;
- ``OUT_OF_RANGE`` (2): the cash changes sign but its present value does not, on the
  grid nor on one 20 times finer: no IRR exists in the range. A flow whose first and
  last non-zero months have the same sign (spend, earn, then a tail of costs) has an
  even number of roots, possibly none: its present value can stay below zero at every
  rate. (Also an IRR even closer to -100% a year or above +100,000%, or two roots
  closer than the fine grid's cells.) NaN;
- ``MULTIPLE`` (3): the present value changes sign more than once on the grid: the lowest
  root is returned and flagged.
"""

from __future__ import annotations

import numpy as np

OK, NO_SIGN_CHANGE, OUT_OF_RANGE, MULTIPLE = 0, 1, 2, 3
REASONS = {OK: "ok", NO_SIGN_CHANGE: "no sign change", OUT_OF_RANGE: "no root in range",
           MULTIPLE: "several roots (lowest shown)"}  # fmt: skip
LOW_ANNUAL, HIGH_ANNUAL = -1.0 + 1e-12, 1000.0
EXP_LIMIT = 690.0  # exp(690) < the largest float
GRID_POINTS = 96
DENSE_ANNUAL = (-0.5, 2.0)
TOLERANCE_LOG = 1e-13


def _weights(y: np.ndarray, periods: int) -> np.ndarray:
    """``exp(-t y)``, ``(periods, len(y))``."""
    return np.exp(-np.arange(periods, dtype=float)[:, None] * y[None, :])


def _value_and_slope(reversed_t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``f(y) = sum_t c_t x^t`` (``x = exp(-y)``) and ``df/dy`` of each row at its own
    ``y`` by Horner's rule; ``reversed_t`` holds the cash from the last period back,
    ``(T, m)``."""
    x = np.exp(-y)
    value = np.zeros(y.size)
    slope = np.zeros(y.size)  # dP/dx
    for c in reversed_t:
        slope *= x
        slope += value
        value *= x
        value += c
    return value, -x * slope


def _bracket(cash: np.ndarray, grid: np.ndarray):
    """Each row's first sign change of ``f`` on ``grid``: ``(lo, hi, f(lo), f(hi), count)``
    with ``count`` the sign changes (0: none; ``lo``, ``hi`` are then meaningless)."""
    values = cash @ _weights(grid, cash.shape[1])
    sign = np.sign(values)
    flips = (sign[:, 1:] * sign[:, :-1] < 0) | ((sign[:, :-1] == 0) & (sign[:, 1:] != 0))
    first = np.argmax(flips, axis=1)
    at = np.arange(cash.shape[0])
    return (grid[first], grid[first + 1], values[at, first], values[at, first + 1],
            flips.sum(axis=1))  # fmt: skip


def irr(cash: np.ndarray, periods_per_year: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Annual IRR of each row of ``cash`` ``(n, T)`` and its reason code (see the module
    docstring); NaN where no IRR exists."""
    cash = np.atleast_2d(np.asarray(cash, dtype=float))
    n, periods = cash.shape
    out = np.full(n, np.nan)
    reason = np.full(n, NO_SIGN_CHANGE, dtype=np.int8)
    changes = (cash > 0).any(axis=1) & (cash < 0).any(axis=1)
    rows = np.flatnonzero(changes)
    if rows.size == 0:
        return out, reason
    low = max(np.log1p(LOW_ANNUAL) / periods_per_year, -EXP_LIMIT / max(periods - 1, 1))
    high = np.log1p(HIGH_ANNUAL) / periods_per_year
    if high * (periods - 1) > EXP_LIMIT:
        raise ValueError(f"{periods} periods are too many for the IRR's range of rates")
    # dense where IRRs usually are (-50% to +200% a year), sparse in the tails
    inner = np.log1p(np.array(DENSE_ANNUAL)) / periods_per_year
    inner = np.clip(inner, low, high)
    grid = np.unique(np.concatenate([np.linspace(low, inner[0], GRID_POINTS // 6),
                                     np.linspace(*inner, GRID_POINTS * 2 // 3),
                                     np.linspace(inner[1], high, GRID_POINTS // 6)]))  # fmt: skip
    changing = cash if rows.size == n else cash[rows]
    lo, hi, h_lo, h_hi, count = _bracket(changing, grid)
    missed = np.flatnonzero(count == 0)  # two roots within one cell, or none in range:
    if missed.size:  # look again on a grid 20 times finer, for those rows only
        fine = _bracket(changing[missed], np.linspace(low, high, 20 * GRID_POINTS))
        for whole, part in zip((lo, hi, h_lo, h_hi, count), fine, strict=True):
            whole[missed] = part
    reason[rows] = np.where(count == 0, OUT_OF_RANGE, np.where(count > 1, MULTIPLE, OK))
    found = count > 0
    rows, lo, hi, h_lo, h_hi = rows[found], lo[found], hi[found], h_lo[found], h_hi[found]
    c = np.ascontiguousarray(changing[found][:, ::-1].T)
    with np.errstate(divide="ignore", invalid="ignore"):  # start at the secant's root
        y = lo - h_lo * (hi - lo) / (h_hi - h_lo)
    y = np.where(np.isfinite(y) & (y > lo) & (y < hi), y, 0.5 * (lo + hi))
    live = np.ones(rows.size, dtype=bool)
    for _ in range(200):
        idx = np.flatnonzero(live)
        if idx.size == 0:
            break
        h, slope = _value_and_slope(c if idx.size == rows.size else c[:, idx], y[idx])
        left = np.sign(h) == np.sign(h_lo[idx])  # the root is above y
        lo[idx] = np.where(left, y[idx], lo[idx])
        hi[idx] = np.where(left, hi[idx], y[idx])
        h_lo[idx] = np.where(left, h, h_lo[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = y[idx] - h / slope
        inside = np.isfinite(step) & (step > lo[idx]) & (step < hi[idx])
        exact = h == 0  # on the root: stay there
        y[idx] = np.where(exact, y[idx], np.where(inside, step, 0.5 * (lo[idx] + hi[idx])))
        with np.errstate(divide="ignore", invalid="ignore"):
            small = np.abs(h / slope) < TOLERANCE_LOG  # a Newton step below the tolerance
        done = (hi[idx] - lo[idx] < TOLERANCE_LOG) | exact | (inside & small)
        live[idx[done]] = False
    out[rows] = np.expm1(y * periods_per_year)
    return out, reason
