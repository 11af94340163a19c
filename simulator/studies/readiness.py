"""Which readiness investment pays: each readiness mechanism switched off, on the same futures.

For every readiness mechanism present in a scenario (:mod:`simulator.engine.readiness`),
the scenario is run again with that mechanism removed from every asset, with the same
seed, so every other draw is the same (common random numbers: each mechanism draws from
its own stream). Per portfolio the paired difference

    effect_i = NPV_i(scenario) - NPV_i(scenario without the mechanism)

is reported with its Monte Carlo error ``sd(effect) / sqrt(n)``. From 10^6 iterations on
the two runs are paired chunk by chunk in flat memory, as in
:mod:`simulator.studies.contract_impact`. A positive effect is
value the mechanism adds (an RWE programme that keeps the price); a negative one is what
it costs or risks (follow-up costs, a safety signal, a change of biomarker standard).

The mechanisms, and what removing one means:

- ``biomarker_standard``: no change of standard (no revalidation, delay, share shift);
- ``surveillance``: no safety signal, REMS or long-term follow-up;
- ``reassessment``: no price reassessment (and so nothing for RWE to keep);
- ``rwe``: no RWE programme (its cost, its price-keep probability, its label expansion),
  the reassessment kept: the value of the investment itself;
- ``profiling``: no shared panel (a portfolio's block,
  :mod:`simulator.pillars.cohort.profiling`): each trial screens from its own sites and
  pays its own test of every candidate;
- ``logistics``: no fresh-or-cryopreserved choice on a plant: its shipping cost, transit
  loss and vein-to-vein time are the manufacturing block's own numbers again;
- ``allocation``: slots first come first served instead of by progression risk, the risk
  classes kept (the value of the priority policy itself; SimPy plants only).
"""

from __future__ import annotations

import pandas as pd

from simulator.engine.reduction import STREAMING_THRESHOLD, run_paired_summaries
from simulator.results.columns import paired_columns
from simulator.scenario import Scenario

FCFS = "first_come_first_served"

MECHANISMS = (
    "biomarker_standard", "surveillance", "reassessment", "rwe", "profiling", "logistics",
    "allocation",
)  # fmt: skip


def _has(asset, mechanism: str, portfolio=None) -> bool:
    if mechanism == "profiling":
        panel = portfolio.profiling if portfolio is not None else None
        return panel is not None and panel.covers(asset)
    m = asset.manufacturing
    if mechanism == "logistics":
        return m is not None and m.logistics is not None
    if mechanism == "allocation":
        return m is not None and m.allocation is not None and m.allocation.policy != FCFS
    if mechanism in ("biomarker_standard", "surveillance"):
        return getattr(asset, mechanism) is not None
    e = asset.evidence
    return e is not None and getattr(e, mechanism) is not None


def present(scenario: Scenario) -> dict[str, list[str]]:
    """``mechanism -> ["portfolio.asset", ...]`` for each mechanism the scenario uses."""
    out: dict[str, list[str]] = {}
    for pname, p in scenario.portfolios.items():
        for a in p.assets:
            for m in MECHANISMS:
                if _has(a, m, p):
                    out.setdefault(m, []).append(f"{pname}.{a.name}")
    return {m: out[m] for m in MECHANISMS if m in out}


def _off(asset, mechanism: str):
    if mechanism == "logistics":
        plant = asset.manufacturing.model_copy(update={"logistics": None})
        return asset.model_copy(update={"manufacturing": plant})
    if mechanism == "allocation":
        rule = asset.manufacturing.allocation.model_copy(update={"policy": FCFS})
        plant = asset.manufacturing.model_copy(update={"allocation": rule})
        return asset.model_copy(update={"manufacturing": plant})
    if mechanism in ("biomarker_standard", "surveillance"):
        return asset.model_copy(update={mechanism: None})
    e = asset.evidence
    if mechanism == "rwe":
        e = e.model_copy(update={"rwe": None})
    else:  # no reassessment: an RWE programme's price-keep probability has nothing to keep
        rwe = e.rwe.model_copy(update={"p_keep_price": None}) if e.rwe is not None else None
        e = e.model_copy(update={"reassessment": None, "rwe": rwe})
    if e.reassessment is None and e.rwe is None:
        e = None
    return asset.model_copy(update={"evidence": e})


def without(scenario: Scenario, mechanism: str) -> Scenario:
    """A copy of ``scenario`` with ``mechanism`` removed from every asset."""
    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown mechanism {mechanism!r}; known: {', '.join(MECHANISMS)}")
    variant = scenario.model_copy(deep=True)
    for portfolio in variant.portfolios.values():
        if mechanism == "profiling":
            portfolio.profiling = None
            continue
        portfolio.assets = [
            _off(a, mechanism) if _has(a, mechanism) else a for a in portfolio.assets
        ]
    return variant


def readiness_table(
    scenario: Scenario,
    *,
    backend: str = "sequential",
    workers: int | None = None,
    result=None,
    summaries_only: bool | None = None,
) -> pd.DataFrame:
    """A row per (mechanism, portfolio): the assets using it, the mean NPV with and
    without it, the paired effect (with - without) with its Monte Carlo error, and the
    shares of futures in which it raises or changes the NPV. ``result``: the scenario's
    run, if any (with its rows). ``summaries_only``: pair the runs chunk by chunk in flat
    memory (:func:`simulator.engine.reduction.run_paired_summaries`); None: from
    ``STREAMING_THRESHOLD`` iterations on."""
    from simulator import run

    used = present(scenario)
    if summaries_only is None:
        summaries_only = scenario.simulation.iterations >= STREAMING_THRESHOLD
    if not summaries_only and result is None and used:
        result = run(scenario, backend=backend, workers=workers)
    rows = []
    for mechanism, assets in used.items():
        off = without(scenario, mechanism)
        portfolios = [p for p in scenario.portfolios if any(a.startswith(f"{p}.") for a in assets)]
        names = tuple(f"{p}.npv_musd" for p in portfolios)
        if summaries_only:
            c = run_paired_summaries(scenario, off, names, backend=backend, workers=workers)
            columns = c.columns
        else:
            columns = paired_columns(result, run(off, backend=backend, workers=workers), names)
        for pname in portfolios:
            d = columns[f"diff:{pname}.npv_musd"]
            rows.append(
                {
                    "mechanism": mechanism,
                    "portfolio": pname,
                    "assets": sum(a.startswith(f"{pname}.") for a in assets),
                    "npv_with_musd": columns[f"a:{pname}.npv_musd"].mean,
                    "npv_without_musd": columns[f"b:{pname}.npv_musd"].mean,
                    "effect_musd": d.mean,
                    "effect_se_musd": d.mcse,
                    "p_raises_npv": d.share("positive"),
                    "p_changes_npv": 1.0 - d.share("zero"),
                }
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table.attrs["iterations"] = scenario.simulation.iterations
    table.attrs["seed"] = scenario.simulation.seed
    return table


COLUMNS = [
    "mechanism",
    "portfolio",
    "assets",
    "npv_with_musd",
    "npv_without_musd",
    "effect_musd",
    "effect_se_musd",
    "p_raises_npv",
    "p_changes_npv",
]
