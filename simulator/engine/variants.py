"""Running several scenario variants through one executor: sweeps and one-way swings.

A sweep or a sensitivity study runs the same scenario many times with one field changed.
Every variant keeps the base's seed and chunk size, so chunk ``k`` of every variant draws
the same random numbers (common random numbers): the differences between variants are the
effect of the change, not noise. All chunks of all variants are submitted to a single
executor (the same seam as :func:`~simulator.engine.runner.run_chunks`), at most
``2 x workers`` at a time, and each variant's chunks are merged in chunk order, so a
variant identical to the base reproduces the base's numbers bit for bit, whatever the
backend or worker count.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait

import numpy as np

from simulator.engine.chunk import ChunkResult, chunk_bounds, simulate_chunk
from simulator.engine.executors import default_workers, open_executor
from simulator.engine.runner import Progress, RunOutput, _concat
from simulator.scenario import Scenario


def run_variants(
    scenarios: Sequence[Scenario],
    backend: str = "sequential",
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[RunOutput]:
    """Simulate every scenario of ``scenarios`` on one executor; outputs in the same order.

    Parameters
    ----------
    scenarios
        The variants (usually ``base.with_({...})`` for each point of a grid).
    backend, workers
        As for :func:`~simulator.engine.runner.run_chunks`; they never change the numbers.
    progress
        Optional callback ``progress(chunks_done, chunks_total)`` over all variants.
    """
    t0 = time.perf_counter()
    jobs = [
        (v, k)
        for v, s in enumerate(scenarios)
        for k in range(len(chunk_bounds(s.simulation.iterations, s.simulation.chunk_size)))
    ]
    workers = 1 if backend == "sequential" else (workers or default_workers())
    backend_used = "sequential" if len(jobs) <= 1 else backend
    results: dict[tuple[int, int], ChunkResult] = {}
    with open_executor(backend_used, workers) as executor:
        pending: dict[Future, tuple[int, int]] = {}
        nxt = 0
        while nxt < len(jobs) or pending:
            while nxt < len(jobs) and len(pending) < 2 * workers:
                v, k = jobs[nxt]
                pending[executor.submit(simulate_chunk, scenarios[v], k)] = (v, k)
                nxt += 1
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                results[pending.pop(fut)] = fut.result()
                if progress is not None:
                    progress(len(results), len(jobs))
    seconds = (time.perf_counter() - t0) / max(len(scenarios), 1)
    outputs = []
    for v, s in enumerate(scenarios):
        ordered = [results[(vv, k)] for vv, k in jobs if vv == v]
        outputs.append(
            RunOutput(
                scenario=s,
                columns=_concat([r.columns for r in ordered]),
                yearly_cash_musd={
                    p: np.concatenate([r.yearly_cash_musd[p] for r in ordered])
                    for p in s.portfolios
                },
                yearly_revenue_musd={
                    p: np.concatenate([r.yearly_revenue_musd[p] for r in ordered])
                    for p in s.portfolios
                },
                backend=backend_used,
                workers=workers if backend_used != "sequential" else 1,
                seconds=seconds,
                chunks=len(ordered),
                yearly_series=_concat([r.yearly_series for r in ordered]),
            )
        )
    return outputs
