"""An asset's ``deal`` block: who the partner is, what it pays or is paid, on which events.

A deal splits an asset's monthly pre-tax cash ``c_t`` (every cost and every receipt of
the asset as it would be on its own) between the *sponsor* (the portfolio) and one
*partner*. Each kind is one class here, registered by its ``type``; all of them are one
mechanism (:mod:`.step`):

    sponsor_t = k_t c_t - d P_t,      partner_t = (1 - k_t) c_t + d P_t

with ``k_t`` the sponsor's share of the asset's cash in month ``t``, ``P_t`` the deal's
payments that month (upfront, milestones, royalties) and ``d = +1`` when the sponsor pays
them, ``-1`` when the partner does. So ``sponsor + partner = c`` month by month: the
transfers are zero-sum and the deal moves value, never creates it.

- ``in_license``: the sponsor holds the whole asset (``k = 1``) and pays the licensor
  (``d = +1``) an upfront at the asset's start, milestones and royalties.
- ``out_license``: the sponsor develops the asset until ``stage`` starts, then the
  licensee bears every later cost and takes the revenue (``k_t = 1[t < m]``, ``m`` the
  stage's start, where the asset reaches it) and pays the sponsor (``d = -1``) an upfront
  at ``m``, milestones and royalties on its net sales.
- ``co_development``: the partner bears ``partner_share`` of every cost and takes that
  share of every receipt (``k = 1 - s``) from the asset's start; with ``opt_out_stage``
  it leaves where that stage starts (the stated consequence: from then on the sponsor
  holds the whole asset and pays the partner the deal's royalties on net sales instead).
- ``diagnostics_partner``: the companion diagnostic's partner terms: an upfront when the
  CDx development starts, milestones (``cdx_approval``), royalties; the sponsor holds the
  asset (``k = 1``) and pays (``d = +1``). The per-test fee stays in the CDx block.

ASSUMPTION: deal terms are contractual numbers, not distributions; every upfront and
milestone is paid in its event's month, royalties at the end of each calendar year of the
grid (:mod:`.royalties`).
"""

from __future__ import annotations

from itertools import pairwise
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from simulator.core.fields import Float, Model
from simulator.core.registry import Registry
from simulator.pillars.development.block import StageName

DEALS = Registry("deal")
EventName = Literal["start", "success", "approval", "launch", "sales", "cdx_start", "cdx_approval"]
STAGE_EVENTS = ("start", "success")


class Milestone(Model):
    """A payment on an event: a stage's start or success, approval, launch, the CDx's
    start or approval, or the first calendar year whose net sales reach ``sales_musd``."""

    event: EventName
    stage: StageName | None = Field(None, description="the stage of a start or success event")
    sales_musd: Float | None = Field(None, gt=0.0, description="threshold of a sales event")
    amount_musd: Float = Field(ge=0.0, description="paid once, in the event's month")

    @model_validator(mode="after")
    def _fields_of_event(self) -> Milestone:
        if (self.event in STAGE_EVENTS) != (self.stage is not None):
            raise ValueError(f"a {self.event} milestone needs a stage exactly when its event "
                             f"is one of {', '.join(STAGE_EVENTS)}")  # fmt: skip
        if (self.event == "sales") != (self.sales_musd is not None):
            raise ValueError("sales_musd goes with a sales event, and only with it")
        return self


class RoyaltyTier(Model):
    """A marginal royalty ``rate`` on each year's net sales above ``above_musd``."""

    above_musd: Float = Field(ge=0.0)
    rate: Float = Field(ge=0.0, le=1.0)


class Deal(Model):
    """What every deal kind has: an upfront, milestones, royalty tiers (in order)."""

    sponsor_pays: ClassVar[bool] = True  # the direction d of the module docstring
    partner: str = Field("partner", description="who the counterparty is (for the report)")
    upfront_musd: Float = Field(0.0, ge=0.0, description="paid when the deal starts")
    milestones: list[Milestone] = Field(default_factory=list)
    royalty_tiers: list[RoyaltyTier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tiers_in_order(self) -> Deal:
        floors = [t.above_musd for t in self.royalty_tiers]
        if any(b <= a for a, b in pairwise(floors)):
            raise ValueError(f"royalty_tiers must rise: above_musd {floors} is out of order")
        return self

    def stages_named(self) -> list[tuple[str, str]]:
        """``(field, stage)`` of every stage this deal names (for the asset's check)."""
        out = [(f"milestones[{i}].stage", m.stage) for i, m in enumerate(self.milestones)
               if m.stage is not None]  # fmt: skip
        return out + [(f, getattr(self, f)) for f in ("stage", "opt_out_stage")
                      if getattr(self, f, None) is not None]  # fmt: skip


@DEALS.register
class InLicense(Deal):
    type: Literal["in_license"] = "in_license"


@DEALS.register
class OutLicense(Deal):
    sponsor_pays: ClassVar[bool] = False
    type: Literal["out_license"] = "out_license"
    stage: StageName = Field(description="the licensee takes the asset where this stage starts")


@DEALS.register
class CoDevelopment(Deal):
    type: Literal["co_development"] = "co_development"
    partner_share: Float = Field(gt=0.0, lt=1.0, description="of every cost and receipt")
    opt_out_stage: StageName | None = Field(None, description="the partner leaves here")


@DEALS.register
class DiagnosticsPartner(Deal):
    type: Literal["diagnostics_partner"] = "diagnostics_partner"


DealBlock = DEALS.union()


def check_deal(asset) -> None:
    """The events a deal names must be ones the asset can reach (the asset's validator)."""
    deal = asset.deal
    if deal is None:
        return
    stages = [s for s, _ in asset.stages()]
    accelerated = asset.regulatory.accelerated_approval  # phase III runs after launch
    reachable = [s for s in stages if not (accelerated and s == "phase3")]
    for field, stage in deal.stages_named():
        if stage not in reachable:
            raise ValueError(f"deal.{field}: {stage} is not a stage this asset goes through "
                             f"before launch (it has {', '.join(reachable)})")  # fmt: skip
    cdx_events = [m.event for m in deal.milestones if m.event.startswith("cdx")]
    if (cdx_events or deal.type == "diagnostics_partner") and asset.cdx is None:
        raise ValueError("deal: a cdx event or a diagnostics_partner needs the asset's cdx block")
    if deal.type == "out_license" and deal.stage == stages[0]:
        raise ValueError(f"deal.stage: out-licensing at the first stage ({stages[0]}) leaves the "
                         "sponsor nothing; use a stage after it")  # fmt: skip
