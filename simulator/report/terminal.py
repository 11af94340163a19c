"""The comparison table a strategist reads in the terminal after ``simulate``.

A header line (scenario, iterations, seed, run time, backend), then a row per figure and
a column per portfolio, then a sentence per compared pair (mean paired difference with its
Monte Carlo error, P10/P90, the probability that one beats the other), and where the
outputs went. The rows are the ``"table"`` view of the metrics registry
(:mod:`simulator.results.metrics`): a metric declared there with that view appears here,
formatted as declared; a row with no number for any portfolio (no CDx, no plant) is left
out. A summaries-only run says how close its quantiles are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.results.metrics import MONEY, PERCENT, table

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result


def _m(x: float) -> str:
    return MONEY.text(x)


def format_report(result: Result, saved: Path | None = None, timing: str | None = None) -> str:
    """The comparison table of ``result`` as text (``saved``: where the outputs went;
    ``timing``: the run's wall time by phase, printed instead of the simulation's own
    seconds, so the time shown is the time waited)."""
    summary = result.summary()
    sim = result.scenario.simulation
    names = list(summary.index)
    rows = table("table", summary)
    label_w = max(len(title) for title, _ in rows) + 2
    col_w = [max(len(n), *(len(r[1][i]) for r in rows)) + 2 for i, n in enumerate(names)]
    workers = f"{result.workers} worker{'s' if result.workers != 1 else ''}"
    lines = [
        f"{result.scenario.name}: {sim.iterations:,} iterations, seed {sim.seed}, "
        f"{timing or f'{result.seconds:.1f} s'} ({result.backend}, {workers})",
        "",
        "USD millions".ljust(label_w)
        + "".join(n.rjust(w) for n, w in zip(names, col_w, strict=True)),
    ]
    for title, cells in rows:
        lines.append(
            title.ljust(label_w) + "".join(v.rjust(w) for v, w in zip(cells, col_w, strict=True))
        )
    lines.append("")
    for _, c in result.comparison().iterrows():
        lines.append(
            f"{c.a} - {c.b}: mean {c.diff_mean_musd:+,.0f} ± {_m(c.diff_mcse_musd)} USD M, "
            f"P10/P90 {c.diff_p10_musd:+,.0f} / {c.diff_p90_musd:+,.0f}; "
            f"P({c.a} > {c.b}) = {PERCENT.text(c.prob_a_beats_b)}"
            f" (R&D spend, mean OOP: {_m(summary.loc[c.a, 'rd_oop_mean_musd'])} vs "
            f"{_m(summary.loc[c.b, 'rd_oop_mean_musd'])})"
        )
    if result.summaries_only:
        lines.append(
            f"(summaries only: percentiles, VaR and CVaR within "
            f"{100 * result.quantile_relative_accuracy:.1f}% of the order statistic)"
        )
    if saved is not None and result.summaries_only:
        lines += ["", f"outputs: {saved}/  (summary.csv, comparison.csv, manifest.json)"]
    elif saved is not None:
        lines += [
            "",
            f"outputs: {saved}/  (report.html, report.xlsx, summary.csv, iterations.parquet, ...)",
        ]
    return "\n".join(lines)


def json_report(result: Result, saved: Path) -> dict[str, Any]:
    """The summary and comparison as plain data (``simulate --format json``); NaN -> None."""

    def clean(d: dict) -> dict:
        return {k: (None if isinstance(v, float) and v != v else v) for k, v in d.items()}

    return {
        "scenario": result.scenario.name,
        "iterations": result.scenario.simulation.iterations,
        "seed": result.scenario.simulation.seed,
        "summary": [clean(r) for r in result.summary().reset_index().to_dict("records")],
        "comparison": [clean(r) for r in result.comparison().to_dict("records")],
        "outputs": str(saved),
    }
