"""One asset's path through a chunk of iterations, in two passes, calling each pillar.

1. :func:`develop`: the mechanistic trials, if any (:mod:`simulator.pillars.trials`),
   the stages (:mod:`simulator.pillars.development`), the companion diagnostic
   (:mod:`simulator.pillars.diagnostics`): when the asset launches, when it loses
   exclusivity (on the calendar: :mod:`simulator.pillars.commercial.exclusivity`), how
   its true effect scales its market (mechanistic mode), and the present value of its
   R&D and CDx spend; a cell or gene therapy's launch plant built at risk
   (:mod:`simulator.pillars.manufacturing.build`). Spend goes to the portfolio's
   difference array. With an
   annual R&D budget (:mod:`simulator.pillars.budget`), :func:`develop_all` first
   prepares every asset's stages (:func:`prepare`), lets the budget decide how long each
   stage start waits, then develops each asset with its waits.
2. :func:`commercialize`: once every asset of the portfolio has been developed (assets
   that share an indication share its patients month by month among those on the market:
   :mod:`simulator.pillars.commercial.competition`), the launched iterations' patients
   start and stay on therapy (:mod:`simulator.pillars.commercial.patients`), pass through
   the plant for a cell or gene therapy (:mod:`simulator.pillars.manufacturing`), and are
   paid units x price as their pricing terms say (:mod:`simulator.pillars.pricing`).

A portfolio's profiling panel shares its screened stream among the trials it covers
(:mod:`simulator.engine.profiling`) before they are placed in time. The readiness gaps
(a change of biomarker standard, post-market surveillance, price reassessment and
real-world evidence) join both passes through
:mod:`simulator.engine.readiness`, only for assets with their blocks.

This module holds no formulas: it passes each pillar's outputs to the next. Both passes
return present values before tax; the chunk applies tax and aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.draws import Draws
from simulator.core.timeline import MONTHS_PER_YEAR, add_spread, pv_spread
from simulator.engine import readiness
from simulator.engine.deal_path import OwnCash, own_cash
from simulator.engine.profiling import share_screens
from simulator.pillars.budget.schedule import BudgetedAsset, budget_waits
from simulator.pillars.cohort.step import eligible_at_maturity
from simulator.pillars.commercial.competition import IndicationShare
from simulator.pillars.commercial.patients import empty_flow_columns, patient_flows
from simulator.pillars.commercial.step import (
    commercial_inputs,
    effect_share_factor,
    fixed_costs,
    loss_of_exclusivity,
)
from simulator.pillars.decisions.step import apply_gates, killed_columns
from simulator.pillars.development.stages import DevelopmentOutcome, StageDraws
from simulator.pillars.development.step import before_launch, run_stages, stage_inputs
from simulator.pillars.diagnostics.step import companion_diagnostic, gate_by_label
from simulator.pillars.diagnostics.test_fees import per_test_fees
from simulator.pillars.diagnostics.timeline import CdxOutcome
from simulator.pillars.manufacturing.build import BuildCost, at_risk_build, build_columns
from simulator.pillars.manufacturing.step import PlantRun, empty_columns, through_the_plant
from simulator.pillars.pricing import step as payments
from simulator.pillars.trials.step import (
    is_mechanistic,
    label_positive_only,
    output_columns,
    simulate_in_chunk,
)


@dataclass
class AssetPath:
    """What pass 1 decided for one asset (arrays over the chunk's iterations)."""

    asset: object  # simulator.scenario.Asset
    draws: Draws
    dev: DevelopmentOutcome
    launch_month: np.ndarray  # int; meaningful where launched
    launched: np.ndarray  # bool: approved, CDx available, launch before the horizon
    pv_musd: np.ndarray  # present value so far (R&D, CDx), before tax
    outputs: dict[str, np.ndarray]  # per-asset columns beyond npv/launch
    cdx: CdxOutcome | None = None
    plant: PlantRun | None = None  # set by pass 2 for a capacity-limited asset
    plant_rows: np.ndarray | None = None  # the launched iterations the plant ran for
    label_positive_only: np.ndarray | None = None  # enrichment: the label narrowed (bool)
    # stage -> whether its success draw passes (whether or not the stage is reached)
    passed: dict[str, np.ndarray] | None = None
    stage_names: list[str] | None = None  # the stages before launch, as in dev.boundaries
    loe_month: np.ndarray | None = None  # grid month of loss of exclusivity (float)
    share_factor: np.ndarray | None = None  # true effect / designed-for effect (mechanistic)
    build: BuildCost | None = None  # a CGT plant built at risk before approval
    own: OwnCash | None = None  # an asset under a deal keeps its cash apart (deal_path)
    readiness: readiness.Readiness | None = None  # standards, surveillance, evidence blocks
    panel: object | None = None  # the portfolio's profiling panel (cohort.profiling)


@dataclass
class Prepared:
    """An asset's stages before they are placed in time (pass 1, first half)."""

    asset: object
    draws: Draws
    trials: dict
    stages: list[StageDraws]
    outputs: dict[str, np.ndarray]
    stops: dict[str, np.ndarray] | None = None  # gate -> its rule says stop (gates block)
    passed_before_gates: dict[str, np.ndarray] | None = None
    screens: list | None = None  # trials on a profiling panel's stream (engine.profiling)

    def passed(self) -> dict[str, np.ndarray]:
        """Each stage's success draw: it passes if it is run (benchmark: ``u < p``),
        before any gate stops it."""
        if self.passed_before_gates is not None:
            return self.passed_before_gates
        names = [s for s, _ in self.asset.stages()]
        return {s: st.u < st.p_success for s, st in zip(names, self.stages, strict=True)}

    def budgeted(self) -> BudgetedAsset:
        """The stages before launch, as the annual budget schedules them."""
        stages, _, _ = before_launch(self.asset, self.stages)
        return BudgetedAsset(
            self.draws.start_month,
            [st.duration_months for st in stages],
            [st.cost_musd for st in stages],
            [st.u < st.p_success for st in stages],
        )


def prepare(ctx, asset, draws: Draws, rho: float, panel=None) -> Prepared:
    """The mechanistic trials and each stage's length, cost and success draw; with a
    profiling ``panel``, the trials it covers recruit from its stream; a ``data_partner``
    deal's recruitment factors apply to the stages it supports."""
    outputs: dict[str, np.ndarray] = {}
    deal = getattr(asset, "deal", None)
    factors = deal.recruitment() if deal is not None else None  # a data partner's
    trials = simulate_in_chunk(ctx, asset, draws, rho, factors) if is_mechanistic(asset) else {}
    screens: list = []
    stages = stage_inputs(ctx, asset, draws, rho, outputs, trials, panel, screens, factors)
    prepared = Prepared(asset, draws, trials, stages, outputs, screens=screens)
    if getattr(asset, "gates", None) is not None:  # a stop fails the stage after its cost
        prepared.passed_before_gates = prepared.passed()
        prepared.stages, prepared.stops = apply_gates(ctx, asset, draws, stages)
    return prepared


def develop_all(ctx, portfolio, draws: list[Draws], cost_diff: np.ndarray) -> list[AssetPath]:
    """Pass 1 for every asset of ``portfolio`` (in its order), under its annual budget if
    it has one (every stage start then waits as :func:`budget_waits` says)."""
    prepared = []
    for asset, d in zip(portfolio.assets, draws, strict=True):
        rho = portfolio.risk_groups[asset.risk_group].correlation if asset.risk_group else 0.0
        prepared.append(prepare(ctx, asset, d, rho, portfolio.profiling))
    if portfolio.profiling is not None:  # covered trials share the panel's screens
        share_screens(prepared)
    budget = portfolio.budget
    if budget is None or budget.annual_rd_musd is None:
        waits = [None] * len(prepared)
    else:
        waits = budget_waits([p.budgeted() for p in prepared], budget.annual_rd_musd, ctx.horizon)
    paths = []
    for p, w in zip(prepared, waits, strict=True):
        own = own_cash(ctx, p.asset)  # an asset under a deal spends into its own array
        paths.append(develop(ctx, p, cost_diff if own is None else own.diff, w))
        paths[-1].own, paths[-1].panel = own, portfolio.profiling
    return paths


def develop(ctx, prepared: Prepared, cost_diff: np.ndarray, waits=None) -> AssetPath:
    """Pass 1: development, regulatory path and CDx for every iteration of the chunk."""
    n, horizon = ctx.n, ctx.horizon
    asset, draws, trials = prepared.asset, prepared.draws, prepared.trials
    outputs = prepared.outputs
    passed = prepared.passed()
    dev, names = run_stages(ctx, asset, draws, prepared.stages, cost_diff, waits)
    if waits is not None:
        outputs["budget_delay_months"] = waits.sum(axis=1)
    if prepared.stops is not None:
        outputs.update(
            killed_columns(asset, prepared.stops, passed, dev.reached, names, dev.boundaries)
        )
    pv = dev.pv_cost_musd.copy()
    approval = dev.launch_month
    launch = approval.astype(float)
    label = label_positive_only(asset, trials) if trials else None
    if trials:
        columns = {s: dev.reached[:, i] for i, s in enumerate(names)}
        if "phase3" not in columns and "phase3" in trials:  # confirmatory, after launch
            columns["phase3"] = dev.reached[:, -1]
        outputs.update(output_columns(asset, trials, columns))
    cdx = None
    if asset.cdx is not None:
        cdx, cdx_pv = companion_diagnostic(ctx, asset, draws, dev, names, cost_diff)
        pv += cdx_pv
        cdx = gate_by_label(cdx, label, approval)
        launch = cdx.launch_month
        outputs["cdx_delay_months"] = np.where(dev.approved, cdx.delay_to_launch_months, np.nan)
        outputs["cdx_delayed"] = dev.approved & (cdx.delay_to_launch_months > 0)
    state = None
    if readiness.has_any(asset):  # a biomarker standard's change may delay the launch
        launch, pv, state = readiness.on_launch(
            ctx, asset, draws, dev, launch, pv, cost_diff, outputs
        )
    launched = dev.approved & (launch < horizon)
    launch_month = np.where(launched, launch, horizon).astype(np.int64)
    if asset.cohort is not None:
        outputs["eligible_patients_mature"] = eligible_at_maturity(draws, n, label)
    loe = loss_of_exclusivity(asset, draws, dev, names, launch)
    outputs["loe_month"] = np.where(launched, loe, np.nan)
    factor = effect_share_factor(asset, draws, n, label) if trials else None
    if factor is not None:
        outputs["effect_share_factor"] = factor
        ceiling = asset.pricing.value_ceiling if asset.pricing is not None else None
        if ceiling is not None:  # the QALYs gained scale with the effect too
            qalys = draws.pricing.value_ceiling
            qalys.qalys_gained = qalys.qalys_gained * factor
    path = AssetPath(asset, draws, dev, launch_month, launched, pv, outputs, cdx)
    path.label_positive_only = label
    path.passed = passed
    path.stage_names, path.loe_month, path.share_factor = names, loe, factor
    path.readiness = state
    if asset.manufacturing is not None:  # the launch plant, if built at risk before approval
        rate = ctx.scenario.market.discount_rate_annual
        m = asset.manufacturing
        path.build = at_risk_build(m, dev, launched, launch_month, rate, horizon, cost_diff)
        outputs.update(build_columns(path.build, n))
    return path


def commercialize(
    ctx, path: AssetPath, share: IndicationShare, cash, revenue_y, cost_diff
) -> np.ndarray:
    """Pass 2: revenue and commercial costs of the launched iterations.

    ``share`` is the asset's share of its indication's patients over time (order of entry
    among the portfolio's assets on the market, outside entrants). Adds monthly cash and
    yearly revenue to the portfolio's arrays and returns the present value (before tax)
    per iteration.
    """
    asset = path.asset
    horizon = ctx.horizon
    rows = np.flatnonzero(path.launched)
    pv = np.zeros(ctx.n)
    if rows.size == 0:
        path.outputs.update(empty_flow_columns(asset, ctx.n))
        if asset.manufacturing is not None:
            path.outputs.update(empty_columns(ctx.n))
        if payments.is_priced(ctx, asset):
            path.outputs.update(payments.empty_columns(ctx.n))
        path.outputs.update(readiness.empty_columns(asset, ctx.n))
        return pv
    launch = path.launch_month[rows]
    d = commercial_inputs(ctx, path, rows)
    terms = payments.terms(ctx, path, rows, d)  # None without pricing and IRA blocks
    if terms is not None:
        d = terms.draws  # the list price scaled to a value-based ceiling
    log_share = readiness.log_share(ctx, path, rows, share.log_share(rows, horizon))
    flows = patient_flows(ctx, path, rows, d, log_share)
    readiness.on_flows(ctx, path, rows, flows)  # a withdrawal, a price reassessment
    for key, values in flows.columns.items():
        path.outputs[key] = _full(ctx.n, rows, values)
    units = flows.units
    if asset.manufacturing is not None:  # what the plant lets through, not what demand asks
        units, plant = through_the_plant(ctx, path, rows, flows.starts)
        pv[rows] -= plant.cost_musd @ ctx.discount
        cash[rows] -= plant.cost_musd
        path.outputs.update(plant.columns(rows, ctx.n, launch))
        path.plant, path.plant_rows = plant, rows
    if path.readiness is not None:  # a withdrawal; REMS, long-term follow-up, RWE programme
        units = readiness.stopped(ctx, path, rows, units)
        pv[rows] += readiness.costs(ctx, path, rows, units, cash, cost_diff)
    revenue_m = units * flows.price_musd
    received = made = revenue_m  # cash arrives when the payer pays: recognised != received
    if terms is not None:
        made = terms.made_value(revenue_m)  # cost of goods follows the units, not the payer
        paid = terms.settle(ctx, path, rows, revenue_m, units)
        revenue_m, received = paid.recognised_musd, paid.received_musd
        pv[rows] -= paid.tracking_cost_musd @ ctx.discount
        cash[rows] -= paid.tracking_cost_musd
        path.outputs.update(paid.columns)
    kept = payments.margin(d, received, made)
    fees = per_test_fees(ctx, path, rows, share.tested_share(), d)  # once per patient tested
    if fees is not None:
        kept -= fees
    pv[rows] += kept @ ctx.discount
    rate = ctx.scenario.market.discount_rate_annual
    for amount, offset, length in fixed_costs(path.draws, rows, d):
        pv[rows] -= pv_spread(amount, launch + offset, length, rate, horizon)
        add_spread(cost_diff, rows, -amount, launch + offset, length)
    revenue_y[rows] += revenue_m.reshape(rows.size, -1, MONTHS_PER_YEAR).sum(axis=2)
    cash[rows] += kept
    return pv


def _full(n: int, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A per-iteration column: ``values`` in the launched ``rows``, 0 elsewhere."""
    out = np.zeros(n)
    out[rows] = values
    return out
