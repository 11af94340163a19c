"""Vein-to-vein time: from a patient's manufacturing slot to their infusion.

Apheresis, manufacture, QC release and shipping take a time ``D``: fixed at
``manufacturing_months``, or lognormal with that median and a log-sd
``manufacturing_log_sd`` (real-world axi-cel, n = 416, *Blood*: median 28 days, IQR
26-34 days, a log-sd of about 0.2). The SimPy model draws ``D`` for each batch; the
monthly queue needs instead the *offset law*: in which later month a batch started in
month ``t`` is done.

A batch starts at a uniform time ``U`` within its month, so it is done in month
``t + j`` with ``j = floor(U + D)`` and

    P(U + D < x) = integral_0^1 F_D(x - u) du,

evaluated by the midpoint rule on 2,000 points, month after month until the tail left is
below 1e-9 (which is put in the last month). For a fixed ``D = m`` this is exact in
closed form: ``j = floor(m)`` with probability ``1 - frac(m)`` and ``floor(m) + 1``
with probability ``frac(m)``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.special import ndtr

__all__ = ["completion_offsets"]


@functools.lru_cache(maxsize=64)
def completion_offsets(median_months: float, log_sd: float) -> np.ndarray:
    """``P(a batch started in month t is done in month t + j)``, ``j = 0, 1, ...``.

    The array is cached and shared: copy it before writing to it.
    """
    if log_sd == 0.0 or median_months == 0.0:
        floor = math.floor(median_months)
        out = np.zeros(floor + 2)
        out[floor], out[floor + 1] = 1.0 - (median_months - floor), median_months - floor
        return out
    u = (np.arange(2000) + 0.5) / 2000
    reach = [0.0]
    while reach[-1] < 1.0 - 1e-9:  # P(D < x) = Phi((ln x - ln median) / log_sd)
        x = len(reach) - u
        with np.errstate(divide="ignore"):
            z = (np.log(x) - math.log(median_months)) / log_sd
        reach.append(float(ndtr(z).mean()))
    reach[-1] = 1.0
    return np.diff(reach)
