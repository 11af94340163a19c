"""The CDx partner's fee per test: paid once for each patient tested, whoever treats them.

A companion diagnostic partner is paid a fee per test run (``per_test_fee_usd``). Every
patient of the label's population who is tested costs that fee, whether they test
negative, test positive and go to another product, or start the drug; each is tested
once, at diagnosis (a chronic patient on therapy is not retested every year). With the
cohort funnel's symbols (:mod:`simulator.pillars.cohort.funnel`), patients tested in
month ``m`` of a launched iteration are

    tested_m = I D s f (1 + g)^(m/12) tau(m - L) / 12,

``I`` the incidence, ``D`` the market's demand multiplier, ``s`` the asset's share of its
indication (1 unless assets share it), ``f`` the treatable fraction, ``g`` its growth and
``tau`` the share tested, ramping from the launch ``L``. The sponsor pays

    fee_m = F tested_m / 1e6        [USD M]     for max(L, A) <= m < L + min(X, l),

from the CDx's approval ``A`` (before it, patients are tested otherwise) to loss of
exclusivity ``X`` or the end of commercial life ``l`` (ASSUMPTION: the partner agreement
runs with the brand's exclusivity; generic makers test their own patients after it). An
asset whose enrichment trial won an all-comer label tests nobody. With a constant testing
rate and no growth the present value is ``F I D s f tau / 12e6 x sum_m v^(m + 1/2)``.
"""

from __future__ import annotations

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.pillars.cohort.funnel import testing_rate
from simulator.pillars.cohort.profiling import market_testing
from simulator.pillars.cohort.step import tested


def per_test_fees(ctx, path, rows: np.ndarray, split: np.ndarray, d) -> np.ndarray | None:
    """``(rows, months)`` fees of the launched ``rows`` (USD M), or None without a fee.

    ``d`` holds the rows' commercial inputs (``exclusivity_months``, ``life_months``,
    ``demand_multiplier``); ``split`` is the asset's share of its indication, ``(n,)``.
    """
    asset, draws = path.asset, path.draws
    if asset.cdx is None or asset.cohort is None or asset.cohort.testing is None:
        return None
    fee = draws.cdx.per_test_fee_usd[rows]
    if not np.any(fee > 0):
        return None
    c, t = draws.cohort, draws.cohort.testing
    m = np.arange(ctx.horizon)[None, :]
    launch = path.launch_month[rows][:, None]
    since = np.maximum(m - launch, 0)
    tau = testing_rate(
        since,
        t.initial_rate[rows][:, None],
        t.mature_rate[rows][:, None],
        (t.ramp_years[rows] * MONTHS_PER_YEAR)[:, None],
    )
    tau = market_testing(getattr(path, "panel", None), asset, tau, m)
    growth = np.exp(np.log1p(c.growth_annual[rows])[:, None] * (m / MONTHS_PER_YEAR))
    per_month = c.incidence_per_year[rows] * c.treatable_fraction[rows] * split[rows]
    per_month = per_month * d.demand_multiplier / MONTHS_PER_YEAR
    first = np.maximum(launch, path.cdx.approval_month[rows][:, None])
    end = launch + np.minimum(d.exclusivity_months, d.life_months)[:, None]
    needs_test = tested(path.label_positive_only, len(path.launched))[rows][:, None]
    paying = (m >= first) & (m < end) & needs_test
    return np.where(paying, (fee * per_month / 1e6)[:, None] * growth * tau, 0.0)
