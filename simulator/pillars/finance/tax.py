"""Tax as a company pays it: the equations, pure functions of arrays over iterations.

All amounts are USD millions, months on the scenario's grid; a tax year is a block of 12
months from the scenario start. ``t`` is the tax rate, ``c_m`` the pre-tax cash of month
``m`` (capex included as paid), ``K_m`` capex paid, ``D_m`` its depreciation, ``Q_m``
qualified clinical spend of orphan-designated assets and ``k`` the orphan credit rate.

**Depreciation** (straight line over ``L`` months, from the month it is paid):

    D_m = (1/L) sum_{j=0}^{L-1} K_{m-j}          (L = 0: D_m = K_m, expensed)

**Orphan-drug credit** ``C_m = k Q_m`` (26 U.S.C. s.45C: 25% since 2018); the deduction
of the qualified expenses is reduced by the credit (s.280C(b)), so taxable income gains
``C_m``. Taxable income of a month or a year is therefore

    TI = c + K - D + C.

**Consolidated** (losses offset other profits at once): each month pays

    tax_m = t TI_m - C_m,

negative when the portfolio makes a loss or earns credits (the company's other tax bill
shrinks by that much). With no capex and no credit this is ``t c_m``: after-tax cash
``(1 - t) c_m``, the linear tax of the simulator's first releases, exactly.

**Standalone** (the portfolio is the company; nothing is refunded). With ``N_{y-1}`` the
losses carried into year ``y`` (``N_0 = 0``) and ``s`` the limit share (the US rule for
losses since 2018: 80% of taxable income, s.172(a)(2); no limit: ``s = 1``):

    used_y  = min(N_{y-1}, s TI_y)        if TI_y > 0, else 0
    N_y     = N_{y-1} - used_y + max(-TI_y, 0)
    owed_y  = t (TI_y - used_y)           if TI_y > 0, else 0

Credits join a pool ``P_y = P_{y-1} + C_y`` that pays tax owed and carries the rest
forward: ``tax_y = owed_y - min(P_y, owed_y)``. A loss of 100 in year 1 then profits of
60 in years 2 and 3 pay tax on 0 and 20; with the 80% limit on 12 and 12, and 4 is still
carried forward. Losses and credits never expire here (US losses since 2018 do not;
business credits expire after 20 years, s.39, which a 30-year horizon rarely reaches),
and the general limit on business credits (s.38(c)) is simplified to the tax owed.
The year's tax is paid in its last month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR


def straight_line(capex_musd: np.ndarray, life_months: int) -> np.ndarray:
    """``D_m``: depreciation of monthly capex ``(n, M)`` over ``life_months`` (0: expensed)."""
    if life_months <= 0:
        return capex_musd
    total = np.cumsum(capex_musd, axis=1)
    earlier = np.zeros_like(total)
    if life_months < total.shape[1]:
        earlier[:, life_months:] = total[:, :-life_months]
    return (total - earlier) / life_months


def consolidated_tax(
    pretax_musd: np.ndarray,
    rate: float,
    capex_musd: np.ndarray | float = 0.0,
    depreciation_musd: np.ndarray | float = 0.0,
    credit_musd: np.ndarray | float = 0.0,
) -> np.ndarray:
    """``tax_m = t (c + K - D + C) - C`` month by month (negative: a credit received)."""
    taxable = pretax_musd + capex_musd - depreciation_musd + credit_musd
    return rate * taxable - credit_musd


@dataclass(frozen=True)
class StandaloneTax:
    """Year by year, ``(n, years)``: tax paid, losses used and carried, credits used."""

    tax_musd: np.ndarray
    losses_used_musd: np.ndarray
    losses_carried_musd: np.ndarray  # N_y, at the end of each year
    credits_used_musd: np.ndarray
    credits_carried_musd: np.ndarray  # P_y - used, at the end of each year


def standalone_tax(
    taxable_musd: np.ndarray,
    rate: float,
    limit_share: float | None = None,
    credit_musd: np.ndarray | None = None,
) -> StandaloneTax:
    """Tax of a standalone company from its yearly taxable income ``TI_y`` ``(n, years)``
    (before losses carried forward) and the credits it earns each year."""
    n, years = taxable_musd.shape
    s = 1.0 if limit_share is None else limit_share
    credits = np.zeros((n, years)) if credit_musd is None else credit_musd
    out = {k: np.zeros((n, years)) for k in ("tax", "used", "carried", "c_used", "c_left")}
    losses, pool = np.zeros(n), np.zeros(n)
    for y in range(years):
        ti = taxable_musd[:, y]
        profit = ti > 0
        used = np.where(profit, np.minimum(losses, s * ti), 0.0)
        losses = losses - used + np.maximum(-ti, 0.0)
        owed = np.where(profit, rate * (ti - used), 0.0)
        pool = pool + credits[:, y]
        spent = np.minimum(pool, owed)
        pool = pool - spent
        for key, value in (("tax", owed - spent), ("used", used), ("carried", losses),
                           ("c_used", spent), ("c_left", pool)):  # fmt: skip
            out[key][:, y] = value
    return StandaloneTax(out["tax"], out["used"], out["carried"], out["c_used"], out["c_left"])


def yearly(monthly: np.ndarray) -> np.ndarray:
    """``(n, M)`` months -> ``(n, M / 12)`` tax years (the grid is whole years)."""
    n, months = monthly.shape
    return monthly.reshape(n, months // MONTHS_PER_YEAR, MONTHS_PER_YEAR).sum(axis=2)


def at_year_ends(yearly_musd: np.ndarray) -> np.ndarray:
    """``(n, years)`` -> ``(n, 12 years)``: each year's amount in its last month."""
    n, years = yearly_musd.shape
    out = np.zeros((n, years, MONTHS_PER_YEAR))
    out[:, :, -1] = yearly_musd
    return out.reshape(n, years * MONTHS_PER_YEAR)
