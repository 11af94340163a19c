"""Group-sequential boundaries, computed by recursive numerical integration.

A group-sequential trial computes its z-statistic ``Z_k`` at looks ``k = 1..K``, taken at
information fractions ``0 < t_1 < ... < t_K = 1``. It stops for efficacy (success) at the
first look where ``Z_k >= b_k``, and, if it has a futility bound, for futility at the first
look where ``Z_k <= a_k``; at the last look ``a_K = b_K``, so the trial always decides.

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

**Boundaries.** With an alpha-spending function ``f`` (``spending.py``), ``b_k`` solves
``P_0(first crossing at look k) = f(t_k) - f(t_{k-1})``, ignoring futility (non-binding:
alpha holds even if the sponsor overrides futility). The classical O'Brien-Fleming
(``c / sqrt(t_k)``, i.e. ``c sqrt(K/k)``) and Pocock (``c``) bounds solve for ``c``.

**Futility by beta spending** (Pampallona, Tsiatis & Kim 2001; rpact and gsDesign's
non-binding designs). Under the design alternative the drift is
``(z_{1-alpha} + z_{1-beta}) sqrt(R)``, where ``R``, the *inflation factor*, is the maximum
information relative to a fixed design with the same alpha and power. For a given ``R``,
``a_k`` solves ``P_drift(first crossing of a at look k) = g(t_k) - g(t_{k-1})`` (``g`` the
beta-spending function), and ``a_K`` is set to ``b_K``; ``R`` is the root of
``power(R) = 1 - beta``. *The trap*: for ``R`` above the root the futility bounds rise and
can meet the efficacy bounds at an interim look, leaving nothing to spend later; a solver
that looks for ``a_K(R) = b_K`` can then land on a spurious root. Here a futility bound
that would exceed ``b_k`` is clamped to ``b_k`` (the trial then always stops at that look),
which makes ``power(R) - (1 - beta)`` continuous, negative at ``R = 1`` (Neyman-Pearson) and
strictly positive wherever bounds meet early, so a bracketing root finder can only land on
a design whose interim bounds stay apart and whose last bounds coincide.

References: Armitage, McPherson & Rowe (1969), *J R Stat Soc A* 132:235-244; Jennison &
Turnbull (2000), *Group Sequential Methods with Applications to Clinical Trials*, chapters
2, 7, 19; Pampallona, Tsiatis & Kim (2001), *Drug Inf J* 35:1113-1121.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from simulator.pillars.trials.spending import SPENDING_NAMES, cumulative_spending

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


def fixed_design_drift(alpha: float, power: float) -> float:
    """Drift ``z_{1-alpha} + z_{power}`` at which a single-look test has the given power."""
    return float(special.ndtri(1.0 - alpha) + special.ndtri(power))


@dataclass(frozen=True, eq=False)
class GroupSequentialDesign:
    """A one-sided group-sequential design, computed once and shared read-only.

    Attributes
    ----------
    info_fractions : numpy.ndarray
        Information fractions of the K looks (the last one is 1).
    efficacy_z, futility_z : numpy.ndarray
        Bounds on the z-scale: succeed if ``Z_k >= efficacy_z[k]``, stop for futility if
        ``Z_k <= futility_z[k]`` (non-binding; last equals last efficacy; None: no futility).
    cumulative_alpha, cumulative_beta : numpy.ndarray
        Type I error spent by each look (futility ignored), ending at ``alpha``; type II
        error spent under the design alternative (None without futility).
    alpha, power : float
        One-sided type I error and target power at the design alternative.
    inflation_factor : float
        Maximum information relative to the fixed design with the same alpha and power.
    drift_design : float
        ``(z_{1-alpha} + z_{power}) sqrt(inflation_factor)``: the drift giving ``power``.
    spending, futility : str
        Names of the efficacy boundary and of the beta-spending function (or None).
    """

    info_fractions: Array
    efficacy_z: Array
    futility_z: Array | None
    cumulative_alpha: Array
    cumulative_beta: Array | None
    alpha: float
    power: float
    inflation_factor: float
    drift_design: float
    spending: str
    futility: str | None

    @property
    def k(self) -> int:
        """Number of looks."""
        return int(self.info_fractions.size)


def _read_only(x: Array | None) -> Array | None:
    if x is not None:
        x = np.array(x, dtype=np.float64)
        x.flags.writeable = False
    return x


def _solve_drift_for_power(t: Array, b: Array, target: float, start: float, r: int) -> float:
    """Drift at which efficacy-only bounds reach the target power."""
    excess = lambda d: exit_probabilities(t, b, None, d, r)[0].sum() - target  # noqa: E731
    hi = max(start, 1.0)
    while excess(hi) < 0.0:
        hi *= 2.0
    return optimize.brentq(excess, 0.0, hi, xtol=1e-12, rtol=1e-14)


def _solve_inflation_factor(
    t: Array, b: Array, cum_beta: Array, alpha: float, power: float, r: int, r_hi: float = 1.5
) -> float:
    """Inflation factor at which beta-spending futility bounds give the target power.

    ``power(R) - target`` is <= 0 at R = 1 and > 0 wherever the bounds meet at an interim
    look, so we bracket by doubling ``r_hi`` and let Brent's method find the sign change.
    """
    fixed = fixed_design_drift(alpha, power)

    def excess(infl: float) -> float:
        return futility_bounds_from_spending(t, b, cum_beta, fixed * np.sqrt(infl), r)[1] - power

    if excess(1.0) >= 0.0:
        return 1.0
    while excess(r_hi) <= 0.0:
        r_hi *= 2.0
    return optimize.brentq(excess, 1.0, r_hi, xtol=1e-12, rtol=1e-13)


def design_group_sequential(
    k: int = 3,
    alpha: float = 0.025,
    power: float = 0.9,
    spending: str = "obf",
    gamma: float = -4.0,
    futility: str | None = None,
    futility_gamma: float = -2.0,
    info_fractions: ArrayLike | None = None,
) -> GroupSequentialDesign:
    """Build a one-sided group-sequential design (cached: same inputs, same object).

    Parameters
    ----------
    k : int
        Number of looks, interim and final (ignored if ``info_fractions`` is given).
    alpha : float
        One-sided type I error.
    power : float
        Target power at the design alternative.
    spending : {"obf", "pocock", "hsd", "obf_classical", "pocock_classical"}
        Alpha-spending function (Lan-DeMets O'Brien-Fleming or Pocock type,
        Hwang-Shih-DeCani) or classical boundary shape.
    gamma : float
        Hwang-Shih-DeCani shape for ``spending="hsd"`` (gsDesign's default -4).
    futility : {None, "obf", "pocock", "hsd"}
        Beta-spending function for non-binding futility bounds, or None for none.
    futility_gamma : float
        Hwang-Shih-DeCani shape for ``futility="hsd"`` (gsDesign's default -2).
    info_fractions : array_like, optional
        Information fractions of the looks; default equally spaced ``1/k, ..., 1``.

    Returns
    -------
    GroupSequentialDesign
    """
    if info_fractions is None:
        if k < 1:
            raise ValueError("k must be at least 1")
        info_fractions = np.arange(1, k + 1) / k
    t = tuple(float(x) for x in np.asarray(info_fractions, dtype=np.float64).ravel())
    if not t or t[-1] != 1.0 or t[0] <= 0.0 or np.any(np.diff(t) <= 0.0):
        raise ValueError("info_fractions must increase strictly within (0, 1] and end at 1")
    if not 0.0 < alpha < 0.5 or not alpha < power < 1.0:
        raise ValueError("need 0 < alpha < 0.5 and alpha < power < 1")
    if spending not in SPENDING_NAMES + CLASSICAL_NAMES:
        raise ValueError(f"unknown spending {spending!r}")
    if futility is not None and futility not in SPENDING_NAMES:
        raise ValueError(f"unknown futility spending {futility!r}")
    gamma = float(gamma) if spending == "hsd" else 0.0
    futility_gamma = float(futility_gamma) if futility == "hsd" else 0.0
    return _build((t, float(alpha), float(power), spending, gamma, futility, futility_gamma))


@lru_cache(maxsize=256)
def _build(key: tuple, r: int = GRID_R) -> GroupSequentialDesign:
    """Compute a design from its validated, hashable inputs ``key``."""
    t_tuple, alpha, power, spending, gamma, futility, futility_gamma = key
    t = np.array(t_tuple)
    if spending in CLASSICAL_NAMES:
        b = classical_bounds(spending, t, alpha, r)
        cum_alpha = np.cumsum(exit_probabilities(t, b, None, 0.0, r)[0])
    else:
        cum_alpha = cumulative_spending(spending, t, alpha, gamma)
        b = efficacy_bounds_from_spending(t, cum_alpha, r)
    fixed = fixed_design_drift(alpha, power)
    cum_beta, a = None, None
    if futility is None:
        drift = _solve_drift_for_power(t, b, power, fixed, r)
        inflation = (drift / fixed) ** 2
    else:
        cum_beta = cumulative_spending(futility, t, 1.0 - power, futility_gamma)
        inflation = _solve_inflation_factor(t, b, cum_beta, alpha, power, r)
        drift = fixed * np.sqrt(inflation)
        a = futility_bounds_from_spending(t, b, cum_beta, drift, r)[0]
    arrays = (_read_only(x) for x in (t, b, a, cum_alpha, cum_beta))
    return GroupSequentialDesign(
        *arrays, alpha, power, float(inflation), float(drift), spending, futility
    )


def design_exit_probabilities(
    design: GroupSequentialDesign, drift: float, obey_futility: bool = True
) -> tuple[Array, Array]:
    """Per-look probabilities of stopping for efficacy and for futility under ``drift``."""
    fut = design.futility_z if obey_futility else None
    return exit_probabilities(design.info_fractions, design.efficacy_z, fut, drift)


def power_at(design: GroupSequentialDesign, drift: float, obey_futility: bool = True) -> float:
    """Probability of success (crossing an efficacy bound) under ``drift``.

    With ``drift = 0`` and ``obey_futility=False`` this is the type I error, ``alpha``.
    """
    return float(design_exit_probabilities(design, drift, obey_futility)[0].sum())


def expected_sample_size(
    design: GroupSequentialDesign, drift: float, n_fixed: float | None = None
) -> float:
    """Expected sample size at stopping (futility obeyed) under ``drift``.

    ``drift`` is 0 for H0 and ``design.drift_design`` for H1. The result is a fraction of
    the fixed design's sample size (gsDesign's ``E{N}``, rpact's ASN), or patients if the
    fixed design's ``n_fixed`` is given.
    """
    up, lo = design_exit_probabilities(design, drift)
    stop = up + lo
    stop[-1] = 1.0 - stop[:-1].sum()
    fraction = design.inflation_factor * float(stop @ design.info_fractions)
    return fraction if n_fixed is None else fraction * n_fixed
