"""How an asset's price is set and how the money arrives, as a scenario writes it.

An asset's optional ``pricing`` block says

- whether ``commercial.list_price_usd`` is per patient-year (``price_basis: annual``, a
  chronic therapy) or per treatment (``one_time``: a cell or gene therapy given once);
- an optional value-based ceiling on what the payer expects to pay per treated patient:
  willingness to pay per QALY x QALYs gained + cost offsets (ICER's benchmark:
  $100,000-$150,000 per QALY; ranges of $175,000-$500,000 are quoted for ultra-orphans:
  JMCP 2019), so a contract that pays only for responders may price each response above it;
- an optional payer budget-impact cap (maximum annual spend on the asset; ICER's
  potential budget-impact threshold was $777M a year in 2022-23, icer.org);
- the contract: plain list price with rebates (``gross_to_net``), outcome-based (pay only
  for responders, or refund a share for non-responders: Kymriah's CMS deal), an annuity
  of instalments paid while the response lasts (Zolgensma: 5 x $425,000), or a warranty
  (a refund if the therapy fails within a window: Lyfgenia); section 5. Each type is a
  block of its own, registered by name (:mod:`simulator.pillars.pricing.contracts`);
- the share of its revenue paid by Medicare, which the US IRA's negotiated price cuts (the
  exclusion of single-orphan-indication drugs is read from
  ``regulatory.orphan_indications``).

The market's optional ``ira`` block is the policy: a switch drawn once per iteration and
shared by every portfolio (common random numbers), the cut, the selection threshold on
Medicare-relevant revenue and the clocks. The equations of the ceiling, IRA and
cap are in :mod:`simulator.pillars.pricing.policy`, each contract's in its own module.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simulator.core.fields import Float, Model, NonNegative, Probability
from simulator.core.limits import MAX_YEARS
from simulator.core.notation import parse_distribution
from simulator.pillars.pricing.contracts import CONTRACTS, ListPrice
from simulator.pillars.pricing.contracts.base import listing


class ValueCeiling(Model):
    """What the payer expects to pay per treated patient <= wtp_per_qaly_usd x
    qalys_gained + cost_offsets_usd (see simulator.pillars.pricing.policy)."""

    wtp_per_qaly_usd: NonNegative = Field(
        description="payer's willingness to pay per QALY (ICER: 100,000-150,000)"
    )
    qalys_gained: NonNegative = Field(
        description="QALYs gained per price unit (per treatment, or per patient-year)"
    )
    cost_offsets_usd: NonNegative = Field(
        parse_distribution(0.0), description="other care the therapy saves, per price unit"
    )
    payer_discount_rate_annual: Float = Field(
        0.0,
        ge=0.0,
        lt=1.0,
        description="rate at which the payer discounts a contract's later payments "
        "(0: the undiscounted expected payment meets the ceiling)",
    )


Contract = CONTRACTS.union(default="list")  # a block of the type it names (list if none)


class Pricing(Model):
    """Price setting, payment terms and policy exposure of one asset."""

    price_basis: Literal["annual", "one_time"] = Field(
        "annual",
        description="list_price_usd is per patient-year (annual) or per treatment (one_time)",
    )
    value_ceiling: ValueCeiling | None = Field(None, description="none: the list price holds")
    budget_cap_musd_per_year: NonNegative | None = Field(
        None, description="payer's maximum spend a year on the asset (spend above it is rebated)"
    )
    contract: Contract = Field(
        default_factory=ListPrice,
        description=f"payment terms, by type: {', '.join(CONTRACTS)} (default list)",
    )
    medicare_share: Probability | None = Field(
        None,
        description="share of the asset's net revenue paid by Medicare, where the IRA's "
        "negotiated price applies (none: market.ira.medicare_share)",
    )

    @model_validator(mode="after")
    def _one_time_contracts(self) -> Pricing:
        if self.contract.one_time_only and self.price_basis != "one_time":
            one_time = listing([n for n in CONTRACTS if CONTRACTS[n].one_time_only])
            raise ValueError(
                f"{one_time} contracts ({self.contract.type} here) pay for a "
                "one-time therapy: set price_basis: one_time"
            )
        return self


class IraNegotiation(Model):
    """US Inflation Reduction Act negotiation (negotiated price from year 9 after approval for
    small molecules, 13 for biologics: CRS report R47872); who is selected and what it
    cuts: simulator.pillars.pricing.policy."""

    probability: Float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="chance the negotiation regime applies in an iteration (shared by all)",
    )
    price_cut: Probability = Field(
        description="negotiated cut off the Medicare net price (MFP ceiling: at least 25% or 35%)"
    )
    medicare_share: Probability = Field(
        parse_distribution(1.0),
        description="share of a drug's net revenue paid by Medicare (an asset's "
        "pricing.medicare_share overrides it)",
    )
    selection_threshold_musd_per_year: Float = Field(
        0.0,
        ge=0.0,
        description="Medicare-relevant net revenue a year from which CMS selects a drug "
        "(0: every drug protected at the clock)",
    )
    small_molecule_years: Float = Field(
        9.0, ge=0.0, le=MAX_YEARS, description="approval to the negotiated price, small molecules"
    )
    biologic_years: Float = Field(
        13.0,
        ge=0.0,
        le=MAX_YEARS,
        description="approval to the negotiated price, biologics and CGT",
    )
