"""The ``simulate`` command line: a thin click layer over the library.

``app`` holds the group and what commands share; each command is a module of its own
that registers itself on the group when imported here.
"""

from __future__ import annotations

from simulator.cli import (  # noqa: F401  (each registers its command)
    discover,
    frontier,
    run,
    sensitivity,
    sweep,
    trace,
    trials,
)
from simulator.cli.app import main
from simulator.report.terminal import format_report

__all__ = ["format_report", "main"]
