"""The market's rates are conventions of the valuation: one number each, never drawn."""

from __future__ import annotations

import pytest

import simulator as sim
from simulator.scenario import ScenarioError


@pytest.mark.parametrize(
    "field", ["market.tax_rate", "market.discount_rate_annual", "market.cost_of_capital_annual"]
)
@pytest.mark.parametrize(
    "value", ["pert(0.1, 0.2, 0.3)", {"dist": "uniform", "low": 0.1, "high": 0.2}]
)
def test_a_distribution_for_a_rate_is_refused_saying_why_and_what_to_do(field, value):
    s = sim.load_scenario(sim.shipped("nichebuster.yaml"))
    with pytest.raises(ScenarioError) as err:
        s.with_({field: value})
    text = str(err.value)
    assert text.startswith(f"Scenario.with_: {field}: expected one number, not a distribution")
    assert "simulate sweep" in text
    assert s.with_({field: 0.2}).market.model_dump()[field.split(".")[1]] == 0.2
