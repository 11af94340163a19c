"""``simulate sweep SCENARIO --vary path=v1,v2 [--vary ...]``: the comparison over a grid.

Every combination of the varied values is run on the same random numbers as the base
(same seed); the grid is printed, written to ``sweep.csv``, and, for one or two varied
paths, drawn as heatmaps of the mean NPV difference and of P(a > b).
"""

from __future__ import annotations

import json
import math

import click

from simulator.cli.app import fail, format_option, load, main, progress_wanted
from simulator.cli.options import (
    output_dir,
    parse_pair,
    progress_bar,
    relabel,
    usage_error,
    variant_options,
)
from simulator.core.errors import ScenarioError


@main.command("sweep")
@variant_options
@click.option(
    "--vary",
    "varies",
    multiple=True,
    required=True,
    metavar="PATH=V1,V2,...",
    help="A field and the values it takes, e.g. market.discount_rate_annual=0.08,0.1 (repeatable).",
)
@format_option
def sweep_command(
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
    varies,
    fmt,
):
    """Run SCENARIO over a grid of variants (common random numbers) and tabulate the comparison."""
    from simulator.report.atomic import write_directory
    from simulator.studies.sweep import grid, parse_vary, sweep

    try:
        s = load(scenario, sets, allow_extends_outside, iterations=iterations, seed=seed)
    except ScenarioError as exc:
        fail(exc)
    grid_values: dict = {}
    for text in varies:
        try:
            path, values = parse_vary(text)
        except ValueError as exc:
            usage_error(f"--vary: {exc}")
        if path in grid_values:
            usage_error(f"--vary: {path!r} is given twice; list all its values in one --vary")
        grid_values[path] = values
    for point in grid(grid_values):  # validate every variant before anything runs
        try:
            s.with_(point)
        except ScenarioError as exc:
            fail(relabel(exc, "--vary"))
    a, b = parse_pair(pair, s)
    out = output_dir(out_dir, s.name, "sweep")
    bar, progress = progress_bar(progress_wanted(quiet), "sweeping")
    with bar:
        table = sweep(
            s, grid_values, pair=(a, b), backend=backend, workers=workers, progress=progress
        )

    def write(d):
        table.to_csv(d / "sweep.csv", index=False, float_format="%.6g")
        if len(grid_values) <= 2:
            _heatmaps(table, d)

    out = write_directory(out, write, scenario=s)
    if fmt == "csv":  # the file written, as written
        click.echo((out / "sweep.csv").read_text(), nl=False)
        return
    if fmt == "json":
        rows = [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in table.to_dict("records")
        ]
        click.echo(
            json.dumps({"pair": [a, b], "grid": rows, "outputs": str(out)}, indent=2, default=str)
        )
        return
    shown = table[[*grid_values, "diff_mean_musd", "diff_mcse_musd", "prob_a_beats_b"]].rename(
        columns={
            "diff_mean_musd": f"mean {a} - {b} (USD M)",
            "diff_mcse_musd": "± MC error",
            "prob_a_beats_b": f"P({a} > {b})",
        }
    )
    click.echo(
        f"{s.name}: sweep of {len(table)} variants, {s.simulation.iterations:,} iterations each, "
        f"seed {s.simulation.seed} (common random numbers)\n"
    )
    click.echo(
        shown.to_string(
            index=False,
            formatters={
                shown.columns[-3]: "{:+,.0f}".format,
                shown.columns[-2]: "{:,.0f}".format,
                shown.columns[-1]: "{:.1%}".format,
            },
        )
    )
    click.echo(f"\noutputs: {out}/  (sweep.csv{', heatmaps' if len(grid_values) <= 2 else ''})")


def _heatmaps(table, directory) -> None:
    from matplotlib.figure import Figure

    from simulator.studies.sweep import plot_heatmap

    for value, name in (
        ("diff_mean_musd", "sweep_diff_heatmap.png"),
        ("prob_a_beats_b", "sweep_prob_heatmap.png"),
    ):
        fig = Figure(figsize=(8, 5), dpi=120)
        plot_heatmap(table, value=value, ax=fig.subplots())
        fig.tight_layout()
        fig.savefig(directory / name)
