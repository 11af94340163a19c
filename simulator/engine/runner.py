"""Running chunks: one in-order runner for rows, summaries and scenario variants.

Every run is a list of *jobs* (a scenario and a chunk index; for a sweep, one job per
variant and chunk) mapped over an executor by :meth:`Session.map`. At most
``2 x workers`` jobs are submitted or finished-but-not-yet-used at once, so memory stays
bounded however many iterations are asked for, and results are yielded in job order,
never in completion order, so neither the backend nor the worker count can change a
single number. What is done with each chunk's result is the caller's:

- :func:`run_chunks` keeps every chunk's rows and concatenates them (:class:`RunOutput`);
- :func:`simulator.engine.reduction.run_summaries` folds mergeable summaries;
- :func:`run_variants` runs several scenarios through one executor and concatenates each
  variant's chunks (sweeps, one-way swings).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.engine.chunk import ChunkResult, chunk_bounds, simulate_chunk
from simulator.engine.executors import default_workers, open_executor
from simulator.scenario import Scenario

Progress = Callable[[int, int], None]


@dataclass
class Session:
    """An open executor and how it runs: the backend actually used and its workers."""

    executor: Executor
    backend: str
    workers: int

    def map(
        self, fn: Callable[..., Any], jobs: Sequence[tuple], progress: Progress | None = None
    ) -> Iterator[Any]:
        """``fn(*job)`` for every job, yielded in job order (see the module docstring);
        ``progress(done, total)`` is called as each result is yielded."""
        pending: dict[Future, int] = {}
        waiting: dict[int, Any] = {}  # finished, but an earlier job has not been yielded yet
        next_submit = next_yield = 0
        limit = 2 * self.workers
        total = len(jobs)
        while next_yield < total:
            while next_submit < total and len(pending) + len(waiting) < limit:
                pending[self.executor.submit(fn, *jobs[next_submit])] = next_submit
                next_submit += 1
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                waiting[pending.pop(fut)] = fut.result()
            while next_yield in waiting:
                yield waiting.pop(next_yield)
                next_yield += 1
                if progress is not None:
                    progress(next_yield, total)


@contextmanager
def session(
    backend: str, workers: int | None, scheduler: Any = None, jobs: int = 2
) -> Iterator[Session]:
    """An executor for ``jobs`` jobs; a local pool for a single job only costs start-up
    time, so that runs in this process."""
    workers = 1 if backend == "sequential" else (workers or default_workers())
    used = "sequential" if backend == "local" and jobs <= 1 else backend
    with open_executor(used, workers, scheduler) as executor:
        workers = getattr(executor, "n_workers", workers)  # a remote cluster's own size
        yield Session(executor, used, workers if used != "sequential" else 1)


def n_chunks(scenario: Scenario) -> int:
    """How many chunks a run of ``scenario`` has."""
    return len(chunk_bounds(scenario.simulation.iterations, scenario.simulation.chunk_size))


@dataclass
class RunOutput:
    """Merged outcomes of every chunk, in iteration order."""

    scenario: Scenario
    columns: dict[str, np.ndarray]
    yearly_cash_musd: dict[str, np.ndarray]
    yearly_revenue_musd: dict[str, np.ndarray]
    backend: str
    workers: int
    seconds: float
    chunks: int = field(default=0)
    yearly_series: dict[str, np.ndarray] = field(default_factory=dict)  # see ChunkResult


def merge_rows(
    scenario: Scenario, ordered: list[ChunkResult], s: Session, seconds: float
) -> RunOutput:
    """Concatenate the chunks of one scenario, in chunk order."""
    return RunOutput(
        scenario=scenario,
        columns=_concat([r.columns for r in ordered]),
        yearly_cash_musd=_concat([r.yearly_cash_musd for r in ordered]),
        yearly_revenue_musd=_concat([r.yearly_revenue_musd for r in ordered]),
        backend=s.backend,
        workers=s.workers,
        seconds=seconds,
        chunks=len(ordered),
        yearly_series=_concat([r.yearly_series for r in ordered]),
    )


def run_chunks(
    scenario: Scenario,
    backend: str = "local",
    workers: int | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
) -> RunOutput:
    """Simulate every iteration of ``scenario`` and merge the chunks in order."""
    t0 = time.perf_counter()
    jobs = [(scenario, k) for k in range(n_chunks(scenario))]
    with session(backend, workers, scheduler, len(jobs)) as s:
        ordered = list(s.map(simulate_chunk, jobs, progress))
    return merge_rows(scenario, ordered, s, time.perf_counter() - t0)


def run_variants(
    scenarios: Sequence[Scenario],
    backend: str = "sequential",
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[RunOutput]:
    """Simulate every scenario of ``scenarios`` on one executor; outputs in the same order.

    Variants keep the base's seed and chunk size (``base.with_({...})``), so chunk ``k`` of
    every variant draws the same random numbers (common random numbers): the differences
    between variants are the effect of the change, not noise, and a variant identical to
    the base reproduces its numbers bit for bit. ``seconds`` is the mean per variant.
    """
    t0 = time.perf_counter()
    jobs = [(s, k) for s in scenarios for k in range(n_chunks(s))]
    with session(backend, workers, None, len(jobs)) as s:
        ordered = list(s.map(simulate_chunk, jobs, progress))
    seconds = (time.perf_counter() - t0) / max(len(scenarios), 1)
    outputs, start = [], 0
    for scenario in scenarios:
        stop = start + n_chunks(scenario)
        outputs.append(merge_rows(scenario, ordered[start:stop], s, seconds))
        start = stop
    return outputs


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Concatenate column dicts (every chunk has the same keys, in the same order),
    emptying them as it goes: each chunk's column is let go once it is copied, so that
    merging needs about one copy of the rows in memory, not two."""
    keys = list(parts[0]) if parts else []
    return {k: np.concatenate([p.pop(k) for p in parts]) for k in keys}
