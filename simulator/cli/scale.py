"""What ``simulate run`` needs to run at scale: the Dask options and their errors.

``--scheduler`` implies ``--backend dask`` (unless another backend is named);
``--keep-samples`` implies ``--summaries-only``. A backend that cannot run (dask not
installed, scheduler unreachable, workers on other code) is a one-line error, status 2.
"""

from __future__ import annotations

import sys
from typing import Any

import click


def run_options(
    backend: str, scheduler: str | None, summaries_only: bool, keep_samples: str | None
) -> tuple[str, dict[str, Any]]:
    """The backend to use and the extra keywords of ``simulator.run``."""
    if scheduler is not None:
        source = click.get_current_context().get_parameter_source("backend")
        if backend != "dask" and source is not click.core.ParameterSource.DEFAULT:
            raise click.UsageError(f"--scheduler runs on Dask; drop --backend {backend}")
        backend = "dask"
    options: dict[str, Any] = {"scheduler": scheduler}
    if summaries_only or keep_samples is not None:
        options["summaries_only"] = True
        options["keep_samples"] = keep_samples
    return backend, options


def run_scaled(run, scenario, backend: str, workers: int | None, options: dict, **kw):
    """``run(scenario, ...)``, a backend failure printed as one line (exit status 2)."""
    from simulator.engine.dask_backend import BackendError

    try:
        return run(scenario, backend=backend, workers=workers, **options, **kw)
    except BackendError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
