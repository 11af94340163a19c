"""The ``dask`` backend: the same chunks, run on a Dask cluster through the Executor seam.

Three ways to get a cluster:

- nothing given: a ``LocalCluster`` of ``workers`` processes on this machine, one thread
  each, started for the run and shut down after it;
- ``scheduler="tcp://host:8786"``: connect to a running scheduler (``dask scheduler`` and
  ``dask worker tcp://host:8786`` started by hand, by dask-jobqueue on SLURM/PBS, by
  dask-mpi, or on Kubernetes);
- ``scheduler="path/to/scheduler.json"``: the scheduler file those tools write;
- a ``distributed.Client`` (Python only): used as is, left open (tests use an in-process
  ``LocalCluster(processes=False)`` this way).

The client hands back ``Client.get_executor()``, a ``concurrent.futures.Executor``, so the
runner's bounded in-flight loop and its merge in chunk order are the same as for the
process pool. Dask resubmits the tasks of a worker that dies (``allowed-failures``); a
chunk is a pure function of (scenario, chunk index), so a retried chunk returns the same
arrays and the result does not change.

Before any chunk is sent, every worker is asked for its simulator version and a hash of
the simulator's source files (:func:`code_fingerprint`); a worker running other code
would give other numbers, so the run stops with :class:`BackendError` saying which
workers differ. ``distributed`` is imported only when this backend is used (the optional
``dask`` extra).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simulator.core.provenance import code_fingerprint

CONNECT_TIMEOUT_S = 10
INSTALL_HINT = (
    "install the dask extra: pip install 'nichebuster[dask]' (or pip install -e '.[dask]')"
)


class BackendError(RuntimeError):
    """The backend cannot run the simulation (not installed, unreachable, other code)."""


def _worker_fingerprint() -> tuple[str, str]:
    """Run on each worker by ``Client.run``: that worker's :func:`code_fingerprint`."""
    try:
        from simulator.core.provenance import code_fingerprint as fingerprint
    except ImportError:  # pragma: no cover - a worker without the simulator
        return ("not installed", "")
    return fingerprint()


def check_workers(client: Any, mine: tuple[str, str] | None = None) -> int:
    """Raise :class:`BackendError` unless every worker runs this simulator's code.

    ``mine``: the fingerprint to expect (default: this process's
    :func:`code_fingerprint`). Returns the number of workers.
    """
    mine = mine or code_fingerprint()
    try:
        theirs: dict[str, tuple[str, str]] = client.run(_worker_fingerprint)
    except Exception as exc:  # a worker that cannot even unpickle the probe
        raise BackendError(
            f"cannot ask the Dask workers for their simulator version: {exc}"
        ) from exc
    if not theirs:
        raise BackendError("the Dask cluster has no workers; start some with `dask worker ADDRESS`")
    different = {addr: fp for addr, fp in theirs.items() if tuple(fp) != mine}
    if different:
        lines = [
            f"  {addr}: simulator {v} (source {h or '-'})" for addr, (v, h) in different.items()
        ]
        raise BackendError(
            f"{len(different)} of {len(theirs)} Dask workers run other simulator code than "
            f"this client (simulator {mine[0]}, source {mine[1]}):\n"
            + "\n".join(sorted(lines))
            + "\ninstall the same checkout on the workers (or set their PYTHONPATH to it)"
        )
    return len(theirs)


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise BackendError(f"the dask backend needs dask.distributed; {INSTALL_HINT}") from exc
    return distributed


def connect(scheduler: str, distributed: Any) -> Any:
    """A client of the scheduler at an address, or named by a scheduler file."""
    is_file = scheduler.endswith(".json") or Path(scheduler).is_file()
    try:
        if is_file:
            if not Path(scheduler).is_file():
                raise BackendError(f"no Dask scheduler file at {scheduler}")
            return distributed.Client(scheduler_file=scheduler, timeout=CONNECT_TIMEOUT_S)
        return distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except BackendError:
        raise
    except (OSError, TimeoutError, ValueError) as exc:
        raise BackendError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc.__class__.__name__}: "
            f"{exc}); start one with `dask scheduler` or check the address"
        ) from exc


@contextmanager
def open_dask_executor(workers: int | None = None, scheduler: Any = None) -> Iterator[Executor]:
    """An Executor on a Dask cluster (see the module docstring); closed when the block ends.

    Parameters
    ----------
    workers
        Worker processes of the LocalCluster started when ``scheduler`` is None (the
        caller resolves None to the usable cores).
    scheduler
        None, an address ``tcp://host:port``, a scheduler-file path, or a
        ``distributed.Client`` (used as is, not closed).
    """
    distributed = _import_distributed()
    owned: list[Any] = []  # what this block opened, closed in reverse order
    try:
        if scheduler is None:
            cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",  # any free port: 8787 may be taken
            )
            owned.append(cluster)
            client = distributed.Client(cluster)
            owned.append(client)
        elif isinstance(scheduler, str):
            client = connect(scheduler, distributed)
            owned.append(client)
        else:
            client = scheduler
        n_workers = check_workers(client)
        executor = client.get_executor(pure=False)
        executor.n_workers = n_workers  # the runner keeps 2 chunks per worker in flight
        yield executor
    finally:
        for thing in reversed(owned):
            thing.close()
