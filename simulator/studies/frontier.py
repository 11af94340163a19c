"""The efficient frontier: for a budget, which mix of programmes, with what downside?

A portfolio committee with an R&D budget ``B`` asks which mix of programme types to fund.
:func:`frontier` answers on the scenario's own distributions:

1. **Slots** (:mod:`.mixes`): ``max_count`` copies of each template are simulated once,
   together, on the scenario's seed (common random numbers, risk-group copulas kept);
2. **Enumeration**: every count vector ``0 <= c_T <= max_count`` whose expected R&D
   spend (the sum of its slots' mean spend, on the budget's ``basis``: out of pocket or
   present value) is within ``B`` is evaluated by adding its slots' NPV columns, so each
   mix costs a few vector sums, not a simulation. Enumeration is exact and, under a
   budget, small (at the nichebuster's budget a few thousand of the 13^5 mixes of five
   templates fit), so no heuristic search is needed; a grid too large to enumerate is an
   error that says what to reduce;
3. **Pareto set**: the mixes no other mix beats on both mean NPV and the downside
   (``measure``: CVaR5, the mean NPV of the worst 5% of futures, by default; or P(loss),
   or P(no launch));
4. **Confirmation**: each Pareto mix is run in full, as a portfolio of its own, and the
   *recombination error* (recombined minus full, for the mean and the downside, and the
   largest difference in any iteration) is reported. It is zero, bit for bit, where no
   asset changes another; programmes that share a ``cohort.indication`` split its
   patients, and an ``annual_budget_musd`` makes their stage starts wait for each
   other, and there the error is what the full runs measure;
5. **Today's portfolios**: the scenario's own portfolios, run as they are, at their own
   spend, for the chart (``attrs["today"]``).

``budget`` is a number (USD millions) or a portfolio's name: its ``budget.expected_rd_musd``
if it declares one, else its mean spend in the run of today's portfolios.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulator.core.limits import MAX_ASSETS
from simulator.engine.runner import RunOutput, run_variants
from simulator.pillars.budget.block import SPEND_COLUMN
from simulator.results.columns import ArrayColumn
from simulator.results.metrics import TAIL
from simulator.scenario import Scenario
from simulator.studies.mixes import (
    MEASURES,
    FrontierError,
    Slots,
    enumerate_mixes,
    mix_portfolio,
    pareto,
    recombined,
    slot_entries,
    slot_scenario,
    with_portfolios,
)

__all__ = ["FrontierError", "frontier", "frontier_run", "today_table"]


def frontier(scenario: Scenario, budget: float | str, **options) -> pd.DataFrame:
    """Every mix of templates within ``budget`` and its Pareto set: the table of
    :func:`frontier_run` (see there for the options and the columns)."""
    return frontier_run(scenario, budget, **options)[0]


def frontier_run(
    scenario: Scenario,
    budget: float | str,
    templates: Sequence[str] | None = None,
    max_count: int = 12,
    measure: str = "cvar05",
    basis: str | None = None,
    confirm: bool | int | str = True,
    annual_budget_musd: float | None = None,
    backend: str = "sequential",
    workers: int | None = None,
    progress=None,
) -> tuple[pd.DataFrame, RunOutput]:
    """Every mix of ``templates`` within ``budget`` and its Pareto set (module docstring),
    and the run of today's portfolios (for their report).

    Parameters
    ----------
    scenario
        The scenario: its templates, market, seed and iterations (per mix).
    budget
        USD millions of expected R&D spend, or a portfolio's name (see the module docstring).
    templates
        Template names (default: every template of the scenario).
    max_count
        Copies of each template a mix may hold (0 to ``max_count``).
    measure
        The downside: ``"cvar05"``, ``"prob_loss"`` or ``"prob_no_launch"``.
    basis
        ``"oop"`` or ``"pv"`` (default: the named portfolio's budget basis, else oop).
    confirm
        Run the Pareto mixes in full (True), the first ``confirm`` of them by mean NPV
        (an int), every mix (``"every"``: small grids) or none (False).
    annual_budget_musd
        An annual R&D budget for the confirming full runs (their stage starts then wait for
        each other: the recombination error shows by how much that matters).

    Returns
    -------
    DataFrame
        A row per evaluated mix: a count column per template, ``spend_oop_musd``,
        ``spend_pv_musd``, ``npv_mean_musd``, ``npv_sd_musd``, ``cvar05_musd``,
        ``var05_musd``, ``prob_loss``, ``prob_no_launch``, ``launches_mean``, ``pareto``
        and, for confirmed mixes, ``full_npv_mean_musd``, ``full_<measure>``,
        ``recombination_error_mean_musd``, ``recombination_error_<measure>`` and
        ``recombination_max_abs_musd``. Sorted by mean NPV, highest first. ``attrs``:
        ``budget_musd``, ``basis``, ``measure``, ``templates``, ``max_count``,
        ``iterations``, ``seed``, ``today`` (a row per portfolio of the scenario),
        ``seconds`` (simulate, evaluate, confirm) and ``mixes_per_second``.
    """
    if measure not in MEASURES:
        raise FrontierError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")
    if max_count < 1:
        raise FrontierError(f"max_count must be at least 1, got {max_count}")
    if basis is not None and basis not in SPEND_COLUMN:
        raise FrontierError(f"unknown basis {basis!r}; known: {', '.join(SPEND_COLUMN)}")
    templates = list(templates or (scenario._raw.get("templates") or {}))
    entries = slot_entries(scenario, templates)
    named = budget if isinstance(budget, str) and budget in scenario.portfolios else None
    if isinstance(budget, str) and named is None:
        budget = _number(budget, scenario)
    basis = basis or _declared_basis(scenario, named) or "oop"
    t0 = time.perf_counter()
    slots_run, base = run_variants(
        [slot_scenario(scenario, entries, max_count), scenario],
        backend=backend,
        workers=workers,
        progress=progress,
    )
    today = today_table(scenario, base.columns)
    value = _budget_value(scenario, named, basis, today) if named else float(budget)
    slots = Slots.from_columns(slots_run.columns, templates, max_count)
    _check_fits(slots, value, basis)
    t1 = time.perf_counter()
    table = pd.DataFrame(enumerate_mixes(slots, value, basis))
    column, higher = MEASURES[measure]
    table["pareto"] = pareto(table["npv_mean_musd"], table[column], higher)
    table = table.sort_values("npv_mean_musd", ascending=False, ignore_index=True)
    t2 = time.perf_counter()
    if confirm:
        _confirm(
            scenario, table, slots, entries, column, confirm, annual_budget_musd, backend, workers
        )
    t3 = time.perf_counter()
    table.attrs.update(
        budget_musd=value,
        budget_label=named or f"{value:,.0f}",
        basis=basis,
        measure=measure,
        templates=templates,
        max_count=max_count,
        iterations=scenario.simulation.iterations,
        seed=scenario.simulation.seed,
        today=today,
        seconds={"simulate": t1 - t0, "evaluate": t2 - t1, "confirm": t3 - t2},
        mixes_per_second=len(table) / max(t2 - t1, 1e-9),
    )
    return table, base


def today_table(scenario: Scenario, columns: dict) -> pd.DataFrame:
    """Each portfolio of ``scenario`` as it is: spend, mean NPV, downside, and how many
    assets of each template it holds (from the scenario's entries)."""
    rows = []
    for p in scenario.portfolios:
        npv = ArrayColumn(columns[f"{p}.npv_musd"])
        launches = ArrayColumn(columns[f"{p}.launches"])
        row = {
            "portfolio": p,
            "spend_oop_musd": float(np.mean(columns[f"{p}.oop_cost_musd"])),
            "spend_pv_musd": float(np.mean(columns[f"{p}.rd_pv_musd"])),
            "npv_mean_musd": npv.mean,
            "cvar05_musd": npv.tail_mean(TAIL),
            "prob_loss": npv.share("negative"),
            "prob_no_launch": launches.share("zero"),
            "launches_mean": launches.mean,
        }
        for e in scenario._raw["portfolios"][p].get("assets", []):
            t = e.get("template") or "other"
            row[f"n_{t}"] = row.get(f"n_{t}", 0) + int(e.get("count", 1))
        rows.append(row)
    return pd.DataFrame(rows).set_index("portfolio").fillna(0)


def _number(text: str, scenario: Scenario) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FrontierError(
            f"--budget: expected USD millions or a portfolio's name, got {text!r}; "
            f"portfolios: {', '.join(scenario.portfolios)}"
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise FrontierError(f"--budget: expected a positive amount of USD millions, got {text}")
    return value


def _declared_basis(scenario: Scenario, named: str | None) -> str | None:
    b = scenario.portfolios[named].budget if named else None
    return b.basis if b is not None else None


def _budget_value(scenario: Scenario, named: str, basis: str, today: pd.DataFrame) -> float:
    b = scenario.portfolios[named].budget
    if b is not None and b.expected_rd_musd is not None and b.basis == basis:
        return b.expected_rd_musd
    return float(today.loc[named, f"spend_{basis}_musd"])


def _check_fits(slots: Slots, budget: float, basis: str) -> None:
    spend = slots.spend_oop if basis == "oop" else slots.spend_pv
    cheapest = min(slots.templates, key=lambda t: spend[t][0])
    if spend[cheapest][0] > budget:
        raise FrontierError(
            f"no mix fits a budget of {budget:,.1f} USD M ({basis}): the cheapest programme, "
            f"{cheapest}, is expected to spend {spend[cheapest][0]:,.1f}; raise --budget to "
            f"at least that, or add a cheaper template"
        )


def _confirm(scenario, table, slots, entries, column, confirm, annual, backend, workers):
    """Run the Pareto mixes in full and record the recombination error (module docstring)."""
    rows = table.index if confirm == "every" else table.index[table["pareto"]]
    picks = [i for i in rows if table.loc[i, list(slots.templates)].sum()]
    if not isinstance(confirm, bool | str):
        picks = picks[: int(confirm)]
    if not picks:
        return
    extra = {"budget": {"annual_rd_musd": annual}} if annual else {}
    # the mixes run side by side, in as few scenarios as the bound on assets allows (each
    # portfolio's futures are its own, so how the mixes are grouped changes no number)
    batches: list[dict] = [{}]
    size = 0
    for j, i in enumerate(picks):
        counts = {t: int(table.loc[i, t]) for t in slots.templates}
        if batches[-1] and size + sum(counts.values()) > MAX_ASSETS:
            batches.append({})
            size = 0
        batches[-1][f"mix_{j + 1}"] = mix_portfolio(entries, counts, **extra)
        size += sum(counts.values())
    runs = run_variants(
        [with_portfolios(scenario, b) for b in batches], backend=backend, workers=workers
    )
    full_of = {p: run for b, run in zip(batches, runs, strict=True) for p in b}
    measure = column.removesuffix("_musd")
    for j, i in enumerate(picks):
        counts = {t: int(table.loc[i, t]) for t in slots.templates}
        p = f"mix_{j + 1}"
        full = full_of[p]
        mine, theirs = recombined(slots, counts), full.columns[f"{p}.npv_musd"]
        launches = full.columns[f"{p}.launches"]
        ours = _downside(mine, slots_launches(slots, counts), column)
        value = _downside(theirs, launches, column)
        table.loc[i, "full_npv_mean_musd"] = ArrayColumn(theirs).mean
        table.loc[i, f"full_{column}"] = value
        error = ArrayColumn(mine).mean - ArrayColumn(theirs).mean
        table.loc[i, "recombination_error_mean_musd"] = error
        table.loc[i, f"recombination_error_{measure}"] = ours - value
        table.loc[i, "recombination_max_abs_musd"] = float(np.max(np.abs(mine - theirs)))


def slots_launches(slots: Slots, counts: dict[str, int]) -> np.ndarray:
    """A mix's launches per iteration from the slots."""
    return sum(
        (slots.launched[t][: counts.get(t, 0)].sum(axis=0) for t in slots.templates),
        np.zeros(next(iter(slots.npv.values())).shape[1]),
    )


def _downside(npv: np.ndarray, launches: np.ndarray, column: str) -> float:
    """The downside figure ``column`` of one NPV column, as the run's summary computes it."""
    if column == "cvar05_musd":
        return ArrayColumn(npv).tail_mean(TAIL)
    if column == "prob_loss":
        return ArrayColumn(npv).share("negative")
    return ArrayColumn(launches).share("zero")
