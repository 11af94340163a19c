"""One possible future, told as a story: the timeline of a single Monte Carlo iteration.

A run of 20,000 iterations is a distribution; a strategist also wants to read *one* of
those futures: which programme failed in phase II, when the companion diagnostic was
approved, how long the CAR-T waiting list grew before the second suite came online.
:func:`trace_iteration` replays iteration ``k`` exactly as the run computed it (the chunk
that holds it is simulated again with the same seed, so every date and NPV is the run's)
and turns each asset's path into dated events:

- each development stage that starts, and how it ends (success, or failure: the
  programme stops there); stage lengths include recruitment from the asset's cohort;
- the companion diagnostic's approval (and the launch delay it caused), the drug's
  approval and launch, the withdrawal after a failed confirmatory trial, the loss of
  exclusivity;
- for a cell or gene therapy, the plant *event by event*: the iteration's expected
  referrals (its demand after launch) go through the SimPy model
  (:mod:`.des.cell_therapy`) with the generator the event fidelity uses for this
  iteration, so suites ordered and brought online appear on their dates, and each plant
  year is summarised (referred, treated, lost while waiting, backlog at year end,
  utilization, suites). When the run used the fast path, the story says so and gives
  the fast path's totals next to the replay's.

Everything here reads the engine's arrays; nothing is re-derived by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.engine.asset_path import AssetPath
from simulator.engine.chunk import chunk_bounds, simulate_chunk
from simulator.pillars.manufacturing.des import run_cell_therapy, trace_events
from simulator.pillars.manufacturing.queue import CapacityOutcome
from simulator.pillars.manufacturing.step import event_generator, process_for
from simulator.scenario import Scenario


@dataclass(frozen=True)
class TraceEvent:
    """Something that happened to one asset (or its plant) in a given month."""

    month: float
    asset: str
    text: str


@dataclass
class PortfolioTrace:
    """The story of one portfolio in the traced iteration."""

    name: str
    npv_musd: float
    asset_npv_musd: dict[str, float]
    events: list[TraceEvent] = field(default_factory=list)


@dataclass
class Trace:
    """A traced iteration: its market draws and a story per portfolio."""

    scenario: str
    iteration: int
    seed: int
    market: dict[str, float]
    portfolios: list[PortfolioTrace]

    def lines(self) -> list[str]:
        """The story as plain text lines (what ``simulate trace`` prints)."""
        out = [f"{self.scenario}: iteration {self.iteration:,} (seed {self.seed})"]
        if self.market:
            draws = ", ".join(
                f"{k.replace('_multiplier', '')} x{v:.2f}" for k, v in self.market.items()
            )
            out.append(f"market draws shared by every portfolio: {draws}")
        for p in self.portfolios:
            out += ["", f"== {p.name}: NPV {p.npv_musd:,.0f} USD M =="]
            for e in sorted(p.events, key=lambda e: e.month):
                out.append(f"  {_when(e.month):>17}  {e.asset:<14} {e.text}")
            out.append(
                "  NPV by asset (USD M): "
                + ", ".join(f"{a} {v:,.0f}" for a, v in p.asset_npv_musd.items())
            )
        return out


def _when(month: float) -> str:
    m = math.floor(month)
    return f"month {m:>3} (year {m // MONTHS_PER_YEAR + 1:>2})"


def trace_iteration(scenario: Scenario, iteration: int, portfolio: str | None = None) -> Trace:
    """Replay iteration ``iteration`` of ``scenario`` and tell its story.

    Parameters
    ----------
    scenario
        A loaded scenario; its seed and chunk size decide which future iteration ``k`` is.
    iteration
        Global iteration index, ``0 <= iteration < simulation.iterations``.
    portfolio
        Only this portfolio (default: all).
    """
    sim = scenario.simulation
    if not 0 <= iteration < sim.iterations:
        raise ValueError(f"iteration must be between 0 and {sim.iterations - 1}, got {iteration}")
    names = list(scenario.portfolios)
    if portfolio is not None and portfolio not in scenario.portfolios:
        raise KeyError(f"unknown portfolio {portfolio!r}; known: {', '.join(names)}")
    chunk_index = iteration // sim.chunk_size
    start, _ = chunk_bounds(sim.iterations, sim.chunk_size)[chunk_index]
    row = iteration - start
    chunk = simulate_chunk(scenario, chunk_index, keep_paths=True)
    market = {
        k.removeprefix("market."): float(v[row])
        for k, v in chunk.columns.items()
        if k.startswith("market.")
    }
    stories = []
    for pname in [portfolio] if portfolio else names:
        paths = chunk.paths[pname]
        story = PortfolioTrace(
            pname,
            float(chunk.columns[f"{pname}.npv_musd"][row]),
            {
                p.asset.name: float(chunk.columns[f"{pname}.{p.asset.name}.npv_musd"][row])
                for p in paths
            },
        )
        for path in paths:
            story.events += _asset_events(scenario, path, row, iteration, chunk.columns, pname)
        stories.append(story)
    return Trace(scenario.name, iteration, sim.seed, market, stories)


def _stages(path: AssetPath) -> list:
    """The stages development ran before launch, in order (as the engine ran them)."""
    stages = path.asset.stages()
    if path.asset.regulatory.accelerated_approval:  # phase III confirms after launch
        stages = [(name, st) for name, st in stages if name != "phase3"]
    return stages


def _mechanistic_trial(path: AssetPath, stage: str, row: int) -> str | None:
    """What a simulated trial did (mechanistic mode), or None for a benchmark stage."""
    look = path.outputs.get(f"{stage}_stopped_look")
    if look is None or math.isnan(look[row]):
        return None
    stages = path.asset.stages()
    design = dict(stages)[stage].design
    if design is None:  # stage 1 of a later stage's trial (seamless)
        later = next(st.design for _, st in stages if st.design and st.design.continues == stage)
        kind = f"{later.type}, stage 1"
    else:
        kind = design.type
    text = (
        f"{stage} trial ({kind}; true effect in positives {path.draws.effect.positive[row]:.2f})"
        f": {path.outputs[f'{stage}_patients'][row]:.0f} patients"
    )
    if design is not None:
        text += design.stop_text(look[row])
    label = path.outputs.get("label_positive_only")
    if stage == "phase3" and label is not None and not math.isnan(label[row]):
        text += "; label: biomarker-positive only" if label[row] else "; label: all-comers"
    return text


def _asset_events(scenario, path: AssetPath, row: int, iteration: int, columns, pname: str):
    a, dev = path.asset.name, path.dev
    horizon = scenario.market.horizon_years * MONTHS_PER_YEAR
    events: list[TraceEvent] = []

    def add(month: float, text: str) -> None:
        if month < horizon:
            events.append(TraceEvent(float(month), a, text))

    names = [name for name, _ in _stages(path)]
    bounds = dev.boundaries[row]
    for k, stage in enumerate(names):
        if not dev.reached[row, k]:
            break
        length = bounds[k + 1] - bounds[k]
        add(bounds[k], f"starts {stage} ({length:.0f} months)")
        succeeded = (k + 1 == len(names) and dev.approved[row]) or (
            k + 1 < len(names) and dev.reached[row, k + 1]
        )
        trial = _mechanistic_trial(path, stage, row)
        if trial:
            add(bounds[k + 1], trial)
        if not succeeded:
            add(bounds[k + 1], f"{stage} fails: the programme stops")
    trials = [k for k, (_, st) in enumerate(_stages(path)) if st.trial is not None]
    recruited = path.outputs.get("recruitment_months")
    if trials and recruited is not None and dev.reached[row, trials[0]]:
        screening = path.outputs["screening_cost_musd"][row]
        add(
            bounds[trials[0]],
            f"trials recruit from the biomarker cohort: {recruited[row]:.0f} months of "
            f"recruitment over its trials, {screening:.1f} USD M of screening",
        )
    if not dev.approved[row]:
        return events
    approval = float(dev.launch_month[row])
    add(approval, "approved")
    if path.cdx is not None:
        c = path.cdx
        cdx_month = float(c.approval_month[row])
        if math.isfinite(cdx_month):
            delay = float(c.delay_to_launch_months[row])
            late = f": launch waits {delay:.0f} months for it" if delay > 0 else ""
            failed = " (fallback test after the first one failed)" if c.failed[row] else ""
            add(cdx_month, f"companion diagnostic approved{failed}{late}")
        else:
            add(approval, "companion diagnostic failed with no fallback: no launch")
    if not path.launched[row]:
        return events
    launch = float(path.launch_month[row])
    add(launch, "launches")
    loe = float(path.loe_month[row])
    if math.isfinite(loe):
        add(max(loe, launch), "loses exclusivity")
    withdrawal = float(dev.withdrawal_month[row])
    if math.isfinite(withdrawal):
        add(withdrawal, "confirmatory trial fails: the indication is withdrawn")
    if path.plant is not None:
        _plant_events(scenario, path, row, iteration, columns[f"{pname}.{a}.patients_treated"], add)
    return events


def _plant_events(scenario, path: AssetPath, row: int, iteration: int, run_treated, add) -> None:
    """Replay the plant of one launched iteration with SimPy and tell what it did."""
    m = path.asset.manufacturing
    k = int(np.flatnonzero(path.plant_rows == row)[0])
    demand = path.plant.demand_per_month[k]
    process = process_for(m)
    rng = event_generator(scenario.simulation.seed, path.asset.name, iteration)
    collector = run_cell_therapy(demand, process, rng, demand.size)
    for month, text in trace_events(collector, patients=False):
        add(month, "plant: " + text.split(": ", 1)[1])
    outcome = collector.to_outcome(process)
    launch = int(path.launch_month[row])
    first, last = launch // MONTHS_PER_YEAR, demand.size // MONTHS_PER_YEAR
    steady = _steady_from(outcome, first, last)
    for year in range(first, steady):
        add(max(year * MONTHS_PER_YEAR, launch) + 0.5, "plant: " + _plant_year(outcome, year))
    if steady < last:
        add(steady * MONTHS_PER_YEAR + 0.5, "plant: " + _plant_years(outcome, steady, last))
    treated = outcome.treated.sum()
    if (scenario.simulation.fidelity or m.fidelity) == "fast":
        note = (
            f"plant replayed event by event: {treated:,.0f} treated; the run's fast "
            f"path treated {run_treated[row]:,.0f} from the same demand"
        )
    else:
        note = f"plant (event fidelity, as in the run): {treated:,.0f} treated"
    add(launch + 0.25, note)


def _months(first_year: int, end_year: int) -> slice:
    return slice(first_year * MONTHS_PER_YEAR, end_year * MONTHS_PER_YEAR)


def _utilization(o: CapacityOutcome, s: slice) -> float:
    u = o.utilization[0, s]
    return float(np.nanmean(u)) if np.isfinite(u).any() else 0.0


def _steady_from(o: CapacityOutcome, first: int, last: int) -> int:
    """The first year from which, to the horizon, nobody waits at a month end and the
    suites stay as they are (those years are told in one line)."""
    year = last
    while year > first:
        s = _months(year - 1, last)
        suites = o.suites[0, s]
        if o.backlog[0, s].any() or (suites != suites[-1]).any():
            break
        year -= 1
    return max(year, first + 1)


def _plant_year(o: CapacityOutcome, year: int) -> str:
    s = _months(year, year + 1)
    contract = o.contract_batches[0, s].sum()
    outsourced = f"; {contract:,} batches at the contract manufacturer" if contract else ""
    return (
        f"{o.referred[0, s].sum():,} referred, {o.treated[0, s].sum():,} treated, "
        f"{o.lost_waiting[0, s].sum():,} lost waiting; {o.backlog[0, s][-1]:,} waiting at "
        f"year end; {o.suites[0, s][-1]} suite(s), {_utilization(o, s):.0%} utilized"
        f"{outsourced}"
    )


def _plant_years(o: CapacityOutcome, first: int, last: int) -> str:
    s = _months(first, last)
    per_year = o.treated[0, s].reshape(-1, MONTHS_PER_YEAR).sum(axis=1)
    return (
        f"years {first + 1}-{last} steady: {per_year.min():,}-{per_year.max():,} treated a "
        f"year, nobody waiting at month ends, {o.suites[0, s][-1]} suite(s), "
        f"{_utilization(o, s):.0%} utilized"
    )
