"""When each deal event happens, per iteration: a month on the grid, or never (``inf``).

A deal pays on events of the asset's own path (:class:`~simulator.engine.asset_path`'s
outputs, passed in as plain arrays), so a payment happens only in the iterations where
its event happens:

- ``start`` of a stage: the month the stage starts, where the asset enters it;
- ``success`` of a stage: the month the stage ends, where it is entered and passes;
- ``approval``: the drug's approval month, where every stage passed;
- ``launch``: the launch month, where the asset launched before the horizon;
- ``sales``: the last month of the first calendar year whose net sales reach the
  threshold;
- ``cdx_start`` / ``cdx_approval``: the month the companion diagnostic's development
  starts (where its stage is entered) and the month it is approved (where the drug is
  approved and the CDx did not fail without a fallback), as the diagnostics pillar pays
  its partner.

An event past the horizon is outside the model's cash flows, like every other flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR


@dataclass(frozen=True)
class PathEvents:
    """What an asset's path did, per iteration (arrays over the chunk's iterations)."""

    stage_names: list[str]  # the stages before launch, in order
    stage_start: np.ndarray  # (n, S) month each stage starts
    stage_end: np.ndarray  # (n, S) month each stage ends
    reached: np.ndarray  # (n, S) bool
    passed: dict[str, np.ndarray]  # stage -> bool: its success draw passes
    approved: np.ndarray  # (n,) bool
    approval_month: np.ndarray  # (n,)
    launched: np.ndarray  # (n,) bool
    launch_month: np.ndarray  # (n,)
    revenue_y: np.ndarray  # (n, years) net sales by calendar year of the grid
    cdx_start: np.ndarray | None = None  # (n,) month, inf where not started
    cdx_approval: np.ndarray | None = None  # (n,) month, inf where not paid


def event_month(events: PathEvents, event: str, stage: str | None = None,
                sales_musd: float | None = None) -> np.ndarray:  # fmt: skip
    """The month of ``event`` in each iteration, ``inf`` where it does not happen."""
    never = np.inf
    if event in ("start", "success"):
        i = events.stage_names.index(stage)
        if event == "start":
            return np.where(events.reached[:, i], events.stage_start[:, i], never)
        ok = events.reached[:, i] & events.passed[stage]
        return np.where(ok, events.stage_end[:, i], never)
    if event == "approval":
        return np.where(events.approved, events.approval_month, never)
    if event == "launch":
        return np.where(events.launched, events.launch_month, never)
    if event == "sales":
        over = events.revenue_y >= sales_musd
        year = np.argmax(over, axis=1)
        return np.where(over.any(axis=1), (year + 1) * MONTHS_PER_YEAR - 1, never)
    if event == "cdx_start":
        return events.cdx_start
    if event == "cdx_approval":
        return events.cdx_approval
    raise ValueError(f"unknown deal event {event!r}")


def deal_start(events: PathEvents, deal) -> np.ndarray:
    """When the deal starts (its upfront is paid): the out-licensed stage's start, the
    CDx development's start for a diagnostics partner, the asset's start otherwise."""
    if deal.type == "out_license":
        return event_month(events, "start", deal.stage)
    if deal.type == "diagnostics_partner":
        return events.cdx_start
    return event_month(events, "start", events.stage_names[0])
