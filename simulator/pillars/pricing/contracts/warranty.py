"""The warranty contract: paid in full at treatment, refunded if the therapy fails.

Lyfgenia's outcomes-based agreement refunds part of the price if the gene therapy fails
within a window (bluebird bio's refund offer on its $3.1M price). The price is paid at
treatment; a share ``s`` is refunded at the assessment month ``a`` for a non-responder
(``1 - q``, ``q`` net of false-positive tested patients), and in month ``j < 12 W`` for a
responder who loses the response then (hazard ``h`` a year):

    w_0 = 1,    w_a -= (1 - q) s,    w_j -= q s (exp(-h j/12) - exp(-h (j+1)/12))

so the expected share kept is ``1 - s ((1 - q) + q (1 - exp(-h W)))``. Every patient not
yet refunded is tracked until the window closes. The share of the value at risk is ``s``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from simulator.core.draws import Draws
from simulator.core.fields import Float, NonNegative, Probability
from simulator.core.notation import parse_distribution
from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.pillars.pricing.contracts.base import CONTRACTS, PaidOnOutcome


def payment_kernels(
    *,
    response_probability: np.ndarray,
    assessment_months: int = 0,
    refund_share: np.ndarray | None = None,
    response_loss_hazard_annual: np.ndarray | None = None,
    warranty_months: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Payment kernel ``w`` and tracking kernel ``t``, ``(rows, max(12 W, a + 1))`` each."""
    q = np.asarray(response_probability, dtype=float)
    rows, a = q.shape[0], int(assessment_months)
    h = np.zeros(rows) if response_loss_hazard_annual is None else response_loss_hazard_annual
    s = np.ones(rows) if refund_share is None else refund_share
    size = max(warranty_months, a + 1)
    j = np.arange(size)
    alive = np.exp(-h[:, None] * j / MONTHS_PER_YEAR)
    alive_next = np.exp(-h[:, None] * (j + 1) / MONTHS_PER_YEAR)
    w = -(q * s)[:, None] * (alive - alive_next) * (j[None, :] < warranty_months)
    w[:, 0] += 1.0
    w[:, a] -= (1.0 - q) * s
    waiting = (1.0 - q)[:, None] * (j[None, :] < a)
    t = (q[:, None] * alive + waiting) * (j[None, :] < warranty_months) / MONTHS_PER_YEAR
    return w, t


@CONTRACTS.register
class Warranty(PaidOnOutcome):
    """Paid at treatment; a refund share on non-response or loss of response in a window."""

    type: Literal["warranty"] = Field("warranty", description="the contract type")
    response_loss_hazard_annual: NonNegative = Field(
        parse_distribution(0.0),
        description="hazard of losing the response (per year); a loss inside the window is "
        "refunded",
    )
    warranty_years: Float = Field(
        0.0, ge=0.0, le=30.0, description="window in which a failure is refunded"
    )
    warranty_refund_share: Probability = Field(
        parse_distribution(1.0), description="share of the price refunded on failure"
    )
    one_time_only = True

    @model_validator(mode="after")
    def _has_a_window(self) -> Warranty:
        if self.warranty_years <= 0:
            raise ValueError("a warranty contract needs warranty_years > 0")
        return self

    def kernels(self, d: Draws, response: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return payment_kernels(
            response_probability=response,
            assessment_months=self.assessment_months,
            refund_share=d.warranty_refund_share,
            response_loss_hazard_annual=d.response_loss_hazard_annual,
            warranty_months=round(self.warranty_years * MONTHS_PER_YEAR),
        )

    def at_risk(self, d: Draws) -> np.ndarray:
        return d.warranty_refund_share
