"""Commercial life after launch: uptake, price, loss of exclusivity and the costs of selling.

For a launched asset, month ``k = 0, 1, ...`` after launch (launch at grid month ``L``),
the units sold (patient-years on therapy, or treatments: :mod:`.therapy`) are paid at the
net price of the month:

    revenue_k   = units_k * price * P * (1 - gross_to_net) * (1 + g) ** floor(k/12) / 1e6
    net_k       = revenue_k * (1 - cogs - selling - royalty)
                  - sales_force / 12 * 1[k < X] - launch_cost / 12 * 1[k < 12]

with ``P`` the market-wide price multiplier of the iteration, ``g`` the price growth at
each launch anniversary and ``X`` the months of exclusivity after launch
(:mod:`.exclusivity`); units are patients on therapy (starts from the cohort funnel at
``N * D * share_peak * uptake(k)`` a year, ``D`` the market's demand multiplier,
``uptake(k)`` the share of peak in launch year ``floor(k/12) + 1``: by default the median
launch curve 11, 31, 58, 76, 89, 100% of peak in years 1-6, Robey & David 2017) times
the retention after loss of exclusivity,

    retention(k) = (1 - e) ** ((k - X) / 12)      for k >= X,   1 before,

so that a share ``e`` of volume is lost in the first year of generic or biosimilar
competition and the same rate continues (small molecules keep 16% of units a year after
generic entry, 11% for brands above $250M: Grabowski, Long & Mortimer 2014, so e = 0.84-0.89;
biologics far less: Humira lost ~2% US share in the first year of biosimilars).

Revenue stops at the horizon, or ``commercial_life_years`` after launch if given. Price
is per patient-year on therapy, or per treatment for one-time therapies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR


@dataclass(frozen=True)
class CommercialDraws:
    """Sampled commercial inputs for the launched iterations (arrays of equal length)."""

    patients_per_year: np.ndarray  # eligible new patients a year (before the split)
    peak_share: np.ndarray
    list_price_usd: np.ndarray
    gross_to_net: np.ndarray
    price_growth_annual: np.ndarray
    cogs_share: np.ndarray
    selling_share: np.ndarray
    sales_force_musd_per_year: np.ndarray
    launch_cost_musd: np.ndarray
    royalty_rate: np.ndarray
    exclusivity_months: np.ndarray  # whole months
    erosion_first_year: np.ndarray
    life_months: np.ndarray  # whole months of revenue after launch
    demand_multiplier: np.ndarray
    price_multiplier: np.ndarray


def uptake_by_month(curve: list[float] | tuple[float, ...], months: int) -> np.ndarray:
    """Share of peak in each month after launch: year ``y``'s value for its 12 months."""
    years = np.minimum(np.arange(months) // MONTHS_PER_YEAR, len(curve) - 1)
    return np.asarray(curve, dtype=float)[years]


def contribution_share(d: CommercialDraws) -> np.ndarray:
    """Share of net revenue left after cost of goods, variable selling cost and royalties."""
    return 1.0 - d.cogs_share - d.selling_share - d.royalty_rate


def months_since_launch(launch_month: np.ndarray, horizon: int) -> np.ndarray:
    """``k = m - L`` for every launched row and grid month, ``(rows, horizon)``."""
    return np.arange(horizon)[None, :] - np.asarray(launch_month)[:, None]


def net_price_musd(d: CommercialDraws, since_launch: np.ndarray) -> np.ndarray:
    """Net price of one unit (a patient-year, or a treatment) in each month, USD M:
    ``price P (1 - gross_to_net) (1 + g)^floor(k/12)``, ``(rows, months)``."""
    unit = d.list_price_usd * d.price_multiplier * (1.0 - d.gross_to_net) / 1e6
    years = np.maximum(since_launch, 0) // MONTHS_PER_YEAR
    if np.all(d.price_growth_annual == 0):
        return np.broadcast_to(unit[:, None], since_launch.shape)
    return unit[:, None] * np.exp(np.log1p(d.price_growth_annual)[:, None] * years)


def log_retention(d: CommercialDraws, since_launch: np.ndarray) -> np.ndarray:
    """``log retention(k) = log(1 - e) max(k - X, 0) / 12``, ``(rows, months)``."""
    with np.errstate(divide="ignore"):
        # (1 - e) ** t with e = 1 must be 0 for t > 0 and 1 at t = 0: log(1e-300) does that.
        log_keep = np.log(np.maximum(1.0 - d.erosion_first_year, 1e-300))
    past = np.maximum(since_launch - d.exclusivity_months[:, None], 0)
    return past * (log_keep[:, None] / MONTHS_PER_YEAR)


def on_market(d: CommercialDraws, since_launch: np.ndarray) -> np.ndarray:
    """Months of commercial life: ``0 <= k < life``, ``(rows, months)`` bool."""
    return (since_launch >= 0) & (since_launch < d.life_months[:, None])


def fixed_cost_spreads(d: CommercialDraws) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Fixed commercial costs as even spreads ``(amount_musd, start_after_launch, months)``:
    the sales force from launch to loss of exclusivity (or end of life), and the launch
    campaign over the first 12 months."""
    sales_months = np.minimum(d.exclusivity_months, d.life_months).astype(np.int64)
    zero = np.zeros(len(sales_months), dtype=np.int64)
    return [
        (
            d.sales_force_musd_per_year / MONTHS_PER_YEAR * sales_months,
            zero,
            np.maximum(sales_months, 1),
        ),
        (d.launch_cost_musd, zero, np.full(len(zero), MONTHS_PER_YEAR)),
    ]
