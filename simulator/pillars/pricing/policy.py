"""What payers and the law do to a launched drug's price: value ceiling, IRA, budget cap.

**Value-based ceiling.** A payer pays at most what the health gained is worth to it,
per treated patient (``qalys_gained`` is the mean gain of a treated patient, responders
and non-responders alike):

    E[payment per treated patient] = net price x e <= wtp_per_qaly x qalys_gained + offsets

(ICER's value-based benchmark: the price at $100,000-$150,000 per QALY gained; ultra-rare
ranges of $175,000-$500,000 in a JMCP 2019 table of ICER's thresholds). ``e`` is the
contract's expected payment share, ``sum_j w_j v^j`` over its payment kernel
(:meth:`~simulator.pillars.pricing.contracts.base.ContractBlock.expected_share`), ``v``
the payer's monthly discount factor (``payer_discount_rate_annual``, default 0: the
undiscounted expected payment meets the ceiling):

- list price, subscription: ``e = 1``, the ceiling caps the net price;
- outcome-based (pay for responders only): ``e = q``, so the price per responder may be
  ``ceiling / q``: paying only for responders already removes the non-responders'
  share, and a ceiling on the price per treated patient would count it twice;
- annuity and warranty: ``e`` is their expected present value per unit of price, so the
  ceiling applies to the contract's expected value.

Where it binds the launch net price is scaled down by ``c = min(1, ceiling / (net price
x e))``; the list price and its gross-to-net discount stay as written, the gap is a
value-based discount.

**IRA negotiation.** CMS selects for negotiation the drugs with the largest Medicare
spend among those approved at least ``Y - 2`` years earlier (7 for small molecules, 11
for biologics), and the negotiated price applies two years after selection: from year
``Y`` after approval (9 and 13; CRS R47872, section 7), until generic or biosimilar
competition ends it. A drug is here selected at the first yearly selection date

    s_j = A + 12 (Y - 2) + 12 j,    j = 0, 1, ...,

at which its Medicare-relevant revenue over the preceding 12 months,
``mu x sum_{m = s_j - 12}^{s_j - 1} V_m`` (``mu`` the Medicare share of its net revenue,
``V`` its monthly value), reaches the threshold ``T`` (the spend of the last drug CMS
selects, an input), and the negotiated price applies from ``s_j + 24``. The cut ``x``
is off the Medicare price, so revenue falls by ``mu x``: the multiplier is ``1 - mu x``
in months ``k`` after launch with ``s_j + 24 - L <= k < X`` (``L`` launch, ``A``
approval, ``X`` months of exclusivity after launch) and 1 elsewhere. With ``T = 0`` and
``mu = 1`` every drug still protected at year ``Y`` is cut on all its revenue. A drug
whose label holds a single orphan indication is excluded (Social Security Act
s.1192(e)(3)(A), as enacted in 2022: ``regulatory.orphan_indications: 1``).

**Budget-impact cap.** A payer that spends at most ``B`` a year on the asset gets the
spend above ``B / 12`` in any month back as a rebate: ``spend_m = min(value_m, B / 12)``
(ICER's potential budget-impact threshold was $777M a year in 2022-23, section 7).

The ceiling applies before revenue is computed; the IRA cut and then the cap apply to
the monthly value, which the contract then settles.
"""

from __future__ import annotations

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR


def ceiling_factor(
    net_price_usd: np.ndarray,
    wtp_per_qaly_usd: np.ndarray,
    qalys_gained: np.ndarray,
    cost_offsets_usd: np.ndarray,
) -> np.ndarray:
    """``min(1, (wtp x qalys + offsets) / net price)``: the share of the net price a
    value-based ceiling lets through (1 where the price is 0)."""
    ceiling = wtp_per_qaly_usd * qalys_gained + cost_offsets_usd
    safe = np.where(net_price_usd > 0, net_price_usd, 1.0)
    with np.errstate(over="ignore"):  # a subnormal price: the ceiling cannot bind (ratio inf)
        return np.where(net_price_usd > 0, np.minimum(1.0, ceiling / safe), 1.0)


def ira_multiplier(
    months_since_launch: np.ndarray,
    start_months: np.ndarray,
    end_months: np.ndarray,
    cut: np.ndarray,
    applies: np.ndarray,
) -> np.ndarray:
    """Price multiplier ``1 - cut`` where ``applies`` and ``start <= k < end``, else 1.

    ``months_since_launch`` is ``(rows, months)``; the others are per row.
    """
    k = months_since_launch
    inside = (k >= start_months[:, None]) & (k < end_months[:, None]) & applies[:, None]
    return np.where(inside, 1.0 - cut[:, None], 1.0)


def ira_selection(
    value_musd: np.ndarray,
    first_selection_month: np.ndarray,
    medicare_share: np.ndarray,
    threshold_musd_per_year: float,
    lead_months: int = 2 * MONTHS_PER_YEAR,
) -> np.ndarray:
    """The month the negotiated price starts (``s_j + lead``; inf if never selected).

    ``value_musd`` is ``(rows, months)`` of calendar months; ``first_selection_month``
    ``s_0`` per row. Selection dates past the grid never select.
    """
    rows, months = value_musd.shape
    total = np.zeros((rows, months + 1))
    np.cumsum(value_musd, axis=1, out=total[:, 1:])
    start = np.full(rows, np.inf)
    r = np.arange(rows)
    for j in range(months // MONTHS_PER_YEAR + 1):
        s = first_selection_month + MONTHS_PER_YEAR * j
        inside = (s >= 0) & (s <= months) & np.isinf(start)
        if not inside.any():
            if np.all(s > months):
                break
            continue
        sc = np.clip(s, 0, months).astype(np.int64)
        trailing = total[r, sc] - total[r, np.maximum(sc - MONTHS_PER_YEAR, 0)]
        chosen = inside & (medicare_share * trailing >= threshold_musd_per_year)
        start[chosen] = s[chosen] + lead_months
    return start


def negotiated(
    value_musd: np.ndarray,
    months_since_launch: np.ndarray,
    start_months: np.ndarray,
    end_months: np.ndarray,
    cut: np.ndarray,
    applies: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The monthly value after the IRA cut, and the cut per row (USD M)."""
    value = value_musd * ira_multiplier(months_since_launch, start_months, end_months, cut, applies)
    return value, (value_musd - value).sum(axis=1)


def budget_capped(
    value_musd: np.ndarray, cap_musd_per_year: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The monthly value capped at ``B / 12``, and the rebate per row (USD M)."""
    capped = np.minimum(value_musd, cap_musd_per_year[:, None] / MONTHS_PER_YEAR)
    return capped, (value_musd - capped).sum(axis=1)
