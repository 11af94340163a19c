"""The ``simulate`` group and what its commands share: loading a scenario, failing cleanly.

    simulate scenarios/nichebuster.yaml [--iterations N] [--seed S] [--out DIR]
             [--set path=value ...] [--backend sequential|local|dask] [--workers N]
             [--scheduler tcp://host:8786|scheduler.json] [--summaries-only]
             [--keep-samples DIR]

A bad scenario or option prints what is wrong (file, line, field, what was expected) and
exits with status 2, having written nothing. ``extends`` reads only files in the
scenario's own folder or below it unless ``--allow-extends-outside`` is given.

SIGTERM is handled like Ctrl-C (SIGINT): it raises ``KeyboardInterrupt`` in the command,
so the process pool is shut down with its workers ended
(:func:`simulator.engine.executors.open_executor`) and the staging folder removed
(:mod:`simulator.report.atomic`); the command exits with status 130 after SIGINT and
143 after SIGTERM (128 + the signal number), having written nothing. A second signal
during that cleanup is ignored, so the cleanup finishes. A process forked from the
command (a pool worker drawing the report's figures) inherits the handler but not the
command: there a signal does what it does by default, ending the process quietly, so a
pool that ends its workers with SIGTERM prints no traceback of theirs.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from simulator.core.errors import ScenarioError

#: ``--backend`` choices (``simulator.engine.executors.BACKENDS``, named here so that the
#: command line does not import the engine to print its help; a test holds them equal)
BACKENDS = ("sequential", "local", "dask")


class _DefaultGroup(click.Group):
    """A group whose default command is ``run``: ``simulate FILE`` == ``simulate run FILE``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            _no_such_command(ctx, args[0], sorted(self.commands))
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _no_such_command(ctx: click.Context, word: str, commands: list[str]) -> None:
    """Fail (status 2) on a word that is no file but close to a command: ``trails``.

    A word that names an existing path, looks like one (a ``/`` or a ``.``) or starts with
    ``-`` is left to ``run``, which reads it as the scenario file or an option.
    """
    import difflib

    if word.startswith("-") or "/" in word or "." in word or os.path.exists(word):
        return
    close = difflib.get_close_matches(word, commands, n=1)
    if close:
        ctx.fail(f"No such command '{word}'. Did you mean '{close[0]}'?")


class _Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM, raised in the main thread where the command runs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_OWNER: list[int] = []  # the pid of the process whose command handles the signals


def _on_signal(signum: int, frame: Any) -> None:
    if _OWNER and os.getpid() != _OWNER[-1]:  # a forked child: the default, quietly
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    for sig in (signal.SIGINT, signal.SIGTERM):  # the cleanup that follows must finish
        signal.signal(sig, signal.SIG_IGN)
    raise _Interrupted(signum)


class _Group(_DefaultGroup):
    """The default group, turning SIGINT and SIGTERM into a clean exit (see the docstring)."""

    def invoke(self, ctx: click.Context) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return super().invoke(ctx)  # signals reach the main thread only
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        _OWNER.append(os.getpid())
        for sig in previous:
            signal.signal(sig, _on_signal)
        try:
            return super().invoke(ctx)
        except _Interrupted as exc:
            click.echo(f"\ninterrupted ({exc}): nothing was written", err=True)
            sys.exit(128 + exc.signum)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            _OWNER.pop()


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--version``: the package version and the fingerprint of the code that runs."""
    if not value or ctx.resilient_parsing:
        return
    from simulator.core.provenance import code_fingerprint

    version, fingerprint = code_fingerprint()
    click.echo(f"simulate {version} (code fingerprint {fingerprint})")
    ctx.exit()


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "show_default": True}
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print the version and the code fingerprint, and exit.",
)
def main() -> None:
    """Nichebuster: compare blockbuster and nichebuster portfolios as NPV distributions.

    \b
    simulate scenarios/nichebuster.yaml            run a scenario (the 'run' command)
    simulate run --help                            options of a run
    simulate trials scenarios/nichebuster.yaml     operating characteristics of trial designs
    simulate gates scenarios/gates.yaml            option value of stage gates
    simulate voi SCENARIO --study FILE             value of information of a study
    """


#: what an option without a value of its own defaults to, by parameter name
UNSET_DEFAULTS = {
    "iterations": "scenario's simulation.iterations",
    "seed": "scenario's simulation.seed",
    "chunk_size": "scenario's simulation.chunk_size",
    "fidelity": "scenario's simulation.fidelity",
    "workers": "every usable core",
    "scheduler": "none",
    "keep_samples": "none",
    "annual_budget": "none",
}


def show_defaults(group: click.Group) -> None:
    """Give every option of every command of ``group`` a default its ``--help`` shows.

    The group's ``show_default`` context setting shows a value (``local``, ``table``);
    an option without one gets words: a help text's ``(default: ...)`` moves into the
    bracket, the output folder is named by command, the rest come from
    :data:`UNSET_DEFAULTS`. Flags (off unless given), repeatable and required options
    show none.
    """
    import re

    for name, command in group.commands.items():
        for p in command.params:
            if not isinstance(p, click.Option) or p.is_flag or p.multiple or p.required:
                continue
            if p.default is not None and repr(p.default) != "Sentinel.UNSET":
                continue  # a value: shown by the context setting
            found = re.search(r"\s*\(default: ([^)]*)\)", p.help or "")
            if found:
                p.help = (p.help[: found.start()] + p.help[found.end() :]).rstrip()
                p.show_default = found.group(1)
            elif p.name == "out_dir":
                kind = "" if name == "run" else f"-{name}"
                p.show_default = f"runs/<scenario>{kind}-<date>-<time>"
            elif p.name in UNSET_DEFAULTS:
                p.show_default = UNSET_DEFAULTS[p.name]


def fail(exc: ScenarioError) -> None:
    click.echo(f"error: the scenario cannot run:\n{exc}", err=True)
    sys.exit(2)


def load(path: str, sets: tuple[str, ...], allow_extends_outside: bool = False, **simulation: Any):
    from simulator.scenario import load_scenario, parse_set

    overrides = dict(parse_set(s) for s in sets)
    overrides.update({f"simulation.{k}": v for k, v in simulation.items() if v is not None})
    return load_scenario(path, overrides, allow_extends_outside=allow_extends_outside)


#: ``--format``, one meaning in every command that has it: what standard output holds,
#: a table for people (``table``) or the same figures for a program (``csv``, ``json``).
#: The files a command writes are the same whichever is chosen.
FORMATS = ("table", "csv", "json")

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    help="What standard output holds: a table for people, or CSV or JSON for a program "
    "(the files written are the same).",
)


def records(table) -> list[dict]:
    """A DataFrame's rows for JSON: a missing number (NaN) becomes ``null``."""
    import json

    return json.loads(table.to_json(orient="records"))


def echo_written(fmt: str, written: Path, tables: dict, **fields) -> bool:
    """``--format csv`` or ``json`` of a command that writes a table: print the file
    ``written`` as written (csv), or ``{**fields, <name>: rows, ..., "outputs": folder}``
    (json, a row a dict, NaN as ``null``); True if it printed, False for ``table`` (the
    command then prints its own table for people)."""
    import json

    if fmt == "csv":
        click.echo(written.read_text(encoding="utf-8"), nl=False)
        return True
    if fmt == "json":
        rows = {name: records(t) for name, t in tables.items()}
        out = {**fields, **rows, "outputs": str(written.parent)}
        click.echo(json.dumps(out, indent=2, default=str))
        return True
    return False


extends_option = click.option(
    "--allow-extends-outside",
    is_flag=True,
    help="Let extends read files outside the scenario's folder (by default only files in "
    "its folder or below it).",
)


def notes(scenario) -> None:
    """Print, before a run, why an asset of a valid scenario can never launch or sell."""
    from simulator.scenario.validation import idle_assets

    for note in idle_assets(scenario):
        click.echo(f"note: {note}", err=True)


def progress_wanted(quiet: bool) -> bool:
    return (
        not quiet and sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true")
    )
