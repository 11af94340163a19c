"""``simulate sensitivity SCENARIO``: what drives the difference between two portfolios.

A base run ranks every sampled input by its standardized regression coefficient on the
paired NPV difference; the top inputs (or those named with ``--input``) are then pinned,
one at a time, at their P10 and their P90 while everything else stays random on the same
random numbers (one-way swing). Writes ``sensitivity.csv``, ``regression.csv``, and the
two tornado charts.
"""

from __future__ import annotations

import click

from simulator.cli.app import echo_written, fail, format_option, load, main, progress_wanted
from simulator.cli.options import output_dir, parse_pair, progress_bar, usage_error, variant_options
from simulator.core.errors import ScenarioError


@main.command("sensitivity")
@variant_options
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Inputs to swing (ranked by the regression).",
)
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="NAME",
    help="Swing this input (as in regression.csv, e.g. market.demand_multiplier); repeatable.",
)
@format_option
def sensitivity_command(
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
    top,
    inputs,
    fmt,
):
    """One-way swing of SCENARIO's uncertain inputs: tornado of the mean NPV difference."""
    from simulator import run
    from simulator.report.atomic import write_directory
    from simulator.studies.sensitivity import (
        is_stage_outcome,
        one_way_swing,
        regression_sensitivity,
        resolved,
    )

    try:
        s = load(scenario, sets, allow_extends_outside, iterations=iterations, seed=seed)
    except ScenarioError as exc:
        fail(exc)
    a, b = parse_pair(pair, s)
    out = output_dir(out_dir, s.name, "sensitivity")
    base = run(resolved(s), backend=backend, workers=workers)
    regression = regression_sensitivity(base, f"{a} - {b}")
    known = {i for i in regression.index if not is_stage_outcome(i)}
    for name in inputs:
        if name not in known:
            near = [k for k in sorted(known) if name.split(".")[-1] in k][:5]
            hint = f"; e.g. {', '.join(near)}" if near else ""
            usage_error(f"--input: {name!r} is not an uncertain input of this scenario{hint}")
    bar, progress = progress_bar(progress_wanted(quiet), "swinging inputs")
    with bar:
        swing = one_way_swing(
            s,
            pair=(a, b),
            inputs=list(inputs) or None,
            top=top,
            backend=backend,
            workers=workers,
            base_result=base,
            progress=progress,
        )

    def write(d):
        swing.to_csv(d / "sensitivity.csv", float_format="%.6g")
        regression.to_csv(d / "regression.csv", float_format="%.6g")
        from matplotlib.figure import Figure

        from simulator.studies.sensitivity import plot_regression_tornado, plot_swing_tornado

        for name, draw, rows in (
            ("tornado_swing.png", lambda ax: plot_swing_tornado(swing, ax=ax), len(swing)),
            ("tornado_regression.png", lambda ax: plot_regression_tornado(regression, ax=ax), 12),
        ):
            fig = Figure(figsize=(10, 1.4 + 0.4 * rows), dpi=120)
            draw(fig.subplots())
            fig.tight_layout()
            fig.savefig(d / name)

    out = write_directory(out, write, scenario=s)
    tables = {"swing": swing.reset_index(), "regression": regression.reset_index()}
    if echo_written(
        fmt, out / "sensitivity.csv", tables, pair=[a, b], base_musd=swing.attrs["base_musd"]
    ):
        return
    click.echo(
        f"{s.name}: one-way swing of {len(swing)} inputs (P10 / P90, others random, "
        f"{s.simulation.iterations:,} iterations each, seed {s.simulation.seed})\n"
        f"base mean {a} - {b}: {swing.attrs['base_musd']:+,.0f} USD M\n"
    )
    shown = swing[
        ["low_value", "high_value", "diff_at_low_musd", "diff_at_high_musd", "swing_musd"]
    ]
    click.echo(
        shown.to_string(
            formatters={
                "low_value": "{:.4g}".format,
                "high_value": "{:.4g}".format,
                "diff_at_low_musd": "{:+,.0f}".format,
                "diff_at_high_musd": "{:+,.0f}".format,
                "swing_musd": "{:,.0f}".format,
            }
        )
    )
    click.echo(f"\noutputs: {out}/  (sensitivity.csv, regression.csv, tornado_*.png)")
