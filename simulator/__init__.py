"""Nichebuster: a Monte Carlo simulator of pharma portfolio economics.

Compare a portfolio of a few blockbusters with one of many biomarker-defined
"nichebusters" as distributions of NPV, not point estimates::

    import simulator as sim
    s = sim.load_scenario(sim.shipped("nichebuster.yaml"))   # from any working directory
    r = sim.run(s.with_(iterations=20_000))
    r.summary()                           # a row per portfolio
    r.compare("nichebuster", "blockbuster")
    r.plot.npv_distribution()
    r.save("runs/my-run")
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.core.provenance import VERSION

if TYPE_CHECKING:  # pragma: no cover
    from simulator.engine.runner import Progress
    from simulator.results import NoSamplesError, Result
    from simulator.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict

__all__ = [
    "NoSamplesError",
    "Result",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "run",
    "scenario_from_dict",
    "shipped",
]
__version__ = VERSION

# The public names are imported when first used (PEP 562), so that ``import simulator``
# and ``simulate --help`` do not pay for pandas, scipy and pydantic before they need them.
_LAZY = {
    # from 10^6 iterations on a run keeps summaries (tests lower it with monkeypatch)
    "STREAMING_THRESHOLD": "simulator.engine.reduction",
    "NoSamplesError": "simulator.results",
    "Result": "simulator.results",
    #: The former name of a summaries-only result: it is a :class:`Result` now (one type).
    "SummaryResult": "simulator.results",
    "Scenario": "simulator.scenario",
    "ScenarioError": "simulator.scenario",
    "load_scenario": "simulator.scenario",
    "scenario_from_dict": "simulator.scenario",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module = (
        _results() if _LAZY[name] == "simulator.results" else importlib.import_module(_LAZY[name])
    )
    value = getattr(module, "Result" if name == "SummaryResult" else name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def shipped(name: str = "nichebuster.yaml") -> Path:
    """The path of a scenario shipped in the checkout's ``scenarios/`` folder, whatever the
    working directory (Jupyter starts a notebook's kernel in ``notebooks/``)::

        s = sim.load_scenario(sim.shipped("nichebuster.yaml"))

    Raises ``FileNotFoundError`` naming the folder and the scenarios it holds."""
    folder = Path(__file__).resolve().parents[1] / "scenarios"
    path = folder / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in folder.glob("*.yaml"))) or "none"
        raise FileNotFoundError(f"no shipped scenario {name!r} in {folder} (shipped: {known})")
    return path


def run(
    scenario: Scenario,
    *,
    backend: str = "local",
    workers: int | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
    summaries_only: bool | None = None,
    keep_samples: str | PathLike | None = None,
) -> Result:
    """Simulate ``scenario`` and return its :class:`Result` (one type at every size).

    Parameters
    ----------
    scenario
        A loaded scenario (:func:`load_scenario`); change it with ``scenario.with_(...)``.
    backend
        ``"local"`` (a process pool over the usable cores, as the ``simulate`` command;
        a run of one chunk stays in this process), ``"sequential"`` (in this process) or
        ``"dask"`` (a Dask cluster; the ``dask`` extra). The backend never changes the
        numbers.
    workers
        Processes for ``"local"`` and for the LocalCluster of ``"dask"`` (default: the
        usable cores).
    progress
        Optional callback ``progress(chunks_done, chunks_total)``.
    scheduler
        ``"dask"`` only: ``"tcp://host:8786"``, a scheduler-file path or a
        ``distributed.Client``; None starts a LocalCluster.
    summaries_only
        Keep mergeable summaries instead of rows (flat memory; ``result.has_samples`` is
        then False and what needs the rows raises :class:`NoSamplesError`); None: only
        from ``STREAMING_THRESHOLD`` (10^6) iterations on.
    keep_samples
        With summaries: a directory the workers write their rows to as Parquet parts.
    """
    from simulator.engine import run_chunks
    from simulator.engine.reduction import run_summaries

    Result = _results().Result
    threshold = globals().get("STREAMING_THRESHOLD") or __getattr__("STREAMING_THRESHOLD")

    if summaries_only is None:
        summaries_only = keep_samples is not None or (scenario.simulation.iterations >= threshold)
    if summaries_only:
        out = run_summaries(
            scenario,
            backend=backend,
            workers=workers,
            progress=progress,
            scheduler=scheduler,
            keep_samples=keep_samples,
        )
        return Result(out)
    if keep_samples is not None:
        raise ValueError("keep_samples needs summaries_only=True (rows are in the result)")
    return Result(
        run_chunks(
            scenario, backend=backend, workers=workers, progress=progress, scheduler=scheduler
        )
    )


def _write(result: Result, directory: PathLike | str, **kw: Any):
    """``Result.save``'s writer (in simulator.report, imported when a result is saved)."""
    from simulator.report.export import save_result

    return save_result(result, directory, **kw)


def _results():
    """The results layer, with ``Result.save``'s writer installed (see :func:`_write`)."""
    import simulator.results as results

    results.Result.writer = _write
    if not results.Plots.MORE:
        results.Plots.MORE.update(_report_charts())
    return results


def _report_charts() -> dict[str, Any]:
    """The report's charts for ``result.plot`` (matplotlib is imported only when one is
    drawn: these wrappers import the chart module on their first call)."""

    def lazy(module: str, name: str):
        def draw(result, *args, **kw):
            import importlib

            return getattr(importlib.import_module(module), name)(result, *args, **kw)

        draw.__name__ = name
        return draw

    charts = ("paired_difference", "cashflow_fan", "asset_contributions", "expected_launches",
              "launch_count", "risk_panels", "convergence", "plant_panels")  # fmt: skip
    out = {n: lazy("simulator.report.charts", n) for n in charts}
    out["strip"] = lazy("simulator.report.executive", "strip")
    return out
