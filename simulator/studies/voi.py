"""The value of information: what knowing more before a gate is worth, in USD millions.

**The decision.** One asset ``a`` of portfolio ``P`` at one gate ``g`` (the end of a
stage, or ``launch``): go on, or stop there (its sunk cost stays, nothing later is spent
or earned). Per future ``i`` the forward value of going is the paired difference of the
portfolio's NPV (after tax, every interaction with the portfolio's other assets
included) between two runs on the same futures (common random numbers)::

    V_i = NPV_P(go at g)_i - NPV_P(stop at g)_i

The *go* run is the scenario as written, without a rule of its own at ``a``'s gate
``g``; the *stop* run stops ``a`` there in every future (its rule is ``0 > 1``). ``V_i =
0`` where the asset does not reach the gate (an earlier stage failed, or stage ``g``
itself did): there is nothing to decide. ``reached_i`` is where the stop run stopped it.

**The values** (:mod:`.voi_regression`, Strong & Oakley's nonparametric regression on
the run's own samples; every value per future of the scenario, i.e. ``P(reach)`` times
its value given the gate):

- EVPI: everything known before deciding, ``E[max(V, 0)] - max(E[V], 0)``;
- EVPPI of each of ``a``'s sampled inputs ``x`` (its ``input:`` columns; a stage's
  success is one of them): ``E[max(E[V | x], 0)] - max(E[V], 0)``;
- EVSI of the study in the study file (:mod:`.voi_file`): the same with the study's
  summary statistic ``S`` in place of ``x``, then net of its cost and delay::

      EVSI_net = E[ f max(E[V | S], 0) - c_i ] - max(E[V], 0),
      f   = (1 + r)^(-delay_months / 12),
      c_i = cost_musd (1 + r)^(-t_i / 12)   in the futures that reach the gate (else 0)

  with ``r`` the scenario's annual discount rate and ``t_i`` the month the gate is
  reached (``gate_month_<g>`` of the stop run). ASSUMPTION: the delay postpones every
  later cash flow of the asset by ``delay_months``, so their present value falls by
  ``f``; the protected sales that a later launch loses at the end of exclusivity (on the
  calendar) are not counted, which understates the delay's cost a little (they are
  discounted by 15 years and more).

Every value carries its bootstrap standard error. EVSI <= EVPPI of the input it reads <=
EVPI, all >= 0 (the tests hold them so). A positive ``evsi_net`` says the study pays for
itself; a value near its error says the run cannot tell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.core.seeding import generator
from simulator.pillars.decisions.block import Gates
from simulator.scenario import Scenario
from simulator.studies.voi_file import Study
from simulator.studies.voi_regression import BOOTSTRAP, decision_value, value_of_information

#: the stop run's rule: false in every future
NEVER = "0 > 1"


def with_gate_rule(scenario: Scenario, portfolio: str, asset: str, gate: str, rule):
    """``scenario`` with ``asset``'s rule at ``gate`` replaced (``None``: removed)."""
    out = scenario.model_copy(deep=True)
    a = next(x for x in out.portfolios[portfolio].assets if x.name == asset)
    data = a.gates.model_dump() if a.gates is not None else {}
    data[gate] = None if rule is None else {"continue_if": rule}
    a.gates = Gates.model_validate(data) if any(v for v in data.values()) else None
    return out


def forward_values(scenario: Scenario, portfolio: str, asset: str, gate: str):
    """``(go, stop, V, reached)``: the two runs, the forward value of going per future,
    and where the asset reached the gate (the module docstring)."""
    import simulator as sim

    go = sim.run(with_gate_rule(scenario, portfolio, asset, gate, None))
    stop = sim.run(with_gate_rule(scenario, portfolio, asset, gate, NEVER))
    v = go.npv(portfolio) - stop.npv(portfolio)
    reached = stop.column(f"{portfolio}.{asset}.killed_{gate}").astype(bool)
    return go, stop, v, reached


def voi_study(
    scenario: Scenario,
    study: Study,
    iterations: int | None = None,
    bootstrap: int = BOOTSTRAP,
):
    """``(inputs, study)``: EVPPI of each of the asset's inputs (with EVPI on top) and the
    study's EVSI, gross and net, as two DataFrames (USD millions per future)."""
    if iterations is not None:
        scenario = scenario.with_(iterations=iterations)
    asset = study.check_against(scenario)
    d = study.decision
    go, stop, v, reached = forward_values(scenario, d.portfolio, d.asset, d.gate)
    prefix = f"input:{d.portfolio}.{d.asset}."
    field = study.study.input_field()
    if prefix + field not in go.column_names:
        known = ", ".join(c.removeprefix(prefix) for c in go.column_names if c.startswith(prefix))
        where = ("study", "input") if study.study.kind == "reading" else ("study", "kind")
        raise study.problem(where, f"{d.asset} samples no {field!r}; its sampled inputs: {known}")
    seed = scenario.simulation.seed
    rows = [_row("EVPI (everything known)", None, v, reached, bootstrap, seed)]
    for col in go.column_names:
        if col.startswith(prefix):
            rows.append(_row(col.removeprefix(prefix), go.column(col), v, reached, bootstrap, seed))
    inputs = pd.DataFrame(rows)
    rest = inputs.iloc[1:].sort_values("evppi_musd", ascending=False)
    inputs = pd.concat([inputs.iloc[:1], rest])
    x = go.column(prefix + field)
    s = study.study.statistic(np.asarray(x, float), asset, generator(seed, 0, "voi", study.name))
    rate = scenario.market.discount_rate_annual
    month = np.nan_to_num(stop.column(f"{d.portfolio}.{d.asset}.gate_month_{d.gate}"))
    cost = np.where(reached, study.cost_musd * (1 + rate) ** (-month / 12.0), 0.0)
    factor = (1 + rate) ** (-study.delay_months / 12.0)
    values = decision_value(s, v, reached, factor, cost, bootstrap=bootstrap, seed=seed)
    evppi, evppi_se = value_of_information(x, v, reached, bootstrap=bootstrap, seed=seed)
    evpi, evpi_se = rows[0]["evppi_musd"], rows[0]["evppi_se_musd"]
    row = {"study": study.name, "kind": study.study.kind, "portfolio": d.portfolio,
           "asset": d.asset, "gate": d.gate, "reads": field,
           "p_reach_gate": float(reached.mean()),
           "forward_value_musd": float(v.mean()),
           "forward_value_se_musd": float(v.std(ddof=1) / np.sqrt(v.size)),
           "evpi_musd": evpi, "evpi_se_musd": evpi_se,
           "evppi_input_musd": evppi, "evppi_input_se_musd": evppi_se,
           **values}  # fmt: skip
    return inputs.reset_index(drop=True), pd.DataFrame([row])


def _row(name, x, v, reached, bootstrap, seed) -> dict:
    value, se = value_of_information(x, v, reached, bootstrap=bootstrap, seed=seed)
    return {"input": name, "evppi_musd": value, "evppi_se_musd": se}


def format_voi(inputs: pd.DataFrame, study: pd.DataFrame) -> str:
    """The two tables as text (USD millions per future of the scenario)."""
    r = study.iloc[0]
    head = (
        f"Value of information at {r.asset}'s {r.gate} gate ({r.portfolio}); "
        f"P(reach the gate) {r.p_reach_gate:.3f}, forward value of going "
        f"{r.forward_value_musd:,.1f} +- {r.forward_value_se_musd:,.1f} USD M per future\n"
    )
    shown = study.drop(columns=["portfolio", "asset", "gate"]).T
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        top = inputs.to_string(index=False, float_format=lambda v: f"{v:,.2f}")
        tail = shown.to_string(header=False, float_format=lambda v: f"{v:,.3f}")
    return f"{head}\nEVPI and EVPPI of each input\n{top}\n\nStudy {r.study}\n{tail}\n"
