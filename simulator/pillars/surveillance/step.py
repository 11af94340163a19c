"""Post-market surveillance in a chunk: the safety signal, REMS and long-term follow-up.

**Safety signal.** With a constant hazard ``h`` a year from launch ``L``, the signal's
month is ``E = L + floor(12 X / h)``, ``X ~ Exp(1)``, so the share of launched iterations
with a signal within ``T`` years of launch is ``1 - exp(-h T)``. One uniform ``u`` decides
its outcome: ``u < p_w`` a withdrawal, ``p_w <= u < p_w + p_r`` a label restriction,
otherwise nothing. From the month ``E`` on, the month's new patients are multiplied by

    k[m] = 0                    withdrawal (and patients on therapy stop: units are 0)
         = 1 - restriction_cut  restriction
         = 1                    otherwise,

applied as ``log k`` to the asset's share of its indication (``-inf`` for a withdrawal).

**REMS or registry.** ``rems[m] = units[m] x c_rems / 10^6`` USD M, where units are
patient-years on therapy in the month (a chronic therapy) or patients treated (a one-time
therapy: one patient-year of REMS each).

**Long-term follow-up** (FDA 2020, see :mod:`.block`). A patient treated in month ``j``
is followed ``Y`` years: ``c / 12`` USD a month in months ``j+1 .. j+12Y``. The month's cost
is ``c / 12 x (treated in months m-12Y .. m-1)``, a moving sum; per iteration the
undiscounted total within the horizon is ``treated x Y x c`` when every follow-up ends
before the horizon, and the present value of one patient treated in month ``j`` is
``c/12 sum_{k=1}^{12Y} v^(j+k+1/2)`` (mid-month discounting, ``v`` the monthly factor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.seeding import iteration_major
from simulator.core.timeline import MONTHS_PER_YEAR

USD_PER_MUSD = 1e6


@dataclass(frozen=True)
class SafetySignal:
    """Per iteration: when the signal comes and what it does (arrays over the chunk)."""

    month: np.ndarray  # int grid month of the signal (a large number: none)
    withdrawn: np.ndarray  # bool
    restricted: np.ndarray  # bool
    share_cut: np.ndarray  # restriction's cut of new patients

    def log_share(self, rows: np.ndarray, horizon: int) -> np.ndarray:
        """``log k[m]`` of the ``rows``, ``(rows, horizon)`` (see the module docstring)."""
        after = np.arange(horizon)[None, :] >= self.month[rows][:, None]
        with np.errstate(divide="ignore"):
            cut = np.log1p(-self.share_cut[rows])
        k = np.where(self.withdrawn[rows], -np.inf, np.where(self.restricted[rows], cut, 0.0))
        return np.where(after, k[:, None], 0.0)

    def stop_month(self) -> np.ndarray:
        """Month from which a withdrawn product sells nothing (beyond any month otherwise)."""
        return np.where(self.withdrawn, self.month, np.iinfo(np.int64).max)


def safety_signal(rng: np.random.Generator, block, draws, launch_month: np.ndarray):
    """The signal of each iteration (``draws`` are the block's draws, ``launch_month`` the
    grid month of launch); draws two uniforms per iteration from ``rng`` whatever ``h``,
    together (:func:`~simulator.core.seeding.iteration_major`, so iteration ``i``'s signal
    does not depend on the chunk's length); the exponential time is the first by inversion."""
    n = launch_month.shape[0]
    first, u = iteration_major(rng.random, 2, (n,))
    x = -np.log1p(-first)  # a standard exponential, by inversion
    h = block.signal_hazard_per_year
    never = np.iinfo(np.int64).max // 2
    if h > 0:
        month = launch_month + np.minimum(np.floor(MONTHS_PER_YEAR * x / h), never)
    else:
        month = np.full(n, never)
    p_w, p_r = draws.p_withdrawal, draws.p_restriction
    withdrawn = u < p_w
    restricted = ~withdrawn & (u < p_w + p_r)
    return SafetySignal(month.astype(np.int64), withdrawn, restricted, draws.restriction_share_cut)


def rems_cost_musd(units: np.ndarray, usd_per_patient_year: np.ndarray) -> np.ndarray:
    """REMS or registry cost a month, USD M: units x cost per patient-year."""
    return units * (usd_per_patient_year / USD_PER_MUSD)[:, None]


def follow_up_cost_musd(treated: np.ndarray, years: float, usd_per_patient_year) -> np.ndarray:
    """Long-term follow-up a month, USD M, ``(rows, months)``: each patient treated in
    month ``j`` costs ``c/12`` in months ``j+1 .. j+12 years`` (see the module docstring)."""
    rows, months = treated.shape
    length = round(years * MONTHS_PER_YEAR)
    cum = np.zeros((rows, months + 1))
    np.cumsum(treated, axis=1, out=cum[:, 1:])
    m = np.arange(months)
    # treated in months [m - length, m - 1] = cum[m] - cum[max(m - length, 0)]
    followed = cum[:, m] - cum[:, np.maximum(m - length, 0)]
    per_month = np.asarray(usd_per_patient_year, dtype=float) / MONTHS_PER_YEAR / USD_PER_MUSD
    return followed * np.broadcast_to(per_month, (rows,))[:, None]


def signal_columns(signal: SafetySignal, launched: np.ndarray, horizon: int) -> dict:
    """Per-iteration columns: whether a signal came (and its month), withdrew or restricted
    the product."""
    came = launched & (signal.month < horizon)
    return {
        "safety_signal": came,
        "safety_withdrawn": came & signal.withdrawn,
        "safety_restricted": came & signal.restricted,
        "safety_signal_month": np.where(came, signal.month, np.nan),
    }
