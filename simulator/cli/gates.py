"""``simulate gates SCENARIO``: the scenario's gate policy against the no-decision
baseline on the same futures (option value per portfolio with its error; kill rates by
gate, false kills, false goes and R&D saved per asset), printed as tables."""

from __future__ import annotations

import json

import click

from simulator.cli.app import extends_option, fail, format_option, load, main, records
from simulator.core.errors import ScenarioError


@main.command("gates")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("-n", "--iterations", type=click.IntRange(min=2), help="Monte Carlo iterations.")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help="Override a field.")
@format_option
@extends_option
def gates_command(scenario, iterations, seed, sets, fmt, allow_extends_outside):
    """Option value of SCENARIO's gates against running every programme to the end."""
    from simulator.studies.gates import format_gates, gates_study

    try:
        s = load(scenario, sets, allow_extends_outside, iterations=iterations, seed=seed)
    except ScenarioError as exc:
        fail(exc)
    portfolios, assets = gates_study(s)
    if fmt == "csv":  # two tables, a blank line between them
        click.echo(portfolios.to_csv(index=False) + "\n" + assets.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(json.dumps({"portfolios": records(portfolios), "assets": records(assets)},
                              indent=2))  # fmt: skip
    else:
        click.echo(format_gates(portfolios, assets), nl=False)
