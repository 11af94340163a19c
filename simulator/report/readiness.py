"""The readiness table (:mod:`simulator.studies.readiness`) as text, CSV and an HTML page.

One row per readiness mechanism and portfolio: the mean NPV with and without it on the
same futures, the paired effect ``with - without`` with its Monte Carlo error (a
positive effect is value added, a negative one a cost or a risk), and the share of
futures in which the mechanism changes the NPV at all.
"""

from __future__ import annotations

import html

import pandas as pd

#: what each mechanism is, in the strategist's words
MEANING = {
    "biomarker_standard": "a change of biomarker standard (revalidation, delay, share shift)",
    "surveillance": "post-market surveillance (safety signal, REMS, long-term follow-up)",
    "reassessment": "a price reassessment after N years of outcomes data",
    "rwe": "the real-world evidence programme (the investment)",
    "profiling": "a shared genomic profiling panel (one pooled screen for the trials)",
    "logistics": "a fresh or cryopreserved product (shipping cost, transit loss, vein-to-vein)",
    "allocation": "slots by progression risk rather than first come first served",
}


def format_readiness(table: pd.DataFrame) -> str:
    """The table for a terminal: effect +- 1.96 standard errors."""
    if table.empty:
        return "no readiness mechanism in this scenario"
    lines = [
        f"{'mechanism':<20}{'portfolio':<20}{'with':>10}{'without':>10}"
        f"{'effect (95% MC)':>24}{'P(changes)':>12}"
    ]
    for r in table.itertuples():
        effect = f"{r.effect_musd:+,.1f} +- {1.96 * r.effect_se_musd:,.1f}"
        lines.append(
            f"{r.mechanism:<20}{r.portfolio:<20}{r.npv_with_musd:>10,.0f}"
            f"{r.npv_without_musd:>10,.0f}{effect:>24}{r.p_changes_npv:>12.1%}"
        )
    return "\n".join(lines)


def write_readiness(table: pd.DataFrame, directory) -> None:
    """``readiness.csv`` and ``readiness.html`` in ``directory``."""
    table.to_csv(directory / "readiness.csv", index=False, float_format="%.6g")
    (directory / "readiness.html").write_text(readiness_html(table), encoding="utf-8")


def readiness_html(table: pd.DataFrame) -> str:
    """A self-contained page holding the table and what each mechanism means."""
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "mechanism",
            "portfolio",
            "assets",
            "mean NPV with (USD M)",
            "without",
            "effect: with - without",
            "MC error (1 s.e.)",
            "P(changes NPV)",
        )
    )
    body = "".join(
        "<tr>"
        f"<td title='{html.escape(MEANING[r.mechanism])}'>{r.mechanism}</td>"
        f"<td>{html.escape(r.portfolio)}</td><td>{r.assets}</td>"
        f"<td>{r.npv_with_musd:,.0f}</td><td>{r.npv_without_musd:,.0f}</td>"
        f"<td>{r.effect_musd:+,.1f}</td><td>{r.effect_se_musd:,.1f}</td>"
        f"<td>{r.p_changes_npv:.1%}</td></tr>"
        for r in table.itertuples()
    )
    notes = "".join(
        f"<li><b>{m}</b>: {html.escape(MEANING[m])}</li>" for m in table["mechanism"].unique()
    )
    n, seed = table.attrs.get("iterations", "?"), table.attrs.get("seed", "?")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Readiness</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;"
        "border-bottom:1px solid #ddd;text-align:right}td:first-child,td:nth-child(2)"
        "{text-align:left}</style></head><body><h1>Which readiness investment pays</h1>"
        f"<p>Each mechanism switched off on the same futures ({n} iterations, seed {seed}); "
        "the effect is the paired mean NPV difference with its Monte Carlo error.</p>"
        f"<table><tr>{head}</tr>{body}</table><ul>{notes}</ul></body></html>"
    )
