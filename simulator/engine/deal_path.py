"""An asset under a deal inside a chunk: its own cash, then the sponsor's side of it.

An asset with a ``deal`` block (:mod:`simulator.pillars.deals`) keeps its stand-alone
cash apart while the chunk walks it (:class:`OwnCash`: its monthly cash, its spend's
difference array, its yearly net sales); :func:`settle` then lets the deal split that
cash and adds only the sponsor's side to the portfolio. Without a deal block nothing here
runs and the asset adds to the portfolio's arrays directly, as before.
:func:`portfolio_columns` adds a portfolio's IRR and its financing overlay's outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.irr import irr
from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.pillars.deals.events import PathEvents
from simulator.pillars.deals.financing import waterfall
from simulator.pillars.deals.step import split

DEAL_TOTALS = ("deal_partner_npv_musd", "deal_to_sponsor_pv_musd")


@dataclass
class OwnCash:
    """An asset's stand-alone arrays while the chunk walks it."""

    cash: np.ndarray  # (n, horizon)
    diff: np.ndarray  # (n, horizon + 1) difference array of spend
    revenue_y: np.ndarray  # (n, years)


def own_cash(ctx, asset) -> OwnCash | None:
    """Private arrays for an asset under a deal (None without one)."""
    if getattr(asset, "deal", None) is None:
        return None
    n, h = ctx.n, ctx.horizon
    return OwnCash(np.zeros((n, h)), np.zeros((n, h + 1)), np.zeros((n, h // MONTHS_PER_YEAR)))


def path_events(path, revenue_y: np.ndarray) -> PathEvents:
    """What the asset's path did, as the deal's events read it."""
    dev, names = path.dev, path.stage_names
    s = len(names)
    start = dev.boundaries[:, :s].astype(float)
    if dev.span_start is not None:
        end = (dev.span_start[:, :s] + dev.span_months[:, :s]).astype(float)
    else:
        end = dev.boundaries[:, 1 : s + 1].astype(float)
    cdx_start = cdx_approval = None
    if path.cdx is not None:
        first = path.asset.cdx.development_start
        if first in names:
            k = names.index(first)
            cdx_start = np.where(dev.reached[:, k], dev.boundaries[:, k], np.inf)
        else:  # the confirmatory phase III of an accelerated approval starts at launch
            cdx_start = np.where(dev.approved, dev.launch_month, np.inf)
        approval = path.cdx.approval_month
        cdx_approval = np.where(dev.approved & np.isfinite(approval), approval, np.inf)
    return PathEvents(
        stage_names=list(names),
        stage_start=start,
        stage_end=end,
        reached=dev.reached[:, :s],
        passed=path.passed,
        approved=dev.approved,
        approval_month=dev.launch_month.astype(float),
        launched=path.launched,
        launch_month=path.launch_month.astype(float),
        revenue_y=revenue_y,
        cdx_start=cdx_start,
        cdx_approval=cdx_approval,
    )


def settle(ctx, path, cash, revenue_y, tax_keep: float) -> tuple[np.ndarray, dict]:
    """Add the sponsor's side of the asset's cash to the portfolio's ``cash`` (and its
    net sales to ``revenue_y``); return the sponsor's pre-tax PV and the deal's columns
    (NPVs at the statutory rate, as the asset's NPV column)."""
    own = path.own
    h = ctx.horizon
    np.cumsum(own.diff, axis=1, out=own.diff)
    standalone = own.cash + own.diff[:, :h]
    deal = split(path.asset.deal, path_events(path, own.revenue_y), standalone, ctx.discount)
    cash += deal.sponsor_cash
    revenue_y += own.revenue_y  # the asset's net sales, whoever books them
    cols = {
        "deal_standalone_npv_musd": deal.standalone_pv * tax_keep,
        "deal_partner_npv_musd": deal.partner_pv * tax_keep,
        "deal_to_sponsor_pv_musd": deal.to_sponsor_pv * tax_keep,
    }
    return deal.sponsor_pv, cols


def portfolio_columns(scenario, portfolio, cash: np.ndarray) -> dict[str, np.ndarray]:
    """A portfolio's IRR per iteration (``simulation.irr``, or a financing block) and its
    financing overlay's outcomes (:mod:`simulator.pillars.deals.financing`)."""
    fin = portfolio.financing
    cols: dict[str, np.ndarray] = {}
    if scenario.simulation.irr or fin is not None:
        cols["irr_annual"], cols["irr_reason"] = irr(cash)
    if fin is None:
        return cols
    yearly = cash.reshape(cash.shape[0], -1, MONTHS_PER_YEAR).sum(axis=2)
    paid = waterfall(yearly, fin)
    for k in paid.defaulted:
        cols[f"fin_{k}_default"] = paid.defaulted[k]
        promised = paid.promised_musd[k]
        zero = np.zeros(yearly.shape[0])
        cols[f"fin_{k}_loss_share"] = paid.loss_musd[k] / promised if promised else zero
    cols["fin_shortfall_musd"] = paid.shortfall_musd
    cols["fin_equity_irr"], cols["fin_equity_irr_reason"] = irr(paid.equity_cash_musd, 1)
    return cols
