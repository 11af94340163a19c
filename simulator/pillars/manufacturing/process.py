"""Autologous cell-therapy manufacturing: the process between a referral and an infusion.

The story
---------
An autologous CAR-T product is made for one patient from that patient's own cells. A
patient is *referred* to a treatment centre, waits for a *manufacturing slot*, has their
cells collected (apheresis) when the slot opens, and the batch is *manufactured* and
released after quality control (QC). The whole journey from the slot to the infusion is
the *vein-to-vein time* (:mod:`.vein_to_vein`). A batch can fail QC (out of
specification): the patient is then re-apheresed and *re-manufactured* (they rejoin the
queue, ahead of new referrals) or is lost. A released batch can still be lost in
transport (cold-chain loss). Patients who wait too long progress or die and are *lost
while waiting*. Those left are *infused*: the treated patients, the only ones who earn
revenue.

Capacity is a number of slots: ``suites x batches_per_suite_month`` batches can start
each month, and a slot is booked for one month whatever the vein-to-vein time. When the
backlog of waiting patients passes a threshold at a month-end review, the company orders
one more suite (modular expansion); it comes online after a lead time, at a capex, up to
a maximum number of suites. A contract manufacturer (optional) adds slots that are used
after the own suites', at its own price per batch. Treated patients are therefore what
capacity lets through, not what demand asks for.

:class:`CellTherapyProcess` holds these inputs; the monthly queue over all iterations
(:mod:`.queue`) and the patient-by-patient SimPy model (:mod:`.des`) both run it.

Sources for the defaults
------------------------
- Kourelis et al. 2023, *Transplant Cell Ther* (survey of US myeloma CAR-T centres):
  median 1 slot/month/centre, median waitlist 20 patients, median wait 6 months (range
  2-8) before leukapheresis.
- MDedge's report of the same survey: only 25% of wait-listed patients received
  commercial CAR-T; with a 6-month wait, exp(-6 h) = 0.25 gives h = ln 4 / 6 = 0.23 per
  month, an upper bound for ``dropout_hazard_monthly`` (a quarter went to trials instead).
- QC/manufacturing failure: 1-8% in the pivotal trials (Frontiers in Immunology 2021,
  doi:10.3389/fimmu.2021.718621, Table 2); 4-14% in UK real-world data 2019-2023 (1,138
  patients approved for CAR-T), where 17 of 58 failures were re-apheresed and 22 never
  infused.
- Vein-to-vein: real-world axi-cel (n = 416, *Blood*), leukapheresis to infusion median
  28 days (about 0.92 months), IQR 26-34.
- Cold-chain loss: an assumption; no published figure was found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulator.pillars.manufacturing.vein_to_vein import completion_offsets

__all__ = ["ALLOCATION_POLICIES", "CellTherapyProcess"]

ALLOCATION_POLICIES = ("first_come_first_served", "progression_risk")

_INT_FIELDS = (
    "initial_suites",
    "batches_per_suite_month",
    "max_suites",
    "contract_slots_per_month",
)
_PROB_FIELDS = ("qc_failure_prob", "remanufacture_prob", "cold_chain_loss_prob")
_NONNEG_FIELDS = (
    "manufacturing_months",
    "dropout_hazard_monthly",
    "expansion_lead_months",
    "capex_per_suite_musd",
    "fixed_cost_per_suite_year_musd",
    "cost_per_batch_musd",
    "logistics_per_shipment_musd",
    "contract_cost_per_batch_musd",
    "manufacturing_log_sd",
)


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


@dataclass(frozen=True)
class CellTherapyProcess:
    """Manufacturing and logistics of one autologous cell-therapy product.

    ``batches_per_suite_month`` slots per suite can start a batch each month; a slot is
    booked for one month whatever the vein-to-vein time ``manufacturing_months``, which is
    the delay from the slot to the infusion. ``expansion_backlog_threshold=None`` means
    capacity never grows.
    """

    initial_suites: int = 1
    batches_per_suite_month: int = 1  # Kourelis 2023: median 1 slot/month/centre
    manufacturing_months: float = 1.0  # axi-cel real world: median 28 days
    manufacturing_log_sd: float = 0.0  # lognormal shape around that median (0: fixed)
    qc_failure_prob: float = 0.05  # pivotal 1-8%, UK real world 4-14%
    remanufacture_prob: float = 0.3  # UK: 17 of 58 failures re-apheresed
    cold_chain_loss_prob: float = 0.01  # assumption, no published figure found
    dropout_hazard_monthly: float = 0.0  # <= 0.23 (25% treated after a 6-month wait)
    expansion_backlog_threshold: int | None = None
    expansion_lead_months: float = 12.0
    max_suites: int = 1
    capex_per_suite_musd: float = 0.0
    fixed_cost_per_suite_year_musd: float = 0.0
    cost_per_batch_musd: float = 0.0
    logistics_per_shipment_musd: float = 0.0
    contract_slots_per_month: int = 0  # a contract manufacturer's slots, used after our own
    contract_cost_per_batch_musd: float = 0.0
    # slot allocation (SimPy model only): a share of referrals at a higher dropout hazard,
    # and whether they are served first (see .des); 0: every patient at the same hazard
    high_risk_share: float = 0.0
    high_risk_hazard_ratio: float = 1.0
    allocation_policy: str = "first_come_first_served"

    def __post_init__(self) -> None:
        for name in _INT_FIELDS:
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        if self.batches_per_suite_month < 1:
            raise ValueError(
                f"batches_per_suite_month must be >= 1, got {self.batches_per_suite_month}"
            )
        for name in _PROB_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
        for name in _NONNEG_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.allocation_policy not in ALLOCATION_POLICIES:
            raise ValueError(
                f"allocation_policy must be one of {ALLOCATION_POLICIES}, "
                f"got {self.allocation_policy!r}"
            )
        if not 0.0 <= self.high_risk_share <= 1.0 or not self.high_risk_hazard_ratio >= 1.0:
            raise ValueError("high_risk_share must be in [0, 1], high_risk_hazard_ratio >= 1")
        threshold = self.expansion_backlog_threshold
        if threshold is not None and (not _is_int(threshold) or threshold < 0):
            raise ValueError(
                f"expansion_backlog_threshold must be None or an integer >= 0, got {threshold!r}"
            )
        if threshold is not None and self.max_suites < self.initial_suites:
            raise ValueError(
                f"max_suites ({self.max_suites}) must be >= initial_suites "
                f"({self.initial_suites}) when expansion is enabled"
            )

    def completion_offsets(self) -> np.ndarray:
        """``P(a batch started in month t is done in month t + j)``, ``j = 0, 1, ...``
        (see :func:`.vein_to_vein.completion_offsets`)."""
        return completion_offsets(self.manufacturing_months, self.manufacturing_log_sd).copy()

    def class_hazards(self) -> tuple[float, float]:
        """Monthly dropout hazards (others, high risk): a share ``s`` at ``k`` times the
        others' hazard ``h0``, with the mean over referrals the process's hazard ``h``:
        ``h0 = h / (1 - s + s k)``."""
        s, k = self.high_risk_share, self.high_risk_hazard_ratio
        h0 = self.dropout_hazard_monthly / (1.0 - s + s * k)
        return h0, k * h0

    @property
    def expansion_delay_months(self) -> int:
        """Months from the order (a month end) to the first month a new suite works, minus 1."""
        return math.ceil(self.expansion_lead_months)
