"""The annuity contract: a one-time therapy paid in instalments while the response lasts.

Zolgensma's annuity spreads its $2.125M price over 5 annual payments of $425,000
(Xconomy, Bloomberg). The payer pays an upfront share ``u`` at treatment, then ``k`` instalments of
``(1 - u) / k`` at months ``a + 12 i`` (``i = 0 .. k-1``); instalment ``i`` is paid only
while the response lasts, with probability ``q exp(-h i)`` (``q`` net of false-positive
tested patients, ``h`` the annual hazard of losing the response):

    w_0 += u,    w_{a + 12 i} += (1 - u) / k x q exp(-h i)

Its expected present value per unit of price, discounting at ``r`` a year
(``v = (1 + r)^(-1/12)``) with ``a = 0``, is

    PV = u + (1 - u) / k  x  q  x  sum_{i=0}^{k-1} exp(-h i) v^(12 i)

(:func:`annuity_pv_factor`). Patients are tracked until the last instalment: every
patient before the assessment, then the responders still responding,
``t_j = q exp(-h j / 12) / 12``. The share of the value at risk is ``1 - u``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from simulator.core.draws import Draws
from simulator.core.fields import Int, NonNegative, Probability
from simulator.core.notation import parse_distribution
from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.pillars.pricing.contracts.base import CONTRACTS, PaidOnOutcome


def payment_kernels(
    *,
    response_probability: np.ndarray,
    assessment_months: int = 0,
    payments: int = 1,
    upfront_share: np.ndarray | None = None,
    response_loss_hazard_annual: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Payment kernel ``w`` and tracking kernel ``t``, ``(rows, a + 12 (k-1) + 1)`` each."""
    q = np.asarray(response_probability, dtype=float)
    rows, a, k = q.shape[0], int(assessment_months), int(payments)
    zero = np.zeros(rows)
    h = zero if response_loss_hazard_annual is None else response_loss_hazard_annual
    u = zero if upfront_share is None else upfront_share
    last = a + MONTHS_PER_YEAR * (k - 1)
    w = np.zeros((rows, last + 1))
    w[:, 0] += u
    for i in range(k):
        w[:, a + MONTHS_PER_YEAR * i] += (1.0 - u) / k * q * np.exp(-h * i)
    j = np.arange(last + 1)
    t = np.where(j[None, :] < a, 1.0, q[:, None] * np.exp(-h[:, None] * j / MONTHS_PER_YEAR))
    t = np.where(j[None, :] < last, t / MONTHS_PER_YEAR, 0.0)
    return w, t


def annuity_pv_factor(
    payments: int,
    hazard_annual: float,
    rate_annual: float,
    upfront_share: float = 0.0,
    response_probability: float = 1.0,
) -> float:
    """Closed form: expected PV of an annuity contract per unit of price, at treatment.

    ``u + (1 - u) / k x q x sum_{i<k} exp(-h i) (1 + r)^(-i)`` (payments at years
    ``0 .. k-1``, the first at treatment).
    """
    i = np.arange(payments)
    terms = np.exp(-hazard_annual * i) * (1.0 + rate_annual) ** (-i.astype(float))
    share = (1.0 - upfront_share) / payments * response_probability
    return float(upfront_share + share * terms.sum())


@CONTRACTS.register
class Annuity(PaidOnOutcome):
    """An upfront share, then annual instalments paid while the response lasts."""

    type: Literal["annuity"] = Field("annuity", description="the contract type")
    payments: Int = Field(5, ge=1, le=30, description="annual instalments")
    upfront_share: Probability = Field(
        parse_distribution(0.0), description="share of the price paid at treatment"
    )
    response_loss_hazard_annual: NonNegative = Field(
        parse_distribution(0.0),
        description="hazard of losing the response (per year); an instalment is paid only "
        "while the response lasts",
    )
    one_time_only = True

    def kernels(self, d: Draws, response: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return payment_kernels(
            response_probability=response,
            assessment_months=self.assessment_months,
            payments=self.payments,
            upfront_share=d.upfront_share,
            response_loss_hazard_annual=d.response_loss_hazard_annual,
        )

    def at_risk(self, d: Draws) -> np.ndarray:
        return 1.0 - d.upfront_share
