"""Sweeps: the comparison over a grid of scenario variants ("when does the nichebuster win?").

``sweep(scenario, {"path.a": [v1, v2], "path.b": [w1, w2, w3]})`` runs every combination
(here 2 x 3 = 6 variants) as ``scenario.with_({"path.a": v, "path.b": w})``. Every variant
keeps the base's seed and chunk size, so all cells of the grid see the same random numbers
(common random numbers): a cell differs from its neighbour only by the change of
parameter. The variants run through one executor (see
:func:`~simulator.engine.runner.run_variants`), so a parallel or cluster backend takes
the whole grid at once.

Each row of the table gives, for the compared pair ``a - b``, the mean NPV difference with
its Monte Carlo standard error, P(a > b), and each portfolio's mean NPV.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from simulator.engine.runner import run_variants
from simulator.results.metrics import paired_difference
from simulator.scenario import Scenario, ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``'market.tax_rate=0.1,0.2'`` -> ``('market.tax_rate', [0.1, 0.2])``.

    Values are read as YAML, so numbers, booleans and distributions in compact form
    (quoted if they hold commas: ``'x="pert(1,2,3)","pert(2,3,4)"'``) all work.

    Raises
    ------
    ValueError
        If the text is not ``dotted.path=v1,v2,...`` with at least one value.
    """
    key, sep, values = text.partition("=")
    if not sep or not key.strip() or not values.strip():
        raise ValueError(
            f"expected dotted.path=v1,v2,..., e.g. market.tax_rate=0.1,0.2; got {text!r}"
        )
    try:
        parsed = yaml.safe_load(f"[{values}]")
    except yaml.YAMLError:
        parsed = None
    if not isinstance(parsed, list) or not parsed or any(v is None for v in parsed):
        raise ValueError(f"could not read the values of {key.strip()!r} in {text!r}")
    return key.strip(), parsed


def grid(varies: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the varied values, the last path varying fastest."""
    paths = list(varies)
    return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*varies.values())]


def variants(scenario: Scenario, varies: Mapping[str, Sequence[Any]]) -> list[Scenario]:
    """The scenario of each grid point (validated: a bad path or value raises
    :class:`~simulator.scenario.ScenarioError` before anything runs)."""
    return [scenario.with_(point) for point in grid(varies)]


def sweep(
    scenario: Scenario,
    varies: Mapping[str, Sequence[Any]],
    pair: tuple[str, str] | None = None,
    backend: str = "sequential",
    workers: int | None = None,
    progress=None,
) -> pd.DataFrame:
    """The comparison at every point of a grid of variants.

    Parameters
    ----------
    scenario
        The base scenario.
    varies
        Dotted path -> the values it takes (``{"market.discount_rate_annual": [0.08, 0.1]}``).
    pair
        ``(a, b)`` to compare as ``a - b``; default: the scenario's first pair.
    backend, workers, progress
        Where and how the variants run (never changes the numbers).

    Returns
    -------
    DataFrame
        A row per grid point: the varied paths, ``diff_mean_musd``, ``diff_mcse_musd``,
        ``diff_p10_musd``, ``diff_p90_musd``, ``prob_a_beats_b``, ``mean_<a>_musd``,
        ``mean_<b>_musd``. ``df.attrs`` holds ``pair``, ``varied`` and ``iterations``.
    """
    if not varies:
        raise ValueError("nothing to sweep: give at least one path and its values")
    points = grid(varies)
    scenarios = variants(scenario, varies)
    a, b = pair or scenario.pairs()[0]
    for p in (a, b):
        if p not in scenario.portfolios:
            raise ScenarioError.single(
                "--pair",
                None,
                "",
                f"unknown portfolio {p!r}; known: {', '.join(scenario.portfolios)}",
            )
    outs = run_variants(scenarios, backend=backend, workers=workers, progress=progress)
    rows = []
    for point, out in zip(points, outs, strict=True):
        na, nb = out.columns[f"{a}.npv_musd"], out.columns[f"{b}.npv_musd"]
        d = paired_difference(na, nb)
        row: dict[str, Any] = dict(point)
        row.update({k: d[k] for k in ("diff_mean_musd", "diff_mcse_musd", "diff_p10_musd")})
        row.update(
            diff_p90_musd=d["diff_p90_musd"],
            prob_a_beats_b=d["prob_a_beats_b"],
            **{f"mean_{a}_musd": float(np.mean(na)), f"mean_{b}_musd": float(np.mean(nb))},
        )
        rows.append(row)
    df = pd.DataFrame(rows)
    df.attrs.update(pair=(a, b), varied=list(varies), iterations=scenario.simulation.iterations)
    return df


def plot_heatmap(
    table: pd.DataFrame, value: str = "diff_mean_musd", ax: Axes | None = None
) -> Axes:
    """A heatmap of ``value`` over two varied paths; over one, a line (a one-column
    heatmap hides the trend a line shows) with its 95% Monte Carlo band.

    ``value`` is ``"diff_mean_musd"`` (diverging colours centred on zero) or
    ``"prob_a_beats_b"`` (centred on 50%). Each cell is annotated with its number.
    """
    from matplotlib.colors import TwoSlopeNorm

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 5))
    varied = table.attrs.get("varied") or [c for c in table.columns if "." in c][:2]
    if len(varied) > 2:
        raise ValueError("a heatmap shows one or two varied paths; plot a slice of the table")
    a, b = table.attrs.get("pair", ("a", "b"))
    if len(varied) == 1:
        return _plot_line(table, varied[0], value, (a, b), ax)
    row_key = varied[0]
    col_key = varied[1] if len(varied) == 2 else None
    rows = list(dict.fromkeys(table[row_key].map(_label)))
    cols = list(dict.fromkeys(table[col_key].map(_label))) if col_key else [""]
    z = np.full((len(rows), len(cols)), np.nan)
    for _, r in table.iterrows():
        i = rows.index(_label(r[row_key]))
        j = cols.index(_label(r[col_key])) if col_key else 0
        z[i, j] = r[value]
    if value == "prob_a_beats_b":
        norm, fmt, label = TwoSlopeNorm(0.5, 0.0, 1.0), "{:.0%}", f"P({a} > {b})"
    else:
        m = float(np.nanmax(np.abs(z))) or 1.0
        norm, fmt = TwoSlopeNorm(0.0, -m, m), "{:+,.0f}"
        label = f"mean NPV {a} - {b} (USD millions)"
    im = ax.imshow(z, cmap="RdBu", norm=norm, aspect="auto", origin="lower")
    for i in range(len(rows)):
        for j in range(len(cols)):
            if not math.isnan(z[i, j]):
                dark = abs(float(norm(z[i, j])) - 0.5) > 0.3
                ax.text(
                    j,
                    i,
                    fmt.format(z[i, j]),
                    ha="center",
                    va="center",
                    fontsize=10,
                    color="white" if dark else "black",
                )
    ax.set_yticks(range(len(rows)), rows)
    ax.set_ylabel(row_key, fontsize=8)
    ax.set_xticks(range(len(cols)), cols)
    if col_key:
        ax.set_xlabel(col_key, fontsize=8)
    ax.figure.colorbar(im, ax=ax, label=label)
    ax.set_title(f"{label}\n(every cell on the same random numbers)", fontsize=10)
    return ax


def _plot_line(table: pd.DataFrame, key: str, value: str, pair, ax: Axes) -> Axes:
    """``value`` against the one varied path, the band +-1.96 MC errors (numbers on the
    x-axis when the values are numbers, else evenly spaced labels)."""
    a, b = pair
    numeric = pd.api.types.is_numeric_dtype(table[key])
    x = table[key].to_numpy(float) if numeric else np.arange(len(table))
    y = table[value].to_numpy(float)
    if value == "prob_a_beats_b":
        err = np.sqrt(np.clip(y * (1 - y), 0, None) / table.attrs.get("iterations", np.inf))
        ref, label = 0.5, f"P({a} > {b})"
    else:
        err, ref = table["diff_mcse_musd"].to_numpy(float), 0.0
        label = f"mean NPV {a} - {b} (USD millions)"
    ax.fill_between(x, y - 1.96 * err, y + 1.96 * err, color="#34495e", alpha=0.2,
                    label="95% Monte Carlo band")  # fmt: skip
    ax.plot(x, y, "o-", color="#34495e", lw=2, label=label)
    ax.axhline(ref, color="black", lw=0.8)
    if not numeric:
        ax.set_xticks(x, [_label(v) for v in table[key]])
    ax.set_xlabel(key, fontsize=8)
    ax.set_ylabel(label)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(f"{label}\n(every point on the same random numbers)", fontsize=10)
    return ax


def _label(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)
