"""A development stage run as a trial: what its design simulates from, and what it costs.

A design (:mod:`.designs`) simulates its trial from :class:`TrialInputs`: the true
effects in biomarker-positive and -negative patients, the cohort's prevalence and the
assay's sensitivity and specificity, the stage's draws and its own random generator. The
population the trial enrols sets the effect it sees (:mod:`.information`):
``p theta_+ + (1 - p) theta_-`` for all-comers at prevalence ``p``, and for a trial that
enrols test-positives the mixture its false positives make,

    theta_seen = PPV theta_+ + (1 - PPV) theta_-,     PPV = p se / q,
    q = p se + (1 - p)(1 - sp)                        (share testing positive)

(the same assay as the market's: :mod:`simulator.pillars.cohort.funnel`). With a perfect
test (``sp = 1``) it is ``theta_+``. A design that looks at strata (enrichment) sees the
test's strata: test-positives, with ``theta_seen``, and test-negatives, a share ``1 - q``
with ``[p (1 - se) theta_+ + (1 - p) sp theta_-] / (1 - q)``; their mixture is the
all-comer effect.

The design's :class:`~.outcome.DesignOutcome` then sets the stage (:meth:`TrialInputs.staged`),
with the trial recruiting from the cohort (:mod:`simulator.pillars.cohort.funnel`)::

    screened            = all-comer patients + test-positive patients / q
    recruitment_months  = screened / (sites x screened per site a month)
    duration_months     = start-up + recruitment + follow-up   (no start-up for a stage
                          that continues a running trial)
    cost_musd           = cost_musd x patients / planned       (or cost_musd +
                          cost_per_patient x patients) + screened x screening cost

with ``q`` raised to ``min(1, y q)`` and the screening rate multiplied by ``v`` where a
data partner supports the stage (:class:`~simulator.pillars.cohort.funnel.Recruitment`),
so a trial that stops early recruits fewer patients, ends sooner and costs less; a
promising-zone increase does the opposite. Enrichment's stage 2 in test-positives only
must screen ``1 / q`` candidates per patient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.core.draws import Draws
from simulator.pillars.cohort.funnel import (
    NO_PARTNER,
    Recruitment,
    positive_fraction,
    recruit,
    screened_patients,
    true_positive_share,
)
from simulator.pillars.trials.information import (
    drift_per_patient,
    information_per_patient,
    population_effect,
)
from simulator.pillars.trials.outcome import DesignOutcome


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


@dataclass(frozen=True)
class TrialInputs:
    """What the design of stage ``name`` of ``asset`` (a scenario asset) simulates from.

    ``draws`` are the asset's draws; the arrays have one value per iteration; ``rng`` is
    the stage's own generator.
    """

    asset: Any
    draws: Draws
    name: str
    theta_pos: np.ndarray
    theta_neg: np.ndarray
    prevalence: np.ndarray
    sensitivity: np.ndarray
    rng: np.random.Generator
    specificity: np.ndarray | float = 1.0
    recruitment: dict[str, Recruitment] = field(default_factory=dict)  # a data partner's

    def stage(self, name: str | None = None):
        """The scenario block of this stage (or of stage ``name``)."""
        return getattr(self.asset.phases, name or self.name)

    def stage_draws(self, name: str | None = None) -> Draws:
        """The draws of this stage (or of stage ``name``)."""
        return getattr(self.draws.phases, name or self.name)

    @property
    def planned(self) -> np.ndarray:
        """The trial's planned patients."""
        return self.stage_draws().trial.patients

    @property
    def test_positive_share(self) -> np.ndarray:
        """``q``: the share of screened candidates who test positive."""
        return positive_fraction(self.prevalence, self.sensitivity, self.specificity)

    @property
    def theta_test_positive(self) -> np.ndarray:
        """The effect in test-positive patients: ``PPV theta_+ + (1 - PPV) theta_-``."""
        ppv = true_positive_share(self.prevalence, self.sensitivity, self.specificity)
        return population_effect(self.theta_pos, self.theta_neg, ppv)

    @property
    def theta_test_negative(self) -> np.ndarray:
        """The effect in test-negative patients (false negatives carry ``theta_+``)."""
        negative = np.asarray(1.0 - self.test_positive_share, dtype=float)
        false_negative = np.divide(  # the rest of the test-negatives are true negatives
            self.prevalence * (1.0 - self.sensitivity),
            negative,
            out=np.zeros_like(negative),
            where=negative > 0,
        )
        return population_effect(self.theta_pos, self.theta_neg, false_negative)

    @property
    def theta(self) -> np.ndarray:
        """The effect in the population the trial enrols."""
        if self.stage().trial.enrolment == "biomarker_positive":
            return self.theta_test_positive
        return population_effect(self.theta_pos, self.theta_neg, self.prevalence)

    def drift(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Drift per patient and information per patient at the effect ``theta``."""
        e = self.asset.effect
        info = information_per_patient(e.endpoint, theta, e.control_rate, e.event_fraction)
        return drift_per_patient(theta, info), info

    def staged(
        self, outcome: DesignOutcome, name: str | None = None, startup: bool = True
    ) -> StageTrial:
        """The stage's length and cost from the trial's outcome (see the module docstring)."""
        stage, d = self.stage(name), self.stage_draws(name)
        p, se, sp = self.prevalence, self.sensitivity, self.specificity
        patients, enriched = outcome.patients, outcome.enriched_patients
        sites, rate = d.trial.sites, d.trial.screened_per_site_month
        f = self.recruitment.get(name or self.name, NO_PARTNER)
        if stage.trial.enrolment == "biomarker_positive":
            screened, months = recruit(patients, p, se, sites, rate, specificity=sp, factors=f)
        else:  # every candidate is enrolled, except in an enriched (positives-only) stage 2
            screened = (patients - enriched) + screened_patients(enriched, p, se, sp, f)
            screened, months = recruit(screened, 1.0, 1.0, sites, rate, factors=f)
        duration = months + d.trial.followup_months
        if startup:
            duration = duration + d.trial.startup_months
        fee = screened * d.trial.screening_cost_usd / 1e6
        if stage.design is not None and stage.design.cost_per_patient_usd is not None:
            cost = d.cost_musd + d.design.cost_per_patient_usd * patients / 1e6
        else:
            planned = d.trial.patients
            cost = d.cost_musd * np.divide(
                patients, planned, out=np.zeros_like(patients), where=planned > 0
            )
        return StageTrial(outcome, screened, months, duration, cost + fee, fee)


def effect_threshold(effect: float | None, info: np.ndarray) -> np.ndarray | None:
    """An effect threshold on the drift-per-patient scale (None stays None)."""
    return None if effect is None else drift_per_patient(effect, info)
