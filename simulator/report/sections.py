"""The sections of ``report.html``, in page order, each a function ``(result, ctx) ->
Section | None``.

A section returns ``None`` when it has nothing to show (no pair to compare, no uncertain
input to rank, no CGT plant, no trial table handed in), so the page shows only what the
run holds. The headline and risk tables are views of the metrics registry
(:mod:`simulator.results.metrics`): a metric declared with the ``"table"`` or ``"risk"``
view appears in them. Nothing here runs the model: tables that need another simulation
(the trial operating characteristics) arrive computed, in ``ctx.tables``. A run that kept
summaries only has no samples: the charts and tables that need them are left out.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.report import charts as rp
from simulator.report.calibration import tax_sentence, verdict_html
from simulator.report.page import Context, Section, figure_html, g, metrics_html, table_html
from simulator.report.sources import asset_families, assumptions, market_assumptions
from simulator.results.convergence import mcse_table
from simulator.results.drivers import (
    plot_variance_tornado,
    regression_sensitivities,
    variance_drivers_many,
)
from simulator.results.metrics import MONEY, PERCENT

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result

#: The drivers' regression uses at most this many iterations (its coefficients are then
#: known to about +-1 / sqrt(10,000) = +-0.01, plenty for a ranking; ranking 250 inputs
#: over 20,000 iterations took more than a second, a tenth of the default run).
REGRESSION_ITERATIONS = 10_000


def _m(x: float) -> str:
    return MONEY.text(x, "–")


def _p(x: float) -> str:
    return PERCENT.text(x, "–")


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
    summary = result.summary()
    body = [metrics_html("table", summary)]
    for _, c in result.comparison().iterrows():
        spend_a, spend_b = (_m(summary.loc[p, "rd_oop_mean_musd"]) for p in (c.a, c.b))
        body.append(
            f"<p class='verdict'><b>{html.escape(c.a)}</b> (expected R&D spend {spend_a} USD "
            f"millions out of pocket) is worth more than <b>{html.escape(c.b)}</b> "
            f"({spend_b}) in <b>{_p(c.prob_a_beats_b)}</b> of futures; "
            f"on average by <b>{c.diff_mean_musd:+,.0f} ± {c.diff_mcse_musd:,.0f}</b> USD "
            f"millions (P10 {c.diff_p10_musd:+,.0f}, P90 {c.diff_p90_musd:+,.0f}).</p>"
        )
    body.append(verdict_html(result, ctx))
    body.append(f"<p class='muted'>{html.escape(tax_sentence(result.scenario))}</p>")
    return Section("headline", "Headline comparison", "".join(body))


def distributions(result: Result, ctx: Context) -> Section:
    figs = [
        figure_html(
            lambda ax: result.plot.npv_distribution(ax=ax),
            alt="NPV densities",
            keep=(ctx.images, "npv_distribution.png"),
        ),
        figure_html(
            lambda ax: result.plot.npv_cdf(ax=ax),
            alt="NPV CDFs",
            keep=(ctx.images, "npv_cdf.png"),
        ),
    ]
    for a, b in result.scenario.pairs() if result.has_samples else []:
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
    body = metrics_html("risk", result.summary())
    if not result.has_samples:
        return Section("risk", "Risk", body)
    fig = figure_html(lambda axes: rp.risk_panels(result, axes=axes), (11, 4), 2, "risk")
    return Section("risk", "Risk", body + fig, 1)


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
            month = result.stats(f"{k}.launch_month")
            rows.append(
                {
                    "portfolio": p,
                    "asset": a.name,
                    "mean NPV (USD M)": _m(result.stats(f"{k}.npv_musd").mean),
                    "P(launch)": _p(result.stats(f"{k}.launched").mean),
                    "launch year, median if launched": f"{month.percentile(50) / 12:.1f}"
                    if month.finite
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


def launches(result: Result, ctx: Context) -> Section | None:
    if not result.has_samples:
        return None
    figs = [
        figure_html(lambda ax: rp.expected_launches(result, ax=ax), alt="launches over time"),
        figure_html(lambda ax: rp.launch_count(result, ax=ax), alt="launch count"),
    ]
    return Section("launches", "Launches over time", "".join(figs), 2)


def drivers(result: Result, ctx: Context) -> Section | None:
    if not result.has_samples:
        return None
    targets = [f"{a} - {b}" for a, b in result.scenario.pairs()] + result.portfolios
    n = REGRESSION_ITERATIONS
    tables = variance_drivers_many(result, targets, max_iterations=n)
    linear = regression_sensitivities(result, targets, max_iterations=n)
    figs, shares = [], []
    for t, table in tables.items():
        if table.empty:
            continue
        rows = min(len(table), 12)
        figs.append(
            figure_html(
                lambda ax, tb=table: plot_variance_tornado(tb, ax=ax),
                (10, 1.2 + 0.38 * rows),
                alt=t,
            )
        )
        shares.append(
            f"<li><b>{html.escape(t)}</b>: main effects explain "
            f"{_p(table.attrs['explained'])} of the variance (a linear regression on the "
            f"same inputs: {_p(linear[t].attrs['r2'])})</li>"
        )
    if not figs:
        return None
    note = (
        "<p>What explains each outcome, read from the run's own futures. Every sampled "
        "input is recorded, and so is each stage's success draw (<i>phase III outcome</i>) "
        "and each programme's development outcome (how many stages it passed). For each, "
        "the bar runs from the outcome's mean given the input's least favourable values to "
        "its mean given the most favourable (USD millions, as @RISK's change-in-output-mean "
        "tornado); in brackets its first-order share of the variance, Var(E[Y | X]) / "
        "Var(Y). The share the inputs' main effects explain together (fitted jointly, so "
        "correlated inputs are not counted twice):</p><ul>" + "".join(shares) + "</ul>"
        "<p><code>simulate sensitivity</code> re-simulates a one-way swing of the top inputs. "
        f"Fitted on {tables[targets[0]].attrs['n']:,} iterations.</p>"
    )
    return Section(
        "drivers", "What drives the NPV and the difference", note + "".join(figs), len(figs)
    )


def manufacturing(result: Result, ctx: Context) -> Section | None:
    keys = sorted(f"{p}.{a}" for p, a in result.plant_assets())
    if not keys:
        return None
    figs = [
        figure_html(
            lambda axes, k=k: rp.plant_panels(result, k, axes=axes),
            (11, 3.8),
            2,
            k,
            keep=(ctx.images, f"plant_{k}.png"),
        )
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
    names = set(result.column_names)
    rows = {}
    for k in keys:
        rows[k] = {
            label: g(result.stats(f"{k}.{col}").mean)
            for col, label in shown
            if f"{k}.{col}" in names
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
    table = ctx.tables.get("trials")
    if table is None or len(table) == 0:
        return None
    return Section("trials", "Trial operating characteristics", table_html(table))


def convergence(result: Result, ctx: Context) -> Section:
    pair = ctx.pair or (result.scenario.pairs() or [None])[0]
    fig = (
        figure_html(lambda ax: rp.convergence(result, pair, ax=ax), alt="convergence")
        if result.has_samples
        else ""
    )
    note = (
        "<p>Monte Carlo standard error of every headline figure: how much it would move "
        "with another seed. Means and probabilities use their exact formulas; percentiles "
        "and tail means use 20 batches of iterations.</p>"
    )
    table = mcse_table(result)
    share = table["unit"] == "share"
    for col in ("value", "mcse"):
        table[col] = [
            (f"{v:.2%}" if is_share else f"{v:,.2f}") if np.isfinite(v) else "–"
            for v, is_share in zip(table[col], share, strict=True)
        ]
    table = table.drop(columns="unit").rename(columns={"mcse": "± MC standard error"})
    body = fig + note + table_html(table, index=False)
    return Section("convergence", "Convergence", body, 1 if fig else 0)


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
