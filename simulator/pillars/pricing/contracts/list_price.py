"""The list contract: the payer pays the net price in full when the patient is treated.

Rebates and discounts off the list price are the commercial block's ``gross_to_net``;
the contract adds no timing and no risk: the payment kernel is ``w_0 = 1``, so revenue
recognised and cash received are the contract value of the month, nothing is tracked and
nothing is at risk on outcomes. An asset without a ``pricing`` block (priced only because
the market has an ``ira`` block) is paid this way.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from simulator.core.draws import Draws
from simulator.pillars.pricing.contracts.base import CONTRACTS, ContractBlock, Sales, Settlement


@CONTRACTS.register
class ListPrice(ContractBlock):
    """Plain list price (less gross-to-net), paid at treatment."""

    type: Literal["list"] = Field("list", description="the contract type")

    def settle(self, sales: Sales, d: Draws) -> Settlement:
        value = sales.value_musd  # paid in full at treatment: nothing to spread
        return Settlement(value, value, np.zeros_like(value))

    def at_risk(self, d: Draws) -> np.ndarray:
        return np.zeros_like(d.response_probability)
