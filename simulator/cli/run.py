"""``simulate run SCENARIO`` (the default command): simulate, print the comparison, write
the outputs (the table itself is :mod:`simulator.report.terminal`; the trial operating
characteristics the report shows are computed here, by their study, and handed to it).

The verdict under each success-rate table and the calibration table rerun the model
(a scenario per table, a run per template: about as long again as the run itself), so
they are computed only on request, with ``--tables``; without it the report says how to
get them.

Everything that can fail before the simulation does, and creates nothing: the scenario,
the options, whether the outputs can be written (:meth:`~simulator.report.atomic.Target.check`)
and whether the rows a run keeps fit in memory (``ROW_BYTES`` of :mod:`simulator.core.limits`;
beyond, ``--summaries-only``). A valid scenario that cannot do anything useful (a biomarker
nobody carries) runs, and says so first. If another run wrote the same ``--out``
meanwhile, the outputs go to a sibling folder and the command prints which.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from simulator.cli.app import (
    BACKENDS,
    extends_option,
    fail,
    format_option,
    load,
    main,
    notes,
    progress_wanted,
)
from simulator.cli.phases import Phases, timing_line
from simulator.cli.scale import run_scaled
from simulator.core.errors import ScenarioError
from simulator.core.limits import COLUMNS_PER_ASSET, ROW_BYTES, gib

#: Simulated trials per setting for the report's operating characteristics (MC error of a
#: rate at most 0.5 / sqrt(50,000) = 0.0022).
REPORT_TRIALS = 50_000
#: Iterations (at most) of each rerun for the verdict under each success-rate table, and
#: of the calibration table's template runs (MC error of an LOA at most 0.5 / sqrt(5,000)).
TABLE_ITERATIONS = 5_000
CALIBRATION_ITERATIONS = 5_000


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
@format_option
@click.option(
    "--fidelity",
    type=click.Choice(["fast", "event"]),
    help="Cell and gene therapy plants: fast (monthly queue) or event (SimPy, per patient; slow).",
)
@click.option(
    "--csv",
    "csv",
    is_flag=True,
    help="Also write the per-iteration tables as iterations.csv and inputs.csv.",
)
@click.option(
    "--tables",
    is_flag=True,
    help="Also rerun under each success-rate table and compute the calibration table "
    "(report appendix; about as long again as the run).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@extends_option
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
    csv,
    tables,
    quiet,
    allow_extends_outside,
):
    """Run SCENARIO, print the comparison and write the outputs."""
    from simulator import run
    from simulator.cli.scale import run_options
    from simulator.report.atomic import OutputError, Target
    from simulator.report.calibration import verdict_line
    from simulator.report.export import save_result
    from simulator.report.terminal import format_report, json_report

    backend, options = run_options(backend, scheduler, summaries_only, keep_samples)

    try:
        s = load(
            scenario,
            sets,
            iterations=iterations,
            seed=seed,
            chunk_size=chunk_size,
            fidelity=fidelity,
            allow_extends_outside=allow_extends_outside,
        )
    except ScenarioError as exc:
        fail(exc)
    out = Path(out_dir) if out_dir else _default_out(s.name)
    try:  # fail before the simulation, not after it, if the outputs cannot be written
        target = Target.check(out)
    except OutputError as exc:
        click.echo(f"error: cannot write the outputs to {out}: {exc}", err=True)
        sys.exit(2)
    if not options.get("summaries_only"):
        _rows_fit(s)
    notes(s)
    with Phases(progress_wanted(quiet)) as phases:
        with phases.phase("simulating", unit="chunks") as tick:
            result = run_scaled(run, s, backend, workers, options, progress=tick)
        with phases.phase("report studies"):
            tables = _report_tables(result, studies=tables)
        with phases.phase("writing outputs"):
            saved = save_result(result, target, tables=tables, csv=csv, record_command=True)
    timing = timing_line(phases.seconds, phases.wall_seconds)
    if saved != out:
        click.echo(
            f"note: another run wrote {out} while this one ran; this run's outputs are in {saved}",
            err=True,
        )
    if fmt == "csv":  # summary.csv, as written
        click.echo((Path(saved) / "summary.csv").read_text(), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(json_report(result, saved), indent=2))
    else:
        click.echo(format_report(result, saved, timing=timing))
        by_table = tables.get("benchmark_tables")
        for a, b in result.scenario.pairs() if by_table is not None else []:
            click.echo(verdict_line(by_table, a, b))


def _rows_fit(s) -> None:
    """Exit 2 if a run that keeps its rows would hold more than ``ROW_BYTES`` of them."""
    from simulator.engine.reduction import STREAMING_THRESHOLD

    n = s.simulation.iterations
    if n >= STREAMING_THRESHOLD:
        return  # summaries-only by itself
    assets = sum(len(pf.assets) for pf in s.portfolios.values())
    need = n * (COLUMNS_PER_ASSET * assets + 8) * 8
    if need > ROW_BYTES:
        click.echo(
            f"error: {n:,} iterations of {assets} assets keep about {gib(need)} of "
            f"per-iteration rows in memory (more than {gib(ROW_BYTES)}); add "
            "--summaries-only to keep mergeable summaries instead (flat memory, the same "
            "means and probabilities; percentiles within 0.5%), or lower --iterations",
            err=True,
        )
        sys.exit(2)


def _default_out(name: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{name}-{stamp}"


def _report_tables(result, studies: bool = False) -> dict:
    """Tables the report shows that a study computes: the trial operating
    characteristics (when the scenario has such trials) and, with ``studies``
    (``--tables``), the verdict under each success-rate table (when its assets name one)
    and the calibration of its templates."""
    if result.summaries_only:
        return {}
    from simulator.studies.trials import operating_characteristics

    backend = "local" if result.backend == "dask" else result.backend  # no second cluster
    s, run_on = result.scenario, {"backend": backend, "workers": result.workers}
    n = s.simulation.iterations
    out = {"trials": operating_characteristics(s, trials=REPORT_TRIALS)}
    if not studies:
        return {k: v for k, v in out.items() if len(v)}
    from simulator.studies.benchmark_sets import by_benchmark_table, named_tables
    from simulator.studies.calibration import calibration_table

    if named_tables(s) and s.pairs():
        out["benchmark_tables"] = by_benchmark_table(
            s, iterations=min(n, TABLE_ITERATIONS), result=result, **run_on
        )
    out["calibration"] = calibration_table(s, iterations=min(n, CALIBRATION_ITERATIONS), **run_on)
    return {k: v for k, v in out.items() if len(v)}
