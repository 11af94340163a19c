"""What a payment contract is, and what every contract type has in common.

A contract says when, and how much of, a treatment's price the payer pays. The pricing
step (:mod:`simulator.pillars.pricing.step`) gives a contract what one asset's launched
iterations sold, month by month (:class:`Sales`): the *contract value* ``V_m`` (units
treated x net price, after the value ceiling, the IRA cut and the budget cap of
:mod:`simulator.pillars.pricing.policy`) and the units behind it. The contract *settles*
it (:class:`Settlement`) into

- revenue *recognised* each month (at treatment, at the expected value of what the payer
  will pay for it),
- cash *received* each month (when the payer pays), and
- the cost of tracking patients' outcomes while payments depend on them;

and says which share of the contract value is at risk on outcomes.

Each contract type is one module of this package: a block class with its scenario fields
and that behaviour, registered by its ``type`` name in :data:`CONTRACTS`. A scenario's
``pricing.contract`` becomes the class its ``type`` names (``list`` when it names none);
an unknown name is an error listing the known ones, and a field of another contract type
(``warranty_years`` on an annuity) is an error naming the types it belongs to.

Every contract carries ``response_probability``: the share of truly biomarker-positive
treated patients who respond is a fact about the therapy, which contracts that pay on
outcomes price in and the others ignore. It sits on every contract so that a contract
whose only outcome input is its response rate can be switched to ``list`` by one override
(``--set ...pricing.contract.type=list``).

Contracts that pay on outcomes (:class:`PaidOnOutcome`: outcome-based, annuity,
warranty) settle through an expected *payment kernel* ``w_j``, the share of a unit's
contract value paid ``j`` months after treatment, and a *tracking kernel* ``t_j``, the
patient-years tracked in that month per unit (:mod:`simulator.pillars.pricing.kernels`
has why these are expectations, not per-patient draws):

    recognised_m = V_m sum_j w_j,    received_m = sum_j V_{m-j} w_j,
    tracking cost_m = c sum_j U_{m-j} t_j     (U: units; c: cost per patient-year)

with ``q_eff = q x PPV`` the response probability of a treated patient (a false-positive
tested patient never responds). An annual therapy on such a contract is tracked for every
patient-year on therapy (``tracking cost_m = c U_m``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import Field, model_validator

from simulator.core.draws import Draws
from simulator.core.fields import Int, Model, NonNegative, Probability
from simulator.core.notation import parse_distribution
from simulator.core.registry import Registry
from simulator.pillars.pricing.kernels import convolve_months

CONTRACTS = Registry("contract")


@dataclass(frozen=True)
class Sales:
    """What one asset sold in its launched iterations (``rows``), for a contract to settle."""

    value_musd: np.ndarray  # (rows, months): contract value V_m, USD M
    units: np.ndarray  # (rows, months): treatments (one-time) or patient-years (annual)
    months_since_launch: np.ndarray  # (rows, months): m - launch month (negative before)
    months_on_market: np.ndarray  # (rows,): launch to the end of commercial life
    ppv: np.ndarray  # (rows,): share of treated patients who are truly biomarker-positive
    annual: bool  # the price is per patient-year (else per treatment)


@dataclass(frozen=True)
class Settlement:
    """A contract's settlement of :class:`Sales`: ``(rows, months)`` arrays in USD M."""

    recognised_musd: np.ndarray
    received_musd: np.ndarray
    tracking_cost_musd: np.ndarray


def listing(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class ContractBlock(Model):
    """Base of every contract block: its type name and the therapy's response rate."""

    type: str
    response_probability: Probability = Field(
        parse_distribution(1.0),
        description="share of truly biomarker-positive treated patients who respond "
        "(false-positive tested patients never respond)",
    )
    one_time_only: ClassVar[bool] = False  # pays for a therapy given once (price_basis)

    @model_validator(mode="before")
    @classmethod
    def _no_fields_of_other_types(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                owners = [n for n in CONTRACTS if key in CONTRACTS[n].model_fields]
                if key not in cls.model_fields and owners:
                    kind = data.get("type", cls.model_fields["type"].default)
                    raise ValueError(f"{key} is for {listing(owners)} contracts, not {kind}")
        return data

    def settle(self, sales: Sales, d: Draws) -> Settlement:
        """Recognised revenue, cash received and tracking cost of ``sales``; ``d`` holds
        this block's draws for the same rows."""
        raise NotImplementedError

    def at_risk(self, d: Draws) -> np.ndarray:
        """Share of the contract value that depends on the patient's outcome, per row."""
        raise NotImplementedError

    def expected_share(self, d: Draws, response: np.ndarray, v: float) -> np.ndarray:
        """What the payer expects to pay per unit of contract value, discounted to the
        treatment at the monthly factor ``v``: ``sum_j w_j v^j``; 1 for a contract paid in
        full at treatment. ``response`` is a treated patient's response probability."""
        return np.ones_like(response)


class PaidOnOutcome(ContractBlock):
    """A contract whose payments depend on the response: settled by its kernels."""

    assessment_months: Int = Field(
        0, ge=0, le=120, description="treatment to the response assessment that triggers payment"
    )
    tracking_usd_per_patient_year: NonNegative = Field(
        parse_distribution(0.0),
        description="outcomes registry cost per patient-year while payments depend on it",
    )

    def kernels(self, d: Draws, response: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Payment kernel ``w`` and tracking kernel ``t``, ``(rows, K)`` each, for the
        response probability ``response`` of a treated patient."""
        raise NotImplementedError

    def expected_share(self, d: Draws, response: np.ndarray, v: float) -> np.ndarray:
        w, _ = self.kernels(d, response)
        return w @ v ** np.arange(w.shape[1], dtype=float)

    def settle(self, sales: Sales, d: Draws) -> Settlement:
        w, t = self.kernels(d, d.response_probability * sales.ppv)
        value = sales.value_musd
        recognised = value * w.sum(axis=1)[:, None]
        received = convolve_months(value, w)
        tracked = sales.units if sales.annual else convolve_months(sales.units, t)
        cost = tracked * (d.tracking_usd_per_patient_year / 1e6)[:, None]
        return Settlement(recognised, received, cost)
