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

from simulator.pillars.development.block import STAGES
from simulator.results.ranks import BINS, average_ranks, bin_index

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
        # ranks column by column, kept input-major as scipy's rankdata(x, axis=0) keeps them
        # (so the sums below add in the same order)
        rx = _ranks(np.array([average_ranks(x[:, j]) for j in range(x.shape[1])]).T)
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
        rank_corr = _columns_corr(rx, _ranks(average_ranks(y)[:, None]))
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
    from simulator.results.plots import NEGATIVE, POSITIVE

    colors = [POSITIVE if v >= 0 else NEGATIVE for v in rows["src"]]
    ax.barh(range(len(rows)), rows["src"], color=colors)
    ax.set_yticks(range(len(rows)), list(rows.index), fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("standardized regression coefficient (outcome SDs per input SD; green "
                  "raises the outcome, red lowers it)")  # fmt: skip
    r2 = table.attrs.get("r2", math.nan)
    ax.set_title(f"What drives {table.attrs.get('target', 'the outcome')}  (linear R² = {r2:.2f})")
    return ax


# ------------------------------------------------------------------------------------
# variance-based drivers (first-order effects on the run's own samples)
# ------------------------------------------------------------------------------------
#: Inputs the additive model (the explained share) is fitted on: the strongest by S1.
ADDITIVE_INPUTS = 60
STAGE_LABELS = {"phase1": "phase I", "phase2": "phase II", "phase3": "phase III"}
STAGE_ORDER = STAGES  # the order a programme meets its stages


def first_order_effect(b: np.ndarray, k: int, y: np.ndarray) -> tuple[float, np.ndarray]:
    """``S1 = Var(E[y | bin]) / Var(y)`` with the small-sample bias removed, and the mean
    of ``y`` in each bin (see :func:`variance_drivers`)."""
    counts = np.bincount(b, minlength=k)
    sums = np.bincount(b, weights=y, minlength=k)
    sst = float(((y - y.mean()) ** 2).sum())
    return _effect(counts, sums, y.mean(), sst, y.size), sums / np.maximum(counts, 1)


def _effect(counts: np.ndarray, sums: np.ndarray, mean: float, sst: float, n: int) -> float:
    """The bias-corrected ``S1`` of bins with these counts and sums of ``y``."""
    means = sums / np.maximum(counts, 1)
    ssb = float((counts * (means - mean) ** 2).sum())
    groups = int((counts > 0).sum())
    if sst == 0 or n <= groups:
        return math.nan
    msw = (sst - ssb) / (n - groups)
    return (ssb - (groups - 1) * msw) / sst


def first_order_indices(
    x: np.ndarray | list[tuple[np.ndarray, int]],
    y: np.ndarray,
    bins: int = BINS,
    batches: int = 10,
) -> pd.DataFrame:
    """First-order variance shares of ``y`` on each column of ``x`` (``(n, d)``, or its
    columns already binned by :func:`bin_index`), with a Monte Carlo standard error from
    ``batches`` disjoint batches of iterations and the mean of ``y`` in the input's lowest-
    and highest-mean bins. Rows in column order."""
    codes = _codes(x, bins)
    rows = []
    size = y.size // batches
    ys = [y[i * size : (i + 1) * size] for i in range(batches)]
    batch_sst = [float(((v - v.mean()) ** 2).sum()) for v in ys]
    batch_mean = [v.mean() for v in ys]
    batch_of = np.repeat(np.arange(batches), size)
    y_batched = y[: batches * size]
    for b, k in codes:
        s1, means = first_order_effect(b, k, y)
        # every batch's bin counts and sums in one pass (the same sums, in the same order,
        # as a bincount of each batch's slice)
        cell = batch_of * k + b[: batches * size]
        counts = np.bincount(cell, minlength=batches * k).reshape(batches, k)
        sums = np.bincount(cell, weights=y_batched, minlength=batches * k).reshape(batches, k)
        parts = [
            _effect(counts[i], sums[i], batch_mean[i], batch_sst[i], size) for i in range(batches)
        ]
        used = means[np.bincount(b, minlength=k) > 0]
        rows.append(
            {
                "first_order": s1,
                "first_order_se": float(np.nanstd(parts, ddof=1) / math.sqrt(batches)),
                "low_musd": float(used.min()),
                "high_musd": float(used.max()),
            }
        )
    return pd.DataFrame(rows, columns=["first_order", "first_order_se", "low_musd", "high_musd"])


def _codes(x, bins: int) -> list[tuple[np.ndarray, int]]:
    if isinstance(x, list):
        return x
    return [bin_index(x[:, j], bins) for j in range(x.shape[1])]


def additive_share(x: np.ndarray, y: np.ndarray, bins: int = BINS, sweeps: int = 30) -> float:
    """Share of the variance of ``y`` that a sum of one function per input explains
    (binned main effects fitted jointly by backfitting, so correlated inputs are not
    counted twice), adjusted for the bins fitted like an adjusted R²."""
    n = y.size
    codes = _codes(x, bins)
    effects = [np.zeros(k) for _, k in codes]
    resid = y - y.mean()
    for _ in range(sweeps):
        change = 0.0
        for j, (b, k) in enumerate(codes):
            partial = resid + effects[j][b]
            counts = np.bincount(b, minlength=k)
            new = np.bincount(b, weights=partial, minlength=k) / np.maximum(counts, 1)
            change = max(change, float(np.abs(new - effects[j]).max()))
            resid = partial - new[b]
            effects[j] = new
        if change < 1e-9 * (float(np.abs(y).max()) + 1.0):
            break
    sst = float(((y - y.mean()) ** 2).sum())
    p = sum(k - 1 for _, k in codes)
    if sst == 0 or n - p - 1 <= 0:
        return math.nan
    return 1.0 - (float((resid**2).sum()) / (n - p - 1)) / (sst / (n - 1))


def development_outcomes(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each asset's development outcome, from its stages' success draws: how many stages
    it passes before the first that fails (all of them: approved), as the input
    ``input:<portfolio>.<asset>.development``. It is what the stage draws decide jointly,
    so its first-order index holds their interactions (phase III matters only after a
    successful phase II)."""
    by_asset: dict[str, list[tuple[int, np.ndarray]]] = {}
    for c, v in columns.items():
        if c.startswith(INPUT_PREFIX) and c.endswith(".passed"):
            asset, stage = c.removesuffix(".passed").split(".phases.")
            by_asset.setdefault(asset, []).append((STAGE_ORDER.index(stage), v))
    out = {}
    for asset, stages in by_asset.items():
        alive = np.ones(stages[0][1].size, dtype=bool)
        passed = np.zeros(alive.size)
        for _, v in sorted(stages, key=lambda sv: sv[0]):
            alive &= v > 0.5
            passed += alive
        out[f"{asset}.development"] = passed
    return out


def driver_label(column: str) -> str:
    """``input:nichebuster.onc_kinase_1.phases.phase3.passed`` -> ``onc_kinase_1 phase III
    outcome``; ``...cohort.biomarker_prevalence`` -> ``onc_kinase_1 biomarker prevalence``;
    ``market.demand_multiplier`` -> ``market demand multiplier``."""
    name = short_name(column)
    if name.startswith("market."):
        return "market " + name.split(".", 1)[1].replace("_", " ")
    _, asset, field = name.split(".", 2)
    if field == "development":
        return f"{asset} development (stages passed)"
    parts = field.split(".")
    if parts[-1] == "passed":
        return f"{asset} {STAGE_LABELS.get(parts[-2], parts[-2])} outcome"
    words = parts[1:] if parts[0] == "phases" else parts[-1:]  # phase3 cost, peak share
    return f"{asset} {' '.join(words).replace('_', ' ')}"


def variance_drivers(
    result: Result, target: str, bins: int = BINS, max_iterations: int | None = None
) -> pd.DataFrame:
    """What explains the variance of ``target`` (a portfolio's NPV or ``"a - b"``), read
    from the run's own samples, stage outcomes included.

    For each recorded input ``X`` (every sampled field, every stage's success draw
    ``...phases.<stage>.passed``, the market shocks) its *first-order index* is
    ``S1 = Var(E[Y | X]) / Var(Y)``: the share of the outcome's variance that knowing ``X``
    alone removes. ``E[Y | X]`` is the mean of ``Y`` in bins of ``X`` (by value for a
    stage outcome; 20 equal-count bins otherwise), and the bins' sampling noise is taken
    off (``(SSB - (k-1) MSW) / SST``, as epsilon-squared in an analysis of variance). It
    needs no model run and no assumption of linearity: a success draw that switches a
    programme's revenue on or off is a driver like any other. For independent inputs the
    indices add up to the share of variance their main effects explain; ``attrs
    ["explained"]`` is that share fitted jointly (:func:`additive_share`, on the strongest
    inputs), which holds for correlated inputs too; the rest is interactions.

    Returns
    -------
    DataFrame
        A row per input, by ``first_order`` (largest first): ``label``, ``first_order``,
        ``first_order_se`` (batch means), ``low_musd`` and ``high_musd`` (the outcome's
        mean in the input's lowest- and highest-mean bins: the tornado's bar ends, in
        USD millions). ``attrs``: ``target``, ``n``, ``mean_musd``, ``explained``,
        ``first_order_sum``.
    """
    return variance_drivers_many(result, [target], bins, max_iterations)[target]


def variance_drivers_many(
    result: Result, targets: Sequence[str], bins: int = BINS, max_iterations: int | None = None
) -> dict[str, pd.DataFrame]:
    """:func:`variance_drivers` for several targets, binning the inputs once."""
    names = [c for c in input_columns(result) if np.std(result.column(c)) > 0]
    columns = {c: np.asarray(result.column(c), dtype=float)[:max_iterations] for c in names}
    columns.update(development_outcomes(columns))
    names = list(columns)
    codes = [bin_index(columns[c], bins) for c in names]
    out = {}
    for target in targets:
        y = np.asarray(outcome(result, target), dtype=float)[:max_iterations]
        table = first_order_indices(codes, y, bins)
        table.index = pd.Index([short_name(c) for c in names], name="input")
        table.insert(0, "label", [driver_label(c) for c in names])
        order = np.argsort(-table["first_order"].fillna(-np.inf).to_numpy(), kind="stable")
        strongest = [codes[i] for i in order[:ADDITIVE_INPUTS]]
        table = table.iloc[order]
        explained = additive_share(strongest, y, bins) if strongest else math.nan
        table.attrs.update(
            target=target,
            n=y.size,
            mean_musd=float(y.mean()),
            explained=explained,
            first_order_sum=float(table["first_order"].clip(lower=0).sum()),
        )
        out[target] = table
    return out


def plot_variance_tornado(table: pd.DataFrame, ax: Axes | None = None, top: int = 12) -> Axes:
    """The drivers as @RISK draws its *change in output mean* tornado: for each input a bar
    from the outcome's mean in its lowest-mean bin to that in its highest (USD millions),
    values written at the bar ends, the overall mean as a line; ranked by first-order index."""
    rows = table.head(top).iloc[::-1]
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, 1.2 + 0.38 * max(len(rows), 1)))
    mean = table.attrs.get("mean_musd", 0.0)
    y = np.arange(len(rows))
    lo, hi = rows["low_musd"].to_numpy(), rows["high_musd"].to_numpy()
    ax.barh(y, hi - lo, left=lo, color="#1f5aa6", alpha=0.8)
    span = float(np.nanmax(hi) - np.nanmin(lo)) if len(rows) else 1.0
    for i, (a, b) in enumerate(zip(lo, hi, strict=True)):
        ax.text(a - 0.01 * span, i, f"{a:,.0f}", ha="right", va="center", fontsize=7)
        ax.text(b + 0.01 * span, i, f"{b:,.0f}", ha="left", va="center", fontsize=7)
    labels = [f"{r.label}  ({100 * r.first_order:.0f}%)" for r in rows.itertuples()]
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(mean, color="black", lw=1)
    ax.set_xlim(np.nanmin(lo) - 0.12 * span, np.nanmax(hi) + 0.12 * span)
    ax.set_xlabel(
        f"mean of {table.attrs.get('target', 'the outcome')} given the input "
        f"(USD millions; line: overall mean {mean:,.0f})"
    )
    ax.set_title(
        f"What explains {table.attrs.get('target', 'the outcome')}: first-order share of "
        f"variance in brackets; main effects explain "
        f"{100 * table.attrs.get('explained', math.nan):.0f}%",
        fontsize=10,
    )
    return ax
