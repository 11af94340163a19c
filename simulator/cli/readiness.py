"""``simulate readiness SCENARIO``: which readiness investment pays.

Runs SCENARIO, then again without each readiness mechanism it uses (a change of
biomarker standard, post-market surveillance, a price reassessment, a real-world
evidence programme), on the same futures; prints the paired NPV effect of each per
portfolio with its Monte Carlo error and writes ``readiness.csv`` and ``readiness.html``.
"""

from __future__ import annotations

import click

from simulator.cli.app import echo_written, fail, format_option, load, main
from simulator.cli.options import output_dir, variant_options
from simulator.core.errors import ScenarioError


@main.command("readiness")
@variant_options
@format_option
def readiness_command(
    scenario,
    iterations,
    seed,
    sets,
    pair,
    backend,
    workers,
    out_dir,
    quiet,
    allow_extends_outside,
    fmt,
):
    """Paired NPV effect of each readiness mechanism in SCENARIO (on / off, same seed)."""
    from simulator.report.atomic import write_directory
    from simulator.report.readiness import format_readiness, write_readiness
    from simulator.studies.readiness import readiness_table

    del pair, quiet  # every portfolio is shown; the runs are few
    try:
        s = load(scenario, sets, allow_extends_outside, iterations=iterations, seed=seed)
    except ScenarioError as exc:
        fail(exc)
    out = output_dir(out_dir, s.name, "readiness")
    table = readiness_table(s, backend=backend, workers=workers)
    out = write_directory(out, lambda d: write_readiness(table, d), scenario=s)
    if echo_written(fmt, out / "readiness.csv", {"mechanisms": table}, scenario=s.name):
        return
    click.echo(
        f"{s.name}: readiness mechanisms on and off ({s.simulation.iterations:,} iterations "
        f"each, seed {s.simulation.seed}); effect = mean NPV with - without, USD M\n"
    )
    click.echo(format_readiness(table))
    click.echo(f"\noutputs: {out}/  (readiness.csv, readiness.html)")
