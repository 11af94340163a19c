"""Payment kernels: how a contract's expected payment schedule becomes monthly cash.

A unit treated in month ``m`` (a patient-year for an annual therapy, a treatment for a
one-time therapy) has a contract value ``V_m`` (units x net price after the ceiling, IRA
and cap: :mod:`simulator.pillars.pricing.policy`). A contract that pays on outcomes pays
a share ``w_j`` of it ``j`` months later: the contract's expected *payment kernel*, one
per contract type (:mod:`simulator.pillars.pricing.contracts`), with response probability
``q`` of the truly biomarker-positive; a false-positive tested patient never responds, so
``q_eff = q x PPV``, ``PPV = p se / (p se + (1 - p)(1 - sp))`` from the cohort funnel.

**Timing: convolution, not per-patient draws.** Cash received is the convolution of the
monthly contract value with the expected payment kernel,

    cash_m = sum_j V_{m-j} w_j,

vectorized over iterations (a loop over the kernel's non-zero offsets). Response is
expected, not drawn patient by patient: a launched asset treats tens to thousands of
patients a month, so the binomial noise of who responds is small next to the
uncertainty in ``q`` and the hazard of losing the response themselves, which are drawn
per iteration. Revenue is *recognised* at treatment at its expected contract value
``V_m sum_j w_j``; instalments due after the horizon are recognised but never received
inside it.
"""

from __future__ import annotations

import numpy as np


def positive_predictive_value(prevalence, sensitivity, specificity):
    """Share of test-positive patients who are truly biomarker-positive."""
    tp = prevalence * sensitivity
    pos = tp + (1.0 - prevalence) * (1.0 - specificity)
    return np.where(pos > 0, tp / np.where(pos > 0, pos, 1.0), 1.0)


def convolve_months(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``out[:, m] = sum_j values[:, m - j] kernel[:, j]``, cut at the horizon.

    ``values`` is ``(rows, months)``, ``kernel`` ``(rows, K)``; loops over the offsets
    where some row's kernel is non-zero (an annuity's are 12 months apart).
    """
    out = np.zeros_like(values, dtype=float)
    months = values.shape[1]
    for j in np.flatnonzero(np.any(kernel != 0.0, axis=0)):
        if j >= months:
            break
        out[:, j:] += values[:, : months - j] * kernel[:, j, None]
    return out
