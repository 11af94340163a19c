"""A deal's split of one asset's monthly cash between the sponsor and the partner.

Given the asset's stand-alone monthly pre-tax cash ``c`` ``(n, T)`` and what its path did
(:class:`~.events.PathEvents`), the deal (:mod:`.block`) gives, month by month,

    sponsor_t = k_t c_t - d P_t,      partner_t = (1 - k_t) c_t + d P_t,

with the payments

    P_t = U 1[t = m_0] + sum_j M_j 1[t = e_j] + R_t 1[t >= m_R],

``U`` the upfront at the deal's start ``m_0``, ``M_j`` each milestone at its event's month
``e_j`` (where the event happens: ``inf`` never matches a month), and ``R_t`` the tiered
royalty on each calendar year's net sales, paid in the year's last month, from ``m_R``
on (the asset's start for in-licensing and a diagnostics partner, the licensee's start
for out-licensing, the opt-out for co-development). Present values use the market's
monthly discount factors; each side's NPV is its pre-tax PV times ``1 - tax_rate`` (the
statutory rate, as an asset's NPV column is), so that

    sponsor NPV + partner NPV = stand-alone NPV           (zero-sum, per iteration).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.pillars.deals.events import PathEvents, deal_start, event_month
from simulator.pillars.deals.royalties import monthly, tiered_royalty


@dataclass(frozen=True)
class DealSplit:
    """The two sides of a deal, per iteration (pre-tax; see the module docstring)."""

    sponsor_cash: np.ndarray  # (n, T) the sponsor's monthly cash from the asset
    sponsor_pv: np.ndarray  # (n,)
    partner_pv: np.ndarray  # (n,)
    standalone_pv: np.ndarray  # (n,) c @ discount
    to_sponsor_pv: np.ndarray  # (n,) PV of the payments, positive when the sponsor gains


def _add_once(out: np.ndarray, month: np.ndarray, amount: float) -> None:
    """Add ``amount`` in each row's ``month`` where it falls on the grid."""
    rows = np.flatnonzero(np.isfinite(month) & (month >= 0) & (month < out.shape[1]))
    out[rows, month[rows].astype(np.int64)] += amount


def sponsor_share(deal, events: PathEvents, months: int) -> np.ndarray | float:
    """``k_t``: the sponsor's share of the asset's cash in each month, ``(n, T)`` or 1."""
    t = np.arange(months)[None, :]
    if deal.type == "out_license":
        taken = event_month(events, "start", deal.stage)
        return (t < taken[:, None]).astype(float)
    if deal.type == "co_development":
        out = np.inf if deal.opt_out_stage is None else event_month(
            events, "start", deal.opt_out_stage)  # fmt: skip
        before = t < np.broadcast_to(out, events.approved.shape)[:, None]
        return 1.0 - deal.partner_share * before
    return 1.0


def royalty_from(deal, events: PathEvents) -> np.ndarray:
    """``m_R``: the month royalties start to be owed, per iteration (``inf``: never)."""
    n = events.approved.shape[0]
    if deal.type == "out_license":
        return event_month(events, "start", deal.stage)
    if deal.type == "co_development":
        if deal.opt_out_stage is None:
            return np.full(n, np.inf)
        return event_month(events, "start", deal.opt_out_stage)
    return np.zeros(n)


def payments(deal, events: PathEvents, months: int) -> np.ndarray:
    """``P_t``: the deal's upfront, milestones and royalties, ``(n, T)``, all >= 0."""
    n = events.approved.shape[0]
    out = np.zeros((n, months))
    if deal.upfront_musd:
        _add_once(out, deal_start(events, deal), deal.upfront_musd)
    for m in deal.milestones:
        _add_once(out, event_month(events, m.event, m.stage, m.sales_musd), m.amount_musd)
    if deal.royalty_tiers:
        owed = monthly(tiered_royalty(events.revenue_y, deal.royalty_tiers), months)
        since = royalty_from(deal, events)
        out += np.where(np.arange(months)[None, :] >= since[:, None], owed, 0.0)
    return out


def split(deal, events: PathEvents, cash: np.ndarray, discount: np.ndarray) -> DealSplit:
    """The sponsor's and the partner's side of ``cash`` under ``deal``."""
    months = cash.shape[1]
    k = sponsor_share(deal, events, months)
    paid = payments(deal, events, months)
    to_sponsor = -paid if deal.sponsor_pays else paid
    sponsor = k * cash + to_sponsor
    partner = cash - sponsor
    return DealSplit(
        sponsor_cash=sponsor,
        sponsor_pv=sponsor @ discount,
        partner_pv=partner @ discount,
        standalone_pv=cash @ discount,
        to_sponsor_pv=to_sponsor @ discount,
    )
