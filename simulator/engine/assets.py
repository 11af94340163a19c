"""One asset's path through a chunk of iterations, in two passes.

1. :func:`develop`: trials recruit from the asset's cohort (which sets stage durations
   and screening costs), stages succeed or fail (benchmark mode, copula within risk
   groups; or, in mechanistic mode, by a simulated trial: :mod:`.trials`), expedited
   pathways change review and development times, the companion diagnostic sets the
   launch month. Spend goes to the portfolio's difference array.
2. :func:`commercialize`: once every asset of the portfolio has been developed (assets
   that share an indication split its patients among those that launched), the launched
   iterations earn revenue from the cohort's funnel: incidence, growth, the testing ramp
   after launch and, before a late CDx, reduced uptake. Priced assets (a ``pricing``
   block, or ``market.ira``) are paid as :mod:`.payments` says: value ceiling, IRA cut,
   budget cap, and cash received when the contract pays it.

Both return present values before tax; the caller applies tax and aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulator.core.copula import correlated_uniforms
from simulator.core.draws import drawn
from simulator.core.seeding import generator
from simulator.core.timeline import MONTHS_PER_YEAR, add_spread, pv_spread, to_month
from simulator.pillars.cohort.funnel import positive_fraction, screened_patients, testing_rate
from simulator.pillars.commercial.flows import (
    CommercialDraws,
    contribution_share,
    fixed_cost_spreads,
    revenue_flows,
    uptake_by_month,
)
from simulator.pillars.development.stages import (
    DevelopmentOutcome,
    StageDraws,
    simulate_development,
)
from simulator.pillars.diagnostics.timeline import CdxOutcome, cdx_timeline
from simulator.pillars.manufacturing.step import PlantRun, empty_columns, run_plant
from simulator.pillars.pricing import step as payments
from simulator.pillars.trials.step import (
    is_mechanistic,
    label_positive_only,
    output_columns,
    simulate_in_chunk,
)
from simulator.scenario import Asset

CLINICAL = ("phase1", "phase2", "phase3")


@dataclass
class AssetPath:
    """What pass 1 decided for one asset (arrays over the chunk's iterations)."""

    asset: Asset
    draws: dict[str, np.ndarray]
    dev: DevelopmentOutcome
    launch_month: np.ndarray  # int; meaningful where launched
    launched: np.ndarray  # bool: approved, CDx available, launch before the horizon
    pv_musd: np.ndarray  # present value so far (R&D, CDx), before tax
    outputs: dict[str, np.ndarray]  # per-asset columns beyond npv/launch
    cdx: CdxOutcome | None = None
    plant: PlantRun | None = None  # set by pass 2 for a capacity-limited asset
    plant_rows: np.ndarray | None = None  # the launched iterations the plant ran for
    label_positive_only: np.ndarray | None = None  # enrichment: the label narrowed (bool)


def _test_accuracy(draws, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Biomarker prevalence, assay sensitivity and specificity (1 where absent)."""
    return (
        drawn(draws, "cohort.biomarker_prevalence", n, 1.0),
        drawn(draws, "cohort.testing.sensitivity", n, 1.0),
        drawn(draws, "cohort.testing.specificity", n, 1.0),
    )


def _stage_draws(ctx, asset: Asset, draws, rho: float, outputs: dict, mech) -> list[StageDraws]:
    n = ctx.n
    seed = ctx.scenario.simulation.seed
    prevalence, sensitivity, _ = _test_accuracy(draws, n)
    reg = asset.regulatory
    recruitment = np.zeros(n)
    screening = np.zeros(n)
    stages = []
    for name, stage in asset.stages():
        p = f"phases.{name}."
        cost = draws[p + "cost_musd"]
        duration = draws.get(p + "duration_months")
        if name in mech:  # mechanistic: the simulated trial decides success, length, cost
            m = mech[name]
            duration, cost = m.duration_months, m.cost_musd
            recruitment = recruitment + m.recruitment_months
            screening = screening + m.screening_cost_musd
        elif stage.trial is not None:
            enrolled = draws[p + "trial.patients"]
            if stage.trial.enrolment == "biomarker_positive":
                screened = screened_patients(enrolled, prevalence, sensitivity)
            else:
                screened = enrolled
            months = screened / (
                draws[p + "trial.sites"] * draws[p + "trial.screened_per_site_month"]
            )
            fee = screened * draws[p + "trial.screening_cost_usd"] / 1e6
            if duration is None:
                duration = (
                    draws[p + "trial.startup_months"] + months + draws[p + "trial.followup_months"]
                )
            cost = cost + fee
            recruitment = recruitment + months
            screening = screening + fee
        if name in CLINICAL:
            duration = duration * reg.breakthrough_time_factor
        if name == "review" and reg.priority_review_months is not None:
            duration = draws["regulatory.priority_review_months"]
        eps = generator(seed, ctx.chunk_index, "success", asset.name, name).standard_normal(n)
        factor = ctx.group_factor(asset.risk_group, name) if asset.risk_group else None
        u = correlated_uniforms(eps, factor, rho)
        p_success = draws.get(p + "p_success")
        if name in mech:
            p_success, u = mech[name].success.astype(np.float64), np.full(n, 0.5)
        stages.append(
            StageDraws(duration_months=duration, cost_musd=cost, p_success=p_success, u=u)
        )
    if any(st.trial is not None for _, st in asset.stages()):
        outputs["recruitment_months"] = recruitment
        outputs["screening_cost_musd"] = screening
    return stages


def develop(ctx, asset: Asset, draws, rho: float, cost_diff: np.ndarray) -> AssetPath:
    """Pass 1: development, regulatory path and CDx for every iteration of the chunk."""
    market = ctx.scenario.market
    n, horizon = ctx.n, ctx.horizon
    outputs: dict[str, np.ndarray] = {}
    mech = simulate_in_chunk(ctx, asset, draws, rho) if is_mechanistic(asset) else {}
    stages = _stage_draws(ctx, asset, draws, rho, outputs, mech)
    names = [s for s, _ in asset.stages()]
    confirmatory = None
    if asset.regulatory.accelerated_approval:
        i3 = names.index("phase3")
        confirmatory = stages.pop(i3)
        names.pop(i3)
    dev = simulate_development(
        draws["start_month"],
        stages,
        discount_rate_annual=market.discount_rate_annual,
        capitalization_rate_annual=market.capitalization_rate_annual,
        horizon=horizon,
        cost_diff=cost_diff,
        confirmatory=confirmatory,
    )
    pv = dev.pv_cost_musd.copy()
    approval = dev.launch_month
    launch = approval.astype(float)
    label = label_positive_only(asset, mech) if mech else None
    if mech:
        columns = {s: dev.reached[:, i] for i, s in enumerate(names)}
        if "phase3" not in columns and "phase3" in mech:  # confirmatory, after launch
            columns["phase3"] = dev.reached[:, -1]
        outputs.update(output_columns(asset, mech, columns))
    cdx = None
    if asset.cdx is not None:
        cdx, cdx_pv = _companion_diagnostic(ctx, asset, draws, dev, names, cost_diff)
        pv += cdx_pv
        if label is not None:  # an all-comer label needs no test: the CDx gates nothing
            cdx = replace(
                cdx,
                launch_month=np.where(label, cdx.launch_month, approval),
                delay_to_launch_months=np.where(label, cdx.delay_to_launch_months, 0.0),
            )
        launch = cdx.launch_month
        delay = np.where(dev.approved, cdx.delay_to_launch_months, np.nan)
        outputs["cdx_delay_months"] = delay
        outputs["cdx_delayed"] = dev.approved & (cdx.delay_to_launch_months > 0)
    launched = dev.approved & (launch < horizon)
    launch_month = np.where(launched, launch, horizon).astype(np.int64)
    if asset.cohort is not None:
        outputs["eligible_patients_mature"] = _eligible_base(draws, n, label) * np.where(
            _tested(label, n), drawn(draws, "cohort.testing.mature_rate", n, 1.0), 1.0
        )
    path = AssetPath(asset, draws, dev, launch_month, launched, pv, outputs, cdx)
    path.label_positive_only = label
    return path


def _tested(label: np.ndarray | None, n: int) -> np.ndarray:
    """Where patients must test positive to be treated: always, unless an enrichment trial
    won an all-comer label."""
    return np.ones(n, dtype=bool) if label is None else label


def _companion_diagnostic(ctx, asset, draws, dev, names, cost_diff):
    """CDx timeline and its cash (development cost, upfront, milestone)."""
    n, horizon = ctx.n, ctx.horizon
    rate = ctx.scenario.market.discount_rate_annual
    c = asset.cdx
    rng = generator(ctx.scenario.simulation.seed, ctx.chunk_index, "success", asset.name, "cdx")
    u_delay, u_fail = rng.random(n), rng.random(n)
    if c.development_start in names:
        k = names.index(c.development_start)
        start = dev.boundaries[:, k]
        entered = dev.reached[:, k]
    else:  # phase III of an accelerated approval: the confirmatory trial starts at launch
        start = dev.launch_month
        entered = dev.approved
    q = "cdx."
    outcome = cdx_timeline(
        start_month=start.astype(float),
        development_months=draws[q + "development_months"],
        review_months=draws[q + "review_months"],
        delayed=u_delay < draws[q + "delay_probability"],
        delay_months=draws[q + "delay_months"],
        failed=u_fail < draws[q + "failure_probability"],
        fallback_delay_months=draws.get(q + "fallback_delay_months"),
        drug_approval_month=dev.launch_month,
        launch_before_cdx=c.launch_before_cdx,
    )
    dev_months = np.maximum(to_month(draws[q + "development_months"]), 1)
    pv = np.zeros(n)
    rows = np.flatnonzero(entered)
    spreads = [  # (amount, start, months) for the rows that started the CDx
        (draws[q + "development_cost_musd"], start, dev_months),
        (draws[q + "partner_upfront_musd"], start, np.ones(n, dtype=np.int64)),
    ]
    paid_milestone = dev.approved & np.isfinite(outcome.approval_month)
    ms_month = np.where(paid_milestone, outcome.approval_month, horizon).astype(np.int64)
    for amount, begin, months in spreads:
        pv[rows] -= pv_spread(amount[rows], begin[rows], months[rows], rate, horizon)
        add_spread(cost_diff, rows, -amount[rows], begin[rows], months[rows])
    ms_rows = np.flatnonzero(paid_milestone)
    milestone = draws[q + "partner_milestone_musd"][ms_rows]
    one = np.ones(ms_rows.size, dtype=np.int64)
    pv[ms_rows] -= pv_spread(milestone, ms_month[ms_rows], one, rate, horizon)
    add_spread(cost_diff, ms_rows, -milestone, ms_month[ms_rows], one)
    return outcome, pv


def _eligible_base(draws, n: int, label: np.ndarray | None = None) -> np.ndarray:
    """Eligible patients a year at base incidence with everyone tested (before the ramp);
    where an enrichment trial won an all-comer label, every treatable patient."""
    positive = positive_fraction(*_test_accuracy(draws, n))
    if label is not None:
        positive = np.where(label, positive, 1.0)
    return draws["cohort.incidence_per_year"] * draws["cohort.treatable_fraction"] * positive


def commercialize(
    ctx, path: AssetPath, split: np.ndarray, cash, revenue_y, cost_diff
) -> np.ndarray:
    """Pass 2: revenue and commercial costs of the launched iterations.

    ``split`` is the asset's share of its indication's patients per iteration (1 when it
    has the indication to itself). Adds monthly cash and yearly revenue to the
    portfolio's arrays and returns the present value (before tax) per iteration.
    """
    asset, draws = path.asset, path.draws
    horizon = ctx.horizon
    rows = np.flatnonzero(path.launched)
    pv = np.zeros(ctx.n)
    if rows.size == 0:
        if asset.manufacturing is not None:
            path.outputs.update(empty_columns(ctx.n))
        if payments.is_priced(ctx, asset):
            path.outputs.update(payments.empty_columns(ctx.n))
        return pv
    launch = path.launch_month[rows]
    c = "commercial."
    life = draws.get(f"{c}commercial_life_years")
    life_months = np.full(rows.size, float(horizon)) if life is None else np.round(life[rows] * 12)
    life_months = np.minimum(life_months, path.dev.withdrawal_month[rows] - launch)
    if asset.cohort is None:
        patients = draws[f"{c}patients_per_year"][rows]
    else:
        patients = _eligible_base(draws, ctx.n, path.label_positive_only)[rows]
    d = CommercialDraws(
        patients_per_year=patients * split[rows],
        peak_share=draws[f"{c}peak_share"][rows],
        list_price_usd=draws[f"{c}list_price_usd"][rows],
        gross_to_net=draws[f"{c}gross_to_net"][rows],
        price_growth_annual=draws[f"{c}price_growth_annual"][rows],
        cogs_share=draws[f"{c}cogs_share"][rows],
        selling_share=draws[f"{c}selling_share"][rows],
        sales_force_musd_per_year=draws[f"{c}sales_force_musd_per_year"][rows],
        launch_cost_musd=draws[f"{c}launch_cost_musd"][rows],
        royalty_rate=draws[f"{c}royalty_rate"][rows],
        exclusivity_months=np.round(draws[f"{c}exclusivity_years"][rows] * MONTHS_PER_YEAR),
        erosion_first_year=draws[f"{c}erosion_first_year"][rows],
        life_months=life_months,
        demand_multiplier=ctx.market_draws.demand_multiplier[rows],
        price_multiplier=ctx.market_draws.price_multiplier[rows],
    )
    terms = payments.terms(ctx, path, rows, d)  # None without pricing and IRA blocks
    if terms is not None:
        d = terms.draws  # the list price scaled to a value-based ceiling
    uptake = uptake_by_month(asset.commercial.uptake_curve, horizon)
    log_multiplier = _log_multiplier(path, rows, launch, horizon)
    share = contribution_share(d) - _test_fee_share(path, rows, d)
    if asset.manufacturing is None:
        revenue_m = revenue_flows(d, uptake, launch, horizon, log_multiplier)
    else:  # what the plant lets through, not what demand asks for
        revenue_m = _through_the_plant(ctx, path, rows, d, uptake, log_multiplier, pv, cash)
    received = revenue_m  # cash arrives when the payer pays: recognised != received
    if terms is not None:
        paid = terms.settle(ctx, path, rows, revenue_m)
        revenue_m, received = paid.recognised_musd, paid.received_musd
        pv[rows] -= paid.tracking_cost_musd @ ctx.discount
        cash[rows] -= paid.tracking_cost_musd
        path.outputs.update(paid.columns)
    pv[rows] += share * (received @ ctx.discount)
    rate = ctx.scenario.market.discount_rate_annual
    spreads = fixed_cost_spreads(d)
    pm_months = np.minimum(
        np.round(draws["regulatory.post_marketing_years"][rows] * 12), life_months
    )
    pm_months = np.maximum(pm_months, 0).astype(np.int64)
    spreads.append(
        (
            draws["regulatory.post_marketing_musd_per_year"][rows] / 12 * pm_months,
            0,
            np.maximum(pm_months, 1),
        )
    )
    for amount, offset, length in spreads:
        pv[rows] -= pv_spread(amount, launch + offset, length, rate, horizon)
        add_spread(cost_diff, rows, -amount, launch + offset, length)
    revenue_y[rows] += revenue_m.reshape(rows.size, -1, MONTHS_PER_YEAR).sum(axis=2)
    received *= share[:, None]
    cash[rows] += received
    return pv


def _through_the_plant(ctx, path: AssetPath, rows, d, uptake, log_multiplier, pv, cash):
    """Revenue of the patients the plant treats (see :mod:`.plant`); books the plant's
    costs in ``pv`` and ``cash`` and its outcomes in the asset's columns and series."""
    horizon, launch = ctx.horizon, path.launch_month[rows]
    ones, zeros = np.ones(rows.size), np.zeros(rows.size)
    per_patient = replace(
        d, list_price_usd=ones * 1e6, price_multiplier=ones, gross_to_net=zeros,
        price_growth_annual=zeros,
    )  # fmt: skip
    # USD M a month at 1e6 a patient-year = patients a month
    demand = revenue_flows(per_patient, uptake, launch, horizon, log_multiplier)
    since_launch = np.maximum(np.arange(horizon)[None, :] - launch[:, None], 0)
    price = (d.list_price_usd * d.price_multiplier * (1.0 - d.gross_to_net) / 1e6)[:, None]
    price = price * np.exp(np.log1p(d.price_growth_annual)[:, None] * (since_launch // 12))
    sim = ctx.scenario.simulation
    first = sim.chunk_size * ctx.chunk_index
    plant = run_plant(
        path.asset.manufacturing,
        demand,
        seed=sim.seed,
        chunk_index=ctx.chunk_index,
        asset_name=path.asset.name,
        iteration_ids=first + rows,
        launch_month=launch,
        fidelity=sim.fidelity,
    )
    pv[rows] -= plant.cost_musd @ ctx.discount
    cash[rows] -= plant.cost_musd
    path.outputs.update(plant.columns(rows, ctx.n, launch))
    path.plant, path.plant_rows = plant, rows
    return plant.outcome.treated * price


def _log_multiplier(path: AssetPath, rows, launch, horizon) -> np.ndarray | None:
    """log of the time-varying part of demand: cohort growth, testing ramp after launch,
    reduced uptake before a late CDx. None when demand is constant over time."""
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
        add(np.log1p(draws["cohort.growth_annual"][rows])[:, None] * (m / MONTHS_PER_YEAR)[None, :])
    if cohort is not None and cohort.testing is not None:
        t = "cohort.testing."
        tau = testing_rate(
            np.maximum(m[None, :] - launch[:, None], 0),
            draws[t + "initial_rate"][rows][:, None],
            draws[t + "mature_rate"][rows][:, None],
            (draws[t + "ramp_years"][rows] * MONTHS_PER_YEAR)[:, None],
        )
        with np.errstate(divide="ignore"):
            log_tau = np.log(tau)
        if path.label_positive_only is not None:  # an all-comer label needs no test
            log_tau = np.where(path.label_positive_only[rows][:, None], log_tau, 0.0)
        add(log_tau)
    if path.cdx is not None and asset.cdx.launch_before_cdx:
        before = m[None, :] < path.cdx.approval_month[rows][:, None]
        before &= _tested(path.label_positive_only, len(path.launched))[rows][:, None]
        with np.errstate(divide="ignore"):
            factor = np.log(draws["cdx.uptake_before_cdx"][rows])[:, None]
        add(np.where(before, factor, 0.0))
    return out


def _test_fee_share(path: AssetPath, rows, d: CommercialDraws) -> np.ndarray:
    """Per-test fees as a share of revenue at the launch price: each treated patient-year
    needs 1 / (share testing positive) tests."""
    if path.asset.cdx is None:
        return np.zeros(rows.size)
    draws, n = path.draws, len(path.launched)
    pos = positive_fraction(*_test_accuracy(draws, n))[rows]
    fee = draws["cdx.per_test_fee_usd"][rows] / pos * _tested(path.label_positive_only, n)[rows]
    price = d.list_price_usd * d.price_multiplier * (1.0 - d.gross_to_net)
    return np.where(price > 0, fee / np.where(price > 0, price, 1.0), 0.0)
