"""Prices and payments inside a chunk: from units treated to cash received.

:func:`simulator.engine.assets.commercialize` computes what a launched asset sells each
month (units x net price; for a cell or gene therapy, the patients the plant treats).
For an asset with a ``pricing`` block, or in a market with an ``ira`` block, this module

1. scales the launch net price down to the value-based ceiling on what the payer expects
   to pay per treated patient (:func:`terms`, before revenue is computed);
2. cuts the Medicare price from the IRA start to loss of exclusivity where the policy
   applies and the drug's Medicare-relevant revenue has it selected (the market's switch
   and cut are drawn once per iteration from the ``pricing`` and market-input streams,
   and shared by every portfolio);
3. caps the payer's monthly spend at the budget cap (the equations of 1-3 are in
   :mod:`simulator.pillars.pricing.policy`);
4. hands the month-by-month contract value to the asset's contract
   (:mod:`simulator.pillars.pricing.contracts`), which settles it into revenue
   *recognised* (at treatment, at expected contract value), cash *received* (when paid)
   and the cost of tracking outcomes.

:meth:`Terms.settle` returns those, with the asset's pricing columns; the caller
discounts and books the cash received and the tracking cost. Without a pricing block and
an IRA block nothing here runs, so such scenarios give the numbers they gave before this
module existed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulator.core.draws import Draws, at_means, value_or
from simulator.core.seeding import generator
from simulator.core.timeline import MONTHS_PER_YEAR, monthly_factor
from simulator.pillars.commercial.flows import CommercialDraws
from simulator.pillars.pricing.contracts import ListPrice
from simulator.pillars.pricing.contracts.base import ContractBlock, Sales
from simulator.pillars.pricing.kernels import positive_predictive_value
from simulator.pillars.pricing.policy import (
    budget_capped,
    ceiling_factor,
    ira_selection,
    negotiated,
)

COLUMNS = (
    "net_price_realised_usd",
    "units_sold",
    "revenue_recognised_musd",
    "cash_received_musd",
    "rebates_musd",
    "ira_cut_musd",
    "ira_selected",
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


@dataclass(frozen=True)
class Payments:
    """What one asset's launched rows are paid: ``(rows, months)`` arrays in USD M."""

    recognised_musd: np.ndarray  # revenue recognised (at treatment, at expected value)
    received_musd: np.ndarray  # cash received from the payer
    tracking_cost_musd: np.ndarray  # outcomes tracking: a cost for the caller to book
    columns: dict[str, np.ndarray]  # the asset's pricing columns, (n,) each


def margin(d: CommercialDraws, received: np.ndarray, made: np.ndarray) -> np.ndarray:
    """Cash kept each month, ``(rows, months)``: what the payer pays less royalties on it,
    less cost of goods and selling costs on the units made, valued at the net price
    before the ceiling, the IRA and the contract (``made``), whatever the payer pays:

        kept_m = received_m (1 - royalty) - made_m (cogs + selling).

    Under an outcome-based contract a non-responder is made and sold like any patient.
    """
    keep = (1.0 - d.royalty_rate)[:, None]
    return received * keep - made * (d.cogs_share + d.selling_share)[:, None]


@dataclass
class Terms:
    """Pricing of one asset's launched rows: the draws at list and after the ceiling."""

    at_list: CommercialDraws
    draws: CommercialDraws  # list price scaled to the value-based ceiling

    factor: np.ndarray | None = None  # the ceiling's scaling of the net price (None: 1)

    def made_value(self, revenue_m: np.ndarray) -> np.ndarray:
        """``revenue_m`` (at the ceiling's price) valued at the net price before the
        ceiling: the units made, as :func:`margin` costs them (0 where the ceiling is 0
        and the units cannot be read from revenue)."""
        if self.factor is None:
            return revenue_m
        c = self.factor[:, None]
        return np.divide(revenue_m, c, out=np.zeros_like(revenue_m), where=c > 0)

    def settle(
        self, ctx, path, rows: np.ndarray, revenue_m: np.ndarray, units_m: np.ndarray | None = None
    ) -> Payments:
        """What the payer pays for ``revenue_m`` (``(rows, months)`` at the net price), the
        value of ``units_m`` units (patient-years or treatments; inferred from revenue
        when not given)."""
        pricing, d = path.asset.pricing, self.draws
        launch = path.launch_month[rows]
        since = np.arange(ctx.horizon)[None, :] - launch[:, None]
        unit = d.list_price_usd * d.price_multiplier * (1.0 - d.gross_to_net) / 1e6
        unit_m = unit[:, None]  # net price of a unit sold at launch; times growth after
        if np.any(d.price_growth_annual != 0):
            since_launch = np.maximum(since, 0) // MONTHS_PER_YEAR
            unit_m = unit_m * np.exp(np.log1p(d.price_growth_annual)[:, None] * since_launch)
        # units sold a month (treatments, or patient-years; inferred from revenue, so 0
        # at a zero net price), and revenue at launch prices
        if units_m is not None:
            units = units_m
        else:
            units = np.divide(revenue_m, unit_m, out=np.zeros_like(revenue_m), where=unit_m > 0)
        revenue_sum = revenue_m.sum(axis=1)
        at_launch_price = np.divide(revenue_sum, unit, out=np.zeros_like(unit), where=unit > 0)
        value, ira_cut, ira_selected = _negotiated(ctx, path, rows, since, revenue_m, d)
        cap_rebate = np.zeros(rows.size)
        if pricing is not None and pricing.budget_cap_musd_per_year is not None:
            cap = path.draws.pricing.budget_cap_musd_per_year[rows]
            value, cap_rebate = budget_capped(value, cap)
        contract, terms = _contract(path, rows)
        sales = Sales(
            value_musd=value,
            units=units,
            months_since_launch=since,
            months_on_market=d.life_months,
            ppv=_ppv(path.draws, rows, ctx.n),
            annual=pricing is None or pricing.price_basis == "annual",
        )
        paid = contract.settle(sales, terms)
        recognised = paid.recognised_musd.sum(axis=1)
        a, u_sum = self.at_list, units.sum(axis=1)
        list_unit = a.list_price_usd * a.price_multiplier / 1e6
        cols = {
            "net_price_realised_usd": np.divide(  # 0 at a zero price (units unknown then)
                recognised * 1e6, u_sum, out=np.where(unit > 0, np.nan, 0.0), where=u_sum > 0
            ),
            "units_sold": u_sum,
            "revenue_recognised_musd": recognised,
            "cash_received_musd": paid.received_musd.sum(axis=1),
            "rebates_musd": at_launch_price * list_unit * a.gross_to_net,
            "ira_cut_musd": ira_cut,
            "ira_selected": ira_selected,
            "budget_cap_rebate_musd": cap_rebate,
            "payments_forgone_musd": value.sum(axis=1) - recognised,
            "revenue_at_risk_share": contract.at_risk(terms),
            "tracking_cost_musd": paid.tracking_cost_musd.sum(axis=1),
        }
        out = empty_columns(ctx.n)
        for k, v in cols.items():
            out[k][rows] = v
        return Payments(paid.recognised_musd, paid.received_musd, paid.tracking_cost_musd, out)


def terms(ctx, path, rows: np.ndarray, d: CommercialDraws) -> Terms | None:
    """The asset's pricing terms, or None when nothing here applies to it."""
    asset = path.asset
    if not is_priced(ctx, asset):
        return None
    vc = asset.pricing.value_ceiling if asset.pricing is not None else None
    if vc is None:
        return Terms(d, d)
    ceiling = path.draws.pricing.value_ceiling
    contract, drawn = _contract(path, rows)
    response = drawn.response_probability * _ppv(path.draws, rows, ctx.n)
    paid_share = contract.expected_share(
        drawn, response, monthly_factor(vc.payer_discount_rate_annual)
    )
    net = d.list_price_usd * d.price_multiplier * (1.0 - d.gross_to_net)
    factor = ceiling_factor(
        net * paid_share,
        ceiling.wtp_per_qaly_usd[rows],
        ceiling.qalys_gained[rows],
        ceiling.cost_offsets_usd[rows],
    )
    return Terms(d, replace(d, list_price_usd=d.list_price_usd * factor), factor)


def _negotiated(ctx, path, rows, since, revenue_m, d: CommercialDraws):
    """The monthly value after the IRA cut (where the market negotiates and the drug is
    selected: :func:`simulator.pillars.pricing.policy.ira_selection`), the cut per row
    and whether the drug was selected (NaN where the IRA does not reach it)."""
    market_ira, asset = ctx.scenario.market.ira, path.asset
    if market_ira is None or asset.regulatory.orphan_indications == 1:
        return revenue_m, np.zeros(rows.size), np.full(rows.size, np.nan)
    applies, cut = ira_draws(ctx)
    own = path.draws.pricing.medicare_share
    share = (ctx.market_draws.ira.medicare_share if own is None else own)[rows]
    small = asset.modality == SMALL_MOLECULE
    years = market_ira.small_molecule_years if small else market_ira.biologic_years
    lead = 2 * MONTHS_PER_YEAR
    first = path.dev.launch_month[rows] + round(years * MONTHS_PER_YEAR) - lead
    start = ira_selection(
        revenue_m * applies[rows][:, None],  # no selection where the regime is off
        first,
        share,
        market_ira.selection_threshold_musd_per_year,
        lead,
    )
    start = start - path.launch_month[rows]
    selected = np.isfinite(start) & applies[rows]
    start = np.where(selected, start, ctx.horizon + 1)
    value, ira_cut = negotiated(
        revenue_m, since, start, d.exclusivity_months, share * cut[rows], selected
    )
    return value, ira_cut, selected.astype(float)


def _contract(path, rows: np.ndarray) -> tuple[ContractBlock, Draws]:
    """The asset's contract (list without a pricing block) and its draws for ``rows``."""
    pricing = path.asset.pricing
    if pricing is None:
        contract = ListPrice()
        return contract, at_means(contract, rows.size)
    contract = pricing.contract
    drawn = path.draws.pricing.contract
    return contract, Draws(type(contract), {k: v[rows] for k, v in drawn.flat()})


def _ppv(draws, rows: np.ndarray, n: int) -> np.ndarray:
    """Share of the treated patients who are truly biomarker-positive (1 without a test)."""
    cohort = draws.cohort
    return positive_predictive_value(
        value_or(cohort.biomarker_prevalence, n, 1.0)[rows],
        value_or(cohort.testing.sensitivity, n, 1.0)[rows],
        value_or(cohort.testing.specificity, n, 1.0)[rows],
    )
