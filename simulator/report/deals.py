"""The report's deals and financing sections (shown only when a run has them).

*Deals*: per asset under a ``deal`` block, what it is worth to the sponsor and to the
partner (mean, P10, P90 of each side's NPV), the stand-alone NPV they add up to, and the
payments' present value to the sponsor. *Financing*: per portfolio with a ``financing``
block, each debt tranche's default probability and expected loss, the equity's IRR
distribution, the portfolio's own IRR distribution, and the senior principal the
portfolio could carry at a 5% default probability (:func:`senior_capacity` on the
iterations' yearly cash, when the run kept them: reading the results, not re-running).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.pillars.deals.financing import senior_capacity
from simulator.report.page import Context, Section, table_html
from simulator.results.metrics import MONEY, PERCENT

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result

CAPACITY_DEFAULT_PROBABILITY = 0.05


def _bands(result: Result, name: str, fmt=MONEY) -> str:
    c = result.stats(name)
    return " / ".join(fmt.text(v) for v in (c.mean, c.percentile(10), c.percentile(90)))


def deals_section(result: Result, ctx: Context) -> Section | None:
    names = set(result.column_names)
    rows = {}
    for pname, portfolio in result.scenario.portfolios.items():
        for a in portfolio.assets:
            key = f"{pname}.{a.name}"
            if a.deal is None or f"{key}.deal_partner_npv_musd" not in names:
                continue
            rows[key] = {
                "deal": f"{a.deal.type} with {a.deal.partner}",
                "sponsor NPV mean / P10 / P90": _bands(result, f"{key}.npv_musd"),
                "partner NPV mean / P10 / P90": _bands(result, f"{key}.deal_partner_npv_musd"),
                "stand-alone NPV mean": MONEY.text(
                    result.stats(f"{key}.deal_standalone_npv_musd").mean),
                "payments to sponsor, PV mean": MONEY.text(
                    result.stats(f"{key}.deal_to_sponsor_pv_musd").mean),
            }  # fmt: skip
    if not rows:
        return None
    table = pd.DataFrame(rows).T
    table.index.name = "asset (USD M, after tax)"
    note = (
        "<p>Each deal splits the asset's cash between the sponsor (the portfolio) and the "
        "partner; the two sides add up to the stand-alone NPV in every iteration.</p>"
    )
    return Section("deals", "Deals: value to sponsor and partner", note + table_html(table))


def financing_section(result: Result, ctx: Context) -> Section | None:
    rows = {}
    for pname, portfolio in result.scenario.portfolios.items():
        fin = portfolio.financing
        if fin is None:
            continue
        row = {"portfolio IRR P10 / P50 / P90": _irr_bands(result, f"{pname}.irr_annual")}
        for k, _ in fin.debt():
            row[f"{k}: P(default) / expected loss"] = " / ".join(
                PERCENT.text(result.stats(f"{pname}.fin_{k}_{c}").mean)
                for c in ("default", "loss_share"))  # fmt: skip
        row["equity IRR P10 / P50 / P90"] = _irr_bands(result, f"{pname}.fin_equity_irr")
        if fin.senior is not None and result.has_samples:
            cash = result.yearly("cash", pname)
            cap = senior_capacity(cash, fin, CAPACITY_DEFAULT_PROBABILITY)
            row[f"senior debt capacity at {CAPACITY_DEFAULT_PROBABILITY:.0%} default"] = (
                MONEY.text(cap))  # fmt: skip
        rows[pname] = row
    if not rows:
        return None
    table = pd.DataFrame(rows).T
    table.index.name = "portfolio"
    note = ("<p>A megafund overlay (Fernandez, Stein &amp; Lo 2012, <i>Nature Biotechnology</i> "
            "30:964): the portfolio's yearly cash funds a vehicle that pays senior debt, then "
            "junior debt, then equity. IRR percentiles are over iterations where an IRR "
            "exists.</p>")  # fmt: skip
    title = "Financing: tranche risk and equity return"
    return Section("financing", title, note + table_html(table))


def _irr_bands(result: Result, name: str) -> str:
    if name not in set(result.column_names):
        return "-"
    c = result.stats(name)
    share = c.finite / c.n if c.n else np.nan
    bands = " / ".join(PERCENT.text(c.percentile(q)) for q in (10, 50, 90))
    return f"{bands} ({PERCENT.text(share)} defined)"
