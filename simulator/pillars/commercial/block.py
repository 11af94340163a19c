"""The commercial block: what a launched asset sells, at what price, at what cost.

Patients start therapy (from the cohort funnel, or ``patients_per_year``) through the
launch curve to the peak share, stay on it as long as their therapy lasts
(:class:`Therapy`; equations in :mod:`.therapy`), and pay the list price net of rebates,
growing at each launch anniversary, until loss of exclusivity (:class:`Exclusivity`, on
the calendar: :mod:`.exclusivity`) erodes volume; assets of one indication share its
patients by order of entry and lose share to outside competitors (:class:`Competition`:
:mod:`.competition`); costs of goods, selling, the sales force, launch and royalties come
off it (the arithmetic of revenue and costs is in :mod:`.flows`).

Each new mechanism has a switch that gives back the simpler model: no ``therapy`` block
(or one without ``time_on_therapy``), every start is one patient-year on therapy (or one
treatment); no ``assessment_months``, false positives stay as long as true positives;
``exclusivity_years`` instead of ``exclusivity``, loss of exclusivity is counted from
launch; ``competition.entries_per_year: 0``, no outside entrants.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from simulator.core.fields import Dist, Float, GrowthRate, Model, NonNegative, Probability, Years
from simulator.core.notation import parse_distribution

#: Median share of peak sales reached in years 1-6 after launch (Robey & David 2017,
#: Nat Rev Drug Discov; 61 drugs approved 2000-2002).
PUBLISHED_LAUNCH_CURVE: tuple[float, ...] = (0.11, 0.31, 0.58, 0.76, 0.89, 1.0)

#: Long-run share of the n-th entrant relative to the pioneer's: (order of entry)^-0.49
#: (Urban, Carter, Gaskin & Mucha 1986, Management Science 32:645; 82 consumer brands in
#: 24 categories). That it carries over to drugs is an ASSUMPTION.
ORDER_OF_ENTRY_SHARES: tuple[float, ...] = (1.0, 0.71, 0.58, 0.51)


def _check_support(d, low: float, high: float, what: str):
    """``d`` if its support lies in [low, high], else a ValueError saying ``what``."""
    if d is not None:
        lo, hi = d.support()
        if lo < low or hi > high:
            raise ValueError(f"{what}, got {d.compact()}")
    return d


class TimeOnTherapy(Model):
    """How long a patient who starts a chronic or progression-limited therapy stays on it:
    exactly one of a mean, a median (of an exponential duration) or a monthly
    discontinuation hazard (see :mod:`simulator.pillars.commercial.therapy`)."""

    mean_months: NonNegative | None = Field(None, description="mean months on therapy (>= 1)")
    median_months: NonNegative | None = Field(
        None, description="median months on therapy (e.g. median time to progression)"
    )
    discontinuation_hazard_monthly: NonNegative | None = Field(
        None, description="share of patients on therapy who stop each month (<= 1)"
    )

    @field_validator("mean_months")
    @classmethod
    def _mean(cls, d):
        why = "a patient is on therapy in the month they start: mean_months must be at least 1"
        return _check_support(d, 1.0, math.inf, why)

    @field_validator("median_months")
    @classmethod
    def _median(cls, d):
        why = "median_months must be at least ln 2 = 0.69 (an exponential time, mean 1 month)"
        return _check_support(d, math.log(2.0), math.inf, why)

    @field_validator("discontinuation_hazard_monthly")
    @classmethod
    def _hazard(cls, d):
        return _check_support(d, 0.0, 1.0, "a monthly discontinuation hazard is at most 1")

    @model_validator(mode="after")
    def _one_form(self) -> TimeOnTherapy:
        given = [f for f in type(self).model_fields if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of mean_months, median_months and "
                f"discontinuation_hazard_monthly (got {', '.join(given) or 'none'})"
            )
        return self


class Therapy(Model):
    """How long a patient is treated: once, or for a time on therapy."""

    one_time: bool = Field(
        False, description="given once (gene and cell therapies): a start is a treatment"
    )
    time_on_therapy: TimeOnTherapy | None = Field(
        None, description="chronic therapies; none: every start is one patient-year"
    )
    assessment_months: NonNegative | None = Field(
        None,
        description="false positives stop at their first response assessment, this long after "
        "they start; none: they stay as long as true positives",
    )

    @model_validator(mode="after")
    def _once_is_once(self) -> Therapy:
        if self.one_time and self.time_on_therapy is not None:
            raise ValueError("a one-time therapy has no time_on_therapy: remove one of them")
        if self.one_time and self.assessment_months is not None:
            raise ValueError(
                "a one-time therapy is given once: false positives are treated like the "
                "others; remove assessment_months"
            )
        return self


RegulatoryKind = Literal["nce", "orphan", "biologic"]


class Exclusivity(Model):
    """Protection on the calendar: a patent filed before launch, its term and extension,
    and regulatory exclusivities from approval (see
    :mod:`simulator.pillars.commercial.exclusivity`)."""

    patent_filed_month: Dist | None = Field(
        None,
        description="grid month the compound patent was filed (may be negative: before the "
        "scenario starts); default: the start of the asset's first modelled stage",
    )
    patent_term_years: Float = Field(20.0, gt=0.0, description="from filing (35 U.S.C. 154)")
    term_extension: bool = Field(
        True, description="Hatch-Waxman patent-term extension (35 U.S.C. 156)"
    )
    regulatory: list[RegulatoryKind] | None = Field(
        None,
        description="regulatory exclusivities from approval (nce 5 years, orphan 7, biologic "
        "12); default: nce for a small molecule, biologic otherwise",
    )
    orphan: bool = Field(False, description="orphan-drug exclusivity (7 years) as well")
    paediatric: bool = Field(False, description="paediatric exclusivity: 6 months more")


class Competition(Model):
    """How the asset shares its indication: by order of entry among the portfolio's assets
    of the indication, and with outside competitors who enter after the first launch."""

    order_of_entry_shares: list[Annotated[Float, Field(gt=0.0, le=1.0)]] = Field(
        default_factory=lambda: list(ORDER_OF_ENTRY_SHARES),
        min_length=1,
        max_length=100,
        description="weight of the 1st, 2nd, ... entrant relative to the first (starts at 1; "
        "the last value holds)",
    )
    entries_per_year: Float = Field(
        0.0, ge=0.0, le=12.0, description="outside entrants a year after the first launch (Poisson)"
    )
    share_loss: Probability = Field(
        parse_distribution(0.0), description="share of its patients the asset loses to each entrant"
    )

    @field_validator("order_of_entry_shares")
    @classmethod
    def _starts_at_one(cls, v: list[float]) -> list[float]:
        if v[0] != 1.0:
            raise ValueError(
                f"the order-of-entry shares are relative to the first entrant: they start at 1, "
                f"got {v[0]:g}"
            )
        return v


class Commercial(Model):
    patients_per_year: NonNegative | None = Field(
        None,
        description="patients per year who could take the drug (the label); give this or a cohort",
    )
    peak_share: Probability = Field(description="share of those patients treated at peak")
    uptake_curve: list[Annotated[Float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=lambda: list(PUBLISHED_LAUNCH_CURVE),
        min_length=1,
        max_length=100,
        description="share of peak reached in each year after launch; the last value holds",
    )
    list_price_usd: NonNegative = Field(
        description="list price per patient-year (or per treatment for one-time therapies)"
    )
    gross_to_net: Probability = Field(
        parse_distribution(0.0), description="share of list price given back (rebates, discounts)"
    )
    price_growth_annual: GrowthRate = Field(
        parse_distribution(0.0), description="net price change at each launch anniversary"
    )
    cogs_share: Probability = Field(
        parse_distribution(0.0), description="cost of goods / net revenue"
    )
    selling_share: Probability = Field(
        parse_distribution(0.0), description="variable selling and marketing cost / net revenue"
    )
    sales_force_musd_per_year: NonNegative = Field(
        parse_distribution(0.0),
        description="fixed commercial cost from launch to loss of exclusivity",
    )
    launch_cost_musd: NonNegative = Field(
        parse_distribution(0.0), description="spread over the first 12 months after launch"
    )
    royalty_rate: Probability = Field(parse_distribution(0.0), description="royalty / net revenue")
    exclusivity_years: Years | None = Field(
        None, description="launch to loss of exclusivity (or give exclusivity: on the calendar)"
    )
    exclusivity: Exclusivity | None = Field(
        None, description="patent and regulatory exclusivity on the calendar"
    )
    erosion_first_year: Probability = Field(
        parse_distribution(0.85),
        description="share of volume lost in the first year after loss of exclusivity; the same "
        "rate continues after (small molecules 84-89%: Grabowski, Long & Mortimer 2014)",
    )
    commercial_life_years: Years | None = Field(
        None, description="revenue stops this long after launch (default: the horizon)"
    )
    therapy: Therapy | None = Field(
        None, description="once, or for how long (none: every start is one patient-year)"
    )
    competition: Competition = Field(
        default_factory=Competition, description="order of entry and outside entrants"
    )

    @model_validator(mode="after")
    def _one_exclusivity(self) -> Commercial:
        if (self.exclusivity is None) == (self.exclusivity_years is None):
            raise ValueError(
                "give exclusivity (patent and regulatory protection on the calendar) or "
                "exclusivity_years (counted from launch), not both, not neither"
            )
        return self


def earliest_launch_month(asset) -> float:
    """The earliest month the asset could launch: the lowest start month plus the shortest
    length of every stage before launch (a trial's at least its start-up and follow-up)."""
    from simulator.pillars.development.block import CLINICAL

    reg = asset.regulatory
    month = asset.start_month.support()[0]
    for name, stage in asset.stages():
        if name == "phase3" and reg.accelerated_approval:
            continue  # a confirmatory trial, after launch
        if name == "review" and reg.priority_review_months is not None:
            month += reg.priority_review_months.support()[0]
            continue
        if stage.duration_months is not None:
            low = stage.duration_months.support()[0]
        else:
            low = stage.trial.startup_months.support()[0] + stage.trial.followup_months.support()[0]
        month += low * (reg.breakthrough_time_factor if name in CLINICAL else 1.0)
    return month


def check_commercial(asset) -> None:
    """Rules that span the commercial block and the asset's other blocks (raises
    ValueError saying what to change)."""
    c = asset.commercial
    therapy, pricing = c.therapy, asset.pricing
    if therapy is not None:
        per_treatment = pricing is not None and pricing.price_basis == "one_time"
        if therapy.one_time != per_treatment and pricing is not None:
            raise ValueError(
                "commercial.therapy.one_time and pricing.price_basis disagree: a one-time "
                "therapy is priced per treatment (price_basis: one_time), a chronic one per "
                "patient-year (annual)"
            )
        if asset.manufacturing is not None and not therapy.one_time:
            raise ValueError(
                "the plant treats each patient once: a manufactured asset's "
                "commercial.therapy needs one_time: true"
            )
    filed = c.exclusivity.patent_filed_month if c.exclusivity is not None else None
    if filed is not None:
        latest, launch = filed.support()[1], earliest_launch_month(asset)
        if latest > launch:
            raise ValueError(
                f"commercial.exclusivity.patent_filed_month may be {latest:g}, after the "
                f"earliest launch (month {launch:g}): a patent is filed before launch (a "
                "launched drug is prior art)"
            )
