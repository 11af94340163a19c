"""Adaptive enrichment: start in all-comers, continue in all-comers or in positives only.

Stage 1 enrols all-comers (share ``p`` biomarker-positive; the strata are the assay's,
test-positive and test-negative, with the effects of :mod:`simulator.pillars.trials.stage`,
which are the true strata's when the test is perfect). From the stratum estimates the
trial stops for futility (the positives' estimate below ``futility_below``), continues in
positives only (the negatives' estimate below ``enrich_below``), or continues in
all-comers; stage 2 keeps its planned size, so after an enrichment all its patients are
positives that screening must find (``1 / (p se)`` candidates each). Two hypotheses, full
population F and positive subgroup S, are tested by **closed testing with the
inverse-normal combination test**: the intersection H_FS is tested with Simes' (or
Bonferroni's) combination of the two stage-wise p-values (stage 2 after enrichment has S
only, so its p-value is S's); H_F (or H_S) is rejected if both H_FS and H_F (H_S) are
rejected by the combination test at level alpha. This controls the familywise error rate
in the strong sense whatever the interim decision (Bretz et al. 2006; Brannath et al.
2009; Jenkins, Stallard & Friede 2011); Simes is valid here because the statistics are
positively correlated (Sarkar 1998). Success is any rejection; the label is *positives
only* unless H_F was rejected, so it narrows the market per iteration.

References: Bretz F et al. (2006), *Biom J* 48:623-634; Brannath W et al. (2009), *Stat
Med* 28:1445-1463; Jenkins M, Stallard N, Friede T (2011), *Pharm Stat* 10:347-356;
Sarkar SK (1998), *Ann Stat* 26:494-504.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field
from scipy import special

from simulator.core.fields import Float
from simulator.core.seeding import iteration_major
from simulator.pillars.trials.designs.base import DESIGNS, DesignBlock
from simulator.pillars.trials.information import drift_per_patient
from simulator.pillars.trials.outcome import DesignOutcome, design_outcome, p_value, z_value
from simulator.pillars.trials.stage import StageTrial, TrialInputs, effect_threshold

Array = NDArray[np.float64]


@dataclass(frozen=True)
class EnrichmentRule:
    """Two-stage adaptive enrichment with closed testing (see the module docstring).

    At the interim (``interim_fraction`` of the planned patients, all-comers) the stratum
    estimates decide: stop for futility if the positives' estimate is below
    ``futility_below`` (None: never); else continue in positives only if the negatives'
    estimate is below ``enrich_below``; else continue in all-comers. Thresholds are on the
    drift-per-patient scale (the engine converts effects). ``intersection`` is the test of
    H_F and H_S together: ``"simes"`` or ``"bonferroni"``.
    """

    interim_fraction: float = 0.5
    alpha: float = 0.025
    intersection: str = "simes"


def _intersection_p(p_f, p_s, how: str) -> Array:
    lo, hi = np.minimum(p_f, p_s), np.maximum(p_f, p_s)
    if how == "simes":
        return np.minimum(2.0 * lo, hi)
    if how == "bonferroni":
        return np.minimum(2.0 * lo, 1.0)
    raise ValueError(f"unknown intersection test {how!r}; expected 'simes' or 'bonferroni'")


def simulate_enrichment(
    rule: EnrichmentRule,
    delta_pos: ArrayLike,
    delta_neg: ArrayLike,
    n: ArrayLike,
    prevalence: ArrayLike,
    rng: np.random.Generator,
    enrich_below: ArrayLike = 0.0,
    futility_below: ArrayLike | None = None,
) -> DesignOutcome:
    """Adaptive-enrichment trials of ``n`` patients planned (stage 2 keeps its planned size,
    all positives after enrichment); strata are split at their expected sizes ``p n``."""
    delta_pos, delta_neg, n, p = np.broadcast_arrays(
        *(np.asarray(x, dtype=np.float64) for x in (delta_pos, delta_neg, n, prevalence))
    )
    t1 = rule.interim_fraction
    w1, w2 = np.sqrt(t1), np.sqrt(1.0 - t1)
    crit = special.ndtri(1.0 - rule.alpha)
    n1, n2 = t1 * n, (1.0 - t1) * n
    e = iteration_major(rng.standard_normal, 4, delta_pos.shape)
    # stage 1, all-comers: stratum statistics and the full-population one
    z1p = delta_pos * np.sqrt(p * n1) + e[0]
    z1m = delta_neg * np.sqrt((1.0 - p) * n1) + e[1]
    z1f = np.sqrt(p) * z1p + np.sqrt(1.0 - p) * z1m
    est_pos = z1p / np.sqrt(p * n1)
    est_neg = z1m / np.sqrt((1.0 - p) * n1)
    futile = np.zeros(delta_pos.shape, dtype=bool)
    if futility_below is not None:
        futile = est_pos < futility_below
    enriched = ~futile & (est_neg < enrich_below)
    # stage 2: all-comers, or the same number of patients all positive
    z2p_all = delta_pos * np.sqrt(p * n2) + e[2]
    z2m = delta_neg * np.sqrt((1.0 - p) * n2) + e[3]
    z2f = np.sqrt(p) * z2p_all + np.sqrt(1.0 - p) * z2m
    z2s = np.where(enriched, delta_pos * np.sqrt(n2) + e[2], z2p_all)
    # closed testing with the inverse-normal combination
    p1f, p1s, p2f, p2s = p_value(z1f), p_value(z1p), p_value(z2f), p_value(z2s)
    p1fs = _intersection_p(p1f, p1s, rule.intersection)
    p2fs = np.where(enriched, p2s, _intersection_p(p2f, p2s, rule.intersection))

    def combined(a, b):
        return w1 * z_value(a) + w2 * z_value(b) >= crit

    reject_fs = combined(p1fs, p2fs)
    reject_s = ~futile & reject_fs & combined(p1s, p2s)
    reject_f = ~futile & ~enriched & reject_fs & combined(p1f, p2f)
    success = reject_s | reject_f
    stage = np.where(futile, 1, 2)
    patients = n1 + np.where(futile, 0.0, n2)
    return design_outcome(
        success,
        stage,
        2,
        patients,
        enriched=np.where(enriched, n2, 0.0),
        adapted=enriched,
        label=success & ~reject_f,
    )


@DESIGNS.register
class Enrichment(DesignBlock):
    """Adaptive enrichment: all-comers, then all-comers or positives only (closed testing)."""

    belongs_to: ClassVar[tuple[str, ...]] = ("phase3",)

    type: Literal["enrichment"] = "enrichment"
    interim_fraction: Float = Field(0.5, gt=0.0, lt=1.0, description="of the planned patients")
    enrich_below: Float = Field(
        0.0, description="continue in positives only if the negatives' estimated effect is below"
    )
    futility_below: Float | None = Field(
        None, description="stop if the positives' estimated effect is below this (none: never)"
    )
    intersection: Literal["simes", "bonferroni"] = Field(
        "simes", description="test of the intersection hypothesis in the closed test"
    )

    def check(self, asset, name: str) -> None:
        super().check(asset, name)
        if getattr(asset.phases, name).trial.enrolment != "all_comers":
            raise ValueError(
                "an enrichment trial starts in all-comers: set phase3.trial.enrolment to all_comers"
            )
        if asset.cohort is None:
            raise ValueError("an enrichment design needs a cohort with a biomarker_prevalence")
        prevalence = asset.cohort.biomarker_prevalence
        lo, hi = prevalence.extremes()
        if not 0.0 < lo <= hi < 1.0:
            raise ValueError(
                "an enrichment design compares biomarker-positive and -negative patients, so "
                "both must exist in every future: cohort.biomarker_prevalence must draw "
                f"strictly between 0 and 1, got {prevalence.compact()}, which draws from "
                f"{lo:g} to {hi:g}"
            )
        if asset.effect.negative is None and asset.effect.negative_ratio is None:
            raise ValueError(
                "an enrichment design needs the negatives' effect: effect.negative or "
                "effect.negative_ratio"
            )

    def simulate(self, trial: TrialInputs) -> DesignOutcome:
        # the strata are the test's: test-positives (false positives included) and
        # test-negatives (false negatives included), a share q and 1 - q (see .stage)
        d_pos, i_pos = trial.drift(trial.theta_test_positive)
        d_neg, i_neg = trial.drift(trial.theta_test_negative)
        return simulate_enrichment(
            EnrichmentRule(self.interim_fraction, self.alpha, self.intersection),
            d_pos,
            d_neg,
            trial.planned,
            trial.test_positive_share,
            trial.rng,
            enrich_below=drift_per_patient(self.enrich_below, i_neg),
            futility_below=effect_threshold(self.futility_below, i_pos),
        )

    def label_positive_only(self, trial: StageTrial, enrolment: str) -> np.ndarray:
        """Positives only unless the full-population hypothesis was rejected."""
        return trial.outcome.label_positive_only

    def columns(self, trial: StageTrial, entered: np.ndarray) -> dict[str, np.ndarray]:
        """``label_positive_only``: 1 or 0 where the trial succeeded, NaN elsewhere."""
        won = entered & trial.success
        return {"label_positive_only": np.where(won, trial.outcome.label_positive_only, np.nan)}

    def stop_text(self, look: float) -> str:
        return ", stopped at the interim" if look == 1 else ", to the final analysis"
