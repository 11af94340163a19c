"""Exit probabilities of a group-sequential trial, by recursive numerical integration.

A group-sequential trial computes its z-statistic ``Z_k`` at looks ``k = 1..K``, taken at
information fractions ``0 < t_1 < ... < t_K = 1``. It stops for efficacy (success) at the
first look where ``Z_k >= b_k``, and, if it has a futility bound, for futility at the first
look where ``Z_k <= a_k``; at the last look ``a_K = b_K``, so the trial always decides.
This module computes, for given bounds, the probability of each exit, and solves the
bounds look by look so that each look spends a given amount of error;
:mod:`.boundaries` builds whole designs from them.

**The joint distribution** (J&T 2000, section 3.1). With ``drift`` the expected z at full
information (``theta sqrt(I_max)``), ``Z_k = B(t_k) / sqrt(t_k)`` for a Brownian motion
``B(t) ~ N(drift t, t)``: ``Z_k ~ N(drift sqrt(t_k), 1)``, ``corr(Z_i, Z_j) = sqrt(t_i/t_j)``.

**Recursive integration** (Armitage, McPherson & Rowe 1969, in the form of Jennison &
Turnbull 2000, chapter 19). Let ``h_k(z)`` be the sub-density of ``Z_k`` on paths that have
not stopped before look ``k``. Then ``h_1(z) = phi(z - drift sqrt(t_1))`` and::

    h_k(y) = integral over (a_{k-1}, b_{k-1}) of h_{k-1}(z) * sqrt(t_k / D)
             * phi((y sqrt(t_k) - z sqrt(t_{k-1}) - drift D) / sqrt(D)) dz

with ``D = t_k - t_{k-1}``; crossing ``b_k`` first at look ``k`` has probability the same
integral of ``h_{k-1}(z) Phi((z sqrt(t_{k-1}) + drift D - b_k sqrt(t_k)) / sqrt(D))``. The
grid (J&T section 19.2): ``6r - 1`` points, dense near the mean, logarithmic in the tails,
cut at ``a_k`` and ``b_k``, midpoints added, Simpson weights; ``r = 32`` gives ~8 digits.

**Bounds that spend given amounts.** With cumulative alpha ``f(t_k)`` (``spending.py``),
``b_k`` solves ``P_0(first crossing at look k) = f(t_k) - f(t_{k-1})``, ignoring futility
(non-binding: alpha holds even if the sponsor overrides futility). The classical
O'Brien-Fleming (``c / sqrt(t_k)``, i.e. ``c sqrt(K/k)``) and Pocock (``c``) bounds solve
for ``c``. Futility bounds spend cumulative beta ``g(t_k)`` under a given drift
(Pampallona, Tsiatis & Kim 2001): ``a_k`` solves ``P_drift(first crossing of a at look k)
= g(t_k) - g(t_{k-1})``; a futility bound that would exceed ``b_k`` is clamped to ``b_k``
(the bounds meet and the trial always stops at that look).

References: Armitage, McPherson & Rowe (1969), *J R Stat Soc A* 132:235-244; Jennison &
Turnbull (2000), *Group Sequential Methods with Applications to Clinical Trials*, chapters
2, 3, 19; Pampallona, Tsiatis & Kim (2001), *Drug Inf J* 35:1113-1121.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

GRID_R = 32
"""J&T's grid parameter ``r``: ``12 r - 1`` quadrature points per look at most."""

CLASSICAL_NAMES: tuple[str, ...] = ("obf_classical", "pocock_classical")
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_FAR = 40.0  # a z-value beyond which every tail probability is 0 in double precision

Array = NDArray[np.float64]


def _grid(mean: float, lower: float, upper: float, r: int) -> tuple[Array, Array]:
    """J&T (2000, section 19.2.1) grid on ``(lower, upper)`` for an N(mean, 1) density.

    Returns the points (odd count, midpoints included) and their Simpson weights; both are
    empty if the interval is empty.
    """
    if not lower < upper:
        return np.empty(0), np.empty(0)
    i = np.arange(1, 6 * r, dtype=np.float64)
    x = np.where(
        i < r,
        -3.0 - 4.0 * np.log(r / i),
        np.where(i <= 5 * r, -3.0 + 3.0 * (i - r) / (2.0 * r), 3.0 + 4.0 * np.log(r / (6 * r - i))),
    )
    x = x + mean
    inside = x[(x > lower) & (x < upper)]
    parts = [inside]
    if np.isfinite(lower) and lower > x[0]:
        parts.insert(0, np.array([lower]))
    if np.isfinite(upper) and upper < x[-1]:
        parts.append(np.array([upper]))
    x = np.concatenate(parts)
    if x.size < 2:
        return np.empty(0), np.empty(0)
    z = np.empty(2 * x.size - 1)
    z[0::2] = x
    z[1::2] = 0.5 * (x[:-1] + x[1:])
    width = np.diff(x) / 6.0
    w = np.zeros_like(z)
    w[0:-1:2] += width
    w[1::2] += 4.0 * width
    w[2::2] += width
    return z, w


@dataclass(frozen=True)
class _Stage:
    """Sub-density of the statistic on continuing paths, as grid points and weight*density."""

    z: Array
    wh: Array
    t: float


_START = _Stage(z=np.zeros(1), wh=np.ones(1), t=0.0)


def _prob(prev: _Stage, t: float, drift: float, bound: float, above: bool) -> float:
    """P(continue to the look at ``t`` and Z >= bound), or Z <= bound if not ``above``."""
    d = t - prev.t
    x = (prev.z * np.sqrt(prev.t) + drift * d - bound * np.sqrt(t)) / np.sqrt(d)
    return float(prev.wh @ special.ndtr(x if above else -x))


def _advance(prev: _Stage, t: float, drift: float, a: float, b: float, r: int) -> _Stage:
    """Sub-density at the look at ``t`` on paths continuing there (a < Z < b)."""
    z, w = _grid(drift * np.sqrt(t), a, b, r)
    if z.size == 0 or prev.z.size == 0:
        return _Stage(np.empty(0), np.empty(0), t)
    d = t - prev.t
    u = (z[:, None] * np.sqrt(t) - prev.z[None, :] * np.sqrt(prev.t) - drift * d) / np.sqrt(d)
    h = (np.exp(-0.5 * u * u) @ prev.wh) * (_INV_SQRT_2PI * np.sqrt(t / d))
    return _Stage(z, w * h, t)


def exit_probabilities(
    info_fractions: ArrayLike,
    efficacy_z: ArrayLike,
    futility_z: ArrayLike | None,
    drift: float,
    r: int = GRID_R,
) -> tuple[Array, Array]:
    """Per-look probabilities of stopping first for efficacy and for futility.

    The trial stops at the first crossing of either bound; ``futility_z=None`` means no
    futility stops (as for the type I error of a non-binding design). ``drift`` is the
    expected z at full information, ``theta sqrt(I_max)`` (0 under H0); ``r`` the J&T grid
    parameter. Returns two arrays of length K: efficacy and futility exit probabilities.
    """
    t = np.asarray(info_fractions, dtype=np.float64)
    b = np.asarray(efficacy_z, dtype=np.float64)
    a = np.full_like(t, -np.inf) if futility_z is None else np.asarray(futility_z, dtype=float)
    up, lo = np.zeros_like(t), np.zeros_like(t)
    stage = _START
    for k in range(t.size):
        up[k] = _prob(stage, t[k], drift, b[k], True)
        lo[k] = _prob(stage, t[k], drift, min(a[k], b[k]), False)
        if k + 1 < t.size:
            stage = _advance(stage, t[k], drift, a[k], b[k], r)
    return up, lo


def efficacy_bounds_from_spending(
    info_fractions: ArrayLike, cumulative_alpha: ArrayLike, r: int = GRID_R
) -> Array:
    """Efficacy bounds ``b_k`` spending exactly ``cumulative_alpha`` under H0.

    Futility is ignored (non-binding). A look that spends nothing gets ``b_k = inf``.
    """
    t = np.asarray(info_fractions, dtype=np.float64)
    spend = np.diff(np.asarray(cumulative_alpha, dtype=np.float64), prepend=0.0)
    bounds = np.empty_like(t)
    stage = _START
    for k in range(t.size):
        if spend[k] <= 0.0:
            bounds[k] = np.inf
        else:
            excess = lambda x, k=k, s=stage: _prob(s, t[k], 0.0, x, True) - spend[k]  # noqa: E731
            bounds[k] = optimize.brentq(excess, -_FAR, _FAR, xtol=1e-12, rtol=1e-14)
        if k + 1 < t.size:
            stage = _advance(stage, t[k], 0.0, -np.inf, bounds[k], r)
    return bounds


def classical_bounds(kind: str, info_fractions: ArrayLike, alpha: float, r: int = GRID_R) -> Array:
    """Classical O'Brien-Fleming (``c / sqrt(t_k)``) or Pocock (``c``) efficacy bounds.

    ``kind`` is ``"obf_classical"`` or ``"pocock_classical"``; ``c`` is solved so that the
    bounds spend exactly the one-sided ``alpha`` (J&T 2000, chapter 2).
    """
    t = np.asarray(info_fractions, dtype=np.float64)
    if kind == "obf_classical":
        shape = 1.0 / np.sqrt(t)
    elif kind == "pocock_classical":
        shape = np.ones_like(t)
    else:
        raise ValueError(f"unknown classical boundary {kind!r}; expected one of {CLASSICAL_NAMES}")
    excess = lambda c: exit_probabilities(t, c * shape, None, 0.0, r)[0].sum() - alpha  # noqa: E731
    lo = special.ndtri(1.0 - alpha) / shape.max()  # a single look at this level spends alpha
    hi = special.ndtri(1.0 - alpha / t.size) / shape.min()  # Bonferroni spends at most alpha
    return optimize.brentq(excess, lo, hi, xtol=1e-12, rtol=1e-14) * shape


def futility_bounds_from_spending(
    info_fractions: ArrayLike,
    efficacy_z: ArrayLike,
    cumulative_beta: ArrayLike,
    drift: float,
    r: int = GRID_R,
) -> tuple[Array, float]:
    """Futility bounds spending ``cumulative_beta`` under ``drift``, and the resulting power.

    At each interim look ``a_k`` solves ``P_drift(stop for futility at k) = beta increment``;
    if even ``a_k = b_k`` cannot spend the increment, ``a_k`` is clamped to ``b_k`` (bounds
    meet, the trial always stops there) and later bounds equal the efficacy bounds. The last
    futility bound is ``b_K``.

    Returns the futility bounds and the power ``P_drift(cross an efficacy bound first)``.
    """
    t = np.asarray(info_fractions, dtype=np.float64)
    b = np.asarray(efficacy_z, dtype=np.float64)
    spend = np.diff(np.asarray(cumulative_beta, dtype=np.float64), prepend=0.0)
    a = b.copy()
    power = 0.0
    stage = _START
    for k in range(t.size):
        power += _prob(stage, t[k], drift, b[k], True)
        if k + 1 == t.size or _prob(stage, t[k], drift, b[k], False) <= spend[k]:
            break  # last look, or the bounds meet here: a_k = b_k and the trial ends
        if spend[k] <= 0.0:
            a[k] = -np.inf
        else:
            excess = lambda x, k=k, s=stage: _prob(s, t[k], drift, x, False) - spend[k]  # noqa: E731
            a[k] = optimize.brentq(excess, -_FAR, b[k], xtol=1e-12, rtol=1e-14)
        stage = _advance(stage, t[k], drift, a[k], b[k], r)
    return a, power
