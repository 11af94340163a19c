"""Commercial life after launch: uptake, price, loss of exclusivity and the costs of selling.

For a launched asset, month ``k = 0, 1, ...`` after launch (launch at grid month ``L``):

    patients_k  = N * D * share_peak * uptake(k) * retention(k)          [patients / year]
    revenue_k   = patients_k * price * P * (1 - gross_to_net) * (1 + g) ** floor(k/12) / 12 / 1e6
    net_k       = revenue_k * (1 - cogs - selling - royalty)
                  - sales_force / 12 * 1[k < X] - launch_cost / 12 * 1[k < 12]

with ``N`` the patients per year in the label, ``D`` and ``P`` the market-wide demand and
price multipliers of the iteration, ``uptake(k)`` the share of peak reached in launch year
``floor(k/12) + 1`` (default: the median launch curve 11, 31, 58, 76, 89, 100% of peak in
years 1-6; Robey & David 2017), ``X`` the months of exclusivity, and after it

    retention(k) = (1 - e) ** ((k - X) / 12)      for k >= X,   1 before,

so that a share ``e`` of volume is lost in the first year of generic or biosimilar
competition and the same rate continues (small molecules keep 16% of units a year after
generic entry, 11% for brands above $250M: Grabowski, Long & Mortimer 2014, so e = 0.84-0.89;
biologics far less: Humira lost ~2% US share in the first year of biosimilars).

Revenue stops at the horizon, or ``commercial_life_years`` after launch if given. Price
is per patient-year on therapy, or per treatment for one-time therapies with ``N`` new
patients a year: the arithmetic is the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR


@dataclass(frozen=True)
class CommercialDraws:
    """Sampled commercial inputs for the launched iterations (arrays of equal length)."""

    patients_per_year: np.ndarray
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


def revenue_flows(
    d: CommercialDraws,
    uptake: np.ndarray,
    launch_month: np.ndarray,
    horizon: int,
    log_multiplier: np.ndarray | None = None,
) -> np.ndarray:
    """Net revenue (USD millions) of each launched iteration in each calendar month.

    Parameters
    ----------
    d
        Inputs per launched iteration.
    uptake
        Share of peak per month after launch (at least ``horizon`` long).
    launch_month
        Grid month of launch, per iteration.
    horizon
        Months on the grid.
    log_multiplier
        Optional ``(n_launched, horizon)`` log of a time-varying demand factor per calendar
        month (cohort growth, testing ramp); added inside the exponential.

    Returns
    -------
    Array of shape ``(n_launched, horizon)``, zero before launch and after the end of
    life, computed as one exponential per cell with ``k = m - L``:
    ``exp(log(rate) + log(uptake_k * growth_k) + log(1 - e) * max(k - X, 0) / 12)``.
    """
    k = np.arange(horizon)[None, :] - launch_month[:, None]  # months since launch
    years = np.arange(horizon) // MONTHS_PER_YEAR
    peak_rate = (
        d.patients_per_year
        * d.demand_multiplier
        * d.peak_share
        * d.list_price_usd
        * d.price_multiplier
        * (1.0 - d.gross_to_net)
        / MONTHS_PER_YEAR
        / 1e6
    )
    log1p_g = np.log1p(d.price_growth_annual)
    shape = np.asarray(uptake[:horizon], dtype=float)
    common_growth = bool(np.all(log1p_g == log1p_g[0]))
    if common_growth:
        shape = shape * np.exp(log1p_g[0] * years)
    with np.errstate(divide="ignore"):
        log_rate = np.log(peak_rate)
        log_shape = np.log(shape)
        # (1 - e) ** t with e = 1 must be 0 for t > 0 and 1 at t = 0: log(1e-300) does that.
        log_keep = np.log(np.maximum(1.0 - d.erosion_first_year, 1e-300))
    arg = np.maximum(k - d.exclusivity_months[:, None], 0) * (log_keep[:, None] / MONTHS_PER_YEAR)
    arg += log_rate[:, None]
    arg += log_shape[np.clip(k, 0, horizon - 1)]
    if not common_growth:
        arg += log1p_g[:, None] * (np.maximum(k, 0) // MONTHS_PER_YEAR)
    if log_multiplier is not None:
        arg += log_multiplier
    arg[(k < 0) | (k >= d.life_months[:, None])] = -np.inf
    return np.exp(arg, out=arg)


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
