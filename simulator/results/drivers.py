"""What drives the NPV, and the difference between portfolios, read from one run.

Every iteration keeps the values drawn for every uncertain input (the
``input:<portfolio>.<asset>.<field>`` and ``market.<field>`` columns). Regress the outcome
(a portfolio's NPV, or the paired difference ``a - b``) on all of them at once after
standardizing each to mean 0 and SD 1: the *standardized regression coefficient* (SRC) of
an input is the change in the outcome, in outcome SDs, for a one-SD change in the input
with the others held fixed. For a model linear in independent inputs,
``SRC_i = b_i sd(x_i) / sd(y)`` and the squares add up to the regression R². The *rank
correlation* (Spearman) of each input with the outcome is reported beside it; it also
catches monotone non-linear effects. Neither runs the model again (the one-way swing,
which does, is a study: :mod:`simulator.studies.sensitivity`); both need the samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import rankdata

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from simulator.results.result import Result

INPUT_PREFIX = "input:"


def input_columns(result: Result) -> list[str]:
    """Names of every sampled (non-constant) input column of a result's iterations."""
    return [
        c
        for c in result.column_names
        if c.startswith(INPUT_PREFIX) or (c.startswith("market.") and "." in c)
    ]


def short_name(column: str) -> str:
    """``input:nichebuster.onc_1.commercial.peak_share`` -> ``nichebuster.onc_1.commercial...``."""
    return column.removeprefix(INPUT_PREFIX)


def outcome(result: Result, target: str) -> np.ndarray:
    """The outcome array named by ``target``: a portfolio (its NPV) or ``"a - b"``."""
    if " - " in target:
        a, b = (t.strip() for t in target.split(" - ", 1))
        return result.npv(a) - result.npv(b)
    return result.npv(target)


def regression_sensitivity(result: Result, target: str) -> pd.DataFrame:
    """Standardized regression coefficients and rank correlations of ``target`` on inputs.

    Parameters
    ----------
    result
        A run (its iterations hold every sampled input).
    target
        A portfolio name (its NPV) or a pair ``"nichebuster - blockbuster"`` (the paired
        difference).

    Returns
    -------
    DataFrame
        A row per input, sorted by ``|src|`` (largest first): ``src`` (standardized
        regression coefficient), ``rank_corr`` (Spearman), ``input_mean`` and
        ``input_sd``. ``df.attrs["r2"]`` is the R² of the linear regression (how much of
        the outcome's variance the inputs explain linearly), ``df.attrs["target"]`` the
        outcome, ``df.attrs["n"]`` the iterations.
    """
    return regression_sensitivities(result, [target])[target]


def regression_sensitivities(
    result: Result, targets: Sequence[str], max_iterations: int | None = None
) -> dict[str, pd.DataFrame]:
    """:func:`regression_sensitivity` for several targets, sharing the work on the inputs.

    ``max_iterations`` limits the regression to the first that many iterations (they are
    independent draws, so the first ``m`` are a random sample; the coefficients' standard
    errors are then about ``1 / sqrt(m)``); ``attrs["n"]`` says how many were used.

    The regression is solved through the normal equations in correlation form,
    ``R_xx src = r_xy`` (``R_xx`` the inputs' correlation matrix, ``r_xy`` their
    correlations with the outcome), with a pseudo-inverse for inputs that are exactly
    collinear; ``R² = r_xy · src``.
    """
    names = [c for c in input_columns(result) if np.std(result.column(c)) > 0]
    out: dict[str, pd.DataFrame] = {}
    if names:
        m = max_iterations
        x = np.column_stack([np.asarray(result.column(c), dtype=float)[:m] for c in names])
        n = x.shape[0]
        mu, sd = x.mean(axis=0), x.std(axis=0)
        z = (x - mu) / sd
        inverse = np.linalg.pinv(z.T @ z / n, hermitian=True)
        rx = _ranks(rankdata(x, axis=0))
        index = pd.Index([short_name(c) for c in names], name="input")
    for target in targets:
        y = np.asarray(outcome(result, target), dtype=float)[:max_iterations]
        if not names or y.std() == 0:
            table = pd.DataFrame(
                columns=["src", "rank_corr", "input_mean", "input_sd"], dtype=float
            )
            table.attrs.update(r2=math.nan, target=target, n=y.size)
            out[target] = table
            continue
        zy = (y - y.mean()) / y.std()
        r_xy = z.T @ zy / n
        src = inverse @ r_xy
        rank_corr = _columns_corr(rx, _ranks(rankdata(y)[:, None]))
        table = pd.DataFrame(
            {"src": src, "rank_corr": rank_corr, "input_mean": mu, "input_sd": sd}, index=index
        )
        table = table.reindex(table["src"].abs().sort_values(ascending=False).index)
        table.attrs.update(r2=float(r_xy @ src), target=target, n=y.size)
        out[target] = table
    return out


def _ranks(r: np.ndarray) -> np.ndarray:
    """Columns of ranks centred and scaled to unit norm (for correlations by dot product)."""
    r = r - r.mean(axis=0)
    norm = np.sqrt((r**2).sum(axis=0))
    return r / np.where(norm > 0, norm, 1.0)


def _columns_corr(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Correlation of every column of ``x`` with the single column ``y`` (both normalized)."""
    return (x.T @ y)[:, 0]


def plot_regression_tornado(table: pd.DataFrame, ax: Axes | None = None, top: int = 12) -> Axes:
    """Horizontal bars of the standardized regression coefficients (largest at the top)."""
    rows = table.head(top).iloc[::-1]
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, 1.2 + 0.38 * max(len(rows), 1)))
    colors = ["#2e8b57" if v >= 0 else "#d1495b" for v in rows["src"]]
    ax.barh(range(len(rows)), rows["src"], color=colors)
    ax.set_yticks(range(len(rows)), list(rows.index), fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("standardized regression coefficient (outcome SDs per input SD)")
    r2 = table.attrs.get("r2", math.nan)
    ax.set_title(f"What drives {table.attrs.get('target', 'the outcome')}  (linear R² = {r2:.2f})")
    return ax
