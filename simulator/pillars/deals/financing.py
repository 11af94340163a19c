"""A megafund: a portfolio's cash funds a vehicle financed by debt tranches and equity.

Fernandez, Stein & Lo (2012), "Commercializing biomedical research through securitization
techniques", *Nature Biotechnology* 30:964-975, argue that many risky programmes pooled in
one vehicle can be financed by research-backed bonds as well as equity: the pool's
diversification makes its senior debt safe enough to sell. The vehicle here:

- raises ``capital_musd`` at time 0, split by ``share`` into senior debt, junior debt and
  equity (shares sum to 1); ``reserve_musd`` of it is locked for debt service;
- each calendar year ``y`` of the grid takes the portfolio's after-tax cash ``cf_y`` into
  its operating balance ``O``; where ``O < 0`` the programmes' spending has outrun the
  vehicle's cash and the equity funds it (a capital call: ASSUMPTION, so the programmes
  run as simulated);
- at each year end pays, in priority, senior then junior: each debt tranche is due its
  coupon on what is outstanding and, at its maturity, its principal,
  ``due = coupon x principal + principal 1[y = maturity - 1]``; it is paid
  ``min(due, O + R)`` from the operating balance first, then the reserve; what is not paid
  is lost (no arrears: ASSUMPTION) and the tranche has *defaulted*;
- distributes to the equity what is left (``O``, and the reserve) once every debt tranche
  has matured, and everything at the horizon.

Per iteration: whether each tranche defaulted, its loss (unpaid over promised), the
shortfall (what debt service the vehicle could not pay: the tranches' losses sum to it),
and the equity's yearly cash and IRR. With no debt, no reserve and no capital the
equity's cash is the portfolio's, year by year. Cash holds no interest (ASSUMPTION).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field, model_validator

from simulator.core.fields import Float, Int, Model


class Tranche(Model):
    share: Float = Field(ge=0.0, le=1.0, description="of the capital raised")
    coupon_annual: Float = Field(0.0, ge=0.0, le=1.0, description="paid on the principal")
    maturity_years: Int = Field(10, ge=1, le=60, description="principal repaid then")


class Equity(Model):
    share: Float = Field(ge=0.0, le=1.0, description="of the capital raised")


class Financing(Model):
    """A portfolio's ``financing`` block (see the module docstring)."""

    capital_musd: Float = Field(ge=0.0, description="raised at time 0")
    reserve_musd: Float = Field(0.0, ge=0.0, description="of the capital, kept for debt service")
    senior: Tranche | None = None
    junior: Tranche | None = None
    equity: Equity

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Financing:
        total = sum(t.share for t in (self.senior, self.junior, self.equity) if t is not None)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"tranche shares (senior, junior, equity) sum to {total:g}, not 1")
        if self.reserve_musd > self.capital_musd:
            raise ValueError("reserve_musd cannot exceed capital_musd")
        return self

    def debt(self) -> list[tuple[str, Tranche]]:
        """The debt tranches in priority order."""
        return [(k, t) for k, t in (("senior", self.senior), ("junior", self.junior)) if t]


@dataclass(frozen=True)
class Waterfall:
    """What the vehicle paid, per iteration (see the module docstring)."""

    defaulted: dict[str, np.ndarray]  # tranche -> bool
    loss_musd: dict[str, np.ndarray]  # tranche -> unpaid debt service
    promised_musd: dict[str, float]  # tranche -> promised debt service
    shortfall_musd: np.ndarray
    paid_musd: dict[str, np.ndarray]  # tranche -> (n, years) paid at each year end
    due_musd: dict[str, np.ndarray]  # tranche -> (years,) due at each year end
    equity_cash_musd: np.ndarray  # (n, years + 1): time 0, then each year end


def waterfall(yearly_cash: np.ndarray, fin: Financing, senior_musd: float | None = None
              ) -> Waterfall:  # fmt: skip
    """Run the vehicle on each row of ``yearly_cash`` ``(n, years)``; ``senior_musd``
    replaces the senior principal (for :func:`senior_capacity`)."""
    n, years = yearly_cash.shape
    principal = {k: fin.capital_musd * t.share for k, t in fin.debt()}
    equity_in = fin.capital_musd * fin.equity.share
    if senior_musd is not None and fin.senior is not None:
        principal["senior"] = senior_musd
    raised = sum(principal.values()) + equity_in
    reserve = np.full(n, min(fin.reserve_musd, raised))
    operating = np.full(n, raised) - reserve
    equity = np.zeros((n, years + 1))
    equity[:, 0] = -equity_in
    tranches = dict(fin.debt())
    loss = {k: np.zeros(n) for k in tranches}
    promised = dict.fromkeys(tranches, 0.0)
    paid = {k: np.zeros((n, years)) for k in tranches}
    owed = {k: np.zeros(years) for k in tranches}
    last = max((t.maturity_years for t in tranches.values()), default=0)
    for y in range(years):
        operating += yearly_cash[:, y]
        call = np.minimum(operating, 0.0)
        equity[:, y + 1] += call
        operating -= call
        for k, t in tranches.items():
            if y >= t.maturity_years:
                continue
            due = principal[k] * (t.coupon_annual + (y == t.maturity_years - 1))
            promised[k] += due
            from_op = np.minimum(due, operating)
            from_res = np.minimum(due - from_op, reserve)
            operating -= from_op
            reserve -= from_res
            loss[k] += due - from_op - from_res
            paid[k][:, y], owed[k][y] = from_op + from_res, due
        if y + 1 >= last or y == years - 1:  # no debt outstanding: distribute
            equity[:, y + 1] += operating + reserve
            operating[:] = 0.0
            reserve[:] = 0.0
    defaulted = {k: v > 1e-9 * max(promised[k], 1.0) for k, v in loss.items()}
    shortfall = sum(loss.values()) if loss else np.zeros(n)
    return Waterfall(defaulted, loss, promised, shortfall, paid, owed, equity)


def senior_capacity(yearly_cash: np.ndarray, fin: Financing, default_probability: float = 0.05,
                    tolerance_musd: float = 0.5) -> float:  # fmt: skip
    """The largest senior principal whose default probability over the rows of
    ``yearly_cash`` is at most ``default_probability``, by bisection (the other tranches
    as the block sets them); 0 when even a tiny senior tranche defaults too often."""
    if fin.senior is None:
        raise ValueError("the financing block has no senior tranche")

    def p_default(senior: float) -> float:
        return float(waterfall(yearly_cash, fin, senior).defaulted["senior"].mean())

    lo, hi = 0.0, max(float(np.abs(yearly_cash).sum(axis=1).max()), 1.0)
    if p_default(hi) <= default_probability:
        return hi
    while hi - lo > tolerance_musd:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if p_default(mid) <= default_probability else (lo, mid)
    return lo
