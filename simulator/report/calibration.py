"""What the report says about the calibration: which tax mode ran, the headline under each
benchmark table of success rates, and the calibration appendix.

Nothing here runs the model: the verdict by table (:mod:`simulator.studies.benchmark_sets`)
and the calibration table (:mod:`simulator.studies.calibration`) arrive computed, in
``ctx.tables["benchmark_tables"]`` and ``ctx.tables["calibration"]``; without them the
line and the appendix are left out and one line says how to get them (they rerun the
model, so the ``simulate`` command computes them only with ``--tables``).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from simulator.report.page import Context, Section, table_html
from simulator.results.metrics import MONEY, PERCENT

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result


def tax_sentence(scenario) -> str:
    """Which tax mode ran, in words."""
    m = scenario.market
    t = m.tax
    if t.mode == "consolidated":
        how = "consolidated: losses offset the sponsor's other profits at once"
    else:
        limit = (
            f", used against at most {t.loss_limit_share:.0%} of a year's taxable income"
            if t.loss_limit_share is not None
            else ""
        )
        how = f"standalone: losses carried forward to later profits{limit}, nothing refunded"
    extras = []
    if t.orphan_credit_rate > 0:
        extras.append(f"orphan-drug credit {t.orphan_credit_rate:.0%} of clinical spend")
    if t.capex_depreciation_years > 0:
        extras.append(f"plant capex depreciated over {t.capex_depreciation_years:g} years")
    tail = f"; {'; '.join(extras)}" if extras else ""
    year = f" Money in {m.dollar_year} US dollars." if m.dollar_year else ""
    return f"Tax at {m.tax_rate:.0%}, {how}{tail}.{year}"


def verdict_line(table: pd.DataFrame, a: str, b: str) -> str:
    """The verdict under each table in one line: mean difference ± MC error, P(a > b)."""
    parts = []
    for name, row in table.iterrows():
        mean, se = row[f"{a}-{b}.diff_mean_musd"], row[f"{a}-{b}.diff_mcse_musd"]
        p = row[f"{a}-{b}.prob_a_beats_b"]
        tag = " (the scenario's)" if row["this_run"] else ""
        parts.append(f"{name}{tag}: {mean:+,.0f} ± {se:,.0f}, P({a} > {b}) {PERCENT.text(p)}")
    n = int(table["iterations"].iloc[0])
    return (
        f"{a} - {b} by success-rate table (USD M, {n:,} iterations each, same seed): "
        + "; ".join(parts)
    )


#: What the page says when neither study ran
ON_REQUEST = (
    "<p class='muted'>Not computed in this run (each reruns the model): the verdict under "
    "each success-rate table and the calibration appendix. Add them with "
    "<code>simulate SCENARIO --tables</code>.</p>"
)


def verdict_html(result: Result, ctx: Context) -> str:
    """The headline's line by table and its note on what was kept, or ``""``."""
    table = ctx.tables.get("benchmark_tables")
    if "calibration" not in ctx.tables and table is None:
        return ON_REQUEST
    if table is None or len(table) == 0:
        return ""
    out = []
    for a, b in result.scenario.pairs():
        if f"{a}-{b}.diff_mean_musd" in table:
            out.append(f"<p>{html.escape(verdict_line(table, a, b))}.</p>")
    kept = [f"{t}: {k}" for t, k in table["kept"].items() if k]
    if kept:
        out.append(
            "<p class='muted'>Kept their own table (the other has no such category): "
            f"{html.escape(' | '.join(kept))}.</p>"
        )
    return "".join(out)


def calibration(result: Result, ctx: Context) -> Section | None:
    """Appendix: each template's LOA and R&D cost per launch against published figures."""
    t = ctx.tables.get("calibration")
    if t is None or len(t) == 0:
        return None

    def pm(values, errors, fmt):
        return [f"{fmt.text(v)} ± {fmt.text(e)}" for v, e in zip(values, errors, strict=True)]

    rows = pd.DataFrame(
        {
            "success rates": t["success_rates"],
            "LOA from phase I": pm(t.loa, t.loa_mcse, PERCENT),
            "published LOA": [PERCENT.text(v) for v in t.loa_published],
            "OOP per launch": pm(t.oop_per_launch_musd, t.oop_mcse_musd, MONEY),
            "capitalized per launch": pm(
                t.capitalized_per_launch_musd, t.capitalized_mcse_musd, MONEY
            ),
            "gap to DiMasi 2016": t["gap"],
        },
        index=t.index,
    )
    year = t.attrs.get("dollar_year")
    money = f"{year} US dollars" if year else "each source's own dollars"
    first = t.iloc[0]
    note = (
        "<p>Each asset template run alone from phase I "
        f"({t.attrs.get('iterations', 0):,} iterations, seed {t.attrs.get('seed')}), against "
        "the published figure it should match: the likelihood of approval (LOA) of its "
        "category in BIO 2011-2020, and R&D cost per approval (Paul et al. 2010's ratio of "
        "sums; CDx, screening and deals included) against DiMasi, Grabowski & Hansen 2016's "
        f"clinical cost per approved compound, {MONEY.text(first.dimasi_oop_musd)} out of "
        f"pocket and {MONEY.text(first.dimasi_capitalized_musd)} capitalized, and Wouters, "
        "McKee & Luyten 2020's median capitalized cost per new drug, "
        f"{MONEY.text(first.wouters_median_capitalized_musd)} (USD M, {money}; DiMasi's "
        "figures are not in the reference table of published figures: UNVERIFIED). ± is "
        "the Monte Carlo standard error. The gap column splits cost per approval into cost "
        "per phase-I entrant over LOA.</p>"
    )
    return Section("calibration", "Appendix: calibration", note + table_html(rows))
