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

**A stage with a design** (:mod:`simulator.pillars.trials.block`) runs its trial: the
design registered under its ``type`` (:mod:`simulator.pillars.trials.designs`) simulates
it on the effect of the population it enrols (a trial of test-positives enrols the
assay's false positives too, who carry the negatives' effect: :mod:`.stage`), and the
outcome sets the stage's success,
length and cost (:mod:`simulator.pillars.trials.stage`): a trial that stops early
recruits fewer patients, ends sooner and costs less.

**The label** follows the pivotal trial's population: a mechanistic phase III that enrols
positives only earns a positive-only label (the cohort's test-positive patients, as in
benchmark mode); one that enrols all-comers earns an all-comer label (every treatable
patient, no test, no CDx gating); an enrichment trial decides per iteration (positives
only unless the full-population hypothesis was rejected); the engine applies it to the
market.

All numbers come from generators named by (asset, stage) in the ``trials`` stream, so
changing one asset's design never changes another asset's draws.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulator.core.copula import correlated_uniforms
from simulator.core.draws import Draws, value_or
from simulator.core.seeding import generator
from simulator.pillars.trials.stage import StageTrial, TrialInputs

RngFor = Callable[[str], np.random.Generator]


def is_mechanistic(asset) -> bool:
    """Whether any stage of the asset has a design."""
    return any(st.design is not None for _, st in asset.stages())


def true_effects(asset, draws: Draws, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(theta_+, theta_-)`` per iteration, from the prior's quantiles ``u``."""
    e = asset.effect
    pos = np.asarray(e.positive.ppf(u), dtype=np.float64) * np.ones(u.shape)
    if e.negative is not None:
        neg = draws.effect.negative
    elif e.negative_ratio is not None:
        neg = draws.effect.negative_ratio * pos
    else:
        neg = np.zeros_like(pos)
    return pos, neg


def effect_uniforms(
    rng: np.random.Generator, n: int, factor: np.ndarray | None, rho: float
) -> np.ndarray:
    """Copula uniforms of the true effect: own noise and the risk group's factor."""
    return correlated_uniforms(rng.standard_normal(n), factor, rho)


def simulate_asset_trials(
    asset,
    draws: Draws,
    theta_pos: np.ndarray,
    theta_neg: np.ndarray,
    rng_for: RngFor,
    recruitment: dict | None = None,
) -> dict[str, StageTrial]:
    """Every mechanistic stage of the asset (a scenario asset), for every iteration
    (entered or not), from the asset's draws and ``rng_for(stage)`` generators;
    ``recruitment``: a data partner's factors by stage (:mod:`.stage`)."""
    n = theta_pos.size
    prevalence = value_or(draws.cohort.biomarker_prevalence, n, 1.0)
    sensitivity = value_or(draws.cohort.testing.sensitivity, n, 1.0)
    specificity = value_or(draws.cohort.testing.specificity, n, 1.0)
    out: dict[str, StageTrial] = {}
    for name, stage in asset.stages():
        if stage.design is None:
            continue
        inputs = TrialInputs(
            asset,
            draws,
            name,
            theta_pos,
            theta_neg,
            prevalence,
            sensitivity,
            rng_for(name),
            specificity,
            recruitment or {},
        )
        out.update(stage.design.stage_trials(inputs))
    return out


def output_columns(
    asset, trials: dict[str, StageTrial], reached: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Per-iteration columns of the mechanistic stages, NaN where a stage was not entered:
    ``<stage>_stopped_look``, ``<stage>_patients`` and the designs' own columns (an
    enrichment trial's ``label_positive_only``)."""
    cols: dict[str, np.ndarray] = {}
    for name, t in trials.items():
        entered = reached[name]
        cols[f"{name}_stopped_look"] = np.where(entered, t.outcome.stage, np.nan)
        cols[f"{name}_patients"] = np.where(entered, t.outcome.patients, np.nan)
    for name, stage in asset.stages():
        if stage.design is not None:
            cols.update(stage.design.columns(trials[name], reached[name]))
    return cols


def label_positive_only(asset, trials: dict[str, StageTrial]) -> np.ndarray | None:
    """Where the label (and so the market) is the biomarker-positive stratum only.

    A mechanistic phase III decides it: an enrichment trial per iteration (positives only
    unless H_F was rejected), any other design by whom it enrolled (``all_comers``: an
    all-comer label, every treatable patient, no test). None (the cohort's test-positive
    patients, as in benchmark mode) when phase III has no design.
    """
    stage = dict(asset.stages()).get("phase3")
    if stage is None or stage.design is None:
        return None
    return stage.design.label_positive_only(trials["phase3"], stage.trial.enrolment)


def simulate_in_chunk(
    ctx, asset, draws: Draws, rho: float, recruitment: dict | None = None
) -> dict[str, StageTrial]:
    """The asset's mechanistic stages for one chunk, from the ``trials`` stream.

    Replaces ``draws.effect.positive`` by the effect actually used (the copula draw), so
    the run's input columns show it.
    """
    seed, chunk = ctx.scenario.simulation.seed, ctx.chunk_index
    factor = ctx.group_factor(asset.risk_group, "effect") if asset.risk_group else None
    rng = generator(seed, chunk, "trials", asset.name, "effect")
    pos, neg = true_effects(asset, draws, effect_uniforms(rng, ctx.n, factor, rho))
    draws.effect.positive = pos
    return simulate_asset_trials(
        asset,
        draws,
        pos,
        neg,
        lambda stage: generator(seed, chunk, "trials", asset.name, stage),
        recruitment,
    )
