"""What value-based pricing does to each asset and portfolio.

- :func:`pricing_table` (it reads one run, so it lives in :mod:`simulator.results.pricing`
  and is re-exported here): a row per priced asset: average net price realised, revenue
  recognised and cash received, rebates, IRA cuts, budget-cap rebates, payments forgone
  under the contract, the share of contract value at risk on outcomes, and the
  outcomes-tracking cost; means over the iterations in which the asset launched;
- :func:`contract_impact`: the NPV impact of the value-based contracts: the scenario is
  run again with every contract set to plain list price (ceilings, caps and IRA kept),
  with the same seed, and the paired difference ``contracts - list`` is reported per
  portfolio with its Monte Carlo error, beside the change in cash trough and break-even.

On a run too large to keep its rows (10^6 iterations and more, or ``summaries_only=True``)
the two variants are run chunk by chunk side by side on the workers
(:func:`simulator.engine.reduction.run_paired_summaries`): each chunk's per-iteration
difference is summarized there, so memory stays flat; means, the Monte Carlo error and the
share of wins are then exact, the percentiles within the sketches' stated error.
"""

from __future__ import annotations

import pandas as pd

from simulator.engine.reduction import STREAMING_THRESHOLD, run_paired_summaries
from simulator.pillars.pricing.contracts import CONTRACTS
from simulator.results.columns import Column, paired_columns
from simulator.results.pricing import pricing_table  # re-exported: it reads one run
from simulator.results.result import Result
from simulator.scenario import Scenario

__all__ = ["contract_impact", "list_price_variant", "pricing_table"]

LIST = "list"
OUTCOMES = ("npv_musd", "cash_trough_musd", "breakeven_month")


def list_price_variant(scenario: Scenario) -> Scenario:
    """A copy of ``scenario`` with every asset's contract set to plain list price."""
    variant = scenario.model_copy(deep=True)
    for portfolio in variant.portfolios.values():
        for a in portfolio.assets:
            if a.pricing is not None and a.pricing.contract.type != LIST:
                a.pricing = a.pricing.model_copy(update={"contract": CONTRACTS[LIST]()})
    return variant


def contract_impact(
    scenario: Scenario,
    *,
    backend: str = "sequential",
    workers: int | None = None,
    result: Result | None = None,
    summaries_only: bool | None = None,
) -> pd.DataFrame:
    """Paired NPV difference (value-based contracts - list price) per portfolio.

    ``result`` is the run of ``scenario`` if there is one already and it kept its rows
    (it is run otherwise). ``summaries_only``: pair the variants in flat memory (see the
    module docstring); None: from ``STREAMING_THRESHOLD`` iterations on, or when
    ``result`` kept no rows. Columns: mean NPV under both, the paired difference (mean,
    Monte Carlo error, P10, P50, P90, share of iterations where contracts win) and the
    mean cash trough and break-even month under both (NaN break-even iterations left out).
    """
    from simulator import run

    listed_scenario = list_price_variant(scenario)
    if summaries_only is None:
        summaries_only = scenario.simulation.iterations >= STREAMING_THRESHOLD or (
            result is not None and not result.has_samples
        )
    names = [f"{p}.{o}" for p in scenario.portfolios for o in OUTCOMES]
    if summaries_only:
        merged = run_paired_summaries(
            scenario, listed_scenario, tuple(names), backend=backend, workers=workers
        ).columns
        columns: dict[str, Column] = merged
    else:
        if result is None:
            result = run(scenario, backend=backend, workers=workers)
        listed = run(listed_scenario, backend=backend, workers=workers)
        columns = paired_columns(result, listed, names)
    return pd.DataFrame([_row(p, columns) for p in scenario.portfolios]).set_index("portfolio")


def _row(p: str, c: dict[str, Column]) -> dict:
    d = c[f"diff:{p}.npv_musd"]
    row = {
        "portfolio": p,
        "npv_contracts_mean_musd": c[f"a:{p}.npv_musd"].mean,
        "npv_list_mean_musd": c[f"b:{p}.npv_musd"].mean,
        "diff_mean_musd": d.mean,
        "diff_mcse_musd": d.mcse,
        "diff_p10_musd": d.percentile(10),
        "diff_p50_musd": d.percentile(50),
        "diff_p90_musd": d.percentile(90),
        "prob_contracts_beat_list": d.share("positive"),
    }
    for label, side in (("contracts", "a"), ("list", "b")):
        row[f"cash_trough_{label}_mean_musd"] = c[f"{side}:{p}.cash_trough_musd"].mean
        row[f"breakeven_years_{label}_mean"] = c[f"{side}:{p}.breakeven_month"].mean / 12
    return row
