"""Where chunks run: one ``concurrent.futures.Executor`` seam, several backends.

- ``sequential``: in this process, one chunk after the other (tests, notebooks, debugging);
- ``local``: a process pool on this machine (the default for the command line);
- ``dask``: a Dask cluster, local or remote (:mod:`.dask_backend`, an optional extra).

Each backend is a context manager that yields an ``Executor``. Results never depend on
the backend: chunks are seeded by their index and merged in index order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

BACKENDS = ("sequential", "local", "dask")


class SequentialExecutor(Executor):
    """Runs each task at once, in the calling process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """Usable cores (respects CPU affinity, e.g. in containers and batch jobs)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def open_executor(
    backend: str = "local", workers: int | None = None, scheduler: Any = None
) -> Iterator[Executor]:
    """An executor for ``backend``; shut down when the block ends.

    ``scheduler`` (``dask`` only): an address, a scheduler file or a ``distributed.Client``.
    """
    if backend == "sequential":
        yield SequentialExecutor()
    elif backend == "local":
        with ProcessPoolExecutor(max_workers=workers or default_workers()) as pool:
            yield pool
    elif backend == "dask":
        from simulator.engine.dask_backend import open_dask_executor

        with open_dask_executor(workers or default_workers(), scheduler) as executor:
            yield executor
    else:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
