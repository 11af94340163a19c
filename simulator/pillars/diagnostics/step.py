"""The companion diagnostic inside a chunk: when the CDx is approved, what it costs, and
when it lets the drug launch.

The CDx starts with the drug stage named by ``development_start`` (for an accelerated
approval whose phase III runs after launch, at launch). Its timeline,
``launch = max(drug approval, CDx approval)`` with a drawn delay or failure, is
:func:`simulator.pillars.diagnostics.timeline.cdx_timeline`. Its cash: development cost
spread over its development months and the partner's upfront paid in its first month (in
the iterations that start it), the partner's milestone at CDx approval (where the drug is
approved and the CDx too). An enrichment trial that wins an all-comer label needs no
test, so there the CDx gates nothing.

That spend is R&D: the outcome carries it out of pocket (development; upfront and
milestone, the *deals*) and capitalized as Paul et al. (2010) capitalize a stage, from
the middle of each payment's months to the drug's (would-be) launch ``H`` at the cost of
capital ``k``: ``C (1 + k) ** ((H - mid) / 12)``, so that cost per launch counts it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulator.core.draws import Draws
from simulator.core.seeding import iteration_major
from simulator.core.timeline import add_spread, pv_spread, to_month
from simulator.pillars.development.stages import DevelopmentOutcome
from simulator.pillars.diagnostics.timeline import CdxOutcome, cdx_timeline


def companion_diagnostic(
    ctx, asset, draws: Draws, dev: DevelopmentOutcome, names: list[str], cost_diff
) -> tuple[CdxOutcome, np.ndarray]:
    """The CDx timeline and the present value of its cash (negative), booking the cash in
    the portfolio's difference array ``cost_diff``."""
    n, horizon = ctx.n, ctx.horizon
    rate = ctx.scenario.market.discount_rate_annual
    c, d = asset.cdx, draws.cdx
    rng = ctx.generator("success", asset.name, "cdx")
    u_delay, u_fail = iteration_major(rng.random, 2, (n,))
    if c.development_start in names:
        k = names.index(c.development_start)
        start = dev.boundaries[:, k]
        entered = dev.reached[:, k]
    else:  # phase III of an accelerated approval: the confirmatory trial starts at launch
        start = dev.launch_month
        entered = dev.approved
    outcome = cdx_timeline(
        start_month=start.astype(float),
        development_months=d.development_months,
        review_months=d.review_months,
        delayed=u_delay < d.delay_probability,
        delay_months=d.delay_months,
        failed=u_fail < d.failure_probability,
        fallback_delay_months=d.fallback_delay_months,
        drug_approval_month=dev.launch_month,
        launch_before_cdx=c.launch_before_cdx,
    )
    dev_months = np.maximum(to_month(d.development_months), 1)
    pv = np.zeros(n)
    rows = np.flatnonzero(entered)
    spreads = [  # (amount, start, months) for the rows that started the CDx
        (d.development_cost_musd, start, dev_months),
        (d.partner_upfront_musd, start, np.ones(n, dtype=np.int64)),
    ]
    paid_milestone = dev.approved & np.isfinite(outcome.approval_month)
    ms_month = np.where(paid_milestone, outcome.approval_month, horizon).astype(np.int64)
    for amount, begin, months in spreads:
        pv[rows] -= pv_spread(amount[rows], begin[rows], months[rows], rate, horizon)
        add_spread(cost_diff, rows, -amount[rows], begin[rows], months[rows])
    ms_rows = np.flatnonzero(paid_milestone)
    milestone = d.partner_milestone_musd[ms_rows]
    one = np.ones(ms_rows.size, dtype=np.int64)
    pv[ms_rows] -= pv_spread(milestone, ms_month[ms_rows], one, rate, horizon)
    add_spread(cost_diff, ms_rows, -milestone, ms_month[ms_rows], one)
    grow = np.log1p(ctx.scenario.market.capitalization_rate_annual) / 12.0
    launch = dev.launch_month

    def capitalized(amount, begin, months):
        return amount * np.exp(grow * (launch - (begin + 0.5 * months)))

    development = np.where(entered, d.development_cost_musd, 0.0)
    upfront = np.where(entered, d.partner_upfront_musd, 0.0)
    paid = np.where(paid_milestone, d.partner_milestone_musd, 0.0)
    outcome = replace(
        outcome,
        development_oop_musd=development,
        deals_oop_musd=upfront + paid,
        capitalized_musd=capitalized(development, start, dev_months)
        + capitalized(upfront, start, 1)
        + capitalized(paid, ms_month, 1),
    )
    return outcome, pv


def gate_by_label(cdx: CdxOutcome, label: np.ndarray | None, approval: np.ndarray) -> CdxOutcome:
    """Where an enrichment trial won an all-comer label (``label`` False) the drug needs no
    test: it launches at approval, undelayed by the CDx."""
    if label is None:
        return cdx
    return replace(
        cdx,
        launch_month=np.where(label, cdx.launch_month, approval),
        delay_to_launch_months=np.where(label, cdx.delay_to_launch_months, 0.0),
    )
