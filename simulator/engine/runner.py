"""Running a scenario: cut it into chunks, run them on an executor, merge in chunk order.

At most ``2 x workers`` chunks are in flight at once, so memory stays bounded however
many iterations are asked for; results are merged by chunk index, never by completion
order, so the backend and the worker count cannot change a single number.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.engine.chunk import ChunkResult, chunk_bounds, simulate_chunk
from simulator.engine.executors import default_workers, open_executor
from simulator.scenario import Scenario

Progress = Callable[[int, int], None]


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


def run_chunks(
    scenario: Scenario,
    backend: str = "local",
    workers: int | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
) -> RunOutput:
    """Simulate every iteration of ``scenario`` and merge the chunks in order."""
    t0 = time.perf_counter()
    n_chunks = len(chunk_bounds(scenario.simulation.iterations, scenario.simulation.chunk_size))
    workers = 1 if backend == "sequential" else (workers or default_workers())
    # a pool for one chunk only costs start-up time
    backend_used = "sequential" if backend == "local" and n_chunks == 1 else backend
    with open_executor(backend_used, workers, scheduler) as executor:
        workers = getattr(executor, "n_workers", workers)  # a remote cluster's own size
        ordered: list[ChunkResult] = list(
            in_chunk_order(
                lambda k: executor.submit(simulate_chunk, scenario, k), n_chunks, workers, progress
            )
        )
    columns = _concat([r.columns for r in ordered])
    cash = {
        p: np.concatenate([r.yearly_cash_musd[p] for r in ordered]) for p in scenario.portfolios
    }
    rev = {
        p: np.concatenate([r.yearly_revenue_musd[p] for r in ordered]) for p in scenario.portfolios
    }
    series = _concat([r.yearly_series for r in ordered])
    return RunOutput(
        scenario=scenario,
        columns=columns,
        yearly_cash_musd=cash,
        yearly_revenue_musd=rev,
        backend=backend_used,
        workers=workers if backend_used != "sequential" else 1,
        seconds=time.perf_counter() - t0,
        chunks=n_chunks,
        yearly_series=series,
    )


def in_chunk_order(
    submit: Callable[[int], Future], n_chunks: int, workers: int, progress: Progress | None
) -> Iterator:
    """Run chunks ``0 .. n_chunks - 1`` through ``submit`` and yield their results in chunk
    order, whatever order they finish in. At most ``2 x workers`` chunks are submitted or
    finished-but-not-yet-yielded at once, so memory stays bounded; ``progress(done,
    total)`` is called as each chunk is yielded."""
    pending: dict[Future, int] = {}
    waiting: dict[int, Any] = {}  # finished, but an earlier chunk has not been yielded yet
    next_submit = next_yield = 0
    limit = 2 * workers
    while next_yield < n_chunks:
        while next_submit < n_chunks and len(pending) + len(waiting) < limit:
            pending[submit(next_submit)] = next_submit
            next_submit += 1
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for fut in done:
            waiting[pending.pop(fut)] = fut.result()
        while next_yield in waiting:
            yield waiting.pop(next_yield)
            next_yield += 1
            if progress is not None:
                progress(next_yield, n_chunks)


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Concatenate column dicts (every chunk has the same columns, in the same order)."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
