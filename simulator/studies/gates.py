"""Gates as a study: the scenario's gate policy against running every programme to the end
of its luck, on the same futures.

Two runs with the same seed: the scenario as written (its ``gates`` blocks) and the
no-decision baseline (every ``gates`` block removed). Every random stream is keyed by
purpose and name, so both runs see the same draws in every iteration (common random
numbers) and the difference is paired. Per portfolio:

- **option value** = mean over iterations of ``NPV_policy - NPV_baseline``, with standard
  error ``sd(difference) / sqrt(N)``.

Per asset with gates:

- **kill rate** at gate ``g``: the share of iterations in which the asset reached ``g``
  (entered and passed its stage) and the rule stopped it;
- **false kill**: stopped, though in the baseline it launched with NPV > 0;
- **false go**: not stopped, launched, and its NPV < 0;
- **R&D saved**: mean of the baseline's PV of R&D minus the policy's (USD millions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.scenario import Scenario


def without_gates(scenario: Scenario) -> Scenario:
    """The no-decision baseline: ``scenario`` with every asset's ``gates`` removed."""
    baseline = scenario.model_copy(deep=True)
    for port in baseline.portfolios.values():
        for a in port.assets:
            a.gates = None
    return baseline


def gates_study(scenario: Scenario, iterations: int | None = None):
    """``(portfolios, assets)``: the two tables of the module docstring."""
    import simulator as sim

    if iterations is not None:
        scenario = scenario.with_(iterations=iterations)
    policy = sim.run(scenario)
    baseline = sim.run(without_gates(scenario))
    return portfolio_table(policy, baseline), asset_table(scenario, policy, baseline)


def paired(policy: np.ndarray, baseline: np.ndarray) -> tuple[float, float]:
    """Mean paired difference and its standard error."""
    d = np.asarray(policy, float) - np.asarray(baseline, float)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else np.nan


def portfolio_table(policy, baseline) -> pd.DataFrame:
    rows = []
    for p in policy.portfolios:
        value, se = paired(policy.npv(p), baseline.npv(p))
        rows.append(
            {
                "portfolio": p,
                "baseline_npv_musd": float(np.mean(baseline.npv(p))),
                "policy_npv_musd": float(np.mean(policy.npv(p))),
                "option_value_musd": value,
                "option_value_se_musd": se,
            }
        )
    return pd.DataFrame(rows)


def asset_table(scenario: Scenario, policy, baseline) -> pd.DataFrame:
    rows = []
    for p, port in scenario.portfolios.items():
        for a in port.assets:
            if a.gates is None:
                continue
            col = f"{p}.{a.name}"
            kills = {g: policy.column(f"{col}.killed_{g}") for g, _ in a.gates.rules()}
            killed = np.logical_or.reduce(list(kills.values()))
            base_npv = baseline.column(f"{col}.npv_musd")
            base_launched = baseline.column(f"{col}.launched").astype(bool)
            npv = policy.column(f"{col}.npv_musd")
            launched = policy.column(f"{col}.launched").astype(bool)
            row = {"portfolio": p, "asset": a.name}
            row.update({f"kill_rate_{g}": float(k.mean()) for g, k in kills.items()})
            row["false_kill_rate"] = float(np.mean(killed & base_launched & (base_npv > 0)))
            row["false_go_rate"] = float(np.mean(launched & (npv < 0)))
            saved = baseline.column(f"{col}.rd_pv_musd") - policy.column(f"{col}.rd_pv_musd")
            row["rd_saved_musd"] = float(np.mean(saved))
            row["option_value_musd"], row["option_value_se_musd"] = paired(npv, base_npv)
            rows.append(row)
    return pd.DataFrame(rows)


def format_gates(portfolios: pd.DataFrame, assets: pd.DataFrame) -> str:
    """The two tables as text (USD millions; rates as shares of iterations)."""
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        top = portfolios.to_string(index=False, float_format=lambda v: f"{v:,.1f}")
        rates = assets.to_string(index=False, float_format=lambda v: f"{v:,.3f}")
    return f"Option value of the gate policy (paired, same futures)\n{top}\n\nPer asset\n{rates}\n"
