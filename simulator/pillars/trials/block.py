"""Mechanistic mode, as a scenario writes it: an asset's true effect and its trials' designs.

In *benchmark* mode a stage succeeds with its ``p_success``. In *mechanistic* mode the
asset has a true treatment effect (``effect:``), drawn once per iteration from a prior,
and a phase II or III stage with a ``design:`` runs a simulated trial whose test
statistics decide success, length, cost and label (:mod:`simulator.pillars.trials.step`,
:mod:`simulator.pillars.trials`). Both stages see the same true effect, so a phase II
that goes ahead predicts a phase III that succeeds, as in reality. A stage with a
design ignores its ``p_success`` (kept so that removing the design, e.g. ``--set
...phase3.design=null``, returns the asset to benchmark mode).

**The effect** is *standardized*: for a continuous endpoint the difference in means over
the standard deviation; for a binary endpoint the difference in response rates (with the
control rate); for a time-to-event endpoint ``-log(hazard ratio)`` (with the share of
patients who have an event by the analysis, Schoenfeld's information ``events / 4``).
Biomarker-positive patients have ``positive``; negatives have ``negative``, or
``negative_ratio`` x ``positive``, or 0 if neither is given. A trial that enrols only
positives sees ``positive``; an all-comer trial sees ``p positive + (1 - p) negative``
with ``p`` the cohort's biomarker prevalence.

**Designs** (``type:``): ``fixed``, ``group_sequential``, ``ssr`` (promising-zone
sample-size re-estimation), ``enrichment`` (phase III, all-comers at first) and
``seamless`` (phase III that continues the phase II trial). The trial block's
``patients`` is the planned size: the maximum of a group-sequential trial, the plan
before any increase, stage 1 + 2 of an enrichment trial; for ``seamless`` phase III's
patients are stage 2 only (phase II's count in the final test). Stopping early enrols
fewer patients, so recruitment, and the stage, end sooner and cost less: the stage's
``cost_musd`` is the cost at the planned size, scaled by the patients enrolled, or, with
``cost_per_patient_usd``, a fixed part plus that much per patient enrolled.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import Field, model_validator

from simulator.core.fields import Dist, Float, Int, Model, NonNegative

SpendingName = Literal["obf", "pocock", "hsd"]


class Effect(Model):
    """The asset's true treatment effect, drawn once per iteration (mechanistic mode)."""

    endpoint: Literal["continuous", "binary", "time_to_event"] = Field(
        "continuous", description="sets the information one patient brings"
    )
    positive: Dist = Field(description="standardized effect in biomarker-positive patients")
    negative: Dist | None = Field(None, description="effect in biomarker-negative patients")
    negative_ratio: Dist | None = Field(
        None, description="or: the negatives' effect as a multiple of the positives'"
    )
    control_rate: Float | None = Field(
        None, gt=0.0, lt=1.0, description="binary endpoint: response rate on control"
    )
    event_fraction: Float | None = Field(
        None, gt=0.0, le=1.0, description="time-to-event: events per patient at the analysis"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Effect:
        if self.negative is not None and self.negative_ratio is not None:
            raise ValueError(
                "give the negatives' effect as negative or as negative_ratio, not both"
            )
        if self.endpoint == "binary" and self.control_rate is None:
            raise ValueError(
                "a binary endpoint needs control_rate (the control arm's response rate)"
            )
        if self.endpoint == "time_to_event" and self.event_fraction is None:
            raise ValueError(
                "a time-to-event endpoint needs event_fraction (events per patient at the analysis)"
            )
        return self


class _Design(Model):
    alpha: Float = Field(0.025, gt=0.0, lt=0.5, description="one-sided type I error")
    cost_per_patient_usd: NonNegative | None = Field(
        None,
        description="with it, cost_musd is the fixed part and this is added per patient enrolled; "
        "without it, cost_musd scales with the patients enrolled",
    )


class FixedDesign(_Design):
    """One analysis at the planned size. In phase II, a go/no-go rule."""

    type: Literal["fixed"]
    go_effect: Float | None = Field(
        None, description="phase II: go if the estimated effect reaches this (instead of alpha)"
    )
    go_z: Float | None = Field(None, description="phase II: go if z reaches this")

    @model_validator(mode="after")
    def _one_rule(self) -> FixedDesign:
        if self.go_effect is not None and self.go_z is not None:
            raise ValueError("give go_effect or go_z, not both")
        return self


class GroupSequential(_Design):
    """K looks with Lan-DeMets alpha spending and optional non-binding beta-spending futility."""

    type: Literal["group_sequential"]
    looks: Int | None = Field(None, ge=1, le=10, description="equally spaced looks (default 3)")
    info_fractions: list[Float] | None = Field(
        None, description="information fractions of the looks, increasing, ending at 1"
    )
    spending: Literal["obf", "pocock", "hsd", "obf_classical", "pocock_classical"] = "obf"
    gamma: Float = Field(-4.0, description="Hwang-Shih-DeCani shape (spending: hsd)")
    futility: SpendingName | None = Field(None, description="beta-spending function, or none")
    futility_gamma: Float = Field(-2.0, description="Hwang-Shih-DeCani shape (futility: hsd)")
    power: Float = Field(
        0.9, gt=0.0, lt=1.0, description="design power: sets where futility bounds spend beta"
    )

    @model_validator(mode="after")
    def _looks(self) -> GroupSequential:
        t = self.info_fractions
        if t is not None:
            if not t or t[-1] != 1.0 or t[0] <= 0.0 or any(b <= a for a, b in pairwise(t)):
                raise ValueError(
                    f"info_fractions must increase strictly within (0, 1] and end at 1, got {t}"
                )
            if self.looks is not None and self.looks != len(t):
                raise ValueError(f"looks is {self.looks} but info_fractions has {len(t)}")
        if self.power <= self.alpha:
            raise ValueError("power must exceed alpha")
        return self

    def fractions(self) -> tuple[float, ...]:
        if self.info_fractions is not None:
            return tuple(self.info_fractions)
        k = self.looks or 3
        return tuple((i + 1) / k for i in range(k))


class SampleSizeReestimation(_Design):
    """Promising-zone sample-size re-estimation (Mehta & Pocock 2011), inverse-normal test."""

    type: Literal["ssr"]
    interim_fraction: Float = Field(0.5, gt=0.0, lt=1.0, description="of the planned patients")
    interim_efficacy: SpendingName | None = Field(
        "obf", description="alpha spending for an interim efficacy stop (none: no stop)"
    )
    gamma: Float = Field(-4.0, description="Hwang-Shih-DeCani shape (interim_efficacy: hsd)")
    futility_cp: Float | None = Field(
        None, ge=0.0, lt=1.0, description="stop if conditional power is below this (non-binding)"
    )
    cp_min: Float = Field(0.36, gt=0.0, lt=1.0, description="promising zone: lower edge")
    cp_target: Float = Field(0.8, gt=0.0, lt=1.0, description="promising zone: upper edge, target")
    max_increase: Float = Field(2.0, ge=1.0, le=10.0, description="most patients / planned")

    @model_validator(mode="after")
    def _zone(self) -> SampleSizeReestimation:
        if not self.cp_min < self.cp_target:
            raise ValueError(f"cp_min ({self.cp_min}) must be below cp_target ({self.cp_target})")
        if self.futility_cp is not None and self.futility_cp > self.cp_min:
            raise ValueError(
                f"futility_cp ({self.futility_cp}) must not exceed cp_min ({self.cp_min})"
            )
        return self


class Enrichment(_Design):
    """Adaptive enrichment: all-comers, then all-comers or positives only (closed testing)."""

    type: Literal["enrichment"]
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


class Seamless(_Design):
    """Phase III continuing the phase II trial: no gap, phase II patients count."""

    type: Literal["seamless"]
    arms: Int = Field(1, ge=1, le=6, description="doses compared with control in phase II")
    go_z: Float | None = Field(0.0, description="go to stage 2 if the best dose's z reaches this")
    go_effect: Float | None = Field(None, description="or: if its estimated effect reaches this")


Design = Annotated[
    FixedDesign | GroupSequential | SampleSizeReestimation | Enrichment | Seamless,
    Field(discriminator="type"),
]
MECHANISTIC_STAGES = ("phase2", "phase3")


def check_designs(asset) -> None:
    """Rules that span an asset's blocks (raises ValueError with what to change)."""
    stages = dict(asset.stages())
    designed = {name: st for name, st in stages.items() if st.design is not None}
    if not designed:
        return
    wrong = [name for name in designed if name not in MECHANISTIC_STAGES]
    if wrong:
        raise ValueError(f"a design is for phase2 or phase3, not {', '.join(wrong)}")
    if asset.effect is None:
        raise ValueError(
            f"{', '.join(designed)} has a design (mechanistic mode) but the asset has no effect "
            "block: add effect: {positive: ...} (the true effect the trials estimate)"
        )
    for name, st in designed.items():
        kind = st.design.type
        if st.trial is None:
            raise ValueError(
                f"{name} has a design but no trial block: the trial's patients, sites and "
                "screening rate set its size and length"
            )
        if st.duration_months is not None:
            raise ValueError(
                f"{name} has a design: its length follows from its trial's recruitment; "
                "remove duration_months"
            )
        if kind in ("enrichment", "seamless") and name != "phase3":
            raise ValueError(f"a {kind} design belongs to phase3, not {name}")
        if kind == "enrichment":
            _check_enrichment(asset, st)
        if kind == "seamless":
            _check_seamless(asset, stages)


def _check_enrichment(asset, stage) -> None:
    if stage.trial.enrolment != "all_comers":
        raise ValueError(
            "an enrichment trial starts in all-comers: set phase3.trial.enrolment to all_comers"
        )
    if asset.cohort is None:
        raise ValueError("an enrichment design needs a cohort with a biomarker_prevalence")
    if asset.effect.negative is None and asset.effect.negative_ratio is None:
        raise ValueError(
            "an enrichment design needs the negatives' effect: effect.negative or "
            "effect.negative_ratio"
        )


def _check_seamless(asset, stages) -> None:
    phase2 = stages.get("phase2")
    if phase2 is None or phase2.trial is None:
        raise ValueError(
            "a seamless phase3 continues the phase II trial: the asset needs phase2 with a trial "
            "block (its patients are stage 1)"
        )
    if phase2.design is not None:
        raise ValueError(
            "with a seamless phase3 the phase II part is stage 1 of the same trial: remove "
            "phase2.design (the go rule is phase3.design.go_z or go_effect)"
        )
    if phase2.duration_months is not None:
        raise ValueError(
            "with a seamless phase3, phase2's length follows from its trial; "
            "remove phase2.duration_months"
        )
    if asset.regulatory.accelerated_approval:
        raise ValueError(
            "a seamless phase II/III cannot also file after phase II (accelerated approval)"
        )
