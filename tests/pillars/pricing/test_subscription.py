"""The subscription contract against the closed form of its cash.

A one-time therapy that surely launches (month ``L``), with no costs, sells 600
treatments a year at $400,000 for five years: ``V = 20`` (USD M) a month. Under a
subscription of fee ``F`` a year over ``T`` months covering a share ``s`` of the patients,
at the mid-month convention (``v = 1.1^(-1/12)``),

    NPV = 20 (1 - s) A(L, L + T) + 20 A(L + T, L + 60) + F / 12 x A(L, L + T),
    A(a, b) = sum_{m=a}^{b-1} v^(m + 1/2) = v^(a + 1/2) (1 - v^(b - a)) / (1 - v),

per iteration (``F`` and ``s`` drawn), with ``T`` cut at the 60 months on the market.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import asset, make, scenario_dict, write_yaml

import simulator as sim
from simulator.cli import main

PRICE, MONTHLY_VALUE, LIFE = 400_000, 20.0, 60
V = 1.1 ** (-1 / 12)


def _gene_therapy(contract: dict | None = None, price: float = PRICE) -> dict:
    a = asset(
        "gt", cost=(0, 0, 0, 0), patients_per_year=600, peak_share=1.0, uptake_curve=[1.0],
        list_price_usd=price, gross_to_net=0.0, cogs_share=0.0, selling_share=0.0,
        royalty_rate=0.0, sales_force_musd_per_year=0.0, launch_cost_musd=0.0,
        exclusivity_years=12, erosion_first_year=0.2, commercial_life_years=LIFE / 12,
    )  # fmt: skip
    a["pricing"] = {"price_basis": "one_time"}
    if contract is not None:
        a["pricing"]["contract"] = {"type": "subscription", **contract}
    return a


def _run(a: dict, iterations: int = 300):
    return sim.run(make({"p": [a]}, iterations=iterations, chunk_size=150))


def _annuity(first: float, months: float) -> np.ndarray:
    """``sum_{m=first}^{first+months-1} v^(m + 1/2)``, written as the geometric series."""
    return V ** (first + 0.5) * (1 - V**months) / (1 - V)


@pytest.mark.parametrize("term_years", [5.0, 8.0])
def test_fully_covered_npv_is_the_fee_times_the_annuity_factor(term_years):
    """s = 1: the fee is all the asset earns, for min(T, 60 months on the market)."""
    r = _run(_gene_therapy({"annual_fee_musd": "uniform(100, 300)", "term_years": term_years,
                            "payer_share": 1.0}))  # fmt: skip
    launch = r.column("p.gt.launch_month")
    assert np.all(launch == launch[0])
    fee = r.column("input:p.gt.pricing.contract.annual_fee_musd")
    assert fee.std() > 10  # the fee is drawn per iteration
    np.testing.assert_allclose(r.npv("p"), fee / 12 * _annuity(launch[0], LIFE), rtol=1e-9)
    np.testing.assert_allclose(r.column("p.gt.cash_received_musd"), fee / 12 * LIFE, rtol=1e-9)


def test_covered_patients_earn_nothing_beyond_the_fee_and_the_rest_pay_list():
    term = 36
    listed = _run(_gene_therapy())
    sub = _run(_gene_therapy({"annual_fee_musd": "uniform(100, 300)", "term_years": term / 12,
                              "payer_share": "uniform(0.2, 0.8)"}))  # fmt: skip
    launch = sub.column("p.gt.launch_month")[0]
    np.testing.assert_allclose(listed.npv("p"), MONTHLY_VALUE * _annuity(launch, LIFE), rtol=1e-9)
    fee = sub.column("input:p.gt.pricing.contract.annual_fee_musd")
    s = sub.column("input:p.gt.pricing.contract.payer_share")
    in_term = _annuity(launch, term)
    expected = listed.npv("p") - s * MONTHLY_VALUE * in_term + fee / 12 * in_term
    np.testing.assert_allclose(sub.npv("p"), expected, rtol=1e-9)
    cash = (1 - s) * MONTHLY_VALUE * term + MONTHLY_VALUE * (LIFE - term) + fee / 12 * term
    np.testing.assert_allclose(sub.column("p.gt.cash_received_musd"), cash, rtol=1e-9)
    np.testing.assert_allclose(sub.column("p.gt.revenue_recognised_musd"), cash, rtol=1e-9)
    forgone = s * MONTHLY_VALUE * term - fee / 12 * term
    np.testing.assert_allclose(sub.column("p.gt.payments_forgone_musd"), forgone, rtol=1e-9)
    np.testing.assert_allclose(sub.column("p.gt.units_sold"), 600 * LIFE / 12, rtol=1e-9)
    assert np.all(sub.column("p.gt.tracking_cost_musd") == 0)
    assert np.all(sub.column("p.gt.revenue_at_risk_share") == 0)


def test_with_every_patient_covered_for_the_whole_life_the_price_does_not_matter():
    contract = {"annual_fee_musd": "uniform(100, 300)", "term_years": 5, "payer_share": 1.0}
    cheap = _run(_gene_therapy(contract), iterations=150).npv("p")
    dear = _run(_gene_therapy(contract, price=2 * PRICE), iterations=150).npv("p")
    np.testing.assert_array_equal(cheap, dear)


def test_a_subscription_without_a_fee_exits_2_and_unknown_types_list_it(tmp_path):
    def simulate(contract: dict) -> str:
        drug = dict(asset("x"), pricing={"contract": contract})
        path = write_yaml(tmp_path / "s.yaml", scenario_dict({"p": [drug]}, iterations=20))
        res = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "out"), "-q"])
        assert res.exit_code == 2, res.output
        return res.output

    message = simulate({"type": "subscription", "payer_share": 0.4})
    assert "pricing.contract.annual_fee_musd: required field is missing" in message
    assert "subscription" in simulate({"type": "lease"}).split("expected one of:")[1]
