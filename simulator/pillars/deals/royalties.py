"""Tiered royalties on net sales, by calendar year of the grid.

Tiers are marginal, as licence agreements write them: tier ``k`` charges rate ``r_k`` on
the part of a year's net sales ``S`` between its floor ``b_k`` and the next floor
``b_{k+1}`` (the last tier has no ceiling):

    royalty(S) = sum_k r_k * min(max(S - b_k, 0), b_{k+1} - b_k)

So a deal with tiers (0: 10%, 500: 15%) pays 10% of the first USD 500M of a year's sales
and 15% of the rest: 100M on 800M of sales -> 0.1 * 500 + 0.15 * 300 = 95. ASSUMPTION: a
year's royalty is paid in that year's last month.
"""

from __future__ import annotations

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR


def tiered_royalty(sales_y: np.ndarray, tiers) -> np.ndarray:
    """The royalty on each year's net sales, same shape as ``sales_y``."""
    out = np.zeros_like(sales_y, dtype=float)
    floors = [t.above_musd for t in tiers] + [np.inf]
    for tier, ceiling in zip(tiers, floors[1:], strict=True):
        out += tier.rate * np.clip(sales_y - tier.above_musd, 0.0, ceiling - tier.above_musd)
    return out


def monthly(yearly: np.ndarray, horizon: int) -> np.ndarray:
    """A yearly amount ``(n, years)`` placed in each year's last month, ``(n, horizon)``."""
    out = np.zeros((yearly.shape[0], horizon))
    out[:, MONTHS_PER_YEAR - 1 :: MONTHS_PER_YEAR] = yearly
    return out
