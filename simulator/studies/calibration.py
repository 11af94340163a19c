"""The calibration table: each asset template's likelihood of approval and R&D cost per
launch, simulated, against the published figure it should match.

For every template of the scenario that starts at phase I, the study runs one asset of it
on its own (same market, same seed) and reports

- LOA: the share of iterations in which it is approved, with its binomial Monte Carlo
  error, against the LOA of its category in BIO 2011-2020 (the most recent table,
  :mod:`simulator.pillars.development.benchmarks`; the template's own table if BIO
  2011-2020 lacks the category);
- out-of-pocket and capitalized R&D cost per approval (Paul et al. 2010's ratio of sums,
  CDx, screening and deals included), with the Monte Carlo error of a ratio estimator,
  ``se(R) = sqrt(sum (y - R x)^2 / (n (n - 1))) / mean(x)``, against DiMasi, Grabowski &
  Hansen 2016's clinical cost per approved compound ($965M out of pocket, $1,460M
  capitalized at 10.5%, 2013 dollars) and Wouters, McKee & Luyten 2020's median
  capitalized cost per new drug ($985.3M, 2018 dollars; published figures, section 4);
- the gap explained: cost per approval = cost per phase-I entrant / LOA, so the ratio to
  DiMasi's is the ratio of entrant costs times the inverse ratio of LOAs (DiMasi: $114.2M
  per entrant, 11.83% approved).

DiMasi's figures are not in the reference table of published figures: UNVERIFIED (see
``scenarios/validation/dimasi2016.yaml``, which reproduces the $965M from them). The
comparators are converted to the scenario's ``market.dollar_year`` with the US CPI-U
annual averages below (UNVERIFIED: US Bureau of Labor Statistics, not in the reference
table); without a dollar year they stay in their own.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simulator.pillars.development.benchmarks import LATEST, TABLES
from simulator.scenario import Scenario

__all__ = ["CPI_U", "calibration_table", "in_dollars_of"]

#: US CPI-U, all items, US city average, annual averages (BLS; UNVERIFIED here).
CPI_U = {2013: 232.957, 2016: 240.007, 2017: 245.120, 2018: 251.107, 2019: 255.657,
         2020: 258.811, 2021: 270.970, 2022: 292.655, 2023: 304.702, 2024: 313.689}  # fmt: skip
DIMASI_2016 = {"oop": 965.0, "capitalized": 1460.0, "year": 2013, "loa": 0.1183,
               "entrant": 25.3 + 0.5952 * 58.6 + 0.5952 * 0.3552 * 255.4}  # fmt: skip
WOUTERS_2020 = {"median": 985.3, "year": 2018}


def in_dollars_of(amount: float, year: int, target: int | None) -> float:
    """``amount`` of ``year``'s dollars in ``target``'s (unchanged without a target)."""
    if target is None or target == year:
        return amount
    return amount * CPI_U[target] / CPI_U[year]


def _ratio(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """Ratio of sums ``sum y / sum x`` and its Monte Carlo standard error."""
    n, sx = len(x), x.sum()
    if sx <= 0:
        return math.nan, math.nan
    r = y.sum() / sx
    se = math.sqrt(((y - r * x) ** 2).sum() / (n * (n - 1))) / (sx / n) if n > 1 else math.nan
    return r, se


def _gap(ratio: float, entrant: float, d_entrant: float, loa: float, n: int) -> str:
    """The gap to DiMasi's cost per approval, as cost per entrant over LOA; without an
    approval in ``n`` iterations there is no cost per approval to explain."""
    if loa <= 0:
        return f"no approval in {n:,} iterations: no cost per approval to compare"
    return (
        f"x{ratio:.2f} DiMasi's cost per approval = entrant cost "
        f"{entrant:,.0f} vs {d_entrant:,.0f} (x{entrant / d_entrant:.2f}) / LOA "
        f"{loa:.1%} vs {DIMASI_2016['loa']:.1%} (x{DIMASI_2016['loa'] / loa:.2f})"
    )


def _templates(scenario: Scenario) -> dict[str, dict]:
    raw = scenario._raw or {}
    return {
        name: t
        for name, t in (raw.get("templates") or {}).items()
        if isinstance(t, dict) and t.get("start_stage", "phase1") == "phase1"
    }


def _published_loa(name: str | None) -> float:
    if not name:
        return math.nan
    category = name.partition("/")[2]
    table = TABLES[LATEST] if category in TABLES[LATEST] else TABLES[name.partition("/")[0]]
    return table[category].loa


def calibration_table(
    scenario: Scenario,
    *,
    iterations: int | None = None,
    backend: str = "sequential",
    workers: int | None = None,
) -> pd.DataFrame:
    """A row per phase-I template (see the module docstring)."""
    from simulator import run
    from simulator.scenario import scenario_from_dict

    templates = _templates(scenario)
    if not templates:
        return pd.DataFrame()
    raw = scenario._raw
    n = iterations or scenario.simulation.iterations
    data = {
        "name": f"{scenario.name}-calibration",
        "simulation": {**raw.get("simulation", {}), "iterations": n},
        "market": raw.get("market", {}),
        "templates": raw["templates"],
        "portfolios": {t: {"assets": [{"template": t, "name": t}]} for t in templates},
    }
    r = run(scenario_from_dict(data, scenario._origin), backend=backend, workers=workers)
    year = scenario.market.dollar_year
    d_oop = in_dollars_of(DIMASI_2016["oop"], DIMASI_2016["year"], year)
    d_cap = in_dollars_of(DIMASI_2016["capitalized"], DIMASI_2016["year"], year)
    d_entrant = in_dollars_of(DIMASI_2016["entrant"], DIMASI_2016["year"], year)
    wouters = in_dollars_of(WOUTERS_2020["median"], WOUTERS_2020["year"], year)
    rows = []
    for t, body in templates.items():
        approved = r.column(f"{t}.approvals").astype(float)
        oop, cap = r.column(f"{t}.oop_cost_musd"), r.column(f"{t}.capitalized_cost_musd")
        loa = approved.mean()
        o, o_se = _ratio(oop, approved)
        c, c_se = _ratio(cap, approved)
        entrant = oop.mean()
        named = (body.get("phases") or {}).get("success_rates")
        rows.append({
            "template": t,
            "success_rates": named or "explicit p_success",
            "loa": loa,
            "loa_mcse": math.sqrt(loa * (1 - loa) / len(approved)),
            "loa_published": _published_loa(named),
            "oop_per_launch_musd": o,
            "oop_mcse_musd": o_se,
            "capitalized_per_launch_musd": c,
            "capitalized_mcse_musd": c_se,
            "dimasi_oop_musd": d_oop,
            "dimasi_capitalized_musd": d_cap,
            "wouters_median_capitalized_musd": wouters,
            "cost_per_entrant_musd": entrant,
            "gap": _gap(o / d_oop, entrant, d_entrant, loa, len(approved)),
        })  # fmt: skip
    out = pd.DataFrame(rows).set_index("template")
    out.attrs.update(iterations=n, seed=scenario.simulation.seed, dollar_year=year)
    return out
