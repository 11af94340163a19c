"""Streaming reduction: workers send summaries, not rows, so memory stays flat in ``n``.

For millions of iterations the per-iteration table no longer fits (10^6 iterations x a few
hundred columns is gigabytes). Instead, :func:`summarize_chunk` runs a chunk on the worker
and reduces it there to a :class:`ChunkSummary`:

- every per-iteration column the chunk returns, whatever its name (portfolio and asset
  outcomes, sampled inputs, columns added later), becomes a
  :class:`~.summaries.ColumnSummary`; nothing here lists columns by hand;
- the paired difference ``a - b`` of NPV, for each pair the scenario compares, is computed
  per iteration on the worker and summarized as the column ``diff:<a>-<b>`` (its quantiles
  are not a function of the two margins, so it cannot be formed afterwards);
- every yearly array (cash and revenue per portfolio, the CGT plant series) becomes a
  summary per year, so the ``(n, years)`` arrays never leave the worker;
- with ``keep_samples``, the worker writes its rows to ``<dir>/part-<chunk>.parquet``
  itself (written to a temporary name, then renamed), so no rows travel to the client.

:func:`run_summaries` keeps at most ``2 x workers`` chunks in flight and folds each
summary into the running total *in chunk order* (a finished chunk waits in a buffer, at
most the in-flight window, until its predecessors are merged). Counts merge exactly in
any order; floating-point sums and moments are then bit-identical for every backend and
worker count, too. The client holds one merged summary, whose size depends on the spread
of the values, not on the number of iterations.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.engine.chunk import simulate_chunk
from simulator.engine.runner import Progress, n_chunks, session
from simulator.engine.summaries import ColumnSummary, merge_matrix, summarize_matrix
from simulator.scenario import Scenario

# sim.run switches to summaries at this many iterations (the rows would not fit in memory)
STREAMING_THRESHOLD = 1_000_000
SKIPPED_COLUMNS = ("iteration",)  # an index, not an outcome


@dataclass
class ChunkSummary:
    """Mergeable summaries of one or more consecutive chunks."""

    columns: dict[str, ColumnSummary]
    # "<kind>:<name>" -> a summary per year; kind is cash, revenue or series
    yearly: dict[str, list[ColumnSummary]] = field(default_factory=dict)

    def merge(self, other: ChunkSummary) -> ChunkSummary:
        """Summaries of both (the union of their iterations)."""
        if set(self.columns) != set(other.columns) or set(self.yearly) != set(other.yearly):
            raise ValueError("cannot merge summaries of chunks with different outputs")
        return ChunkSummary(
            {k: v.merge(other.columns[k]) for k, v in self.columns.items()},
            {k: merge_matrix(v, other.yearly[k]) for k, v in self.yearly.items()},
        )


def summarize_chunk(
    scenario: Scenario, chunk_index: int, keep_samples: str | None = None
) -> ChunkSummary:
    """Run one chunk and reduce it to summaries (on the worker)."""
    res = simulate_chunk(scenario, chunk_index)
    if keep_samples is not None:
        write_part(res.columns, Path(keep_samples), chunk_index)
    cols = {k: ColumnSummary.of(v) for k, v in res.columns.items() if k not in SKIPPED_COLUMNS}
    for a, b in scenario.pairs():
        d = res.columns[f"{a}.npv_musd"] - res.columns[f"{b}.npv_musd"]
        cols[diff_column(a, b)] = ColumnSummary.of(d)
    yearly: dict[str, list[ColumnSummary]] = {}
    for kind, arrays in (
        ("cash", res.yearly_cash_musd),
        ("revenue", res.yearly_revenue_musd),
        ("series", res.yearly_series),
    ):
        for name, arr in arrays.items():
            yearly[f"{kind}:{name}"] = summarize_matrix(arr)
    return ChunkSummary(cols, yearly)


def summarize_paired(
    a: Scenario, b: Scenario, chunk_index: int, columns: tuple[str, ...]
) -> ChunkSummary:
    """Run chunk ``chunk_index`` of two variants of one scenario (same seed and chunk size:
    the same futures) and summarize ``columns`` of each, ``a:<column>`` and ``b:<column>``,
    and their per-iteration difference, ``diff:<column>``: a paired comparison of two
    variants in flat memory (on the worker; no rows travel)."""
    ra, rb = simulate_chunk(a, chunk_index), simulate_chunk(b, chunk_index)
    out: dict[str, ColumnSummary] = {}
    for c in columns:
        out[f"a:{c}"] = ColumnSummary.of(ra.columns[c])
        out[f"b:{c}"] = ColumnSummary.of(rb.columns[c])
        out[f"diff:{c}"] = ColumnSummary.of(ra.columns[c] - rb.columns[c])
    return ChunkSummary(out)


def run_paired_summaries(
    a: Scenario,
    b: Scenario,
    columns: tuple[str, ...],
    backend: str = "local",
    workers: int | None = None,
    progress: Progress | None = None,
) -> ChunkSummary:
    """:func:`summarize_paired` over every chunk, merged in chunk order."""
    if n_chunks(a) != n_chunks(b) or a.simulation.seed != b.simulation.seed:
        raise ValueError("paired variants need the same seed, iterations and chunk size")
    jobs = [(a, b, k, tuple(columns)) for k in range(n_chunks(a))]
    merged: ChunkSummary | None = None
    with session(backend, workers, None, len(jobs)) as s:
        for part in s.map(summarize_paired, jobs, progress):
            merged = part if merged is None else merged.merge(part)
    assert merged is not None  # at least one chunk
    return merged


def diff_column(a: str, b: str) -> str:
    """Name of the summarized paired NPV difference ``a - b``."""
    return f"diff:{a}-{b}"


def write_part(columns: dict[str, Any], directory: Path, chunk_index: int) -> Path:
    """Write a chunk's rows as ``part-<chunk>.parquet`` (temporary name, then renamed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"part-{chunk_index:06d}.parquet"
    tmp = directory / f".{final.name}.{os.getpid()}.partial"
    pq.write_table(pa.table(columns), tmp)
    os.replace(tmp, final)
    return final


@dataclass
class SummaryOutput:
    """The merged summaries of a run (the streaming counterpart of ``RunOutput``)."""

    scenario: Scenario
    summary: ChunkSummary
    backend: str
    workers: int
    seconds: float
    chunks: int
    keep_samples: str | None = None


def run_summaries(
    scenario: Scenario,
    backend: str = "local",
    workers: int | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
    keep_samples: str | os.PathLike | None = None,
) -> SummaryOutput:
    """Simulate every iteration of ``scenario``, keeping only merged summaries."""
    t0 = time.perf_counter()
    samples = None if keep_samples is None else str(Path(keep_samples).resolve())
    jobs = [(scenario, k, samples) for k in range(n_chunks(scenario))]
    merged: ChunkSummary | None = None
    with session(backend, workers, scheduler, len(jobs)) as s:
        for part in s.map(summarize_chunk, jobs, progress):
            merged = part if merged is None else merged.merge(part)
    assert merged is not None  # at least one chunk
    return SummaryOutput(
        scenario=scenario,
        summary=merged,
        backend=s.backend,
        workers=s.workers,
        seconds=time.perf_counter() - t0,
        chunks=len(jobs),
        keep_samples=samples,
    )
