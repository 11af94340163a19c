"""A contract block is the class its ``type`` names; anything else stops the run.

Oracles: the CLI's contract for a broken scenario (exit status 2, the field's path, what
was expected) and the registry's own list of types.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from helpers import asset, make, scenario_dict, write_yaml

from simulator.cli import main
from simulator.core.errors import ScenarioError
from simulator.pillars.pricing.contracts import CONTRACTS, ListPrice


def _simulate(tmp_path, contract: dict, **pricing):
    drug = dict(asset("x"), pricing={"contract": contract, **pricing})
    path = write_yaml(tmp_path / "s.yaml", scenario_dict({"p": [drug]}, iterations=20))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [str(path), "--out", str(out), "--backend", "sequential"])
    return res, out


def test_an_unknown_contract_type_exits_2_naming_the_allowed_types(tmp_path):
    res, out = _simulate(tmp_path, {"type": "lease", "payments": 5})
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and not out.exists()
    assert "pricing.contract.type: unknown contract type 'lease'" in res.output
    for name in ("list", "outcome_based", "annuity", "warranty", *CONTRACTS):
        assert name in res.output.split("expected one of:")[1]


def test_a_field_of_another_contract_type_names_the_types_it_belongs_to():
    def pricing(contract: dict) -> dict:
        return dict(asset("x"), pricing={"price_basis": "one_time", "contract": contract})

    with pytest.raises(ScenarioError, match="payments is for annuity contracts, not warranty"):
        make({"p": [pricing({"type": "warranty", "warranty_years": 2, "payments": 3})]})
    with pytest.raises(
        ScenarioError, match=r"assessment_months is for .*warranty contracts, not list"
    ):
        make({"p": [pricing({"type": "list", "assessment_months": 1})]})


def test_a_contract_without_a_type_is_a_list_contract():
    s = make({"p": [dict(asset("x"), pricing={"contract": {"response_probability": 0.5}})]})
    contract = s.portfolios["p"].assets[0].pricing.contract
    assert type(contract) is ListPrice and contract.response_probability.mean() == 0.5
    assert type(make({"p": [dict(asset("x"), pricing={})]}).portfolios["p"].assets[0]
                .pricing.contract) is ListPrice  # fmt: skip
