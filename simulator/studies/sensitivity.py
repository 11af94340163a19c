"""What drives the NPV, and the difference between portfolios: tornado analyses.

Two ways to ask "which uncertain input matters?", as @RISK and similar tools do:

**From one run (regression).** Every iteration keeps the values drawn for every uncertain
input (the ``input:<portfolio>.<asset>.<field>`` and ``market.<field>`` columns). Regress
the outcome (a portfolio's NPV, or the paired difference ``a - b``) on all of them at once
after standardizing each to mean 0 and SD 1: the *standardized regression coefficient*
(SRC) of an input is the change in the outcome, in outcome SDs, for a one-SD change in the
input with the others held fixed. For a model linear in independent inputs,
``SRC_i = b_i sd(x_i) / sd(y)`` and the squares add up to the regression R². The *rank
correlation* (Spearman) of each input with the outcome is reported beside it; it also
catches monotone non-linear effects. Neither needs any extra simulation: they read a
result, so they live in :mod:`simulator.results.drivers` and are re-exported here.

**One-way swing (re-simulation).** Pin one input at its P10, rerun; pin it at its P90,
rerun; all other inputs stay random, on the *same* random numbers as the base (same seed,
and each input draws from its own stream, so pinning one does not move the others). The
bar of the tornado spans the mean outcome at P10 and at P90. Inputs are pinned per asset
on the resolved scenario (templates expanded), so ``onc_kinase_1`` and ``onc_kinase_2``
are swung separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.engine.runner import run_variants
from simulator.results.drivers import (  # re-exported: they read one run, see results.drivers
    INPUT_PREFIX,
    input_columns,
    outcome,
    plot_regression_tornado,
    regression_sensitivities,
    regression_sensitivity,
    short_name,
)
from simulator.scenario import Scenario, scenario_from_dict

__all__ = [
    "INPUT_PREFIX",
    "input_columns",
    "input_distribution",
    "is_stage_outcome",
    "one_way_swing",
    "outcome",
    "pin_path",
    "plot_regression_tornado",
    "plot_swing_tornado",
    "regression_sensitivities",
    "regression_sensitivity",
    "resolved",
    "short_name",
]

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from simulator.results.result import Result


def resolved(scenario: Scenario) -> Scenario:
    """The scenario with templates and counts expanded (so every asset can be pinned)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return scenario_from_dict(data, origin=scenario._origin)


def is_stage_outcome(input_name: str) -> bool:
    """A stage's success draw (``...phases.phase3.passed``): an input of the drivers that
    cannot be pinned to a value of a distribution."""
    return input_name.endswith(".passed")


def pin_path(input_name: str) -> str:
    """The override path (on the resolved scenario) that fixes an input's value."""
    if input_name.startswith("market."):
        return input_name
    portfolio, asset, field = input_name.split(".", 2)
    return f"portfolios.{portfolio}.assets.{asset}.{field}"


def input_distribution(scenario: Scenario, input_name: str):
    """The distribution of an input (by its short name) in ``scenario``."""
    from simulator.core.draws import distribution_fields

    if input_name.startswith("market."):
        return getattr(scenario.market, input_name.split(".", 1)[1])
    portfolio, asset, field = input_name.split(".", 2)
    for a in scenario.portfolios[portfolio].assets:
        if a.name == asset:
            return distribution_fields(a)[field]
    raise KeyError(f"no asset {asset!r} in portfolio {portfolio!r}")


def one_way_swing(
    scenario: Scenario,
    pair: tuple[str, str] | None = None,
    inputs: Sequence[str] | None = None,
    top: int = 12,
    quantiles: tuple[float, float] = (0.1, 0.9),
    backend: str = "sequential",
    workers: int | None = None,
    base_result: Result | None = None,
    progress=None,
) -> pd.DataFrame:
    """Mean NPV difference with each input pinned at its P10 and its P90 (others random).

    Parameters
    ----------
    scenario
        The base scenario; its seed and iterations are used for every variant.
    pair
        ``(a, b)``: the outcome is the mean of ``NPV_a - NPV_b`` (default: the first pair
        the scenario compares).
    inputs
        Inputs to swing, by short name (``nichebuster.onc_kinase_1.commercial.peak_share``
        or ``market.demand_shock``); default: the ``top`` inputs ranked by ``|SRC|`` of
        the difference in the base run.
    quantiles
        The low and high quantiles the input is pinned at.
    backend, workers
        Where the variants run (one executor for all of them).
    base_result
        The run of ``resolved(scenario)`` if you already have it (saves one run).
    progress
        Optional callback ``progress(chunks_done, chunks_total)`` over the variants.

    Returns
    -------
    DataFrame
        A row per input, sorted by ``swing_musd`` (largest first): ``low_value``,
        ``high_value``, ``diff_at_low_musd``, ``diff_at_high_musd``, ``swing_musd``
        (``|high - low|``), and ``mean_<a>_at_low_musd`` ... ; ``df.attrs["base_musd"]`` is
        the base mean difference and ``df.attrs["pair"]`` the pair.
    """
    from simulator.results.result import Result

    base = resolved(scenario)
    a, b = pair or base.pairs()[0]
    if base_result is None:
        base_result = Result(run_variants([base], backend=backend, workers=workers)[0])
    if inputs is None:
        ranked = regression_sensitivity(base_result, f"{a} - {b}")
        inputs = [i for i in ranked.index if not is_stage_outcome(i)][:top]
    lo_q, hi_q = quantiles
    variants, rows = [], []
    for name in inputs:
        dist = input_distribution(base, name)
        lo, hi = float(dist.quantile(lo_q)), float(dist.quantile(hi_q))
        path = pin_path(name)
        variants += [base.with_({path: lo}), base.with_({path: hi})]
        rows.append({"input": name, "low_value": lo, "high_value": hi})
    outs = run_variants(variants, backend=backend, workers=workers, progress=progress)
    for i, row in enumerate(rows):
        for side, out in (("low", outs[2 * i]), ("high", outs[2 * i + 1])):
            na, nb = out.columns[f"{a}.npv_musd"], out.columns[f"{b}.npv_musd"]
            row[f"diff_at_{side}_musd"] = float(np.mean(na - nb))
            row[f"mean_{a}_at_{side}_musd"] = float(np.mean(na))
            row[f"mean_{b}_at_{side}_musd"] = float(np.mean(nb))
        row["swing_musd"] = abs(row["diff_at_high_musd"] - row["diff_at_low_musd"])
    df = pd.DataFrame(rows).set_index("input").sort_values("swing_musd", ascending=False)
    d = base_result.npv(a) - base_result.npv(b)
    df.attrs.update(base_musd=float(d.mean()), pair=(a, b), quantiles=quantiles)
    return df


# ------------------------------------------------------------------------------------
# plots
# ------------------------------------------------------------------------------------
def _axes(ax, n_bars: int):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, 1.2 + 0.38 * max(n_bars, 1)))
    return ax


def plot_swing_tornado(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The one-way swing tornado: for each input, mean difference at P10 and at P90."""
    rows = table.iloc[::-1]
    ax = _axes(ax, len(rows))
    base = table.attrs.get("base_musd", 0.0)
    y = np.arange(len(rows))
    from simulator.results.plots import HIGH_END, LOW_END

    low, high = rows["diff_at_low_musd"] - base, rows["diff_at_high_musd"] - base
    ax.barh(y, low, left=base, color=LOW_END, label="input at P10")
    ax.barh(y, high, left=base, color=HIGH_END, label="input at P90")
    for yi, lo_v, hi_v in zip(y, rows["diff_at_low_musd"], rows["diff_at_high_musd"], strict=True):
        for v in (lo_v, hi_v):  # the value at each bar end, in USD millions
            ax.annotate(f"{v:+,.0f}", (v, yi), xytext=(3 if v >= base else -3, 0),
                        textcoords="offset points", va="center", fontsize=7,
                        ha="left" if v >= base else "right")  # fmt: skip
    ax.set_yticks(y, list(rows.index), fontsize=8)
    ax.axvline(base, color="black", lw=1)
    a, b = table.attrs.get("pair", ("a", "b"))
    ax.set_xlabel(f"mean NPV {a} - {b} (USD millions; line: base {base:,.0f})")
    ax.set_title("One-way swing: each input pinned at P10 / P90, the others random")
    ax.margins(x=0.12)  # room for the end values
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    return ax
