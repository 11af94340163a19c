"""The commercial life of an asset inside a chunk, read from its typed draws.

Pass 1 (development) settles two things the market needs from the calendar:

- :func:`loss_of_exclusivity`: the grid month generics may enter, on the calendar
  (:mod:`.exclusivity`: patent filed at the start of the first modelled stage, term,
  Hatch-Waxman extension from the stages' own lengths, regulatory exclusivity from
  approval), or ``exclusivity_years`` after launch where the asset gives that instead;
- :func:`effect_share_factor`: in mechanistic mode with ``effect.designed_for``, the
  drawn true effect over the effect the market case assumes; it scales the peak share
  (capped at 1) and, where a value ceiling is set, the QALYs gained:

      factor = max(theta_label, 0) / designed_for

  with ``theta_label`` the true effect in the label's patients (``theta_+`` for a
  biomarker-positive label, ``p theta_+ + (1 - p) theta_-`` for an all-comer one). The
  scaling is linear: ASSUMPTION (no published elasticity of share to effect).

For the iterations in which an asset launched, :func:`commercial_inputs` gathers what
:mod:`.flows` and :mod:`.patients` need: eligible patients a year (from the cohort funnel,
or ``patients_per_year``), peak share, price, costs, the months of exclusivity after
launch and the end of commercial life (the horizon, the asset's ``commercial_life_years``,
or a withdrawal after a failed confirmatory trial). After launch the sales force, the
launch campaign and post-marketing commitments are fixed costs spread over their months
(:func:`fixed_costs`). The CDx partner's per-test fee is the diagnostics pillar's
(:mod:`simulator.pillars.diagnostics.test_fees`).
"""

from __future__ import annotations

import numpy as np

from simulator.core.draws import Draws, value_or
from simulator.core.timeline import MONTHS_PER_YEAR, to_month
from simulator.pillars.cohort.step import eligible_per_year
from simulator.pillars.commercial.exclusivity import (
    REGULATORY_YEARS,
    loss_of_exclusivity_month,
    regulatory_kinds,
)
from simulator.pillars.commercial.flows import CommercialDraws, fixed_cost_spreads
from simulator.pillars.development.block import CLINICAL
from simulator.pillars.trials.information import population_effect


def loss_of_exclusivity(asset, draws: Draws, dev, names: list[str], launch) -> np.ndarray:
    """Grid month of loss of exclusivity per iteration (see the module docstring).

    ``dev`` is the development outcome, ``names`` the stages before launch (in the order
    of ``dev.boundaries``), ``launch`` the launch month (after any CDx delay).
    """
    c = asset.commercial
    if c.exclusivity is None:  # counted from launch
        return launch + np.round(draws.commercial.exclusivity_years * MONTHS_PER_YEAR)
    b, d = c.exclusivity, draws.commercial.exclusivity
    bounds = dev.boundaries.astype(float)
    first = bounds[:, 0]
    filed = first if b.patent_filed_month is None else d.patent_filed_month
    clinical = [i for i, s in enumerate(names) if s in CLINICAL]
    review = names.index("review")
    clinical_start = bounds[:, clinical[0]] if clinical else bounds[:, review]
    kinds = regulatory_kinds(b, asset.modality)
    loe = loss_of_exclusivity_month(
        filed,
        clinical_start,
        bounds[:, review],
        bounds[:, -1],
        term_years=b.patent_term_years,
        extension=b.term_extension,
        regulatory_years=max((REGULATORY_YEARS[k] for k in kinds), default=0.0),
        paediatric=b.paediatric,
    )
    return to_month(loe).astype(float)


def effect_share_factor(asset, draws: Draws, n: int, label) -> np.ndarray | None:
    """The true effect in the label's patients over ``effect.designed_for`` (see the
    module docstring); None when the asset's market does not see its effect."""
    e = asset.effect
    if e is None or e.designed_for is None:
        return None
    pos = draws.effect.positive
    if e.negative is not None:
        neg = draws.effect.negative
    elif e.negative_ratio is not None:
        neg = draws.effect.negative_ratio * pos
    else:
        neg = np.zeros_like(pos)
    theta = pos
    if label is not None:  # an all-comer label: the effect in all-comers
        prevalence = value_or(draws.cohort.biomarker_prevalence, n, 1.0)
        theta = np.where(label, pos, population_effect(pos, neg, prevalence))
    return np.maximum(theta, 0.0) / e.designed_for


def life_months(ctx, path, rows: np.ndarray) -> np.ndarray:
    """Months of commercial life after launch: to the horizon, ``commercial_life_years``,
    or a withdrawal, whichever comes first."""
    life = path.draws.commercial.commercial_life_years
    months = np.full(rows.size, float(ctx.horizon)) if life is None else np.round(life[rows] * 12)
    return np.minimum(months, path.dev.withdrawal_month[rows] - path.launch_month[rows])


def commercial_inputs(ctx, path, rows: np.ndarray) -> CommercialDraws:
    """The commercial inputs of the launched ``rows`` (see the module docstring)."""
    asset, draws = path.asset, path.draws
    c = draws.commercial
    launch = path.launch_month[rows]
    if asset.cohort is None:
        patients = c.patients_per_year[rows]
    else:
        patients = eligible_per_year(draws, ctx.n, path.label_positive_only)[rows]
    share = c.peak_share[rows]
    if path.share_factor is not None:
        share = np.minimum(share * path.share_factor[rows], 1.0)
    return CommercialDraws(
        patients_per_year=patients,
        peak_share=share,
        list_price_usd=c.list_price_usd[rows],
        gross_to_net=c.gross_to_net[rows],
        price_growth_annual=c.price_growth_annual[rows],
        cogs_share=c.cogs_share[rows],
        selling_share=c.selling_share[rows],
        sales_force_musd_per_year=c.sales_force_musd_per_year[rows],
        launch_cost_musd=c.launch_cost_musd[rows],
        royalty_rate=c.royalty_rate[rows],
        exclusivity_months=np.maximum(path.loe_month[rows] - launch, 0.0),
        erosion_first_year=c.erosion_first_year[rows],
        life_months=life_months(ctx, path, rows),
        demand_multiplier=ctx.market_draws.demand_multiplier[rows],
        price_multiplier=ctx.market_draws.price_multiplier[rows],
    )


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
