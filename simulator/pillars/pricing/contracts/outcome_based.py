"""The outcome-based contract: the payer pays in full only for patients who respond.

Kymriah's CMS deal paid for a CAR-T treatment only if the patient responded by the end of
the first month, at its $475,000 list price. The payer pays at the assessment month ``a``
the full price for a responder and ``1 - s`` of it for a non-responder (``s``, the
refund share; ``s = 1``: pay only for responders), so the payment kernel is

    w_a = q + (1 - q)(1 - s)

and the expected revenue per treated unit is ``q x price`` when ``s = 1`` (``q`` net of
false-positive tested patients, who never respond). Every patient is tracked until the
assessment: ``t_j = 1/12`` for ``j < a``. The share of the value at risk is ``s``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from simulator.core.draws import Draws
from simulator.core.fields import Probability
from simulator.core.notation import parse_distribution
from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.pillars.pricing.contracts.base import CONTRACTS, PaidOnOutcome


def payment_kernels(
    *,
    response_probability: np.ndarray,
    assessment_months: int = 0,
    nonresponder_refund_share: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Payment kernel ``w`` and tracking kernel ``t``, ``(rows, a + 1)`` each."""
    q = np.asarray(response_probability, dtype=float)
    rows, a = q.shape[0], int(assessment_months)
    s = np.ones(rows) if nonresponder_refund_share is None else nonresponder_refund_share
    w = np.zeros((rows, a + 1))
    w[:, a] = q + (1.0 - q) * (1.0 - s)
    t = np.zeros((rows, a + 1))
    t[:, :a] = 1.0 / MONTHS_PER_YEAR
    return w, t


@CONTRACTS.register
class OutcomeBased(PaidOnOutcome):
    """Paid at the assessment for responders; a refund share for non-responders."""

    type: Literal["outcome_based"] = Field("outcome_based", description="the contract type")
    nonresponder_refund_share: Probability = Field(
        parse_distribution(1.0),
        description="share of the price refunded for a non-responder (1: pay only for responders)",
    )

    def kernels(self, d: Draws, response: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return payment_kernels(
            response_probability=response,
            assessment_months=self.assessment_months,
            nonresponder_refund_share=d.nonresponder_refund_share,
        )

    def at_risk(self, d: Draws) -> np.ndarray:
        return d.nonresponder_refund_share
