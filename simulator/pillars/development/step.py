"""Development inside a chunk: each stage's length, cost and chance, then the path through
the stages for every iteration.

For each stage of an asset, per iteration:

- **benchmark mode**: cost and length are drawn; a stage with a ``trial`` recruits from
  the cohort, so its length is start-up + recruitment + follow-up with
  ``recruitment = screened / (sites x screened per site a month)`` and
  ``screened = patients / (share testing positive)`` for a biomarker-positive trial
  (:func:`simulator.pillars.cohort.funnel.recruitment_months`); screening costs
  ``screened x cost per candidate``; a data partner's factors (per stage) raise the
  screening yield or the screening rate. A trial of a biomarker that the portfolio's
  profiling panel covers recruits from the panel's pooled stream instead and pays the
  panel's cost (:mod:`simulator.pillars.cohort.profiling`; a data partner's yield factor
  still applies to the number screened there). Success is
  ``u < p_success`` with ``u`` a uniform correlated within the asset's risk group by a
  one-factor Gaussian copula (:mod:`simulator.core.copula`): members of a platform fail together;
- **mechanistic mode**: a simulated trial (:mod:`simulator.pillars.trials`) gives the
  stage's success, length and cost;
- **expedited pathways**: breakthrough designation multiplies phase I-III lengths;
  priority review replaces the review's length; under accelerated approval phase III
  becomes a confirmatory trial run after launch, whose failure withdraws the indication.

The path itself (stage starts, who reaches what, cost spread over each stage, PV and
capitalized cost) is :func:`simulator.pillars.development.stages.simulate_development`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulator.core.copula import correlated_uniforms
from simulator.core.draws import Draws
from simulator.pillars.cohort.funnel import (
    NO_PARTNER,
    Recruitment,
    recruit,
    screened_patients,
)
from simulator.pillars.cohort.profiling import pooled_months
from simulator.pillars.cohort.step import assay
from simulator.pillars.development.block import CLINICAL
from simulator.pillars.development.stages import (
    DevelopmentOutcome,
    StageDraws,
    simulate_development,
)


def stage_inputs(
    ctx,
    asset,
    draws: Draws,
    rho: float,
    outputs: dict,
    trials: dict,
    panel=None,
    screens=None,
    factors: dict[str, Recruitment] | None = None,
) -> list[StageDraws]:
    """Length, cost, success probability and copula uniform of each stage (see the module
    docstring); ``trials`` holds the stages a mechanistic trial decides; ``factors``
    a data partner's factors by stage. Adds the asset's ``recruitment_months`` and
    ``screening_cost_musd`` columns to ``outputs``. With a profiling ``panel`` that covers
    the asset, each test-positive benchmark trial (not a simulated one, which recruits
    from its own sites) recruits from the panel's stream and appends ``(stage index,
    start-up months, screening months, cost before screening)`` to the list ``screens``,
    for the portfolio to share its screens."""
    factors = factors or {}
    n = ctx.n
    pooled = panel is not None and panel.covers(asset)
    prevalence, sensitivity, specificity = assay(draws, n)
    reg = asset.regulatory
    recruitment = np.zeros(n)
    screening = np.zeros(n)
    stages = []
    for index, (name, stage) in enumerate(asset.stages()):
        d = getattr(draws.phases, name)
        cost, duration = d.cost_musd, d.duration_months
        fee = 0.0
        if name in trials:  # mechanistic: the simulated trial decides success, length, cost
            m = trials[name]
            duration, cost, fee = m.duration_months, m.cost_musd, m.screening_cost_musd
            recruitment = recruitment + m.recruitment_months
            screening = screening + m.screening_cost_musd
        elif stage.trial is not None:
            t = d.trial
            positives = stage.trial.enrolment == "biomarker_positive"
            p, se, sp = (prevalence, sensitivity, specificity) if positives else (1.0, 1.0, 1.0)
            f = factors.get(name, NO_PARTNER)
            if pooled and positives:
                screened = screened_patients(t.patients, p, se, sp, f)
                window, months = pooled_months(
                    screened, panel.screened_per_month, panel.turnaround_months
                )
                fee = screened * panel.cost_per_test_usd / 1e6
                screens.append((index, t.startup_months, window, cost))
            else:
                screened, months = recruit(
                    t.patients, p, se, t.sites, t.screened_per_site_month, specificity=sp,
                    factors=f,
                )  # fmt: skip
                fee = screened * t.screening_cost_usd / 1e6
            if duration is None:
                duration = t.startup_months + months + t.followup_months
            cost = cost + fee
            recruitment = recruitment + months
            screening = screening + fee
        if name in CLINICAL:
            duration = duration * reg.breakthrough_time_factor
        if name == "review" and reg.priority_review_months is not None:
            duration = draws.regulatory.priority_review_months
        eps = ctx.generator("success", asset.name, name).standard_normal(n)
        factor = ctx.group_factor(asset.risk_group, name) if asset.risk_group else None
        u = correlated_uniforms(eps, factor, rho)
        p_success = d.p_success
        if name in trials:
            p_success, u = trials[name].success.astype(np.float64), np.full(n, 0.5)
        stages.append(
            StageDraws(
                duration_months=duration,
                cost_musd=cost,
                p_success=p_success,
                u=u,
                screening_musd=fee,
            )
        )
    if any(st.trial is not None for _, st in asset.stages()):
        outputs["recruitment_months"] = recruitment
        outputs["screening_cost_musd"] = screening
    return stages


def before_launch(asset, stages: list[StageDraws]):
    """``(stages, names, confirmatory)``: the stages on the path before launch and their
    names; accelerated approval moves phase III after launch, as the confirmatory trial."""
    names = [s for s, _ in asset.stages()]
    stages, confirmatory = list(stages), None
    if asset.regulatory.accelerated_approval:
        i3 = names.index("phase3")
        confirmatory = stages.pop(i3)
        names.pop(i3)
    return stages, names, confirmatory


def run_stages(
    ctx,
    asset,
    draws: Draws,
    stages: list[StageDraws],
    cost_diff: np.ndarray,
    waits: np.ndarray | None = None,
) -> tuple[DevelopmentOutcome, list[str]]:
    """The path through ``stages`` for every iteration, and the names of the stages on it
    before launch (see :func:`before_launch`). Spend goes to the portfolio's difference
    array ``cost_diff``; ``waits`` are the months each stage before launch waits for the
    portfolio's annual budget (:mod:`simulator.pillars.budget.schedule`), if it has one."""
    market = ctx.scenario.market
    stages, names, confirmatory = before_launch(asset, stages)
    dev = simulate_development(
        draws.start_month,
        stages,
        discount_rate_annual=market.discount_rate_annual,
        capitalization_rate_annual=market.capitalization_rate_annual,
        horizon=ctx.horizon,
        cost_diff=cost_diff,
        confirmatory=confirmatory,
        waits=waits,
    )
    spans = (*names, "phase3") if confirmatory is not None else tuple(names)
    return replace(dev, stage_names=spans), names
