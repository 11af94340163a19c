"""The ``surveillance`` block of an asset: safety signals after launch and follow-up costs.

After launch a product is watched. Three things can cost its sponsor money:

- a **safety signal**, arriving at a constant hazard ``signal_hazard_per_year`` from
  launch (at most one is modelled). It leads to a withdrawal with probability
  ``p_withdrawal`` (sales and patients on therapy stop from the signal's month), to a
  label restriction with probability ``p_restriction`` (new patients fall by
  ``restriction_share_cut`` from that month), or to nothing (it is refuted);
- a **REMS or registry** cost per patient-year on therapy (for a one-time therapy: per
  patient treated), ``rems_usd_per_patient_year``;
- **long-term follow-up** (LTFU) of a cell or gene therapy: FDA's guidance *Long Term
  Follow-Up After Administration of Human Gene Therapy Products* (January 2020, section
  V) recommends up to 15 years of follow-up for integrating vectors (retro- and
  lentiviral, as in CAR-T) and genome editing products, and up to 5 years for AAV
  vectors. Each treated patient costs ``usd_per_patient_year`` for ``years`` years.

A hazard is bounded to 12 a year (one a month): a monthly grid cannot resolve more.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from simulator.core.fields import Float, HazardPerYear, Model, NonNegative, Probability
from simulator.core.notation import parse_distribution


class LongTermFollowUp(Model):
    """Follow-up of every treated patient of a cell or gene therapy (FDA 2020, section V)."""

    years: Float = Field(
        15.0, gt=0.0, le=30.0, description="15 for integrating vectors, genome editing; 5 for AAV"
    )
    usd_per_patient_year: NonNegative = Field(description="visits, labs, registry per year")


class Surveillance(Model):
    """Safety signals after launch, REMS or registry, long-term follow-up (see module)."""

    signal_hazard_per_year: HazardPerYear = Field(
        0.0, description="safety signals a year, from launch"
    )
    p_withdrawal: Probability = Field(parse_distribution(0.0), description="given a signal")
    p_restriction: Probability = Field(parse_distribution(0.0), description="given a signal")
    restriction_share_cut: Probability = Field(
        parse_distribution(0.0), description="share of new patients lost to a restricted label"
    )
    rems_usd_per_patient_year: NonNegative = Field(
        parse_distribution(0.0), description="REMS or registry, per patient-year on therapy"
    )
    long_term_follow_up: LongTermFollowUp | None = Field(
        None, description="cell and gene therapies (FDA 2020 LTFU guidance)"
    )

    @model_validator(mode="after")
    def _check(self) -> Surveillance:
        high = self.p_withdrawal.support()[1] + self.p_restriction.support()[1]
        if high > 1.0:
            raise ValueError(
                f"p_withdrawal + p_restriction can reach {high:g}: a signal leads to one "
                "outcome at most, so their sum must stay <= 1"
            )
        return self
