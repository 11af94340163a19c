"""The development block: the stages a programme goes through, their trials and pathways.

Development follows the stages of Paul et al. (2010), *Nat Rev Drug Discov* 9:203:
target-to-hit, hit-to-lead, lead optimisation, preclinical, phase I, II, III and
regulatory review ("submission to launch"). An asset starts at one of them and must
describe every stage from there to review.

Each :class:`Stage` has a length (given, or derived from its :class:`Trial`'s recruitment
from the asset's cohort), a cost spread evenly over it and, in benchmark mode, a
probability of success; in mechanistic mode a trial ``design``
(:mod:`simulator.pillars.trials`) decides success instead. :class:`Regulatory` holds the
expedited pathways (priority review, breakthrough, accelerated approval with a
confirmatory trial) and post-marketing commitments.
"""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import Field, field_validator, model_validator

from simulator.core.fields import Float, Model, Months, NonNegative, Probability, Years
from simulator.core.notation import parse_distribution
from simulator.pillars.trials.block import Design

StageName = Literal[
    "target_to_hit",
    "hit_to_lead",
    "lead_optimization",
    "preclinical",
    "phase1",
    "phase2",
    "phase3",
    "review",
]
STAGES: tuple[str, ...] = typing.get_args(StageName)  # in the order a programme meets them
CLINICAL: tuple[str, ...] = ("phase1", "phase2", "phase3")


class Trial(Model):
    """A trial that recruits from the asset's cohort (see simulator.pillars.cohort.funnel)."""

    patients: NonNegative = Field(description="patients to enrol")
    enrolment: Literal["biomarker_positive", "all_comers"] = Field(
        "biomarker_positive", description="enrol test-positive patients only, or everyone"
    )
    sites: NonNegative = Field(description="recruiting sites")
    screened_per_site_month: NonNegative = Field(description="candidates screened per site a month")
    startup_months: Months = Field(
        parse_distribution(0.0), description="before the first patient"
    )
    followup_months: Months = Field(
        parse_distribution(0.0), description="after the last patient"
    )
    screening_cost_usd: NonNegative = Field(
        parse_distribution(0.0), description="per candidate screened (the biomarker test, visits)"
    )

    @field_validator("patients")
    @classmethod
    def _enrols_someone(cls, d):
        if d.support()[0] < 1:
            raise ValueError(f"expected at least 1 patient in every future, got {_shown(d)}")
        return d

    @field_validator("sites", "screened_per_site_month")
    @classmethod
    def _can_recruit(cls, d):
        if d.support()[0] <= 0:
            raise ValueError(
                "expected a value > 0 in every future: a trial without recruiting sites or "
                f"screening never enrols, got {_shown(d)}"
            )
        return d


def _shown(d) -> str:
    lo, hi = d.support()
    return d.compact() if d.is_constant else f"{d.compact()}, whose range is [{lo:g}, {hi:g}]"


class Stage(Model):
    duration_months: Months | None = Field(
        None, description="stage length; for a trial, default start-up + recruitment + follow-up"
    )
    trial: Trial | None = None
    cost_musd: NonNegative = Field(
        parse_distribution(0.0), description="spread evenly over the stage"
    )
    p_success: Probability | None = Field(
        None, description="probability the stage succeeds (benchmark mode; unused with a design)"
    )
    design: Design | None = Field(
        None, description="mechanistic mode: the trial's design (see simulator.pillars.trials)"
    )

    @model_validator(mode="after")
    def _has_length(self) -> Stage:
        if self.duration_months is None and self.trial is None:
            raise ValueError("a stage needs duration_months, or a trial to derive it from")
        if self.p_success is None and self.design is None:
            raise ValueError("a stage needs p_success (benchmark mode) or a design (mechanistic)")
        return self


class Phases(Model):
    target_to_hit: Stage | None = None
    hit_to_lead: Stage | None = None
    lead_optimization: Stage | None = None
    preclinical: Stage | None = None
    phase1: Stage | None = None
    phase2: Stage | None = None
    phase3: Stage | None = None
    review: Stage | None = None


class Regulatory(Model):
    """Expedited pathways and post-marketing commitments."""

    priority_review_months: Months | None = Field(
        None, description="review length under priority review (replaces the review stage's)"
    )
    breakthrough_time_factor: Float = Field(
        1.0, gt=0.0, le=1.0, description="multiplies phase I-III durations (breakthrough)"
    )
    accelerated_approval: bool = Field(
        False,
        description="file after phase II on a surrogate; phase III becomes the confirmatory "
        "trial, run after launch; if it fails the indication is withdrawn at its end",
    )
    post_marketing_musd_per_year: NonNegative = Field(parse_distribution(0.0))
    post_marketing_years: Years = Field(parse_distribution(5.0))
