"""Tax as a company pays it: the equations against hand-computed cases and invariants,
and the engine against an independent month-by-month tax of its own pre-tax cash.

Oracles: the issue's example (a loss of 100, then profits of 60 and 60: tax on 0 and 20;
with the US 80% limit on 12 and 12, 4 still carried forward); the identity that a
standalone company pays ``t (sum of taxable income + losses left unused)`` over its life;
straight-line depreciation sums to the capex; the orphan credit is worth ``(1 - t) k`` of
the qualified spend's present value to a consolidated sponsor.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import asset, make
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from simulator.core.timeline import pv_spread
from simulator.engine.chunk import simulate_chunk
from simulator.pillars.finance.tax import (
    at_year_ends,
    consolidated_tax,
    standalone_tax,
    straight_line,
    yearly,
)

HORIZON = 360


def test_the_hand_computed_carry_forward():
    income = np.array([[-100.0, 60.0, 60.0]])
    free = standalone_tax(income, rate=1.0)  # rate 1: tax paid = taxable income after losses
    np.testing.assert_array_equal(free.tax_musd, [[0.0, 0.0, 20.0]])
    np.testing.assert_array_equal(free.losses_carried_musd, [[100.0, 40.0, 0.0]])
    limited = standalone_tax(income, rate=1.0, limit_share=0.8)
    np.testing.assert_allclose(limited.tax_musd, [[0.0, 12.0, 12.0]], atol=1e-12)
    np.testing.assert_allclose(limited.losses_carried_musd[0, -1], 4.0)
    at_21 = standalone_tax(income, rate=0.21, limit_share=0.8)
    np.testing.assert_allclose(at_21.tax_musd, [[0.0, 0.21 * 12, 0.21 * 12]])


@settings(max_examples=60, deadline=None)
@given(
    arrays(float, (3, 12), elements=st.floats(-500, 500, allow_nan=False)),
    st.sampled_from([None, 0.8, 0.5]),
    st.floats(0.0, 0.5),
)
def test_a_standalone_company_pays_the_rate_on_income_plus_unused_losses(income, limit, rate):
    """Over its life: sum(tax) = t (sum(TI) + losses still unused); never below the
    consolidated company's t sum(TI), and equal to it when no year makes a loss."""
    paid = standalone_tax(income, rate, limit)
    lhs = paid.tax_musd.sum(axis=1)
    np.testing.assert_allclose(
        lhs, rate * (income.sum(axis=1) + paid.losses_carried_musd[:, -1]), atol=1e-8
    )
    assert np.all(lhs >= rate * income.sum(axis=1) - 1e-8)
    profitable = np.abs(income)
    np.testing.assert_allclose(standalone_tax(profitable, rate, limit).tax_musd, rate * profitable)


def test_credits_pay_tax_owed_and_carry_the_rest_forward():
    income = np.array([[-50.0, 100.0, 100.0]])
    credits = np.array([[30.0, 0.0, 0.0]])
    paid = standalone_tax(income, 0.2, None, credits)
    # owed: 0, 0.2 x 50 = 10, 0.2 x 100 = 20; the pool of 30 pays 10 then 20
    np.testing.assert_allclose(paid.credits_used_musd, [[0.0, 10.0, 20.0]])
    np.testing.assert_allclose(paid.tax_musd, [[0.0, 0.0, 0.0]])
    np.testing.assert_allclose(paid.credits_carried_musd[0, -1], 0.0, atol=1e-12)


def test_straight_line_spreads_each_payment_over_its_life():
    capex = np.zeros((1, 40))
    capex[0, 3], capex[0, 10] = 120.0, 60.0
    d = straight_line(capex, 12)
    assert d.sum() == pytest.approx(180.0)
    np.testing.assert_allclose(d[0, 3:10], 10.0)
    np.testing.assert_allclose(d[0, 10:15], 15.0)
    np.testing.assert_allclose(d[0, 22:], 0.0)
    np.testing.assert_array_equal(straight_line(capex, 0), capex)
    # with capex and its depreciation in the same month the consolidated tax is linear
    np.testing.assert_allclose(consolidated_tax(capex * 0, 0.3, capex, capex), 0.0)


def test_year_end_booking_and_yearly_sums():
    m = np.arange(24.0)[None, :]
    np.testing.assert_array_equal(yearly(m), [[66.0, 210.0]])
    booked = at_year_ends(np.array([[5.0, 7.0]]))
    assert booked[0, 11] == 5.0 and booked[0, 23] == 7.0 and booked.sum() == 12.0


def _deterministic(**tax):
    a = asset()  # a sure launch: losses in development, profits after launch
    return make({"p": [a]}, iterations=2, chunk_size=2, tax_rate=0.21, tax=tax), a


def test_standalone_engine_taxes_its_own_pretax_cash_with_losses_carried_forward():
    pre = simulate_chunk(make({"p": [asset()]}, iterations=2, chunk_size=2), 0, keep_monthly=True)
    pretax = pre.monthly_cash_musd["p"][0]
    s, _ = _deterministic(mode="standalone", loss_limit_share=0.8)
    chunk = simulate_chunk(s, 0, keep_monthly=True)
    # an independent year-by-year tax of the pre-tax cash, written plainly
    losses, expected = 0.0, np.zeros(HORIZON)
    for y in range(HORIZON // 12):
        ti = pretax[12 * y : 12 * y + 12].sum()
        used = min(losses, 0.8 * ti) if ti > 0 else 0.0
        losses += max(-ti, 0.0) - used
        expected[12 * y + 11] = 0.21 * (ti - used) if ti > 0 else 0.0
    np.testing.assert_allclose(chunk.monthly_cash_musd["p"][0], pretax - expected, atol=1e-9)
    v = 1.1 ** (-1 / 12)  # the helper market discounts at 10%
    disc = v ** (np.arange(HORIZON) + 0.5)
    np.testing.assert_allclose(
        chunk.columns["p.npv_musd"][0], (pretax - expected) @ disc, rtol=1e-10
    )
    np.testing.assert_allclose(chunk.columns["p.tax_pv_musd"][0], expected @ disc, rtol=1e-10)
    # the asset's own column stays at the statutory rate; the portfolio adds the adjustment
    cols = chunk.columns
    np.testing.assert_allclose(
        cols["p.npv_musd"], cols["p.drug.npv_musd"] + cols["p.tax_adjustment_musd"], rtol=1e-12
    )
    linear = simulate_chunk(_deterministic()[0], 0).columns["p.npv_musd"]
    assert cols["p.npv_musd"][0] < linear[0]  # early losses wait for profits


def test_consolidated_with_nothing_to_adjust_is_the_linear_tax_bit_for_bit():
    base = simulate_chunk(make({"p": [asset()]}, iterations=4, chunk_size=4, tax_rate=0.21), 0)
    s, _ = _deterministic(mode="consolidated", orphan_credit_rate=0.25, loss_limit_share=0.8)
    same = simulate_chunk(s.with_(iterations=4, chunk_size=4), 0)  # no orphan asset, no plant
    for k, v in base.columns.items():
        np.testing.assert_array_equal(same.columns[k], v, err_msg=k)
    np.testing.assert_array_equal(same.columns["p.tax_adjustment_musd"], 0.0)


@pytest.mark.parametrize("mode", ["consolidated", "standalone"])
def test_the_orphan_credit_is_worth_its_rate_on_the_clinical_spend(mode):
    """Consolidated: the NPV gains (1 - t) k PV(phase I-III spend) exactly (the credit is
    used at once and, by s.280C(b), taxed at t). Standalone: it waits for tax to pay, so
    it is worth less, but never more than credits earned."""
    orphan = asset()
    orphan["regulatory"] = {"orphan_indications": 1}
    kw = dict(iterations=2, chunk_size=2, tax_rate=0.21)
    off = simulate_chunk(make({"p": [orphan]}, tax={"mode": mode}, **kw), 0).columns
    on = simulate_chunk(
        make({"p": [orphan]}, tax={"mode": mode, "orphan_credit_rate": 0.25}, **kw), 0
    ).columns
    starts, lengths = (0, 12, 36), (12, 24, 30)  # phases I-III of the helper's asset
    qualified = sum(
        pv_spread(np.array([c]), np.array([s]), np.array([m]), 0.1, HORIZON)[0]
        for c, s, m in zip((10, 30, 100), starts, lengths, strict=True)
    )
    gain = on["p.npv_musd"][0] - off["p.npv_musd"][0]
    np.testing.assert_allclose(on["p.orphan_credit_musd"], 0.25 * 140)
    if mode == "consolidated":
        assert gain == pytest.approx((1 - 0.21) * 0.25 * qualified, rel=1e-10)
    else:
        assert 0 < gain < 0.25 * 140


def test_depreciated_capex_moves_the_tax_saving_later():
    """Consolidated: capex K deducted as D instead adds t PV(D - K) (< 0) to the NPV;
    standalone with no profit to deduct it from: nothing is refunded either way."""
    from simulator.pillars.finance.block import Tax
    from simulator.pillars.finance.step import TaxBook

    disc = 1.1 ** (-(np.arange(24) + 0.5) / 12)
    capex = np.zeros((1, 24))
    capex[0, 0] = 120.0
    book = TaxBook(Tax(capex_depreciation_years=1), 0.2, 1, 24)
    book.add_capex(np.array([0]), capex)
    cash = -capex.copy()  # the capex is paid out of pre-tax cash
    adjustment, cols = book.settle(cash, np.array([-capex[0] @ disc]), disc)
    d = np.where(np.arange(24) < 12, 10.0, 0.0)
    assert adjustment[0] == pytest.approx(0.2 * ((d - capex[0]) @ disc), rel=1e-12)
    np.testing.assert_allclose(cash[0], -0.8 * capex[0] + 0.2 * (d - capex[0]), atol=1e-12)
    alone = TaxBook(Tax(mode="standalone", capex_depreciation_years=1), 0.2, 1, 24)
    alone.add_capex(np.array([0]), capex)
    cash = -capex.copy()
    alone.settle(cash, np.array([-capex[0] @ disc]), disc)
    np.testing.assert_array_equal(cash, -capex)
    assert cols["tax_adjustment_musd"][0] == adjustment[0]
