"""``report.html``: one self-contained page that a reader who never saw the YAML can follow.

The report is a list of *sections*. Each section is a function ``(result, ctx) -> Section |
None``: it returns ``None`` when it has nothing to show (no CGT asset, no trial
operating characteristics), so the page shows only what the run holds. To add a section,
write such a function and insert it in :data:`SECTIONS` (order is page order). Plots are
matplotlib figures embedded as base64 PNG; there is no script, font or style sheet from
the network, so the file can be mailed and opened offline.

Adaptive trials (the hook): if the result has a method ``trial_operating_characteristics()``
returning a DataFrame (a row per asset or design: power, expected sample size, early-stop
probabilities...), the "Trial operating characteristics" section shows it as a table.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulator.report import charts as rp
from simulator.report.sources import asset_families, assumptions, market_assumptions
from simulator.results.convergence import mcse_table
from simulator.studies.sensitivity import plot_regression_tornado, regression_sensitivities

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result


#: The drivers' regression uses at most this many iterations (its coefficients are then
#: known to about +-0.01, plenty for a ranking; the full fit at 10^5 takes seconds).
REGRESSION_ITERATIONS = 20_000


@dataclass
class Section:
    """One section of the page: an id (the anchor), a title and its HTML body."""

    id: str
    title: str
    body: str
    figures: int = 0


@dataclass
class Context:
    """What every section may use: provenance and the compared pair."""

    provenance: dict[str, Any] = field(default_factory=dict)
    pair: tuple[str, str] | None = None


def figure_html(draw: Callable, figsize=(8, 4.5), panels: int = 1, alt: str = "") -> str:
    """Draw with ``draw(ax)`` (or ``draw(axes)`` for panels) and embed the PNG inline."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=100)
    axes = fig.subplots(1, panels) if panels > 1 else fig.subplots()
    draw(axes)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></figure>'


def table_html(df: pd.DataFrame, index: bool = True, text: bool = False) -> str:
    """A plain HTML table (one header row; ``text`` left-aligns every column)."""
    if index:
        df = df.reset_index()
    classes = "t text" if text else "t"
    return df.to_html(index=False, border=0, classes=classes, escape=True, na_rep="–")


def _m(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:,.0f}"


def _g(x: float) -> str:
    """A count or rate: thousands separated when large, 3 significant digits when not."""
    if not np.isfinite(x):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _p(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.1%}"


# ------------------------------------------------------------------------------------
# sections
# ------------------------------------------------------------------------------------
def question(result: Result, ctx: Context) -> Section:
    s = result.scenario
    parts = [f"<p class='lead'>{html.escape(s.description or s.name)}</p>"]
    parts.append(
        f"<p>Each of the <b>{s.simulation.iterations:,}</b> simulated futures runs every "
        "portfolio through development, launch and sales on a monthly grid over "
        f"{s.market.horizon_years} years, and discounts its cash at "
        f"{s.market.discount_rate_annual:.1%} a year to a net present value (NPV, USD "
        "millions). All portfolios see the same market in each future, so their difference "
        "is a paired comparison.</p>"
    )
    for p, pf in s.portfolios.items():
        fams = asset_families(s, p)
        items = "".join(
            f"<li><b>{html.escape(name)}</b>{f' × {len(a)}' if len(a) > 1 else ''}: "
            f"{html.escape(a[0].description or '')} <span class='muted'>({a[0].modality}, "
            f"from {a[0].start_stage})</span></li>"
            for name, a in fams
        )
        parts.append(
            f"<h3>{html.escape(p)}</h3><p>{html.escape(pf.description or '')}</p><ul>{items}</ul>"
        )
    return Section("question", "The question and the scenario", "".join(parts))


def assumptions_section(result: Result, ctx: Context) -> Section:
    s = result.scenario
    parts = [
        "<p>The market, then each asset (copies made by <code>count</code> share one "
        "entry; click to open). A range is the 10th to 90th percentile of the input's "
        "distribution.</p>"
    ]
    mk = pd.DataFrame(market_assumptions(s)).set_index("field")
    parts.append(table_html(mk, text=True))
    for p in s.portfolios:
        for name, fam in asset_families(s, p):
            rows = pd.DataFrame(assumptions(s, p, fam))
            if rows.empty:
                continue
            parts.append(
                f"<details><summary>{html.escape(p)} · {html.escape(name)}: "
                f"{len(rows)} assumptions</summary>{table_html(rows, index=False, text=True)}"
                "</details>"
            )
    parts.append(
        "<p class='muted'>Source: the comment next to (or just above) the value in the "
        "scenario's YAML. ASSUMPTION marks a value with no published source.</p>"
    )
    return Section("assumptions", "Key assumptions and their sources", "".join(parts))


def headline(result: Result, ctx: Context) -> Section:
    s = result.summary()
    rows = {
        "NPV mean ± MC error": [
            f"{_m(r.npv_mean_musd)} ± {_m(r.npv_mcse_musd)}" for r in s.itertuples()
        ],
        "NPV P10 / P50 / P90": [
            f"{_m(r.npv_p10_musd)} / {_m(r.npv_p50_musd)} / {_m(r.npv_p90_musd)}"
            for r in s.itertuples()
        ],
        "P(loss)": [_p(r.prob_loss) for r in s.itertuples()],
        "Expected launches": [f"{r.launches_mean:.2f}" for r in s.itertuples()],
        "Peak revenue, mean": [_m(r.peak_revenue_mean_musd) for r in s.itertuples()],
        "R&D cost per launch (out of pocket)": [
            _m(r.oop_cost_per_launch_musd) for r in s.itertuples()
        ],
    }
    table = pd.DataFrame(rows, index=s.index).T
    table.index.name = "USD millions"
    table.columns.name = None
    body = [table_html(table)]
    for _, c in result.comparison().iterrows():
        body.append(
            f"<p class='verdict'><b>{html.escape(c.a)}</b> is worth more than "
            f"<b>{html.escape(c.b)}</b> in <b>{_p(c.prob_a_beats_b)}</b> of futures; "
            f"on average by <b>{c.diff_mean_musd:+,.0f} ± {c.diff_mcse_musd:,.0f}</b> USD "
            f"millions (P10 {c.diff_p10_musd:+,.0f}, P90 {c.diff_p90_musd:+,.0f}).</p>"
        )
    return Section("headline", "Headline comparison", "".join(body))


def distributions(result: Result, ctx: Context) -> Section:
    figs = [
        figure_html(lambda ax: result.plot.npv_distribution(ax=ax), alt="NPV densities"),
        figure_html(lambda ax: result.plot.npv_cdf(ax=ax), alt="NPV CDFs"),
    ]
    for a, b in result.scenario.pairs():
        figs.append(
            figure_html(
                lambda ax, a=a, b=b: rp.paired_difference(result, a, b, ax=ax), alt=f"{a} - {b}"
            )
        )
    note = (
        "<p>Densities and cumulative distributions of each portfolio's NPV; then, future "
        "by future, how much one portfolio beats the other.</p>"
    )
    return Section("distributions", "NPV distributions", note + "".join(figs), len(figs))


def risk(result: Result, ctx: Context) -> Section:
    s = result.summary()
    it = result._out.columns
    rows = {}
    for p in result.portfolios:
        be = np.asarray(it[f"{p}.breakeven_month"], dtype=float) / 12
        rows[p] = {
            "P(loss)": _p(s.loc[p, "prob_loss"]),
            "VaR 5% (NPV at P5)": _m(s.loc[p, "var05_musd"]),
            "CVaR 5% (mean of worst 5%)": _m(s.loc[p, "cvar05_musd"]),
            "Cash trough, mean": _m(s.loc[p, "cash_trough_mean_musd"]),
            "Cash trough, P5": _m(s.loc[p, "cash_trough_p05_musd"]),
            "P(breaks even within horizon)": _p(s.loc[p, "prob_breakeven"]),
            "Breakeven, median years (if it does)": f"{np.nanmedian(be):.1f}"
            if np.isfinite(be).any()
            else "–",
        }
    table = pd.DataFrame(rows)
    table.index.name = "USD millions"
    table.columns.name = None
    fig = figure_html(lambda axes: rp.risk_panels(result, axes=axes), (11, 4), 2, "risk")
    return Section("risk", "Risk", table_html(table) + fig, 1)


def cashflows(result: Result, ctx: Context) -> Section:
    bands = result.cashflow_bands()
    figs = [
        figure_html(
            lambda ax, p=p: rp.cashflow_fan(result, p, ax=ax, bands=bands), (8, 4), alt=f"fan {p}"
        )
        for p in result.portfolios
    ]
    note = "<p>Net cash each year after tax: the band holds 80% of futures (P10 to P90).</p>"
    return Section("cashflows", "Cash flow by year", note + "".join(figs), len(figs))


def assets(result: Result, ctx: Context) -> Section:
    rows = []
    for p in result.portfolios:
        for a in result.scenario.portfolios[p].assets:
            k = f"{p}.{a.name}"
            month = np.asarray(result.column(f"{k}.launch_month"), dtype=float)
            rows.append(
                {
                    "portfolio": p,
                    "asset": a.name,
                    "mean NPV (USD M)": _m(float(result.column(f"{k}.npv_musd").mean())),
                    "P(launch)": _p(float(np.mean(result.column(f"{k}.launched")))),
                    "launch year, median if launched": f"{np.nanmedian(month) / 12:.1f}"
                    if np.isfinite(month).any()
                    else "–",
                }
            )
    n = len(rows)
    fig = figure_html(
        lambda ax: rp.asset_contributions(result, ax=ax), (9, 1.2 + 0.3 * n), alt="assets"
    )
    return Section(
        "assets", "Per-asset contributions", fig + table_html(pd.DataFrame(rows), index=False), 1
    )


def launches(result: Result, ctx: Context) -> Section:
    figs = [
        figure_html(lambda ax: rp.expected_launches(result, ax=ax), alt="launches over time"),
        figure_html(lambda ax: rp.launch_count(result, ax=ax), alt="launch count"),
    ]
    return Section("launches", "Launches over time", "".join(figs), 2)


def drivers(result: Result, ctx: Context) -> Section | None:
    targets = [f"{a} - {b}" for a, b in result.scenario.pairs()] + result.portfolios
    figs = []
    tables = regression_sensitivities(result, targets, max_iterations=REGRESSION_ITERATIONS)
    for t, table in tables.items():
        if table.empty:
            continue
        n = min(len(table), 12)
        figs.append(
            figure_html(
                lambda ax, tb=table: plot_regression_tornado(tb, ax=ax), (9, 1.2 + 0.38 * n), alt=t
            )
        )
    if not figs:
        return None
    note = (
        "<p>Standardized regression of each outcome on every sampled input (as @RISK "
        "does): the bar is the change in the outcome, in standard deviations, for a "
        "one-SD change of the input. R² is the share of variance the inputs explain "
        "linearly; the rest comes from success and failure of the trials, which are drawn "
        "but are not inputs. <code>simulate sensitivity</code> re-simulates a one-way "
        f"swing of the top inputs. Fitted on {tables[targets[0]].attrs['n']:,} iterations.</p>"
    )
    return Section(
        "drivers", "What drives the NPV and the difference", note + "".join(figs), len(figs)
    )


def manufacturing(result: Result, ctx: Context) -> Section | None:
    keys = sorted(
        k[: -len(".backlog")] for k in result._out.yearly_series if k.endswith(".backlog")
    )
    if not keys:
        return None
    figs = [
        figure_html(lambda axes, k=k: rp.plant_panels(result, k, axes=axes), (11, 3.8), 2, k)
        for k in keys
    ]
    shown = [
        ("patients_referred", "patients referred (mean)"),
        ("patients_treated", "patients treated (mean)"),
        ("patients_lost_waiting", "patients lost while waiting (mean)"),
        ("manufacturing_failures", "manufacturing failures (mean)"),
        ("mean_wait_months", "wait, months (mean)"),
        ("utilization", "utilization of capacity (mean)"),
        ("suites_at_horizon", "suites at the horizon (mean)"),
        ("capex_musd", "capacity capex, USD M (mean)"),
    ]
    rows = {}
    for k in keys:
        rows[k] = {
            label: _g(float(np.nanmean(result.column(f"{k}.{col}"))))
            for col, label in shown
            if f"{k}.{col}" in result._out.columns
        }
    means = pd.DataFrame(rows)
    means.index.name = "per iteration"
    note = "<p>Cell and gene therapy assets: treated patients are what capacity lets through.</p>"
    return Section(
        "manufacturing",
        "CGT capacity and backlog",
        note + "".join(figs) + table_html(means),
        len(figs),
    )


def trials(result: Result, ctx: Context) -> Section | None:
    get = getattr(result, "trial_operating_characteristics", None)
    table = get() if callable(get) else None
    if table is None or len(table) == 0:
        return None
    return Section("trials", "Trial operating characteristics", table_html(table))


def convergence(result: Result, ctx: Context) -> Section:
    pair = ctx.pair or (result.scenario.pairs() or [None])[0]
    fig = figure_html(lambda ax: rp.convergence(result, pair, ax=ax), alt="convergence")
    note = (
        "<p>Monte Carlo standard error of every headline figure: how much it would move "
        "with another seed. Means and probabilities use their exact formulas; percentiles "
        "and tail means use 20 batches of iterations.</p>"
    )
    table = mcse_table(result)
    share = table["figure"].str.startswith("P(")
    for col in ("value", "mcse"):
        table[col] = [
            (f"{v:.2%}" if is_share else f"{v:,.2f}") if np.isfinite(v) else "–"
            for v, is_share in zip(table[col], share, strict=True)
        ]
    table = table.rename(columns={"mcse": "± MC standard error"})
    return Section("convergence", "Convergence", fig + note + table_html(table, index=False), 1)


def provenance(result: Result, ctx: Context) -> Section:
    info = dict(ctx.provenance)
    sim = result.scenario.simulation
    info.setdefault("scenario", result.scenario.name)
    info.setdefault("seed", sim.seed)
    info.setdefault("iterations", sim.iterations)
    info.setdefault("chunk_size", sim.chunk_size)
    versions = info.pop("versions", {})
    info.pop("files", None)
    rows = [(k, v) for k, v in info.items() if v is not None]
    rows += [(f"version: {k}", v) for k, v in versions.items()]
    table = pd.DataFrame(rows, columns=["item", "value"])
    note = (
        "<p>The same scenario file, seed and chunk size give the same numbers on any "
        "machine and worker count; <code>scenario.resolved.yaml</code> beside this report "
        "reruns it.</p>"
    )
    return Section("provenance", "Provenance", note + table_html(table, index=False, text=True))


SECTIONS: list[Callable[[Result, Context], Section | None]] = [
    question,
    headline,
    assumptions_section,
    distributions,
    risk,
    cashflows,
    assets,
    launches,
    drivers,
    manufacturing,
    trials,
    convergence,
    provenance,
]

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0;color:#1d2733;background:#f6f7f9;line-height:1.45}
header{background:#1f3a5f;color:#fff;padding:22px 40px}
header h1{margin:0 0 4px;font-size:26px}header p{margin:0;opacity:.85}
nav{background:#fff;border-bottom:1px solid #dde2e8;padding:8px 40px;font-size:14px}
nav a{margin-right:14px;color:#1f5aa6;text-decoration:none}
main{max-width:1100px;margin:0 auto;padding:10px 40px 40px}
section{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:6px 24px 18px;
margin:18px 0}
h2{font-size:20px;border-bottom:2px solid #1f5aa6;padding-bottom:4px}
h3{font-size:16px;margin-bottom:4px}
table.t{border-collapse:collapse;font-size:13px;margin:8px 0}
table.t th,table.t td{border-bottom:1px solid #e5e8ec;padding:4px 10px;text-align:right;
vertical-align:top}
table.t th:first-child,table.t td:first-child{text-align:left}
table.text th,table.text td{text-align:left}
table.t thead th{background:#eef2f7}
figure{margin:10px 0}img{max-width:100%;height:auto}
.lead{font-size:17px}.muted{color:#6b7785;font-size:13px}
.verdict{background:#eef6ee;border-left:4px solid #2e8b57;padding:8px 12px}
details{margin:4px 0}summary{cursor:pointer;color:#1f5aa6}
"""


def render(result: Result, provenance: dict[str, Any] | None = None) -> str:
    """The complete HTML page of ``result`` (a string; nothing is written)."""
    ctx = Context(provenance=dict(provenance or {}))
    sections = [s for s in (f(result, ctx) for f in SECTIONS) if s is not None]
    nav = "".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    body = "".join(
        f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>{s.body}</section>' for s in sections
    )
    sim = result.scenario.simulation
    title = f"{result.scenario.name}: portfolio comparison"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{sim.iterations:,} simulated futures · "
        f"seed {sim.seed} · money in USD millions, discounted to the scenario start</p></header>"
        f"<nav>{nav}</nav><main>{body}</main></body></html>\n"
    )


def write_report(
    result: Result, path: str | Path, provenance: dict[str, Any] | None = None
) -> Path:
    """Write the report of ``result`` to ``path`` (``report.html``); returns the path."""
    path = Path(path)
    path.write_text(render(result, provenance), encoding="utf-8")
    return path
