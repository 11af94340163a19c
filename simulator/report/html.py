"""``report.html``: one self-contained page that a reader who never saw the YAML can follow.

The report is a list of *sections* (:mod:`.sections`). Each section is a function
``(result, ctx) -> Section | None``: it returns ``None`` when it has nothing to show (no
CGT asset, no trial operating characteristics), so the page shows only what the run
holds. To add a section, write such a function and insert it in :data:`SECTIONS` (order
is page order). Plots are matplotlib figures embedded as base64 PNG; there is no script,
font or style sheet from the network, so the file can be mailed and opened offline.

Reading a result never runs the model again: a table that needs another simulation is
computed by its study and handed in, ``render(result, tables={"trials": df})`` (the
``simulate`` command passes the trial operating characteristics of
:mod:`simulator.studies.trials`, the verdict under each benchmark table of
:mod:`simulator.studies.benchmark_sets` and the calibration table of
:mod:`simulator.studies.calibration`; ``result.save(dir, tables=...)`` does the same).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulator.report.calibration import calibration
from simulator.report.deals import deals_section, financing_section
from simulator.report.decisions import decisions_section
from simulator.report.executive import executive, title
from simulator.report.page import Context, Section, deferred_figures, figure_html, table_html
from simulator.report.sections import (
    assets,
    assumptions_section,
    cashflows,
    convergence,
    distributions,
    drivers,
    headline,
    launches,
    manufacturing,
    provenance,
    question,
    risk,
    trials,
)
from simulator.report.strategy import discovery_section, frontier_section

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result

__all__ = ["SECTIONS", "Context", "Section", "figure_html", "render", "table_html", "write_report"]

#: Page order. The first screen is the answer (:mod:`.executive`); to add a section,
#: write ``f(result, ctx) -> Section | None`` in its own module and insert it here.
SECTIONS: list[Callable[[Result, Context], Section | None]] = [
    executive,
    headline,
    question,
    assumptions_section,
    distributions,
    risk,
    cashflows,
    assets,
    launches,
    drivers,
    frontier_section,
    discovery_section,
    manufacturing,
    trials,
    decisions_section,
    deals_section,
    financing_section,
    convergence,
    calibration,
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
.scroll{overflow-x:auto;max-width:100%}
ul.verdicts{font-size:16px;margin:8px 0;padding-left:20px}
header h1.verdict-title{font-size:22px;line-height:1.3}
#answer figure{margin:4px 0}#answer img{max-height:220px}
@media print{
@page{size:A4;margin:12mm}
body{background:#fff;font-size:11px}nav{display:none}
header{padding:6px 0;background:#fff;color:#1d2733;border-bottom:2px solid #1f3a5f}
main{max-width:none;padding:0}
section{border:none;border-radius:0;padding:0;margin:8px 0;break-inside:auto}
section#answer{break-after:page;break-inside:avoid}
h2,h3{break-after:avoid;page-break-after:avoid}
figure,table,tr,.verdict{break-inside:avoid;page-break-inside:avoid}
figure img{max-height:190mm;width:auto;max-width:100%}#answer img{max-height:60mm}
.scroll{overflow:visible}table.t{font-size:9px}
details>summary{list-style:none}details:not([open])>*:not(summary){display:none}
}
"""


def render(
    result: Result,
    provenance: dict[str, Any] | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
    images: dict[str, bytes] | None = None,
) -> str:
    """The complete HTML page of ``result`` (a string; nothing is written); ``tables``:
    computed tables to show (``"trials"``); ``images``, if given, receives the PNG bytes
    of the figures that are output files too (by file name)."""
    ctx = Context(provenance=dict(provenance or {}), tables=dict(tables or {}))
    if images is not None:
        ctx.images = images
    with deferred_figures() as fill:  # the figures are drawn together, at the end
        sections = [s for s in (f(result, ctx) for f in SECTIONS) if s is not None]
    nav = "".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    body = "".join(
        f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>{s.body}</section>' for s in sections
    )
    sim = result.scenario.simulation
    verdict = title(result)
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(result.scenario.name)}: {html.escape(verdict)}</title>"
        f"<style>{CSS}</style></head><body>"
        f"<header><h1 class='verdict-title'>{html.escape(verdict)}</h1><p>"
        f"{html.escape(result.scenario.name)} · {sim.iterations:,} simulated futures · "
        f"seed {sim.seed} · money in USD millions, discounted to the scenario start</p></header>"
        f"<nav>{nav}</nav><main>{body}</main></body></html>\n"
    )
    return fill(page)


def write_report(
    result: Result,
    path: str | Path,
    provenance: dict[str, Any] | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
    images: dict[str, bytes] | None = None,
) -> Path:
    """Write the report of ``result`` to ``path`` (``report.html``); returns the path
    (``images``: as for :func:`render`)."""
    path = Path(path)
    path.write_text(render(result, provenance, tables, images), encoding="utf-8")
    return path
