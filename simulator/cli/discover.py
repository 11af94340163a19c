"""``simulate discover SCENARIO --pair A,B --lever PATH=LOW:HIGH ...``: where A beats B.

A Latin hypercube over the levers, each point run on the same futures; PRIM finds the
boxes of levers and market shocks where A beats B (coverage and density printed), CART
gives a second view. Writes ``discovery.csv`` (the boxes) and ``peeling.png`` (the first
box's peeling trajectory); in Python, ``result.save(dir, tables={"discovery": boxes})``
puts them in a run's report.
"""

from __future__ import annotations

import click

from simulator.cli.app import (
    BACKENDS,
    echo_written,
    extends_option,
    fail,
    format_option,
    load,
    main,
    progress_wanted,
)
from simulator.cli.options import output_dir, parse_pair, progress_bar, usage_error
from simulator.core.errors import ScenarioError


@main.command("discover")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--pair", metavar="A,B", help="Find where A beats B (default: the first pair).")
@click.option(
    "--lever",
    "levers",
    multiple=True,
    metavar="PATH=LOW:HIGH|V1,V2",
    help="A field to vary over the design (repeatable), e.g. "
    "templates.targeted_oncology.cohort.biomarker_prevalence=0.02:0.10.",
)
@click.option(
    "--experiments",
    type=int,
    default=64,
    show_default=True,
    help="Points of the Latin hypercube over the levers.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="Density a box must reach.",
)
@click.option("--boxes", type=click.IntRange(min=1), default=3, show_default=True)
@click.option(
    "-n",
    "--iterations",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Futures per design point.",
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help="Override a field.")
@click.option("--backend", type=click.Choice(BACKENDS), default="local", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Processes for --backend local.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Output directory.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@format_option
@extends_option
def discover_command(
    scenario,
    pair,
    levers,
    experiments,
    threshold,
    boxes,
    iterations,
    seed,
    sets,
    backend,
    workers,
    out_dir,
    quiet,
    fmt,
    allow_extends_outside,
):
    """Scenario discovery: boxes of levers and shocks where one portfolio beats another."""
    from simulator.report.atomic import write_directory
    from simulator.report.strategy import plot_peeling
    from simulator.studies.discover import DiscoveryError, discover, parse_lever

    try:
        s = load(scenario, sets, allow_extends_outside, iterations=iterations, seed=seed)
    except ScenarioError as exc:
        fail(exc)
    a, b = parse_pair(pair, s)
    try:
        spec = dict(parse_lever(text) for text in levers)
    except DiscoveryError as exc:
        usage_error(str(exc))
    out = output_dir(out_dir, s.name, "discover")
    bar, progress = progress_bar(progress_wanted(quiet), "running the design")
    try:
        with bar:
            table = discover(
                s,
                (a, b),
                spec,
                experiments=experiments,
                threshold=threshold,
                boxes=boxes,
                backend=backend,
                workers=workers,
                progress=progress,
            )
    except DiscoveryError as exc:
        usage_error(str(exc))

    def write(d):
        table.to_csv(d / "discovery.csv", index=False, float_format="%.6g")
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 5), dpi=120)
        plot_peeling(table.attrs["trajectory"], ax=fig.subplots())
        fig.tight_layout()
        fig.savefig(d / "peeling.png")

    out = write_directory(out, write, scenario=s)  # a sibling if another run took out
    if echo_written(fmt, out / "discovery.csv", {"boxes": table}, scenario=s.name):
        return
    at = table.attrs
    click.echo(
        f"{s.name}: where {a} beats {b}: {at['experiments']} design points x "
        f"{at['iterations']:,} futures (seed {at['seed']}); {a} wins in {at['base_rate']:.1%} "
        "of them\n"
    )
    for _, r in table.iterrows():
        click.echo(
            f"box {int(r['box'])}: {r['limits']}\n"
            f"       {a} wins in {r['density']:.0%} of the box's futures; the box holds "
            f"{r['coverage']:.0%} of its wins ({r['mass']:.0%} of all futures)"
        )
    cart = at["cart"]
    if len(cart):
        click.echo("\nCART's densest leaves:")
        for _, r in cart.iterrows():
            click.echo(f"  {r['limits']}: density {r['density']:.0%}, coverage {r['coverage']:.0%}")
    click.echo(f"\noutputs: {out}/  (discovery.csv, peeling.png)")
