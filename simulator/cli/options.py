"""Options and helpers shared by the commands that run many variants (sensitivity, sweep)."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path

import click

from simulator.cli.app import BACKENDS
from simulator.core.errors import Problem, ScenarioError


def variant_options(f):
    """The options of every variant command: ``-n``, ``--seed``, ``--set``, ``--pair``,
    ``--backend``, ``--workers``, ``--out``, ``-q``."""
    for option in reversed(
        [
            click.argument("scenario", type=click.Path(dir_okay=False)),
            click.option(
                "-n", "--iterations", type=click.IntRange(min=1), help="Iterations per variant."
            ),
            click.option(
                "--seed", type=click.IntRange(min=0), help="Root seed, shared by every variant."
            ),
            click.option(
                "--set",
                "sets",
                multiple=True,
                metavar="PATH=VALUE",
                help="Override a field of the base scenario (repeatable).",
            ),
            click.option(
                "--pair",
                metavar="A,B",
                help="Portfolios to compare as A - B (default: the scenario's first pair).",
            ),
            click.option(
                "--backend", type=click.Choice(BACKENDS), default="local", show_default=True
            ),
            click.option(
                "--workers", type=click.IntRange(min=1), help="Processes for --backend local."
            ),
            click.option(
                "--out", "out_dir", type=click.Path(file_okay=False), help="Output directory."
            ),
            click.option("-q", "--quiet", is_flag=True, help="No progress bar."),
        ]
    ):
        f = option(f)
    return f


def parse_pair(text: str | None, scenario) -> tuple[str, str]:
    """``"a,b"`` -> ``("a", "b")`` (checked against the scenario's portfolios); exits 2."""
    if text is None:
        return scenario.pairs()[0]
    parts = [p.strip() for p in text.split(",")]
    known = ", ".join(scenario.portfolios)
    if len(parts) != 2 or not all(parts):
        usage_error(f"--pair: expected two portfolios A,B, got {text!r}; known: {known}")
    for p in parts:
        if p not in scenario.portfolios:
            usage_error(f"--pair: unknown portfolio {p!r}; known: {known}")
    return parts[0], parts[1]


def relabel(exc: ScenarioError, option: str) -> ScenarioError:
    """The same problems, named after ``option`` instead of ``--set`` (or of
    ``Scenario.with_``, which the commands call)."""
    return ScenarioError(
        [
            Problem(
                p.file.replace("--set", option, 1).replace("Scenario.with_", option, 1),
                p.line,
                p.path,
                p.message,
            )
            for p in exc.problems
        ]
    )


def usage_error(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def output_dir(out_dir: str | None, name: str, kind: str) -> Path:
    """The output directory (default ``runs/<scenario>-<kind>-<timestamp>``), checked
    to be writable before anything runs."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(out_dir) if out_dir else Path("runs") / f"{name}-{kind}-{stamp}"
    from simulator.report.export import make_staging

    try:
        shutil.rmtree(make_staging(out))
    except OSError as exc:
        usage_error(f"cannot write the outputs to {out}: {exc.strerror or exc}")
    return out


def progress_bar(enabled: bool, label: str):
    """A ``(context manager, callback)`` pair: a click progress bar, or nothing."""
    if not enabled:
        from contextlib import nullcontext

        return nullcontext(), None
    bar = click.progressbar(length=1, label=label, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.length = total
        bar.update(done - bar.pos)

    return bar, progress
