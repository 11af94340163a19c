"""The plant of a cell or gene therapy, as a scenario writes it.

An autologous cell therapy is made one batch per patient: the patient's cells are
collected (apheresis), shipped to a suite, manufactured and released (QC), shipped back
and infused. Gene therapies and allogeneic cell therapies are made in batches of several
doses. Capacity is ``suites x batches_per_suite_month x doses_per_batch`` patient slots a
month; the patients treated are what it lets through (:mod:`.queue` for the monthly
queue, :mod:`.des` for its SimPy twin). These are the plant's structural inputs, plain
numbers; uncertainty enters through demand, QC, transport and dropouts.

Sources of the defaults: Kourelis et al. 2023, *Transplant Cell Ther* (a median of 1
slot/month/centre); real-world axi-cel, *Blood* (vein-to-vein median 28 days, IQR
26-34); Frontiers in Immunology 2021, Table 2 (manufacturing failure 1-8% in the pivotal
trials) and UK real-world data 2019-2023 (4-14%; 17 of 58 failures re-apheresed). More
in :mod:`.process`. The launch suites may be built at risk before approval
(:class:`PlantBuild`, :mod:`.build`).

Logistics options (:class:`Logistics`, optional): a ``fresh`` or a ``cryopreserved``
product. Each has three numbers, the cost of one shipment of a released batch ``k``, the
probability ``c`` that a shipment is lost in transit and the vein-to-vein time ``v`` in
days; when the block is present they replace the plant's ``logistics_per_shipment_musd``,
``cold_chain_loss_prob`` and ``vein_to_vein_months`` (``v / (365.25 / 12)``), so both
paths of the queue run them unchanged. Over a run with ``S`` shipments the expected
transit losses are ``S c`` and the shipping cost is ``S k``. Defaults:

- cryopreserved: 28 days (real-world axi-cel, leukapheresis to infusion, *Blood*: a
  cryopreserved product); USD 10,000 a shipment (ASSUMPTION: a liquid-nitrogen dry
  shipper, both legs); 1% lost (ASSUMPTION, as the plant's own default).
- fresh: 21 days (ASSUMPTION: the week of freezing, frozen release and thaw scheduling
  saved; Yescarta's leukapheresis-to-release median is 14 days after its 2024 process
  change, Gilead); USD 4,000 a shipment (ASSUMPTION: a 2-8 C courier); 3% lost
  (ASSUMPTION: a product with a shelf life of hours to days is lost to a courier delay or
  a patient unfit on the infusion day, which a frozen product would wait out).

Slot allocation (:class:`SlotAllocation`, optional, SimPy model only): a share ``s`` of
referrals at ``k`` times the others' dropout hazard ``h0 = h / (1 - s + s k)`` (the mean
stays ``dropout_hazard_monthly``), served first come first served or high risk first
(``progression_risk``); see :mod:`.des`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simulator.core.fields import Float, Int, Model
from simulator.core.limits import MAX_MONTHS

#: Largest plant a scenario may describe: slots a month stay below 10^11, far inside the
#: 64-bit integers the queue counts patients in (ASSUMPTION: no plant has 1,000 suites).
MAX_SUITES = 1_000
MAX_BATCHES = 10_000


class CapacityExpansion(Model):
    """Modular capacity growth: one more suite when the backlog passes a threshold."""

    backlog_threshold: Int = Field(
        ge=0,
        le=1_000_000_000,
        description="order a suite when more patients than this wait at a month end",
    )
    lead_months: Float = Field(
        18.0,
        ge=0.0,
        le=MAX_MONTHS,
        description="order to first batch (modular facilities: 18-24 months)",
    )
    max_suites: Int = Field(
        ge=1, le=MAX_SUITES, description="suites online at most, the first ones included"
    )
    capex_per_suite_musd: Float = Field(0.0, ge=0.0, description="paid in the order month")


class ContractManufacturing(Model):
    """A contract manufacturer (CMO) that takes the overflow of the own suites."""

    slots_per_month: Int = Field(
        ge=1, le=10_000_000, description="batches it can start for us a month"
    )
    cost_per_batch_musd: Float = Field(
        ge=0.0, description="its price per batch (usually above the own cost of goods)"
    )


class PlantBuild(Model):
    """The launch suites, built and qualified at risk before approval (see
    simulator.pillars.manufacturing.build)."""

    months_before_approval: Float = Field(
        ge=0.0, le=240.0, description="build start, months before the expected approval"
    )
    capex_per_suite_musd: Float = Field(
        ge=0.0, description="building and qualifying one launch suite, spread over the build"
    )


DAYS_PER_MONTH = 365.25 / 12
# cost per shipment (USD M), transit loss probability, vein-to-vein days (module docstring)
LOGISTICS_DEFAULTS = {
    "cryopreserved": (0.010, 0.01, 28.0),
    "fresh": (0.004, 0.03, 21.0),
}


class Logistics(Model):
    """A fresh or a cryopreserved product: its shipping cost, transit loss and vein-to-vein
    time, which replace the plant's own three numbers (see the module docstring)."""

    product: Literal["fresh", "cryopreserved"] = Field(
        description="fresh: shorter vein-to-vein, fragile in transit; cryopreserved: the reverse"
    )
    cost_per_shipment_musd: Float | None = Field(
        None, ge=0.0, description="one released batch shipped (none: the product's default)"
    )
    transit_loss_prob: Float | None = Field(
        None, ge=0.0, le=1.0, description="a shipment lost in transit (none: the default)"
    )
    vein_to_vein_days: Float | None = Field(
        None, ge=0.0, le=730.0, description="slot to infusion, days (none: the default)"
    )

    def resolved(self) -> tuple[float, float, float]:
        """(cost per shipment USD M, transit loss probability, vein-to-vein months)."""
        cost, loss, days = LOGISTICS_DEFAULTS[self.product]
        if self.cost_per_shipment_musd is not None:
            cost = self.cost_per_shipment_musd
        if self.transit_loss_prob is not None:
            loss = self.transit_loss_prob
        if self.vein_to_vein_days is not None:
            days = self.vein_to_vein_days
        return cost, loss, days / DAYS_PER_MONTH


class SlotAllocation(Model):
    """Who gets the next slot (SimPy model only, ``fidelity: event``; see .des).

    A share of referrals is at a higher risk of progression: its dropout hazard is
    ``hazard_ratio`` times the others', the mean over referrals staying
    ``dropout_hazard_monthly``. ``first_come_first_served`` serves in arrival order;
    ``progression_risk`` serves the high-risk patients waiting first.
    """

    policy: Literal["first_come_first_served", "progression_risk"] = Field(
        "first_come_first_served", description="the order waiting referrals get slots in"
    )
    high_risk_share: Float = Field(ge=0.0, le=1.0, description="referrals at the higher risk")
    hazard_ratio: Float = Field(
        ge=1.0, le=100.0, description="their dropout hazard / the others' dropout hazard"
    )


CGT_MODALITIES = ("gene_therapy", "autologous_cell_therapy", "allogeneic_cell_therapy")


class Manufacturing(Model):
    """The plant of a cell or gene therapy (see simulator.pillars.manufacturing.queue).

    Capacity is ``suites x batches_per_suite_month x doses_per_batch`` patient slots a
    month; treated patients are what it lets through. These are the plant's structural
    inputs, plain numbers; uncertainty enters through demand, QC, transport and dropouts.
    """

    fidelity: Literal["fast", "event"] = Field(
        "fast", description="fast: monthly queue over all iterations; event: SimPy, per patient"
    )
    suites: Int = Field(1, ge=0, le=MAX_SUITES, description="suites online at launch")
    batches_per_suite_month: Int = Field(
        1,
        ge=1,
        le=MAX_BATCHES,
        description="batches a suite can start a month (Kourelis 2023: median 1 slot)",
    )
    doses_per_batch: Int = Field(
        1, ge=1, le=MAX_BATCHES, description="patients one batch treats (1 for autologous products)"
    )
    vein_to_vein_months: Float = Field(
        0.92, ge=0.0, le=24.0, description="slot to infusion (axi-cel real world: median 28 days)"
    )
    vein_to_vein_log_sd: Float = Field(
        0.0,
        ge=0.0,
        le=2.0,
        description="lognormal spread of each patient's vein-to-vein time around that median "
        "(0: fixed; axi-cel's IQR of 26-34 days around 28 is about 0.2)",
    )
    qc_failure_prob: Float = Field(
        0.05, ge=0.0, le=1.0, description="batch out of specification (pivotal 1-8%, UK 4-14%)"
    )
    remanufacture_prob: Float = Field(
        0.3, ge=0.0, le=1.0, description="after a failure, share re-made (UK: 17 of 58)"
    )
    cold_chain_loss_prob: Float = Field(0.01, ge=0.0, le=1.0, description="lost in transport")
    dropout_hazard_monthly: Float = Field(
        0.0, ge=0.0, le=5.0, description="waiting patients lost to progression or death a month"
    )
    expansion: CapacityExpansion | None = Field(None, description="none: capacity never grows")
    build: PlantBuild | None = Field(
        None, description="the launch suites built at risk before approval (none: free, at launch)"
    )
    fixed_cost_per_suite_year_musd: Float = Field(0.0, ge=0.0)
    cost_per_batch_musd: Float = Field(0.0, ge=0.0, description="cost of goods of one batch")
    logistics_per_shipment_musd: Float = Field(0.0, ge=0.0, description="cold-chain shipping")
    contract: ContractManufacturing | None = Field(
        None, description="a contract manufacturer for the overflow (none: own suites only)"
    )
    allocation: SlotAllocation | None = Field(
        None, description="risk classes and the slot policy (none: one class, in arrival order)"
    )
    logistics: Logistics | None = Field(
        None,
        description="fresh or cryopreserved product; replaces logistics_per_shipment_musd, "
        "cold_chain_loss_prob and vein_to_vein_months (none: those numbers as given)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Manufacturing:
        e = self.expansion
        if e is not None and e.max_suites < self.suites:
            raise ValueError(
                f"expansion.max_suites ({e.max_suites}) must be >= suites ({self.suites})"
            )
        if self.allocation is not None and self.fidelity != "event":
            raise ValueError(
                "allocation (risk classes, slot policy) runs in the SimPy model only: "
                "it needs fidelity: event"
            )
        return self
