"""The value of information from the run's own samples: nonparametric regression.

A decision at a gate has two options: **go** (continue the programme) with per-future net
benefit ``V`` (its forward NPV, USD millions) and **stop** with net benefit 0. Deciding
now, on what is known, is worth ``max(E[V], 0)``. Knowing ``theta`` first (an input, or a
study's summary statistic ``S``) lets the decision follow it and is worth
``E[max(E[V | theta], 0)]``. The expected value of (partial perfect, or sample)
information is the difference (Strong & Oakley 2014, *Med Decis Making* 34:311; for a
study's statistic, Strong, Oakley, Brennan & Breeze 2015, *Med Decis Making* 35:570):

    EVPPI(theta) = E[ max(g(theta), 0) ] - max(E[V], 0),    g(theta) = E[V | theta]
    EVSI         = E[ max(h(S), 0) ]     - max(E[V], 0),    h(S)     = E[V | S]
    EVPI         = E[ max(V, 0) ]        - max(E[V], 0)     (everything known)

Only the iterations that reach the gate decide there (``reached``); the others add 0, so
each value is per future of the scenario: ``P(reach)`` times its value given the gate.

**The smoother.** ``g`` is estimated by ordinary least squares (``numpy.linalg.lstsq``) on
a *restricted cubic spline* basis of ``theta`` (Harrell, *Regression Modeling Strategies*,
2nd ed. 2015, section 2.4.5): knots at the 5, 27.5, 50, 72.5 and 95% quantiles, cubic
between them, linear beyond the outer ones, so an intercept, ``theta`` and 3 curvature
terms: a GAM-like smoother with fixed, not penalized, degrees of freedom. A discrete
input (at most 8 distinct values, e.g. a stage's success) gets one indicator per value,
which is its exact conditional mean. An input constant over the reaching iterations
carries no information: its value is 0 exactly.

**Properties of the estimator.** ``mean(max(g_i, 0)) >= max(mean(g_i), 0) = max(mean V, 0)``
by Jensen's inequality over the sample, so every estimate is >= 0 exactly. It is biased
upward by the regression's own noise (a max of an estimate), by about its standard error
where ``E[V | theta]`` crosses 0: an input that does not matter reads 0 within its error.

**Error.** The standard error is the bootstrap's (``B`` resamples of the iterations, each
refitted): it covers both the Monte Carlo noise of the futures and the regression's.
"""

from __future__ import annotations

import numpy as np

#: Harrell's knot quantiles for 5 knots
KNOT_QUANTILES = (0.05, 0.275, 0.5, 0.725, 0.95)
#: at most this many distinct values: one indicator per value instead of a spline
DISCRETE_LEVELS = 8
BOOTSTRAP = 200


def spline_basis(x: np.ndarray, knots: np.ndarray | None = None) -> np.ndarray:
    """The design matrix ``[1, x, f_1(x), ..., f_{k-2}(x)]`` of a restricted cubic spline.

    ``f_j(x) = (x - t_j)+^3 - (x - t_{k-1})+^3 (t_k - t_j) / (t_k - t_{k-1})
    + (x - t_k)+^3 (t_{k-1} - t_j) / (t_k - t_{k-1})``, divided by ``(t_k - t_1)^2`` to
    keep the columns on the scale of ``x``. A discrete ``x`` gets indicators instead.
    """
    x = np.asarray(x, dtype=float)
    levels = np.unique(x)
    if levels.size <= DISCRETE_LEVELS:
        return (x[:, None] == levels[None, :]).astype(float)
    t = np.unique(np.quantile(x, KNOT_QUANTILES)) if knots is None else np.asarray(knots)
    cols = [np.ones_like(x), x]
    if t.size >= 3:
        scale, tail = (t[-1] - t[0]) ** 2, t[-1] - t[-2]
        cubes = [np.maximum(x - c, 0.0) ** 3 for c in t]  # once per knot
        for j in range(t.size - 2):
            f = cubes[j] - cubes[-2] * ((t[-1] - t[j]) / tail) + cubes[-1] * ((t[-2] - t[j]) / tail)
            cols.append(f / scale)
    return np.column_stack(cols)


def conditional_mean(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``E[v | x]`` at each sample: the least-squares fit on :func:`spline_basis`."""
    b = spline_basis(x)
    # the normal equations (a few columns): as lstsq's answer, several times faster
    coef, *_ = np.linalg.lstsq(b.T @ b, b.T @ np.asarray(v, dtype=float), rcond=None)
    return b @ coef


def _value(x: np.ndarray | None, v: np.ndarray, reached: np.ndarray) -> float:
    """One estimate, per future: EVPPI of ``x`` (``None``: EVPI, everything known)."""
    n = v.size
    r = np.asarray(reached, dtype=bool)
    if not r.any():
        return 0.0
    vr = v[r]
    if x is None:
        g = vr
    else:
        xr = np.asarray(x, dtype=float)[r]
        if np.ptp(xr) == 0.0:
            return 0.0
        g = conditional_mean(xr, vr)
    return float((np.maximum(g, 0.0).sum() - r.sum() * max(vr.mean(), 0.0)) / n)


def value_of_information(
    x: np.ndarray | None,
    forward_value_musd: np.ndarray,
    reached: np.ndarray | None = None,
    *,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
) -> tuple[float, float]:
    """``(value, standard error)`` in USD millions per future: EVPPI of ``x`` (an input
    or a study's statistic, per iteration), or EVPI when ``x`` is ``None``."""
    v = np.asarray(forward_value_musd, dtype=float)
    r = np.ones(v.size, dtype=bool) if reached is None else np.asarray(reached, dtype=bool)
    value = _value(x, v, r)
    rng = np.random.default_rng(seed)
    xs = None if x is None else np.asarray(x, dtype=float)
    boots = np.empty(bootstrap)
    for b in range(bootstrap):
        i = rng.integers(0, v.size, v.size)
        boots[b] = _value(None if xs is None else xs[i], v[i], r[i])
    return value, float(boots.std(ddof=1)) if bootstrap > 1 else float("nan")


def decision_value(
    x: np.ndarray,
    forward_value_musd: np.ndarray,
    reached: np.ndarray,
    go_factor: float = 1.0,
    cost_pv_musd: np.ndarray | float = 0.0,
    *,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
) -> dict[str, float]:
    """EVSI of a study with statistic ``x``, gross and net of its cost and delay, per future.

    With the study the decision waits for it: going is worth ``go_factor * h(S)`` (the
    forward value discounted over the delay) and the study's cost ``cost_pv_musd`` is
    spent in every future that reaches the gate; without it the decision is taken now::

        EVSI_gross = E[max(h(S), 0)] - max(E[V], 0)
        EVSI_net   = E[go_factor max(h(S), 0) - cost] - max(E[V], 0)
                   = EVSI_gross - (1 - go_factor) E[max(h(S), 0)] - E[cost]

    Returns the gross and net values, the delay's and the cost's parts, each with its
    bootstrap standard error (same resamples for all, so their errors are consistent).
    """
    v = np.asarray(forward_value_musd, dtype=float)
    r = np.asarray(reached, dtype=bool)
    s = np.asarray(x, dtype=float)
    cost = np.broadcast_to(np.asarray(cost_pv_musd, dtype=float), v.shape)

    def parts(i):
        vi, ri, si = v[i], r[i], s[i]
        n = vi.size
        if not ri.any():
            return np.zeros(4)
        vr = vi[ri]
        h = conditional_mean(si[ri], vr) if np.ptp(si[ri]) > 0 else np.full(vr.size, vr.mean())
        informed = np.maximum(h, 0.0).sum() / n
        now = ri.sum() * max(vr.mean(), 0.0) / n
        gross = informed - now
        delay = (1.0 - go_factor) * informed
        spent = cost[i][ri].sum() / n
        return np.array([gross, delay, spent, gross - delay - spent])

    everything = np.arange(v.size)
    point = parts(everything)
    rng = np.random.default_rng(seed)
    boots = np.array([parts(rng.integers(0, v.size, v.size)) for _ in range(bootstrap)])
    se = boots.std(axis=0, ddof=1)
    names = ("evsi_gross", "delay_loss", "cost", "evsi_net")
    out = {f"{k}_musd": float(p) for k, p in zip(names, point, strict=True)}
    out.update({f"{k}_se_musd": float(e) for k, e in zip(names, se, strict=True)})
    return out
