"""The strategist's sections of the report: the efficient frontier and where a portfolio wins.

Both read tables their studies computed (nothing here runs the model): ``ctx.tables
["frontier"]`` from :func:`simulator.studies.frontier.frontier` (a row per mix of
templates under a budget, its Pareto set flagged, today's portfolios in
``attrs["today"]``) and ``ctx.tables["discovery"]`` from
:func:`simulator.studies.discover.discover` (PRIM boxes of inputs where one portfolio
beats another, with coverage and density, and the peeling trajectory in
``attrs["trajectory"]``). A report without them leaves the sections out.

The charts take an optional ``ax`` and return it, as every chart of the report does.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.report.page import Context, Section, figure_html, table_html
from simulator.results.plots import COLORS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from simulator.results.result import Result

#: How each downside measure is labelled on an axis, and its sense.
DOWNSIDE = {
    "cvar05": ("cvar05_musd", "CVaR 5%: mean NPV of the worst 5% of futures (USD millions)"),
    "prob_loss": ("prob_loss", "P(loss)"),
    "prob_no_launch": ("prob_no_launch", "P(no launch)"),
}


def mix_label(row: pd.Series, templates: list[str]) -> str:
    """``"11 all_comer_primary_care + 1 rare_disease_biologic"`` (``"nothing"`` if empty)."""
    parts = [f"{int(row[t])} {t}" for t in templates if row[t] > 0]
    return " + ".join(parts) or "nothing"


def where_today_sits(table: pd.DataFrame) -> pd.DataFrame:
    """For each of today's portfolios: its spend, mean and downside, and the Pareto mix
    with the highest mean whose downside is at least as good (its gap in mean NPV)."""
    measure = table.attrs["measure"]
    column, _ = DOWNSIDE[measure]
    higher = measure == "cvar05"
    front = table[table["pareto"]]
    rows = []
    for p, r in table.attrs["today"].iterrows():
        ok = front[column] >= r[column] if higher else front[column] <= r[column]
        best = front[ok].sort_values("npv_mean_musd", ascending=False).head(1)
        row = {
            "portfolio": p,
            "spend_oop_musd": r["spend_oop_musd"],
            "spend_pv_musd": r["spend_pv_musd"],
            "npv_mean_musd": r["npv_mean_musd"],
            column: r[column],
        }
        if len(best):
            b = best.iloc[0]
            row["best_mix_as_safe"] = mix_label(b, table.attrs["templates"])
            row["its_npv_mean_musd"] = b["npv_mean_musd"]
            row["its_" + column] = b[column]
            row["gap_musd"] = b["npv_mean_musd"] - r["npv_mean_musd"]
        rows.append(row)
    return pd.DataFrame(rows).set_index("portfolio")


def plot_frontier(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Mean NPV against the downside of every evaluated mix; the Pareto set joined and
    highlighted; today's portfolios marked (from ``attrs["today"]``)."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, 5.5))
    measure = table.attrs.get("measure", "cvar05")
    column, label = DOWNSIDE[measure]
    scale = 100.0 if column.startswith("prob") else 1.0
    ax.scatter(
        table[column] * scale,
        table["npv_mean_musd"],
        s=6,
        color="#b8c2cc",
        label=f"mixes within budget ({len(table):,})",
    )
    front = table[table["pareto"]].sort_values(column)
    ax.plot(
        front[column] * scale,
        front["npv_mean_musd"],
        "-o",
        color=COLORS[0],
        ms=4,
        lw=1.5,
        label=f"Pareto set ({len(front)})",
    )
    today = table.attrs.get("today")
    if today is not None:
        for i, (p, r) in enumerate(today.iterrows()):
            ax.scatter(
                r[column] * scale,
                r["npv_mean_musd"],
                marker="*",
                s=180,
                zorder=5,
                color=COLORS[(i + 1) % len(COLORS)],
                edgecolor="black",
                lw=0.6,
            )
            ax.annotate(
                f"{p} (spend {r['spend_' + table.attrs['basis'] + '_musd']:,.0f})",
                (r[column] * scale, r["npv_mean_musd"]),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=8,
            )
    ax.set_xlabel(label + (" (%)" if scale != 1 else ""))
    ax.set_ylabel("mean NPV (USD millions)")
    if column.startswith("prob"):
        ax.invert_xaxis()  # better (less likely) to the right, as CVaR
    budget = table.attrs.get("budget_musd", np.nan)
    ax.set_title(
        f"Efficient frontier at an expected R&D budget of {budget:,.0f} USD M "
        f"({table.attrs.get('basis', 'oop')}); up and right is better",
        fontsize=10,
    )
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    return ax


def frontier_section(result: Result, ctx: Context) -> Section | None:
    table = ctx.tables.get("frontier")
    if table is None or len(table) == 0:
        return None
    templates = table.attrs["templates"]
    column, label = DOWNSIDE[table.attrs["measure"]]
    front = table[table["pareto"]].copy()
    front.insert(0, "mix", [mix_label(r, templates) for _, r in front.iterrows()])
    keep = [
        "mix",
        "spend_oop_musd",
        "spend_pv_musd",
        "npv_mean_musd",
        column,
        "prob_loss",
        "launches_mean",
    ]
    keep += [c for c in front.columns if c.startswith("recombination_error_mean")]
    shown = front[keep].round(3)
    a = table.attrs
    note = (
        f"<p>Every mix of {', '.join(map(html.escape, templates))} (0 to {a['max_count']} "
        f"of each) whose expected R&D spend ({a['basis']}) is within "
        f"<b>{a['budget_musd']:,.0f}</b> USD millions: {len(table):,} mixes, each on the "
        f"same {a['iterations']:,} futures (seed {a['seed']}). The Pareto set holds the "
        f"mixes no other mix beats on both mean NPV and {html.escape(label)}. Each mix is "
        "evaluated by adding the NPVs of programmes simulated once; the Pareto mixes were "
        "re-run in full, and the recombination error is what that changed.</p>"
    )
    fig = figure_html(lambda ax: plot_frontier(table, ax=ax), (9, 5.5), alt="frontier")
    today = where_today_sits(table).round(1)
    body = note + fig + table_html(shown, index=False)
    body += "<h3>Where today's portfolios sit</h3>" + table_html(today)
    return Section("frontier", "Efficient frontier under a budget", body, 1)


def plot_peeling(trajectory: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """PRIM's peeling trajectory: density against coverage of each box it peeled to,
    coloured by the number of restricted inputs; the chosen box ringed."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 5))
    points = ax.scatter(
        trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis", s=18
    )
    chosen = trajectory[trajectory["chosen"]]
    ax.scatter(
        chosen["coverage"],
        chosen["density"],
        s=140,
        facecolors="none",
        edgecolors="red",
        lw=1.5,
        label="chosen box",
    )
    ax.figure.colorbar(points, ax=ax, label="inputs restricted")
    ax.set_xlabel("coverage: share of all wins inside the box")
    ax.set_ylabel("density: share of the box's futures that are wins")
    ax.set_title("PRIM peeling trajectory (first box)", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    return ax


def discovery_section(result: Result, ctx: Context) -> Section | None:
    table = ctx.tables.get("discovery")
    if table is None or len(table) == 0:
        return None
    a, b = table.attrs["pair"]
    shown = table[["box", "limits", "density", "coverage", "mass"]].copy()
    for c in ("density", "coverage", "mass"):
        shown[c] = [f"{v:.0%}" for v in shown[c]]
    note = (
        f"<p>Where <b>{html.escape(a)}</b> beats <b>{html.escape(b)}</b>: "
        f"{table.attrs['experiments']} points of a Latin hypercube over the levers "
        f"{', '.join(html.escape(k) for k in table.attrs['levers']) or '(none)'}, each on the "
        f"same {table.attrs['iterations']:,} futures; {html.escape(a)} wins in "
        f"{table.attrs['base_rate']:.0%} of all of them. PRIM's boxes: <i>density</i> is "
        f"the share of the box's futures where {html.escape(a)} wins, <i>coverage</i> the "
        f"share of all its wins that fall in the box, <i>mass</i> the share of futures in "
        "it.</p>"
    )
    fig = figure_html(
        lambda ax: plot_peeling(table.attrs["trajectory"], ax=ax), (7, 5), alt="peeling"
    )
    body = note + table_html(shown, index=False, text=True) + fig
    cart = table.attrs.get("cart")
    if cart is not None and len(cart):
        body += "<h3>A second view: CART's leaves</h3>" + table_html(cart.round(3), index=False)
    return Section("discovery", f"Where {a} beats {b}", body, 1)
