"""What a unit costs whatever the payer pays, and the ceiling per treated patient.

Oracles (closed forms): under an outcome-based contract that pays only for responders
(probability q), cash per unit of list revenue is ``q - cogs - selling``, royalties
``q x royalty``: a non-responder is made and sold like any patient. The value ceiling
caps the payer's *expected payment per treated patient* at ``WTP x QALYs + offsets``:
with a contract that pays for responders only the price per responder may reach
``ceiling / q``, and the expected payment per treated patient (revenue recognised per
unit) never exceeds the ceiling, whatever the contract.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.pillars.pricing.test_payments import PRICE, _cgt, _run


@pytest.mark.parametrize("q", [0.3, 0.75])
def test_cost_of_goods_follows_the_units_made_under_an_outcome_based_contract(q):
    costs = {"cogs_share": 0.2, "selling_share": 0.05, "royalty_rate": 0.1}
    contract = {"type": "outcome_based", "response_probability": q}
    paid = _run({"p": [_cgt({"price_basis": "one_time", "contract": contract}, **costs)]}, 4)
    free = _run({"p": [_cgt({"price_basis": "one_time"})]}, 4)  # no costs, list: PV(revenue)
    expected = free.npv("p") * (q * (1 - 0.1) - 0.2 - 0.05)
    np.testing.assert_allclose(paid.npv("p"), expected, rtol=1e-10)


def test_on_a_list_contract_the_margin_is_one_minus_every_share():
    costs = {"cogs_share": 0.2, "selling_share": 0.05, "royalty_rate": 0.1}
    paid = _run({"p": [_cgt({"price_basis": "one_time"}, **costs)]}, 4)
    free = _run({"p": [_cgt({"price_basis": "one_time"})]}, 4)
    np.testing.assert_allclose(paid.npv("p"), free.npv("p") * (1 - 0.35), rtol=1e-10)


def test_paying_only_for_responders_lets_the_price_per_response_reach_ceiling_over_q():
    ceiling = {"wtp_per_qaly_usd": 100_000, "qalys_gained": 2.0}  # 200,000 per treated patient
    contract = {"type": "outcome_based", "response_probability": 0.5}
    r = _run({"p": [_cgt({"price_basis": "one_time", "value_ceiling": ceiling,
                          "contract": contract})]}, 4)  # fmt: skip
    # list 400,000 x q 0.5 = 200,000 expected per treated patient: the ceiling just holds
    np.testing.assert_allclose(r.column("p.gt.net_price_realised_usd"), 200_000, rtol=1e-9)
    listed = _run({"p": [_cgt({"price_basis": "one_time", "value_ceiling": ceiling})]}, 4)
    np.testing.assert_allclose(listed.column("p.gt.net_price_realised_usd"), 200_000, rtol=1e-9)
    np.testing.assert_allclose(r.npv("p"), listed.npv("p"), rtol=1e-9)  # same expected pay


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(["list", "outcome_based", "annuity", "warranty"]),
    st.floats(0.05, 1.0),
    st.floats(50_000, 300_000),
    st.floats(0.5, 6.0),
    st.floats(0.0, 0.5),
)
def test_expected_payment_per_treated_patient_never_exceeds_wtp_times_qalys(
    kind, q, wtp, qalys, hazard
):
    contract = {"type": kind, "response_probability": q}
    if kind in ("annuity", "warranty"):
        contract["response_loss_hazard_annual"] = hazard
    if kind == "warranty":
        contract["warranty_years"] = 3
    ceiling = {"wtp_per_qaly_usd": wtp, "qalys_gained": qalys}
    pricing = {"price_basis": "one_time", "value_ceiling": ceiling, "contract": contract}
    r = _run({"p": [_cgt(pricing, commercial_life_years=30)]}, 2)
    per_patient = r.column("p.gt.net_price_realised_usd")  # recognised / units treated
    cap = wtp * qalys
    assert np.all(per_patient <= cap * (1 + 1e-9))
    share = {"list": 1.0, "outcome_based": q}.get(kind)
    if share is not None:  # paid at treatment: binding iff the list price pays more
        np.testing.assert_allclose(per_patient, min(PRICE * share, cap), rtol=1e-9)
