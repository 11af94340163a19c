"""The commercial block: what a launched asset sells, at what price, at what cost.

Revenue follows the patients (from the cohort funnel, or ``patients_per_year``) through
the launch curve to the peak share, at the list price net of rebates, growing at each
launch anniversary, until loss of exclusivity erodes volume; costs of goods, selling,
the sales force, launch and royalties come off it (the equations are in :mod:`.flows`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from simulator.core.fields import Float, GrowthRate, Model, NonNegative, Probability, Years
from simulator.core.notation import parse_distribution

#: Median share of peak sales reached in years 1-6 after launch (Robey & David 2017,
#: Nat Rev Drug Discov; 61 drugs approved 2000-2002).
PUBLISHED_LAUNCH_CURVE: tuple[float, ...] = (0.11, 0.31, 0.58, 0.76, 0.89, 1.0)


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
    exclusivity_years: Years = Field(description="launch to loss of exclusivity")
    erosion_first_year: Probability = Field(
        parse_distribution(0.85),
        description="share of volume lost in the first year after loss of exclusivity; the same "
        "rate continues after (small molecules 84-89%: Grabowski, Long & Mortimer 2014)",
    )
    commercial_life_years: Years | None = Field(
        None, description="revenue stops this long after launch (default: the horizon)"
    )
