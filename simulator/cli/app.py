"""The ``simulate`` group and what its commands share: loading a scenario, failing cleanly.

    simulate scenarios/nichebuster.yaml [--iterations N] [--seed S] [--out DIR]
             [--set path=value ...] [--backend sequential|local|dask] [--workers N]
             [--scheduler tcp://host:8786|scheduler.json] [--summaries-only]
             [--keep-samples DIR]

A bad scenario or option prints what is wrong (file, line, field, what was expected) and
exits with status 2, having written nothing.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from simulator.core.errors import ScenarioError
from simulator.core.provenance import VERSION

#: ``--backend`` choices (``simulator.engine.executors.BACKENDS``, named here so that the
#: command line does not import the engine to print its help; a test holds them equal)
BACKENDS = ("sequential", "local", "dask")


class _DefaultGroup(click.Group):
    """A group whose default command is ``run``: ``simulate FILE`` == ``simulate run FILE``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="simulate")
def main() -> None:
    """Nichebuster: compare blockbuster and nichebuster portfolios as NPV distributions.

    \b
    simulate scenarios/nichebuster.yaml            run a scenario (the 'run' command)
    simulate run --help                            options of a run
    simulate trials scenarios/nichebuster.yaml     operating characteristics of trial designs
    simulate gates scenarios/gates.yaml            option value of stage gates
    """


def fail(exc: ScenarioError) -> None:
    click.echo(f"error: the scenario cannot run:\n{exc}", err=True)
    sys.exit(2)


def load(path: str, sets: tuple[str, ...], **simulation: Any):
    from simulator.scenario import load_scenario, parse_set

    overrides = dict(parse_set(s) for s in sets)
    overrides.update({f"simulation.{k}": v for k, v in simulation.items() if v is not None})
    return load_scenario(path, overrides)


def progress_wanted(quiet: bool) -> bool:
    return (
        not quiet and sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true")
    )
