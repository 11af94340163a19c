"""The commercial life of a launched asset inside a chunk, read from its typed draws.

For the iterations in which an asset launched, this module gathers what
:mod:`.flows` needs (:func:`commercial_inputs`): patients a year in the label (from the
cohort funnel, split among the assets of a shared indication, or ``patients_per_year``),
peak share, price, costs, exclusivity and the end of commercial life (the horizon, the
asset's ``commercial_life_years``, or a withdrawal after a failed confirmatory trial).
Demand varies in time by a factor whose log is :func:`demand_log_multiplier`:

    log m[i, t] = t/12 log(1 + g)                       cohort growth
                + log tau(t - L)                        the testing ramp after launch
                + log u_before * 1[t < CDx approval]    reduced uptake before a late CDx

(no testing term where an enrichment trial won an all-comer label). After launch the
sales force, the launch campaign and post-marketing commitments are fixed costs spread
over their months (:func:`fixed_costs`).
"""

from __future__ import annotations

import numpy as np

from simulator.core.draws import Draws
from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.pillars.cohort.funnel import testing_rate
from simulator.pillars.cohort.step import eligible_per_year, tested
from simulator.pillars.commercial.flows import CommercialDraws, fixed_cost_spreads


def commercial_inputs(ctx, path, rows: np.ndarray, split: np.ndarray) -> CommercialDraws:
    """The commercial inputs of the launched ``rows`` (see the module docstring)."""
    asset, draws = path.asset, path.draws
    c = draws.commercial
    launch = path.launch_month[rows]
    life = c.commercial_life_years
    life_months = (
        np.full(rows.size, float(ctx.horizon)) if life is None else np.round(life[rows] * 12)
    )
    life_months = np.minimum(life_months, path.dev.withdrawal_month[rows] - launch)
    if asset.cohort is None:
        patients = c.patients_per_year[rows]
    else:
        patients = eligible_per_year(draws, ctx.n, path.label_positive_only)[rows]
    return CommercialDraws(
        patients_per_year=patients * split[rows],
        peak_share=c.peak_share[rows],
        list_price_usd=c.list_price_usd[rows],
        gross_to_net=c.gross_to_net[rows],
        price_growth_annual=c.price_growth_annual[rows],
        cogs_share=c.cogs_share[rows],
        selling_share=c.selling_share[rows],
        sales_force_musd_per_year=c.sales_force_musd_per_year[rows],
        launch_cost_musd=c.launch_cost_musd[rows],
        royalty_rate=c.royalty_rate[rows],
        exclusivity_months=np.round(c.exclusivity_years[rows] * MONTHS_PER_YEAR),
        erosion_first_year=c.erosion_first_year[rows],
        life_months=life_months,
        demand_multiplier=ctx.market_draws.demand_multiplier[rows],
        price_multiplier=ctx.market_draws.price_multiplier[rows],
    )


def demand_log_multiplier(path, rows, launch, horizon) -> np.ndarray | None:
    """log of the time-varying part of demand (see the module docstring); None when demand
    is constant over time."""
    asset, draws = path.asset, path.draws
    out = None
    m = np.arange(horizon)

    def add(term):
        nonlocal out
        out = term if out is None else out + term

    cohort = asset.cohort
    if cohort is not None and not (
        cohort.growth_annual.is_constant and cohort.growth_annual.mean() == 0
    ):
        growth = draws.cohort.growth_annual[rows]
        add(np.log1p(growth)[:, None] * (m / MONTHS_PER_YEAR)[None, :])
    if cohort is not None and cohort.testing is not None:
        t = draws.cohort.testing
        tau = testing_rate(
            np.maximum(m[None, :] - launch[:, None], 0),
            t.initial_rate[rows][:, None],
            t.mature_rate[rows][:, None],
            (t.ramp_years[rows] * MONTHS_PER_YEAR)[:, None],
        )
        with np.errstate(divide="ignore"):
            log_tau = np.log(tau)
        if path.label_positive_only is not None:  # an all-comer label needs no test
            log_tau = np.where(path.label_positive_only[rows][:, None], log_tau, 0.0)
        add(log_tau)
    if path.cdx is not None and asset.cdx.launch_before_cdx:
        before = m[None, :] < path.cdx.approval_month[rows][:, None]
        before &= tested(path.label_positive_only, len(path.launched))[rows][:, None]
        with np.errstate(divide="ignore"):
            factor = np.log(draws.cdx.uptake_before_cdx[rows])[:, None]
        add(np.where(before, factor, 0.0))
    return out


def fixed_costs(draws: Draws, rows, d: CommercialDraws) -> list[tuple]:
    """``(amount_musd, start_after_launch, months)`` of each fixed cost after launch: the
    sales force, the launch campaign and post-marketing commitments (a cost a year for
    ``post_marketing_years``, within the commercial life)."""
    spreads = fixed_cost_spreads(d)
    reg = draws.regulatory
    pm_months = np.minimum(np.round(reg.post_marketing_years[rows] * 12), d.life_months)
    pm_months = np.maximum(pm_months, 0).astype(np.int64)
    spreads.append(
        (reg.post_marketing_musd_per_year[rows] / 12 * pm_months, 0, np.maximum(pm_months, 1))
    )
    return spreads
