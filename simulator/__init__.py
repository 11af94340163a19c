"""Nichebuster: a Monte Carlo simulator of pharma portfolio economics.

Compare a portfolio of a few blockbusters with one of many biomarker-defined
"nichebusters" as distributions of NPV, not point estimates::

    import simulator as sim
    s = sim.load_scenario("scenarios/nichebuster.yaml")
    r = sim.run(s.with_(iterations=20_000))
    r.summary()                           # a row per portfolio
    r.compare("nichebuster", "blockbuster")
    r.plot.npv_distribution()
    r.save("runs/my-run")
"""

from __future__ import annotations

from .analysis import Result
from .engine import run_chunks
from .engine.runner import Progress
from .scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict

__all__ = ["Result", "Scenario", "ScenarioError", "load_scenario", "run", "scenario_from_dict"]
__version__ = "0.1.0"


def run(
    scenario: Scenario,
    *,
    backend: str = "sequential",
    workers: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """Simulate ``scenario`` and return its :class:`Result`.

    Parameters
    ----------
    scenario
        A loaded scenario (:func:`load_scenario`); change it with ``scenario.with_(...)``.
    backend
        ``"sequential"`` (in this process; the default in Python) or ``"local"`` (a process
        pool). The backend never changes the numbers.
    workers
        Processes for ``"local"`` (default: the usable cores).
    progress
        Optional callback ``progress(chunks_done, chunks_total)``.
    """
    return Result(run_chunks(scenario, backend=backend, workers=workers, progress=progress))
