"""The report's decisions section: how often each gate stopped each asset, and, when the
gates study handed it in (``ctx.tables["gates"]``, from ``simulate gates``), the option
value of the policy against the no-decision baseline on the same futures.

A kill rate is the share of iterations in which the asset reached the gate (entered and
passed its stage) and its rule stopped it: the mean of the run's ``killed_<gate>`` column.
Nothing here runs the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from simulator.report.page import Context, Section, table_html

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result


def kill_rates(result: Result) -> pd.DataFrame:
    """A row per (portfolio, asset, gate) with its kill rate; empty without gates."""
    rows = []
    for p, port in result.scenario.portfolios.items():
        for a in port.assets:
            if a.gates is None:
                continue
            for gate, rule in a.gates.rules():
                killed = result.column(f"{p}.{a.name}.killed_{gate}")
                rows.append(
                    {
                        "portfolio": p,
                        "asset": a.name,
                        "gate": gate,
                        "rule": rule,
                        "kill_rate": float(killed.mean()),
                    }
                )
    return pd.DataFrame(rows)


def decisions_section(result: Result, ctx: Context) -> Section | None:
    if not result.has_samples:
        return None
    rates = kill_rates(result)
    if rates.empty:
        return None
    body = "<p>Share of iterations in which each gate stopped the programme.</p>"
    body += table_html(rates, index=False)
    study = ctx.tables.get("gates")
    if study is not None and len(study):
        body += "<p>Option value of the policy against no decisions, same futures:</p>"
        body += table_html(study, index=False)
    return Section("decisions", "Decisions at gates", body)
