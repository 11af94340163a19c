"""Progress that tells the truth: a run's phases, each with its bar or spinner and its
wall time, on standard error.

A ``simulate`` run has phases of very different kinds: simulating (chunks done of
chunks, with rate and ETA once a chunk has finished), the studies the report shows (the
verdict under each success-rate table, the calibration, the trial characteristics: each
a rerun of the model), and writing the outputs (report, workbook, tables). Each phase
is a line that keeps moving while it runs (a spinner and the elapsed time, drawn by
``rich`` on a timer, so a phase whose work arrives in two large chunks is still seen to
be alive) and that ends with its wall time. :attr:`Phases.seconds` keeps the wall time
of each phase, which the summary line prints: the time a run reports is the time the
user waited, split by phase.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class Phases:
    """``with Phases(enabled) as ph: with ph.phase("simulating", unit="chunks") as tick:``;
    ``tick(done, total)`` moves the bar. With ``enabled=False`` nothing is drawn and the
    wall times are still kept."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.seconds: dict[str, float] = {}
        self._start = time.perf_counter()
        self._progress: Any = None

    def __enter__(self) -> Phases:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                SpinnerColumn(finished_text="✓"),
                TextColumn("{task.description:<34}"),
                BarColumn(bar_width=28),
                MofNCompleteColumn(),
                TextColumn("{task.fields[unit]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                refresh_per_second=8,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
            self._progress = None

    @property
    def wall_seconds(self) -> float:
        """Seconds since the phases began (the run's wall time so far)."""
        return time.perf_counter() - self._start

    @contextmanager
    def phase(self, name: str, unit: str = "") -> Iterator[Callable[[int, int], None] | None]:
        """One phase; yields ``tick(done, total)`` (None when nothing is drawn)."""
        t0 = time.perf_counter()
        task = None
        if self._progress is not None:
            task = self._progress.add_task(name, total=None, unit=unit)

        def tick(done: int, total: int) -> None:
            self._progress.update(task, completed=done, total=total)

        try:
            yield tick if task is not None else None
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0
            if task is not None:
                t = self._progress.tasks[task]
                total = t.total if t.total is not None else 1
                self._progress.update(task, total=total, completed=total)


def timing_line(seconds: dict[str, float], wall: float) -> str:
    """``49.0 s wall = simulating 14.2 s + report studies 8.1 s + writing outputs 26.7 s``
    (what is not in a phase, loading the scenario, is the difference)."""
    parts = " + ".join(f"{name} {s:.1f} s" for name, s in seconds.items())
    return f"{wall:.1f} s wall = {parts}" if parts else f"{wall:.1f} s wall"
