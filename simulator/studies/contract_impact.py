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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.pillars.pricing.contracts import ListPrice
from simulator.results.metrics import paired_difference
from simulator.results.pricing import pricing_table  # re-exported: it reads one run
from simulator.results.result import Result
from simulator.scenario import Scenario

__all__ = ["contract_impact", "list_price_variant", "pricing_table"]


def list_price_variant(scenario: Scenario) -> Scenario:
    """A copy of ``scenario`` with every asset's contract set to plain list price."""
    variant = scenario.model_copy(deep=True)
    for portfolio in variant.portfolios.values():
        for a in portfolio.assets:
            if a.pricing is not None and a.pricing.contract.type != "list":
                a.pricing = a.pricing.model_copy(update={"contract": ListPrice()})
    return variant


def contract_impact(
    scenario: Scenario,
    *,
    backend: str = "sequential",
    workers: int | None = None,
    result: Result | None = None,
) -> pd.DataFrame:
    """Paired NPV difference (value-based contracts - list price) per portfolio.

    ``result`` is the run of ``scenario`` if there is one already (it is run otherwise).
    Columns: mean NPV under both, the paired difference (mean, Monte Carlo error, P10,
    P50, P90, share of iterations where contracts win) and the mean cash trough and
    break-even month under both (NaN break-even iterations left out).
    """
    from simulator import run

    if result is None:
        result = run(scenario, backend=backend, workers=workers)
    listed = run(list_price_variant(scenario), backend=backend, workers=workers)
    rows = []
    for p in scenario.portfolios:
        d = paired_difference(result.npv(p), listed.npv(p))
        row = {
            "portfolio": p,
            "npv_contracts_mean_musd": float(result.npv(p).mean()),
            "npv_list_mean_musd": float(listed.npv(p).mean()),
            **{k: d[k] for k in ("diff_mean_musd", "diff_mcse_musd", "diff_p10_musd",
                                  "diff_p50_musd", "diff_p90_musd")},
            "prob_contracts_beat_list": d["prob_a_beats_b"],
        }  # fmt: skip
        for label, r in (("contracts", result), ("list", listed)):
            row[f"cash_trough_{label}_mean_musd"] = float(r.column(f"{p}.cash_trough_musd").mean())
            row[f"breakeven_years_{label}_mean"] = float(
                np.nanmean(r.column(f"{p}.breakeven_month")) / 12
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index("portfolio")
