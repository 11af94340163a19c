"""Companion diagnostics (CDx): the test a targeted drug cannot launch without.

A biomarker-selected drug is labelled for patients who test positive with an approved
assay, so the CDx is a project of its own running beside the drug:

    cdx_approval = start + development + [delay] + review (+ fallback if it fails)

- development starts at the start of a chosen drug stage (usually phase III, when the
  final assay must be locked) and takes ``development_months``;
- with probability ``delay_probability`` it slips by ``delay_months`` (e.g. a bridging
  study when the clinical-trial assay differs from the final test);
- the regulatory review (a PMA for a Class III device has a 180-day statutory clock that
  is often extended) takes ``review_months``;
- with probability ``failure_probability`` the CDx fails: either another test is
  validated after ``fallback_delay_months`` or the drug never launches.

The drug launches at ``max(drug approval, CDx approval)``; the CDx delay to launch is
``launch - drug approval >= 0``. Where the scenario allows it (FDA's 2014 guidance lets a
drug for a serious condition with unmet need be approved before its CDx), the drug
launches at its own approval and its uptake is scaled by ``uptake_before_cdx`` until the
test exists.

Partner terms (upfront at development start, a milestone at CDx approval, a fee per
test) and the CDx development cost are the sponsor's cash flows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.timeline import to_month


@dataclass(frozen=True)
class CdxOutcome:
    """Per iteration: when the CDx is approved and what it did to the launch."""

    start_month: np.ndarray  # development start
    approval_month: np.ndarray  # CDx approval (inf if it failed with no fallback)
    failed: np.ndarray  # bool: the CDx failed (fallback used or launch lost)
    launch_month: np.ndarray  # drug launch (may be inf: never)
    delay_to_launch_months: np.ndarray  # launch - drug approval (0 if no delay)
    # the sponsor's R&D spend on it, undiscounted (set by the chunk step, which pays it):
    development_oop_musd: np.ndarray | None = None  # the CDx's development cost
    deals_oop_musd: np.ndarray | None = None  # the partner's upfront and milestone
    capitalized_musd: np.ndarray | None = None  # both, capitalized to the drug's launch


def cdx_timeline(
    start_month: np.ndarray,
    development_months: np.ndarray,
    review_months: np.ndarray,
    delayed: np.ndarray,
    delay_months: np.ndarray,
    failed: np.ndarray,
    fallback_delay_months: np.ndarray | None,
    drug_approval_month: np.ndarray,
    launch_before_cdx: bool,
) -> CdxOutcome:
    """When the CDx is approved and when the drug launches (months, per iteration).

    ``fallback_delay_months`` None means a failed CDx blocks the launch for good.
    """
    approval = start_month + development_months + np.where(delayed, delay_months, 0.0)
    approval = approval + review_months
    if fallback_delay_months is None:
        approval = np.where(failed, np.inf, approval)
    else:
        approval = approval + np.where(failed, fallback_delay_months, 0.0)
    approval = np.where(
        np.isfinite(approval), to_month(np.where(np.isfinite(approval), approval, 0)), np.inf
    )
    if launch_before_cdx:
        launch = drug_approval_month.astype(float)
    else:
        launch = np.maximum(drug_approval_month, approval)
    return CdxOutcome(
        start_month=start_month,
        approval_month=approval,
        failed=failed,
        launch_month=launch,
        delay_to_launch_months=launch - drug_approval_month,
    )
