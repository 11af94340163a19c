"""A one-sided group-sequential design: its looks and boundaries, computed once.

A design fixes the looks (information fractions ``t_1 < ... < t_K = 1``), the efficacy
bounds ``b_k`` and, optionally, non-binding futility bounds ``a_k``; the probabilities
and the look-by-look solving are in :mod:`.integration`.

**Efficacy boundaries** come from an alpha-spending function (``spending.py``:
Lan-DeMets O'Brien-Fleming or Pocock type, Hwang-Shih-DeCani), each look spending its
increment under H0, or from the classical O'Brien-Fleming and Pocock shapes.

**Futility by beta spending** (Pampallona, Tsiatis & Kim 2001; rpact and gsDesign's
non-binding designs). Under the design alternative the drift is
``(z_{1-alpha} + z_{1-beta}) sqrt(R)``, where ``R``, the *inflation factor*, is the maximum
information relative to a fixed design with the same alpha and power. For a given ``R``
the futility bounds spend the beta-spending function under that drift and ``a_K`` is set
to ``b_K``; ``R`` is the root of ``power(R) = 1 - beta``. *The trap*: for ``R`` above the
root the futility bounds rise and can meet the efficacy bounds at an interim look, leaving
nothing to spend later; a solver that looks for ``a_K(R) = b_K`` can then land on a
spurious root. Here a futility bound that would exceed ``b_k`` is clamped to ``b_k`` (the
trial then always stops at that look), which makes ``power(R) - (1 - beta)`` continuous,
negative at ``R = 1`` (Neyman-Pearson) and strictly positive wherever bounds meet early,
so a bracketing root finder can only land on a design whose interim bounds stay apart and
whose last bounds coincide.

Without futility, ``R`` is the drift at which the efficacy bounds alone reach the power,
squared, over the fixed design's. A design is cached: the same inputs give the same
read-only object, so the Monte Carlo loop never recomputes it.

References: Jennison & Turnbull (2000), *Group Sequential Methods with Applications to
Clinical Trials*, chapters 2, 7, 19; Pampallona, Tsiatis & Kim (2001), *Drug Inf J*
35:1113-1121.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from simulator.pillars.trials.integration import (
    CLASSICAL_NAMES,
    GRID_R,
    classical_bounds,
    efficacy_bounds_from_spending,
    exit_probabilities,
    futility_bounds_from_spending,
)
from simulator.pillars.trials.spending import SPENDING_NAMES, cumulative_spending

Array = NDArray[np.float64]


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
