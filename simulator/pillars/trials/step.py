"""Mechanistic trials of one asset inside a chunk: a true effect in; success, size, length,
cost and label out.

**The true effect.** An asset with an ``effect`` block draws, per iteration, the effect in
biomarker-positive patients from its prior through a one-factor Gaussian copula,

    theta_+ = F^{-1}( Phi( sqrt(rho) Z_g + sqrt(1 - rho) eps ) ),

with ``Z_g`` its risk group's factor for ``"effect"`` (programmes on one platform share
target biology, so their effects move together; ``rho = 0`` without a group) and ``eps``
its own normal from the ``trials`` stream. Negatives have ``effect.negative``, or
``negative_ratio x theta_+``, or 0. Every trial of the asset, phase II and III, sees the
same ``theta``: that is what correlates their outcomes.

**A stage with a design** (:mod:`simulator.pillars.trials.block`) runs its trial on the
effect of the population it enrols (``theta_+`` for positives only; ``p theta_+ +
(1 - p) theta_-`` for all-comers at prevalence ``p``), on the drift scale
``delta = theta sqrt(i / 4)`` of :mod:`simulator.pillars.trials.designs` (``i`` the
endpoint's information per patient). Its outcome sets:

    screened            = all-comer patients + positive-only patients / (p se)
    recruitment_months  = screened / (sites x screened per site a month)
    duration_months     = start-up + recruitment + follow-up   (no start-up for a
                          seamless phase III: the trial is already running)
    cost_musd           = cost_musd x patients / planned       (or cost_musd +
                          cost_per_patient x patients) + screened x screening cost

so a trial that stops early recruits fewer patients, ends sooner and costs less; a
promising-zone increase does the opposite. Enrichment's stage 2 in positives only must
screen ``1 / (p se)`` candidates per patient.

**The label** follows the pivotal trial's population: a mechanistic phase III that enrols
positives only earns a positive-only label (the cohort's test-positive patients, as in
benchmark mode); one that enrols all-comers earns an all-comer label (every treatable
patient, no test, no CDx gating); an enrichment trial decides per iteration (positives
only unless the full-population hypothesis was rejected).
:func:`simulator.engine.assets.commercialize` applies it to the market.

All numbers come from generators named by (asset, stage) in the ``trials`` stream, so
changing one asset's design never changes another asset's draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulator.core.copula import correlated_uniforms
from simulator.core.draws import drawn
from simulator.core.seeding import generator
from simulator.pillars.cohort.funnel import screened_patients
from simulator.pillars.trials import (
    DesignOutcome,
    EnrichmentRule,
    PromisingZone,
    design_group_sequential,
    drift_per_patient,
    information_per_patient,
    population_effect,
    simulate_enrichment,
    simulate_fixed,
    simulate_gsd,
    simulate_seamless,
    simulate_ssr,
)
from simulator.scenario import Asset

RngFor = Callable[[str], np.random.Generator]


@dataclass
class StageTrial:
    """One mechanistic stage's simulated trial, arrays over iterations."""

    outcome: DesignOutcome
    screened: np.ndarray
    recruitment_months: np.ndarray
    duration_months: np.ndarray
    cost_musd: np.ndarray
    screening_cost_musd: np.ndarray

    @property
    def success(self) -> np.ndarray:
        return self.outcome.success


def is_mechanistic(asset: Asset) -> bool:
    """Whether any stage of the asset has a design."""
    return any(st.design is not None for _, st in asset.stages())


def true_effects(
    asset: Asset, draws: dict[str, np.ndarray], u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(theta_+, theta_-)`` per iteration, from the prior's quantiles ``u``."""
    e = asset.effect
    pos = np.asarray(e.positive.ppf(u), dtype=np.float64) * np.ones(u.shape)
    if e.negative is not None:
        neg = draws["effect.negative"]
    elif e.negative_ratio is not None:
        neg = draws["effect.negative_ratio"] * pos
    else:
        neg = np.zeros_like(pos)
    return pos, neg


def effect_uniforms(
    rng: np.random.Generator, n: int, factor: np.ndarray | None, rho: float
) -> np.ndarray:
    """Copula uniforms of the true effect: own noise and the risk group's factor."""
    return correlated_uniforms(rng.standard_normal(n), factor, rho)


def _delta(asset: Asset, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drift per patient and information per patient at the effect ``theta``."""
    e = asset.effect
    info = information_per_patient(e.endpoint, theta, e.control_rate, e.event_fraction)
    return drift_per_patient(theta, info), info


def _threshold(effect: float | None, info: np.ndarray) -> np.ndarray | None:
    """An effect threshold on the drift-per-patient scale."""
    return None if effect is None else drift_per_patient(effect, info)


def _gsd(d):
    return design_group_sequential(
        alpha=d.alpha,
        power=d.power,
        spending=d.spending,
        gamma=d.gamma,
        futility=d.futility,
        futility_gamma=d.futility_gamma,
        info_fractions=d.fractions(),
    )


def simulate_asset_trials(
    asset: Asset,
    draws: dict[str, np.ndarray],
    theta_pos: np.ndarray,
    theta_neg: np.ndarray,
    rng_for: RngFor,
) -> dict[str, StageTrial]:
    """Every mechanistic stage of the asset, for every iteration (entered or not)."""
    n = theta_pos.size
    prevalence = drawn(draws, "cohort.biomarker_prevalence", n, 1.0)
    sensitivity = drawn(draws, "cohort.testing.sensitivity", n, 1.0)
    stages = dict(asset.stages())
    out: dict[str, StageTrial] = {}
    for name, stage in stages.items():
        d = stage.design
        if d is None:
            continue
        p = f"phases.{name}."
        planned = draws[p + "trial.patients"]
        positives_only = stage.trial.enrolment == "biomarker_positive"
        theta = theta_pos if positives_only else population_effect(theta_pos, theta_neg, prevalence)
        delta, info = _delta(asset, theta)
        rng = rng_for(name)
        if d.type == "fixed":
            go_z = d.go_z
            outcome = simulate_fixed(
                delta, planned, rng, d.alpha, _threshold(d.go_effect, info), go_z
            )
        elif d.type == "group_sequential":
            outcome = simulate_gsd(_gsd(d), delta, planned, rng)
        elif d.type == "ssr":
            rule = PromisingZone(
                interim_fraction=d.interim_fraction,
                alpha=d.alpha,
                interim_efficacy=d.interim_efficacy,
                gamma=d.gamma,
                futility_cp=d.futility_cp,
                cp_min=d.cp_min,
                cp_target=d.cp_target,
                max_increase=d.max_increase,
            )
            outcome = simulate_ssr(rule, delta, planned, rng)
        elif d.type == "enrichment":
            d_pos, i_pos = _delta(asset, theta_pos)
            d_neg, i_neg = _delta(asset, theta_neg)
            outcome = simulate_enrichment(
                EnrichmentRule(d.interim_fraction, d.alpha, d.intersection),
                d_pos,
                d_neg,
                planned,
                prevalence,
                rng,
                enrich_below=drift_per_patient(d.enrich_below, i_neg),
                futility_below=_threshold(d.futility_below, i_pos),
            )
        else:  # seamless: phase II is stage 1 of this trial
            n1 = draws["phases.phase2.trial.patients"]
            whole = simulate_seamless(
                delta,
                n1,
                planned,
                rng,
                arms=d.arms,
                alpha=d.alpha,
                go_z=d.go_z,
                go_delta=_threshold(d.go_effect, info),
            )
            go = whole.stage == 2
            out["phase2"] = _stage_trial(
                asset, draws, "phase2", _phase2_part(whole, n1), prevalence, sensitivity
            )
            outcome = whole._replace(
                stage=np.ones(n, dtype=np.int8), patients=np.where(go, planned, 0.0)
            )
            out[name] = _stage_trial(
                asset, draws, name, outcome, prevalence, sensitivity, startup=False
            )
            continue
        out[name] = _stage_trial(asset, draws, name, outcome, prevalence, sensitivity)
    return out


def _phase2_part(whole: DesignOutcome, n1: np.ndarray) -> DesignOutcome:
    """Stage 1 of a seamless trial as the phase II stage: success = go."""
    go = whole.stage == 2
    z = np.zeros(go.size, dtype=bool)
    return whole._replace(
        success=go,
        stage=np.ones(go.size, dtype=np.int8),
        early_efficacy=z,
        early_futility=z,
        patients=np.asarray(n1, dtype=np.float64),
        enriched_patients=np.zeros(go.size),
        adapted=z,
        label_positive_only=z,
    )


def _stage_trial(asset, draws, name, outcome, prevalence, sensitivity, startup=True):
    p = f"phases.{name}."
    stage = dict(asset.stages())[name]
    patients, enriched = outcome.patients, outcome.enriched_patients
    if stage.trial.enrolment == "biomarker_positive":
        screened = screened_patients(patients, prevalence, sensitivity)
    else:
        screened = (patients - enriched) + screened_patients(enriched, prevalence, sensitivity)
    months = screened / (draws[p + "trial.sites"] * draws[p + "trial.screened_per_site_month"])
    duration = months + draws[p + "trial.followup_months"]
    if startup:
        duration = duration + draws[p + "trial.startup_months"]
    fee = screened * draws[p + "trial.screening_cost_usd"] / 1e6
    base = draws[p + "cost_musd"]
    if stage.design is not None and stage.design.cost_per_patient_usd is not None:
        cost = base + draws[p + "design.cost_per_patient_usd"] * patients / 1e6
    else:
        planned = draws[p + "trial.patients"]
        cost = base * np.divide(patients, planned, out=np.zeros_like(patients), where=planned > 0)
    return StageTrial(outcome, screened, months, duration, cost + fee, fee)


def output_columns(
    asset: Asset, trials: dict[str, StageTrial], reached: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Per-iteration columns of the mechanistic stages, NaN where a stage was not entered:
    ``<stage>_stopped_look``, ``<stage>_patients`` and, for an enrichment trial,
    ``label_positive_only`` (1 or 0 where the trial succeeded, NaN elsewhere)."""
    cols: dict[str, np.ndarray] = {}
    for name, t in trials.items():
        entered = reached[name]
        cols[f"{name}_stopped_look"] = np.where(entered, t.outcome.stage, np.nan)
        cols[f"{name}_patients"] = np.where(entered, t.outcome.patients, np.nan)
    label = label_positive_only(asset, trials)
    if label is not None and dict(asset.stages())["phase3"].design.type == "enrichment":
        won = reached["phase3"] & trials["phase3"].success
        cols["label_positive_only"] = np.where(won, label, np.nan)
    return cols


def label_positive_only(asset: Asset, trials: dict[str, StageTrial]) -> np.ndarray | None:
    """Where the label (and so the market) is the biomarker-positive stratum only.

    A mechanistic phase III decides it: an enrichment trial per iteration (positives only
    unless H_F was rejected), any other design by whom it enrolled (``all_comers``: an
    all-comer label, every treatable patient, no test). None (the cohort's test-positive
    patients, as in benchmark mode) when phase III has no design.
    """
    stage = dict(asset.stages()).get("phase3")
    if stage is None or stage.design is None:
        return None
    if stage.design.type == "enrichment":
        return trials["phase3"].outcome.label_positive_only
    n = trials["phase3"].success.size
    return np.full(n, stage.trial.enrolment == "biomarker_positive")


def simulate_in_chunk(ctx, asset: Asset, draws: dict[str, np.ndarray], rho: float):
    """The asset's mechanistic stages for one chunk, from the ``trials`` stream.

    Replaces ``draws["effect.positive"]`` by the effect actually used (the copula draw), so
    the run's input columns show it.
    """
    seed, chunk = ctx.scenario.simulation.seed, ctx.chunk_index
    factor = ctx.group_factor(asset.risk_group, "effect") if asset.risk_group else None
    rng = generator(seed, chunk, "trials", asset.name, "effect")
    pos, neg = true_effects(asset, draws, effect_uniforms(rng, ctx.n, factor, rho))
    draws["effect.positive"] = pos
    return simulate_asset_trials(
        asset, draws, pos, neg, lambda stage: generator(seed, chunk, "trials", asset.name, stage)
    )
