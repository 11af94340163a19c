"""Prices and payments inside a chunk: from units treated to cash received.

:func:`simulator.engine.assets.commercialize` computes what a launched asset sells each
month (units x net price; for a cell or gene therapy, the patients the plant treats).
For an asset with a ``pricing`` block, or in a market with an ``ira`` block, this module

1. scales the launch net price down to the value-based ceiling (before revenue is
   computed, so per-test fees are a share of the price actually paid);
2. cuts the price from the IRA start to loss of exclusivity in iterations where the
   policy applies (the market's switch and cut are drawn once per iteration from the
   ``pricing`` and market-input streams, and shared by every portfolio);
3. caps the payer's monthly spend at the budget cap;
4. spreads the contract value over the months it is paid (the expected payment kernel,
   :mod:`simulator.pillars.pricing.kernels`) and books the outcomes-tracking cost.

It returns revenue *recognised* (at treatment, at expected contract value) and cash
*received* (when paid); the caller discounts and books the cash received. Without a
pricing block and an IRA block nothing here runs, so such scenarios give the numbers they
gave before this module existed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulator.core.draws import drawn
from simulator.core.seeding import generator
from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.pillars.commercial.flows import CommercialDraws
from simulator.pillars.pricing.kernels import (
    ceiling_factor,
    convolve_months,
    ira_multiplier,
    payment_kernels,
    positive_predictive_value,
)

COLUMNS = (
    "net_price_realised_usd",
    "units_sold",
    "revenue_recognised_musd",
    "cash_received_musd",
    "rebates_musd",
    "ira_cut_musd",
    "budget_cap_rebate_musd",
    "payments_forgone_musd",
    "revenue_at_risk_share",
    "tracking_cost_musd",
)
SMALL_MOLECULE = "small_molecule"


def is_priced(ctx, asset) -> bool:
    """True when pricing terms or IRA change this asset's revenue."""
    return asset.pricing is not None or ctx.scenario.market.ira is not None


def empty_columns(n: int) -> dict[str, np.ndarray]:
    """The pricing columns for a chunk in which the asset never launched."""
    return {k: np.zeros(n) if k.endswith("musd") or k == "units_sold" else np.full(n, np.nan)
            for k in COLUMNS}  # fmt: skip


def ira_draws(ctx) -> tuple[np.ndarray, np.ndarray]:
    """Whether IRA negotiation applies in each iteration, and its price cut (cached)."""
    if ctx.ira_applies is None:
        ira, sim = ctx.scenario.market.ira, ctx.scenario.simulation
        u = generator(sim.seed, ctx.chunk_index, "pricing", "market", "ira").random(ctx.n)
        ctx.ira_applies = u < ira.probability
    return ctx.ira_applies, ctx.market_draws.ira.price_cut


@dataclass
class Terms:
    """Pricing of one asset's launched rows: the draws at list and after the ceiling."""

    at_list: CommercialDraws
    draws: CommercialDraws  # list price scaled to the value-based ceiling

    def settle(self, ctx, path, rows: np.ndarray, revenue_m: np.ndarray, pv, cash):
        """Revenue recognised and cash received, ``(rows, months)`` each; books the
        tracking cost in ``pv`` and ``cash`` and the asset's pricing columns."""
        asset, draws, d = path.asset, path.draws, self.draws
        horizon, n = ctx.horizon, ctx.n
        launch = path.launch_month[rows]
        since = np.arange(horizon)[None, :] - launch[:, None]
        unit = d.list_price_usd * d.price_multiplier * (1.0 - d.gross_to_net) / 1e6
        unit_m = unit[:, None]  # net price of a unit sold at launch; times growth after
        if np.any(d.price_growth_annual != 0):
            since_launch = np.maximum(since, 0) // MONTHS_PER_YEAR
            unit_m = unit_m * np.exp(np.log1p(d.price_growth_annual)[:, None] * since_launch)
        # units sold a month (treatments, or patient-years; inferred from revenue, so 0
        # at a zero net price), and revenue at launch prices
        units = np.divide(revenue_m, unit_m, out=np.zeros_like(revenue_m), where=unit_m > 0)
        revenue_sum = revenue_m.sum(axis=1)
        at_launch_price = np.divide(revenue_sum, unit, out=np.zeros_like(unit), where=unit > 0)
        value = revenue_m
        ira_cut = np.zeros(rows.size)
        market_ira = ctx.scenario.market.ira
        exempt = asset.pricing is not None and asset.pricing.ira_exempt
        if market_ira is not None and not exempt:
            applies, cut = ira_draws(ctx)
            years = (
                market_ira.small_molecule_years
                if asset.modality == SMALL_MOLECULE
                else market_ira.biologic_years
            )
            start = path.dev.launch_month[rows] + round(years * MONTHS_PER_YEAR) - launch
            mult = ira_multiplier(since, start, d.exclusivity_months, cut[rows], applies[rows])
            value = revenue_m * mult
            ira_cut = (revenue_m - value).sum(axis=1)
        pr = asset.pricing
        cap_rebate = np.zeros(rows.size)
        if pr is not None and pr.budget_cap_musd_per_year is not None:
            cap = draws["pricing.budget_cap_musd_per_year"][rows][:, None] / MONTHS_PER_YEAR
            capped = np.minimum(value, cap)
            cap_rebate = (value - capped).sum(axis=1)
            value = capped
        contract = "list" if pr is None else pr.contract.type
        w, t = self._kernels(path, rows, n)
        if contract == "list":  # paid in full at treatment: nothing to spread
            recognised = received = value
        else:
            recognised = value * w.sum(axis=1)[:, None]
            received = convolve_months(value, w)
        tracking = np.zeros(rows.size)
        if contract != "list":
            c_musd = draws["pricing.contract.tracking_usd_per_patient_year"][rows] / 1e6
            tracked = units if pr.price_basis == "annual" else convolve_months(units, t)
            cost = tracked * c_musd[:, None]
            pv[rows] -= cost @ ctx.discount
            cash[rows] -= cost
            tracking = cost.sum(axis=1)
        a, u_sum = self.at_list, units.sum(axis=1)
        list_unit = a.list_price_usd * a.price_multiplier / 1e6
        cols = {
            "net_price_realised_usd": np.divide(  # 0 at a zero price (units unknown then)
                recognised.sum(axis=1) * 1e6, u_sum, out=np.where(unit > 0, np.nan, 0.0),
                where=u_sum > 0,
            ),
            "units_sold": u_sum,
            "revenue_recognised_musd": recognised.sum(axis=1),
            "cash_received_musd": received.sum(axis=1),
            "rebates_musd": at_launch_price * list_unit * a.gross_to_net,
            "ira_cut_musd": ira_cut,
            "budget_cap_rebate_musd": cap_rebate,
            "payments_forgone_musd": value.sum(axis=1) - recognised.sum(axis=1),
            "revenue_at_risk_share": _at_risk(pr, draws, rows),
            "tracking_cost_musd": tracking,
        }  # fmt: skip
        out = empty_columns(n)
        for k, v in cols.items():
            out[k][rows] = v
        path.outputs.update(out)
        return recognised, received

    def _kernels(self, path, rows, n):
        pr = path.asset.pricing
        if pr is None or pr.contract.type == "list":
            return np.ones((rows.size, 1)), np.zeros((rows.size, 1))
        c, draws, p = pr.contract, path.draws, "pricing.contract."
        refund = "warranty_refund_share" if c.type == "warranty" else "nonresponder_refund_share"
        ppv = positive_predictive_value(
            *(drawn(draws, f"cohort.{k}", n, 1.0)[rows] for k in
              ("biomarker_prevalence", "testing.sensitivity", "testing.specificity"))
        )  # fmt: skip
        return payment_kernels(
            c.type,
            response_probability=draws[p + "response_probability"][rows] * ppv,
            assessment_months=c.assessment_months,
            nonresponder_refund_share=draws[p + refund][rows],
            payments=c.payments,
            upfront_share=draws[p + "upfront_share"][rows],
            response_loss_hazard_annual=draws[p + "response_loss_hazard_annual"][rows],
            warranty_months=round(c.warranty_years * MONTHS_PER_YEAR),
        )


def terms(ctx, path, rows: np.ndarray, d: CommercialDraws) -> Terms | None:
    """The asset's pricing terms, or None when nothing here applies to it."""
    asset = path.asset
    if not is_priced(ctx, asset):
        return None
    vc = asset.pricing.value_ceiling if asset.pricing is not None else None
    if vc is None:
        return Terms(d, d)
    draws, q = path.draws, "pricing.value_ceiling."
    net = d.list_price_usd * d.price_multiplier * (1.0 - d.gross_to_net)
    factor = ceiling_factor(
        net,
        draws[q + "wtp_per_qaly_usd"][rows],
        draws[q + "qalys_gained"][rows],
        draws[q + "cost_offsets_usd"][rows],
    )
    return Terms(d, replace(d, list_price_usd=d.list_price_usd * factor))


def _at_risk(pr, draws, rows) -> np.ndarray:
    """Share of the contract value that depends on the patient's outcome."""
    size = rows.size
    kind = "list" if pr is None else pr.contract.type
    p = "pricing.contract."
    if kind == "outcome_based":
        return draws[p + "nonresponder_refund_share"][rows]
    if kind == "annuity":
        return 1.0 - draws[p + "upfront_share"][rows]
    if kind == "warranty":
        return draws[p + "warranty_refund_share"][rows]
    return np.zeros(size)
