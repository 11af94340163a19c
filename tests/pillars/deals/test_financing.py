"""The megafund waterfall: priority, losses that sum to the shortfall, equity's residual,
default probability that rises with the senior principal."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from simulator.pillars.deals.financing import Financing, senior_capacity, waterfall

FIN = Financing(capital_musd=100, reserve_musd=10,
                senior={"share": 0.5, "coupon_annual": 0.05, "maturity_years": 3},
                junior={"share": 0.2, "coupon_annual": 0.10, "maturity_years": 3},
                equity={"share": 0.3})  # fmt: skip


def test_certain_cash_flows_by_hand():
    # one year spends 60 of the 100 raised, then 0, then 20: the senior is due 2.5, 2.5,
    # 52.5 and the junior 2, 2, 22; cash 100 - 60 = 40 pays 2.5 + 2 twice (31 left), then
    # 31 + 20 = 51 of the senior's 52.5 (1.5 lost) and nothing of the junior's 22.
    w = waterfall(np.array([[-60.0, 0.0, 20.0, 5.0]]), FIN)
    assert w.loss_musd["senior"][0] == pytest.approx(1.5)
    assert w.loss_musd["junior"][0] == pytest.approx(22.0)
    assert w.defaulted["senior"][0] and w.defaulted["junior"][0]
    np.testing.assert_allclose(w.equity_cash_musd[0], [-30.0, 0.0, 0.0, 0.0, 5.0])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(-80, 120), min_size=4, max_size=12))
def test_priority_and_losses_sum_to_the_shortfall(cash):
    row = np.array([cash])
    w = waterfall(row, FIN)
    senior_paid, junior_paid = w.paid_musd["senior"][0], w.paid_musd["junior"][0]
    # each year: the junior is paid only once the senior has been paid in full
    short = senior_paid < w.due_musd["senior"] - 1e-9
    assert np.all(junior_paid[short] <= 1e-9)
    # the equity is paid only in years where every debt payment due was paid in full
    debt_short = short | (junior_paid < w.due_musd["junior"] - 1e-9)
    assert np.all(w.equity_cash_musd[0, 1:][debt_short] <= 1e-9)
    losses = w.loss_musd["senior"][0] + w.loss_musd["junior"][0]
    assert w.shortfall_musd[0] == pytest.approx(losses, abs=1e-9)
    unpaid = (w.due_musd["senior"] - senior_paid).sum() + (w.due_musd["junior"] - junior_paid).sum()
    assert losses == pytest.approx(unpaid, abs=1e-9)
    # nothing is created or lost: the equity's cash is the debt raised plus the
    # portfolio's cash less the debt service paid
    debt_raised = 100 * (0.5 + 0.2)
    assert w.equity_cash_musd[0].sum() == pytest.approx(
        debt_raised + row.sum() - senior_paid.sum() - junior_paid.sum(), abs=1e-6
    )


def test_with_no_debt_the_equity_cash_is_the_portfolios():
    fin = Financing(capital_musd=0, equity={"share": 1.0})
    rows = np.random.default_rng(1).normal(0, 50, (50, 10))
    w = waterfall(rows, fin)
    np.testing.assert_array_equal(w.equity_cash_musd[:, 1:], rows)
    assert w.shortfall_musd.sum() == 0


@settings(max_examples=20, deadline=None)
@given(st.floats(0, 300), st.floats(0, 300))
def test_default_probability_rises_with_the_senior_principal(a, b):
    rows = np.random.default_rng(5).normal(10, 40, (300, 10))
    low, high = sorted((a, b))
    p = [waterfall(rows, FIN, s).defaulted["senior"].mean() for s in (low, high)]
    assert p[0] <= p[1]


def test_senior_capacity_meets_its_default_probability():
    rows = np.random.default_rng(5).normal(15, 40, (400, 10))
    cap = senior_capacity(rows, FIN, 0.05)
    assert waterfall(rows, FIN, cap).defaulted["senior"].mean() <= 0.05
    assert waterfall(rows, FIN, cap + 1.0).defaulted["senior"].mean() > 0.05


def test_tranche_shares_must_sum_to_one():
    with pytest.raises(ValidationError, match=r"sum to 0\.9"):
        Financing(capital_musd=10, senior={"share": 0.5}, equity={"share": 0.4})
