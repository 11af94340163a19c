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
test-positives sees ``positive`` diluted by the assay's false positives
(:mod:`simulator.pillars.trials.stage`); an all-comer trial sees ``p positive + (1 - p)
negative`` with ``p`` the cohort's biomarker prevalence. With ``designed_for`` the effect
reaches the market too: the peak share, and the QALYs gained under a value ceiling,
scale with the true effect in the label's patients over ``designed_for``
(:mod:`simulator.pillars.commercial.step`).

**Designs** (``type:``, one module each in :mod:`simulator.pillars.trials.designs`,
registered by name): ``fixed``, ``group_sequential``, ``ssr`` (promising-zone sample-size
re-estimation), ``enrichment`` (phase III, all-comers at first) and ``seamless`` (phase
III that continues the phase II trial); any other ``type`` is an error that lists them.
Each design checks where it may stand (:func:`check_designs` calls it). The trial block's
``patients`` is the planned size: the maximum of a group-sequential trial, the plan
before any increase, stage 1 + 2 of an enrichment trial; for ``seamless`` phase III's
patients are stage 2 only (phase II's count in the final test). Stopping early enrols
fewer patients, so recruitment, and the stage, end sooner and cost less: the stage's
``cost_musd`` is the cost at the planned size, scaled by the patients enrolled, or, with
``cost_per_patient_usd``, a fixed part plus that much per patient enrolled.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simulator.core.fields import Dist, Float, Model
from simulator.pillars.trials.designs import DESIGNS, MECHANISTIC_STAGES


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
    designed_for: Float | None = Field(
        None,
        gt=0.0,
        description="the effect the asset's market case assumes: its peak share (and QALYs "
        "gained, under a value ceiling) scale with the true effect over this; none: the "
        "market does not see the effect",
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


Design = DESIGNS.union()
"""A stage's ``design:`` block: one of the registered designs, chosen by its ``type``."""


def check_designs(asset) -> None:
    """Rules that span an asset's blocks (raises ValueError with what to change)."""
    designed = {name: st for name, st in asset.stages() if st.design is not None}
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
        st.design.check(asset, name)
