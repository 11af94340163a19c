"""The value rule: continue where the expected forward value given the signals beats a
hurdle, estimated by least-squares Monte Carlo, cross-fitted.

Longstaff-Schwartz (least-squares Monte Carlo): the expected forward NPV given the
observed signals ``s``, ``E[V | s]``, is estimated by regressing the realised forward NPV
``V`` of each iteration on basis functions of its signals,
``V ~ b0 + sum_j (b1j s_j + b2j s_j^2)`` (ordinary least squares). The rule continues
where ``E[V | s] > hurdle_musd`` and stops (forward value 0) elsewhere.

A policy fitted on the iterations it is scored on is tuned to their noise (the
optimizer's curse: it looks better than it is). So the fit is **cross-fitted**: the
iterations are split into ``folds`` parts; each part's estimates come from a regression
fitted on the other parts only. The option value of a policy ``c`` (continue mask) is the
paired difference ``mean(c V) - mean(V)`` with standard error ``sd(c V - V) / sqrt(N)``.

Closed form (the two-stage toy): ``V = v_hi`` with probability ``p`` and ``v_lo < 0``
otherwise, revealed perfectly at the gate: the option value is
``E[max(V, 0)] - E[V] = -(1 - p) v_lo``; with a signal that carries no information the
regression is the constant ``E[V]`` and, for ``E[V] > 0``, the option value is 0.
"""

from __future__ import annotations

import numpy as np


def basis(signals: np.ndarray) -> np.ndarray:
    """``[1, s_j, s_j^2]`` for each signal column ``j`` of ``signals`` (n, k)."""
    s = np.asarray(signals, dtype=float).reshape(len(signals), -1)
    return np.column_stack([np.ones(s.shape[0]), s, s**2])


def cross_fitted_value(
    signals: np.ndarray, forward_value_musd: np.ndarray, folds: int = 2, seed: int = 0
) -> np.ndarray:
    """``E[V | s]`` per iteration, each from a regression not fitted on its own fold."""
    if folds < 2:
        raise ValueError("cross-fitting needs at least 2 folds")
    x = basis(signals)
    v = np.asarray(forward_value_musd, dtype=float)
    fold = np.random.default_rng(seed).permutation(v.size) % folds
    out = np.empty(v.size)
    for f in range(folds):
        train = fold != f
        coef, *_ = np.linalg.lstsq(x[train], v[train], rcond=None)
        out[~train] = x[~train] @ coef
    return out


def value_rule(estimate_musd: np.ndarray, hurdle_musd: float = 0.0) -> np.ndarray:
    """Continue where the estimated forward value exceeds the hurdle (bool)."""
    return np.asarray(estimate_musd) > hurdle_musd


def option_value(forward_value_musd: np.ndarray, go: np.ndarray) -> tuple[float, float]:
    """``(mean, standard error)`` of ``go V - V``: the policy against always continuing."""
    v = np.asarray(forward_value_musd, dtype=float)
    d = np.where(go, v, 0.0) - v
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size))
