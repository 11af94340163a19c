"""``simulate trace SCENARIO``: one iteration, event by event, as a readable timeline."""

from __future__ import annotations

import sys

import click

from simulator.cli.app import extends_option, fail, load, main
from simulator.core.errors import ScenarioError


@main.command("trace")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "-k",
    "--iteration",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Which iteration (0-based; the same future as in a run of this scenario).",
)
@click.option("--portfolio", help="Only this portfolio (default: every portfolio).")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario field (repeatable).",
)
@extends_option
def trace_command(scenario, iteration, portfolio, seed, sets, allow_extends_outside):
    """Tell the story of one iteration of SCENARIO: phases, CDx, launches, plants."""
    from simulator.studies.trace import trace_iteration

    try:
        s = load(scenario, sets, allow_extends_outside, seed=seed)
    except ScenarioError as exc:
        fail(exc)
    if iteration >= s.simulation.iterations:
        click.echo(
            f"error: --iteration {iteration} is past the scenario's last iteration "
            f"({s.simulation.iterations - 1}); raise --set simulation.iterations=N or pick a "
            "smaller one",
            err=True,
        )
        sys.exit(2)
    if portfolio is not None and portfolio not in s.portfolios:
        click.echo(
            f"error: --portfolio {portfolio!r} is not in {scenario}; "
            f"choose one of: {', '.join(s.portfolios)}",
            err=True,
        )
        sys.exit(2)
    click.echo("\n".join(trace_iteration(s, iteration, portfolio).lines()))
