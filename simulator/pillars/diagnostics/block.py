"""The companion diagnostic block: a CDx developed beside the drug, which gates its launch.

A biomarker-selected drug needs its CDx approved to launch: the CDx has its own
development time and cost, a PMA review (a 180-day statutory clock, often extended), a
risk of delay (e.g. a bridging study when the trial assay differs from the final test)
and of failure. Launch = max(drug approval, CDx approval) unless the drug may launch
first (FDA's 2014 guidance, for serious conditions with unmet need). The diagnostic
partner's terms (upfront, milestone at CDx approval, per-test fee) are cash flows. The
timeline's equations are in :mod:`.timeline`.
"""

from __future__ import annotations

from pydantic import Field

from simulator.core.fields import Model, Months, NonNegative, Probability
from simulator.core.notation import parse_distribution
from simulator.pillars.development.block import StageName


class CompanionDiagnostic(Model):
    """A CDx developed beside the drug (see simulator.pillars.diagnostics.timeline)."""

    development_start: StageName = Field("phase3", description="drug stage whose start starts it")
    development_months: Months
    development_cost_musd: NonNegative = Field(parse_distribution(0.0))
    review_months: Months = Field(description="PMA review: 180-day clock, often extended")
    delay_probability: Probability = Field(parse_distribution(0.0))
    delay_months: Months = Field(parse_distribution(0.0), description="e.g. a bridging study")
    failure_probability: Probability = Field(parse_distribution(0.0))
    fallback_delay_months: Months | None = Field(
        None, description="a failed CDx is replaced after this long; none: no launch"
    )
    launch_before_cdx: bool = Field(
        False, description="the drug may launch before its CDx (serious condition, unmet need)"
    )
    uptake_before_cdx: Probability = Field(
        parse_distribution(1.0), description="uptake multiplier until the CDx is approved"
    )
    partner_upfront_musd: NonNegative = Field(parse_distribution(0.0))
    partner_milestone_musd: NonNegative = Field(
        parse_distribution(0.0), description="paid at CDx approval"
    )
    per_test_fee_usd: NonNegative = Field(
        parse_distribution(0.0),
        description="paid to the partner once per patient tested after launch, whoever "
        "treats them (simulator.pillars.diagnostics.test_fees)",
    )
