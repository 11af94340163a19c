"""Where chunks run: one ``concurrent.futures.Executor`` seam, several backends.

- ``sequential``: in this process, one chunk after the other (tests, notebooks, debugging);
- ``local``: a process pool on this machine (the default for the command line);
- ``dask``: a Dask cluster, local or remote (:mod:`.dask_backend`, an optional extra).

Each backend is a context manager that yields an ``Executor``. Results never depend on
the backend: chunks are seeded by their index and merged in index order.

**Interrupts.** A process pool left to itself outlives an interrupted parent: its
workers (hundreds of MB each) wait on a queue nobody feeds. So the ``local`` pool

- ends its workers when the block is left by an exception, ``KeyboardInterrupt`` (Ctrl-C,
  and SIGTERM in the command line) included: pending chunks are cancelled, each worker
  is sent SIGTERM, then SIGKILL if it is still there after ``GRACE_SECONDS``;
- starts each worker ignoring SIGINT (the parent decides what an interrupt means, and a
  worker does not print its own traceback when Ctrl-C reaches the whole process group);
- gives each worker a watchdog thread that ends it within a second once its parent is
  gone (killed with SIGKILL, say), since then nothing would ever end it.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

BACKENDS = ("sequential", "local", "dask")
GRACE_SECONDS = 2.0


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
        with process_pool(workers or default_workers()) as pool:
            yield pool
    elif backend == "dask":
        from simulator.engine.dask_backend import open_dask_executor

        with open_dask_executor(workers or default_workers(), scheduler) as executor:
            yield executor
    else:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def _watch_parent(parent: int) -> None:
    """Worker initializer: ignore SIGINT, and exit once the parent process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


@contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers end with the block, however it ends (see the module
    docstring)."""
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_watch_parent, initargs=(os.getpid(),)
    )
    try:
        yield pool
    except BaseException:
        _end_workers(pool)
        raise
    pool.shutdown(wait=True)


def _end_workers(pool: ProcessPoolExecutor) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())  # pid -> Process
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(1.0)
    # The pool's manager thread closes its wake-up pipe as it ends. Python 3.11's exit hook
    # writes to that pipe without the pool's lock, so an exit that races the closing
    # prints an OSError traceback (Bad file descriptor); waiting here for the thread to
    # end leaves the hook nothing to write to.
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None and manager.is_alive():
        manager.join(GRACE_SECONDS)
