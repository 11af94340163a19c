"""The development block: the stages a programme goes through, their trials and pathways.

Development follows the stages of Paul et al. (2010), *Nat Rev Drug Discov* 9:203:
target-to-hit, hit-to-lead, lead optimisation, preclinical, phase I, II, III and
regulatory review ("submission to launch"). An asset starts at one of them and must
describe every stage from there to review.

Each :class:`Stage` has a length (given, or derived from its :class:`Trial`'s recruitment
from the asset's cohort), a cost spread evenly over it and, in benchmark mode, a
probability of success; in mechanistic mode a trial ``design``
(:mod:`simulator.pillars.trials`) decides success instead; ``phases.success_rates`` names
a published table that supplies ``p_success`` (:mod:`.benchmarks`). :class:`Regulatory`
holds the expedited pathways (priority review, breakthrough, accelerated approval with a
confirmatory trial), post-marketing commitments and the orphan designations of the label
(which the IRA's orphan exclusion and the orphan-drug tax credit read).
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from simulator.core.fields import Float, Int, Model, Months, NonNegative, Probability, Years
from simulator.core.notation import parse_distribution
from simulator.pillars.development import benchmarks
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
    startup_months: Months = Field(parse_distribution(0.0), description="before the first patient")
    followup_months: Months = Field(parse_distribution(0.0), description="after the last patient")
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


def _known_table(name: str) -> str:
    benchmarks.lookup(name)  # a ValueError naming the known tables and categories
    return name


class Phases(Model):
    """The asset's stages, and optionally a named table of their success rates."""

    success_rates: Annotated[str, AfterValidator(_known_table)] | None = Field(
        None,
        description="a named benchmark table, table/category (e.g. bio_2011_2020/oncology): "
        "p_success of phase I-III and review where not given "
        "(simulator.pillars.development.benchmarks)",
    )
    target_to_hit: Stage | None = None
    hit_to_lead: Stage | None = None
    lead_optimization: Stage | None = None
    preclinical: Stage | None = None
    phase1: Stage | None = None
    phase2: Stage | None = None
    phase3: Stage | None = None
    review: Stage | None = None

    @model_validator(mode="before")
    @classmethod
    def _named_success_rates(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("success_rates") is None:
            return data
        try:
            rates = benchmarks.lookup(data["success_rates"]).by_stage()
        except ValueError:  # the field's own error names it; stages need not also complain
            rates = dict.fromkeys(benchmarks.STAGES, 0.5)
        data = dict(data)
        for stage, p in rates.items():
            given = data.get(stage)
            if isinstance(given, dict) and given.get("p_success") is None:
                data[stage] = {**given, "p_success": p}
        return data


class Regulatory(Model):
    """Expedited pathways, post-marketing commitments and orphan designations."""

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
    orphan_indications: Int = Field(
        0,
        ge=0,
        le=50,
        description="orphan-designated indications of the label: 1 exempts the drug from US "
        "IRA negotiation; any makes its clinical trials earn the orphan-drug tax credit",
    )
