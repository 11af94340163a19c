"""The subscription contract: a fixed annual fee for unlimited treatment over a term.

In 2019 two US states bought hepatitis C cures this way ("Netflix" deals). Louisiana
agreed with Asegua (Gilead) on unlimited treatment of its Medicaid and prison patients
for five years from July 2019, at roughly $60M a year, about what the state had spent on
the drugs the year before (Route Fifty, September 2019). Washington's Health Care
Authority signed a "modified subscription" with AbbVie (Mavyret) in July 2019 for
state-purchased care, which covers about 30,000 of the state's 65,000 people with chronic
hepatitis C (HCA 2019); it pays a discounted price up to a treatment goal and next to
nothing beyond it. This module is Louisiana's pure form: the payer covers a share ``s`` of
the asset's eligible patients and pays a fixed fee ``F`` a year for them instead of a
price per treatment; everyone else pays as under the list contract.

**Equations.** Month ``m`` of a launched iteration is ``k = m - L`` months after launch.
The fee runs in monthly parts from launch over the term of ``T = round(12 term_years)``
months, while the asset is on the market (``l``: months from launch to the end of its
commercial life, withdrawal included), and never past the horizon:

    in the term (0 <= k < min(T, l)):   received_m = (1 - s) V_m + F / 12
    otherwise:                          received_m = V_m

``V_m`` is the month's contract value (units treated x net price, after the value
ceiling, the IRA cut and the budget cap, as for every contract). Covered and uncovered
patients are treated alike, so the covered patients' share of it is ``s V_m``, which is
replaced by the fee during the term and earns nothing beyond it; the
uncovered share, and everyone after the term, pay the net price at treatment. The fee is
a fixed sum: neither the IRA cut nor the budget cap touches it. Its present value at the
mid-month convention (``v = (1 + r)^(-1/12)``) is

    PV(fee) = F / 12  x  v^(L + 1/2) (1 - v^T') / (1 - v),    T' = min(T, l, horizon - L).

The fee is earned as the months of cover pass, so revenue is recognised when it is
received; nothing depends on outcomes, so nothing is tracked and the share of the value
at risk on outcomes is 0. ``payments_forgone_musd`` (value - recognised) is negative where
the fee exceeds the covered patients' value at the net price.

**What it leaves out.** Demand is the commercial block's: the hepatitis C deals were
made to treat more patients for the same money, so raise the uptake of the asset in such
a scenario. Cost of goods and selling costs follow the units treated, covered or not, and
royalties the cash received (:func:`simulator.pillars.pricing.step.margin`); a plant-made
therapy pays its plant per batch.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from simulator.core.draws import Draws
from simulator.core.fields import Float, NonNegative, Probability
from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.pillars.pricing.contracts.base import CONTRACTS, ContractBlock, Sales, Settlement


def fee_months(
    months_since_launch: np.ndarray, term_months: int, months_on_market: np.ndarray
) -> np.ndarray:
    """``(rows, months)``: True in the months the fee is paid (``0 <= k < min(T, l)``)."""
    k = months_since_launch
    return (k >= 0) & (k < np.minimum(term_months, months_on_market)[:, None])


@CONTRACTS.register
class Subscription(ContractBlock):
    """A fixed annual fee for the covered share of the patients, over a term from launch."""

    type: Literal["subscription"] = Field("subscription", description="the contract type")
    annual_fee_musd: NonNegative = Field(
        description="fee the payer pays a year for unlimited treatment of its patients "
        "(Louisiana 2019: about $60M a year)"
    )
    term_years: Float = Field(
        5.0, gt=0.0, le=30.0, description="contract term from launch (Louisiana 2019: 5 years)"
    )
    payer_share: Probability = Field(
        description="share of the asset's eligible patients the payer covers"
    )

    def settle(self, sales: Sales, d: Draws) -> Settlement:
        term = round(self.term_years * MONTHS_PER_YEAR)
        covered = fee_months(sales.months_since_launch, term, sales.months_on_market)
        fee = np.where(covered, (d.annual_fee_musd / MONTHS_PER_YEAR)[:, None], 0.0)
        share = np.where(covered, d.payer_share[:, None], 0.0)
        paid = sales.value_musd * (1.0 - share) + fee
        return Settlement(paid, paid, np.zeros_like(paid))

    def at_risk(self, d: Draws) -> np.ndarray:
        return np.zeros_like(d.payer_share)
