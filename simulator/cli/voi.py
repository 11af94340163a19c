"""``simulate voi SCENARIO --study FILE``: what the study in FILE is worth before the
decision it informs (EVSI, gross and net of its cost and delay), beside the EVPI of that
decision and the EVPPI of each of the asset's uncertain inputs, printed as tables (USD
millions per future of the scenario, each with its bootstrap error)."""

from __future__ import annotations

import json

import click

from simulator.cli.app import extends_option, fail, format_option, load, main, records
from simulator.core.errors import ScenarioError


@main.command("voi")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--study", "study_file", required=True, type=click.Path(dir_okay=False),
              help="The study file (YAML): the decision it informs, what it reveals, its "
              "cost and delay.")  # fmt: skip
@click.option("-n", "--iterations", type=click.IntRange(min=2), help="Monte Carlo iterations.")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help="Override a field.")
@format_option
@extends_option
def voi_command(scenario, study_file, iterations, seed, sets, fmt, allow_extends_outside):
    """EVPI, EVPPI of each input and EVSI of a study, for one go/stop decision of SCENARIO."""
    from simulator.studies.voi import format_voi, voi_study
    from simulator.studies.voi_file import load_study

    try:
        s = load(scenario, sets, allow_extends_outside, iterations=iterations, seed=seed)
        study = load_study(study_file)
        study.check_against(s)
        inputs, table = voi_study(s, study)
    except ScenarioError as exc:
        fail(exc)
    if fmt == "csv":  # two tables, a blank line between them
        click.echo(table.to_csv(index=False) + "\n" + inputs.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(json.dumps({"study": records(table), "inputs": records(inputs)}, indent=2))
    else:
        click.echo(format_voi(inputs, table), nl=False)
