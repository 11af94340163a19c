"""The ``simulate`` command line: a thin click layer over the library.

``app`` holds the group and what commands share; each command is a module of its own
that registers itself on the group when imported here. Commands import the library
inside their bodies, so that ``simulate --help`` loads click and little else.
"""

from __future__ import annotations

from simulator.cli import (  # noqa: F401  (each registers its command)
    discover,
    frontier,
    gates,
    readiness,
    run,
    sensitivity,
    sweep,
    trace,
    trials,
    voi,
)
from simulator.cli.app import main, show_defaults

show_defaults(main)

__all__ = ["format_report", "main"]


def __getattr__(name: str):
    # the terminal table needs pandas: imported when asked for, so that ``--help`` is fast
    if name == "format_report":
        from simulator.report.terminal import format_report

        return format_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
