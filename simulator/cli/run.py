"""``simulate run SCENARIO`` (the default command): simulate, print the comparison, write
the outputs."""

from __future__ import annotations

import json
import math
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from simulator.cli.app import fail, load, main, progress_wanted
from simulator.cli.scale import run_scaled
from simulator.engine.executors import BACKENDS
from simulator.report.export import make_staging
from simulator.scenario import ScenarioError


@main.command("run")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("-n", "--iterations", type=click.IntRange(min=1), help="Monte Carlo iterations.")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (same seed, same numbers).")
@click.option("--chunk-size", type=click.IntRange(min=1), help="Iterations per chunk.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Output directory.")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario field, e.g. --set market.tax_rate=0.25 (repeatable).",
)
@click.option("--backend", type=click.Choice(BACKENDS), default="local", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Processes (local, dask).")
@click.option(
    "--scheduler",
    metavar="ADDRESS|FILE",
    help="Dask scheduler to run on (tcp://host:8786 or a scheduler.json); implies --backend dask.",
)
@click.option(
    "--summaries-only",
    is_flag=True,
    help="Keep mergeable summaries, not rows (flat memory; automatic from 10^6 iterations).",
)
@click.option(
    "--keep-samples",
    type=click.Path(file_okay=False),
    help="With summaries: workers write their rows to DIR/part-*.parquet (shared disk).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--fidelity",
    type=click.Choice(["fast", "event"]),
    help="Cell and gene therapy plants: fast (monthly queue) or event (SimPy, per patient; slow).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def run_command(
    scenario,
    iterations,
    seed,
    chunk_size,
    out_dir,
    sets,
    backend,
    workers,
    scheduler,
    summaries_only,
    keep_samples,
    fmt,
    fidelity,
    quiet,
):
    """Run SCENARIO, print the comparison and write the outputs."""
    from simulator import run
    from simulator.cli.scale import run_options

    backend, options = run_options(backend, scheduler, summaries_only, keep_samples)

    try:
        s = load(
            scenario,
            sets,
            iterations=iterations,
            seed=seed,
            chunk_size=chunk_size,
            fidelity=fidelity,
        )
    except ScenarioError as exc:
        fail(exc)
    out = Path(out_dir) if out_dir else _default_out(s.name)
    try:  # fail before the simulation, not after it, if the outputs cannot be written
        shutil.rmtree(make_staging(out))
    except OSError as exc:
        click.echo(f"error: cannot write the outputs to {out}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    if progress_wanted(quiet):
        with click.progressbar(length=1, label="simulating", file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            result = run_scaled(run, s, backend, workers, options, progress=progress)
    else:
        result = run_scaled(run, s, backend, workers, options)
    saved = result.save(out, record_command=True)
    if fmt == "json":
        click.echo(json.dumps(_json_report(result, saved), indent=2))
    else:
        click.echo(format_report(result, saved))


def _default_out(name: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{name}-{stamp}"


# ------------------------------------------------------------------------------------
# terminal output
# ------------------------------------------------------------------------------------
def _m(x: float) -> str:
    """USD millions, thousands separated, no decimals (or '-' for NaN)."""
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.0f}"


def _pct(x: float) -> str:
    return "-" if isinstance(x, float) and math.isnan(x) else f"{100 * x:.1f}%"


def format_report(result, saved: Path | None = None) -> str:
    """The comparison table a strategist reads."""
    s = result.summary()
    sim = result.scenario.simulation
    names = list(s.index)
    rows: list[tuple[str, list[str]]] = [
        (
            "NPV mean ± MC error",
            [f"{_m(r.npv_mean_musd)} ± {_m(r.npv_mcse_musd)}" for r in s.itertuples()],
        ),
        (
            "NPV P10 / P50 / P90",
            [
                f"{_m(r.npv_p10_musd)} / {_m(r.npv_p50_musd)} / {_m(r.npv_p90_musd)}"
                for r in s.itertuples()
            ],
        ),
        ("P(loss)", [_pct(r.prob_loss) for r in s.itertuples()]),
        (
            "VaR 5% / CVaR 5% (NPV)",
            [f"{_m(r.var05_musd)} / {_m(r.cvar05_musd)}" for r in s.itertuples()],
        ),
        ("Expected launches", [f"{r.launches_mean:.2f}" for r in s.itertuples()]),
        ("P(no launch)", [_pct(r.prob_no_launch) for r in s.itertuples()]),
        ("Peak revenue, mean", [_m(r.peak_revenue_mean_musd) for r in s.itertuples()]),
        ("Cash trough, mean", [_m(r.cash_trough_mean_musd) for r in s.itertuples()]),
        *_plant_rows(s),
        (
            "R&D cost/launch OOP / cap.",
            [
                f"{_m(r.oop_cost_per_launch_musd)} / {_m(r.capitalized_cost_per_launch_musd)}"
                for r in s.itertuples()
            ],
        ),
    ]
    if s["cdx_delay_mean_months"].notna().any():
        rows.append(
            (
                "CDx delay: mean mo. / launches",
                [
                    f"{r.cdx_delay_mean_months:.1f} / {_pct(r.launches_delayed_by_cdx_share)}"
                    if not math.isnan(r.cdx_delay_mean_months)
                    else "-"
                    for r in s.itertuples()
                ],
            )
        )
    label_w = max(len(r[0]) for r in rows) + 2
    col_w = [max(len(n), *(len(r[1][i]) for r in rows)) + 2 for i, n in enumerate(names)]
    lines = [
        f"{result.scenario.name}: {sim.iterations:,} iterations, seed {sim.seed}, "
        f"{result.seconds:.1f} s ({result.backend}, {result.workers} worker"
        f"{'s' if result.workers != 1 else ''})",
        "",
        "USD millions".ljust(label_w)
        + "".join(n.rjust(w) for n, w in zip(names, col_w, strict=True)),
    ]
    for label, vals in rows:
        lines.append(
            label.ljust(label_w) + "".join(v.rjust(w) for v, w in zip(vals, col_w, strict=True))
        )
    lines.append("")
    for _, c in result.comparison().iterrows():
        lines.append(
            f"{c.a} - {c.b}: mean {c.diff_mean_musd:+,.0f} ± {c.diff_mcse_musd:,.0f} USD M, "
            f"P10/P90 {c.diff_p10_musd:+,.0f} / {c.diff_p90_musd:+,.0f}; "
            f"P({c.a} > {c.b}) = {_pct(c.prob_a_beats_b)}"
        )
    if getattr(result, "summaries_only", False):
        lines.append(
            f"(summaries only: percentiles, VaR and CVaR within "
            f"{100 * result.quantile_relative_accuracy:.1f}% of the order statistic)"
        )
    if saved is not None and getattr(result, "summaries_only", False):
        lines += ["", f"outputs: {saved}/  (summary.csv, comparison.csv, manifest.json)"]
    elif saved is not None:
        lines += [
            "",
            f"outputs: {saved}/  (report.html, report.xlsx, summary.csv, iterations.parquet, ...)",
        ]
    return "\n".join(lines)


def _plant_rows(s) -> list[tuple[str, list[str]]]:
    """Cell and gene therapy rows, when a portfolio has a plant."""
    if not s["cgt_patients_treated_mean"].notna().any():
        return []

    def cell(r) -> str:
        if math.isnan(r.cgt_patients_treated_mean):
            return "-"
        return (
            f"{r.cgt_patients_treated_mean:,.0f} / {r.cgt_patients_lost_waiting_mean:,.0f}"
            f" / {_m(r.cgt_capex_mean_musd)}"
        )

    return [("CGT treated / lost / capex", [cell(r) for r in s.itertuples()])]


def _json_report(result, saved: Path) -> dict[str, Any]:
    def clean(d: dict) -> dict:
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}

    return {
        "scenario": result.scenario.name,
        "iterations": result.scenario.simulation.iterations,
        "seed": result.scenario.simulation.seed,
        "summary": [clean(r) for r in result.summary().reset_index().to_dict("records")],
        "comparison": [clean(r) for r in result.comparison().to_dict("records")],
        "outputs": str(saved),
    }
