"""IRR: a known cash flow, scipy's brentq as the reference root, NaN with its reason."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from simulator.core.irr import MULTIPLE, NO_SIGN_CHANGE, OK, irr


def test_minus_100_then_110_a_year_later_is_ten_percent_a_year():
    cash = np.zeros((1, 13))
    cash[0, 0], cash[0, 12] = -100.0, 110.0
    rate, reason = irr(cash)
    assert reason[0] == OK
    assert abs(rate[0] - 0.10) < 1e-12
    rate, reason = irr(np.array([[-100.0, 110.0]]), periods_per_year=1)
    assert abs(rate[0] - 0.10) < 1e-12


def _reference(row: np.ndarray) -> float:
    t = np.arange(row.size)
    monthly = brentq(lambda r: float((row * (1 + r) ** -t).sum()), -0.5, 0.6, xtol=1e-15)
    return (1 + monthly) ** 12 - 1


@settings(max_examples=40, deadline=None)
@given(spend=st.floats(1, 50), months=st.integers(6, 60), earn=st.floats(0.2, 5.0),
       noise=st.integers(0, 2**31 - 1))  # fmt: skip
def test_equals_brentq_on_spend_then_earn_flows(spend, months, earn, noise):
    rng = np.random.default_rng(noise)
    row = np.concatenate([-spend * rng.uniform(0.5, 1.5, months), earn * rng.uniform(0, 2, 240)])
    rate, reason = irr(row[None, :])
    assert reason[0] == OK
    assert abs(rate[0] - _reference(row)) < 1e-9


def test_nan_only_where_the_cash_never_changes_sign():
    rows = np.array([[-1.0, -2.0, 0.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-10.0, 0.0, 11.0]])
    rate, reason = irr(rows, periods_per_year=1)
    assert list(reason) == [NO_SIGN_CHANGE, NO_SIGN_CHANGE, NO_SIGN_CHANGE, OK]
    assert np.isnan(rate[:3]).all() and np.isfinite(rate[3])


def test_several_roots_are_flagged():
    # -100, +230, -132 per year: roots at 10% and 20% (x^2 - 2.3x + 1.32 = 0)
    rate, reason = irr(np.array([[-100.0, 230.0, -132.0]]), periods_per_year=1)
    assert reason[0] == MULTIPLE
    assert abs(rate[0] - 0.10) < 1e-9  # the lowest root


def test_a_near_total_loss_still_has_its_irr():
    """Spend 1,000 now and get 1 back after ten years of months: the cash changes sign, so
    the IRR exists (about -50% a year), far inside the range."""
    row = np.zeros((1, 121))
    row[0, 0], row[0, 120] = -1000.0, 1.0
    rate, reason = irr(row)
    assert reason[0] == OK
    assert abs(rate[0] - (0.001 ** (1 / 10) - 1)) < 1e-9
    row[0, 120] = 1e-30  # (1e-33)^(1/10) - 1 = -99.95% a year, still inside
    rate, reason = irr(row)
    assert reason[0] == OK and abs(rate[0] - ((1e-33) ** 0.1 - 1)) < 1e-9
