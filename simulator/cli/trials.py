"""``simulate trials SCENARIO``: the operating characteristics of every mechanistic trial
(power, type I error, early stops, expected patients and months), printed as a table."""

from __future__ import annotations

import json

import click

from simulator.cli.app import extends_option, fail, format_option, load, main, records
from simulator.core.errors import ScenarioError


@main.command("trials")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "-n",
    "--trials",
    "n_trials",
    type=click.IntRange(min=1000),
    default=200_000,
    show_default=True,
    help="Simulated trials per setting.",
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help="Override a field.")
@format_option
@extends_option
def trials_command(scenario, n_trials, seed, sets, fmt, allow_extends_outside):
    """Operating characteristics of SCENARIO's trial designs (mechanistic mode)."""
    from simulator.studies.trials import format_operating_characteristics, operating_characteristics

    try:
        s = load(scenario, sets, allow_extends_outside)
    except ScenarioError as exc:
        fail(exc)
    table = operating_characteristics(s, trials=n_trials, seed=seed)
    if fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(records(table), indent=2))
    else:
        click.echo(format_operating_characteristics(table, n_trials))
