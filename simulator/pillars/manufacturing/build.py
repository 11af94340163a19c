"""The launch plant of a cell or gene therapy, built and qualified at risk before approval.

A sponsor cannot make a cell or gene therapy at launch without suites that are already
built, equipped and qualified (process validation, the regulator's pre-approval
inspection); it commits to them years before it knows whether the drug will be approved.
With a ``build`` block the plant's ``suites`` are built from

    B = A - b      (A: the asset's expected approval month; b: months_before_approval)

(ASSUMPTION: the sponsor's plan meets the approval the iteration would have reached had
every stage succeeded). From ``B`` the sponsor pays the build's capex ``K = suites x
capex_per_suite_musd``, spread evenly over the ``max(A - B, 1)`` months to the expected
approval, and the suites' fixed cost, ``suites x fixed_cost_per_suite_year_musd / 12`` a
month, until the plant's own accounts take over at launch. It stops paying when the
asset fails (at the end of the stage that failed: the money already spent is lost and the
rest of the build is cancelled) or, if it is approved but cannot launch, at approval:

    stop = launch (launched), A (approved, not launched), end of the failed stage (else)
    capex paid  = K min(stop - B, A - B)^+ / max(A - B, 1)
    fixed paid  = suites x fixed / 12 x (stop - B)^+

Without a build block the launch suites cost nothing and nothing is spent before launch
(the first releases' plant). The build is capex, not R&D: it is not in the cost per launch,
and the tax depreciates it with the rest of the plant (:mod:`simulator.pillars.finance`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR, add_spread, pv_spread
from simulator.pillars.development.stages import DevelopmentOutcome


@dataclass(frozen=True)
class BuildCost:
    """What the at-risk build cost one asset, per iteration of the chunk."""

    pv_musd: np.ndarray  # (n,) present value of the build's cash, negative
    spent_musd: np.ndarray  # (n,) capex and fixed cost paid, undiscounted
    lost_musd: np.ndarray  # (n,) spent where the asset never launched
    capex: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # rows, amount, start, months


def stop_month(dev: DevelopmentOutcome, launched: np.ndarray, launch: np.ndarray) -> np.ndarray:
    """When the sponsor stops paying for a build (see the module docstring)."""
    stages = dev.boundaries.shape[1] - 1
    entered = dev.reached[:, :stages]
    last = stages - 1 - np.argmax(entered[:, ::-1], axis=1)  # the last stage entered
    failed_at = dev.boundaries[np.arange(len(last)), last + 1]
    approval = dev.launch_month
    return np.where(dev.approved, np.where(launched, launch, approval), failed_at)


def at_risk_build(
    m, dev: DevelopmentOutcome, launched, launch, rate: float, horizon: int, cost_diff
) -> BuildCost | None:
    """The build's cash for every iteration, booked in the portfolio's difference array
    ``cost_diff``; None without a ``build`` block. ``m`` is the manufacturing block."""
    b = m.build
    if b is None:
        return None
    n = len(launched)
    approval = dev.launch_month.astype(np.int64)
    start = np.maximum(approval - round(b.months_before_approval), 0)
    build_months = np.maximum(approval - start, 1)
    stop = stop_month(dev, launched, launch)
    paying = np.clip(stop - start, 0, None).astype(np.int64)
    capex_months = np.minimum(paying, build_months)
    capex = m.suites * b.capex_per_suite_musd * capex_months / build_months
    fixed = m.suites * m.fixed_cost_per_suite_year_musd / MONTHS_PER_YEAR * paying
    pv = np.zeros(n)
    for amount, months in ((capex, capex_months), (fixed, paying)):
        rows = np.flatnonzero(months > 0)
        pv[rows] -= pv_spread(amount[rows], start[rows], months[rows], rate, horizon)
        add_spread(cost_diff, rows, -amount[rows], start[rows], months[rows])
    rows = np.flatnonzero(capex_months > 0)
    spent = capex + fixed
    return BuildCost(
        pv_musd=pv,
        spent_musd=spent,
        lost_musd=np.where(launched, 0.0, spent),
        capex=(rows, capex[rows], start[rows], capex_months[rows]),
    )


def build_columns(build: BuildCost | None, n: int) -> dict[str, np.ndarray]:
    """The asset's build columns (zeros without a build)."""
    zero = np.zeros(n)
    if build is None:
        return {"plant_build_musd": zero, "plant_build_lost_musd": zero}
    return {"plant_build_musd": build.spent_musd, "plant_build_lost_musd": build.lost_musd}
