"""Risk and return metrics of an NPV distribution, with their Monte Carlo error.

For ``n`` simulated NPVs ``x_i``:

- mean and its Monte Carlo standard error ``sd / sqrt(n)``;
- percentiles P5, P10, P50, P90, P95 (linear interpolation between order statistics);
- probability of loss ``P(x < 0)``;
- ``var05``: the value at risk *expressed as an NPV*, the 5th percentile: in 95% of
  futures the NPV is above it (a negative value is a loss of that size);
- ``cvar05``: the expected shortfall, the mean NPV of the worst 5% of futures (the worst
  ``ceil(0.05 n)`` iterations), always <= var05.

Cost per launch follows Paul et al. (2010): total R&D spend over all candidates divided
by the number of launches (a ratio of sums, not a mean of ratios).
"""

from __future__ import annotations

import math

import numpy as np

PERCENTILES = (5, 10, 50, 90, 95)


def npv_metrics(x: np.ndarray, tail: float = 0.05) -> dict[str, float]:
    """Mean, error, spread, percentiles and tail risk of NPV draws ``x`` (USD millions)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    q = np.percentile(x, PERCENTILES)
    k = max(1, math.ceil(tail * n))
    worst = np.partition(x, k - 1)[:k] if k < n else x
    out = {
        "npv_mean_musd": float(x.mean()),
        "npv_mcse_musd": sd / math.sqrt(n),
        "npv_sd_musd": sd,
    }
    out.update({f"npv_p{p:02d}_musd": float(v) for p, v in zip(PERCENTILES, q, strict=True)})
    out["prob_loss"] = float((x < 0).mean())
    out["var05_musd"] = float(q[0])
    out["cvar05_musd"] = float(worst.mean())
    return out


def paired_difference(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """The distribution of ``a - b`` over the same iterations (common random numbers)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    n = d.size
    sd = float(d.std(ddof=1)) if n > 1 else math.nan
    p_win = float((d > 0).mean())
    q = np.percentile(d, (10, 50, 90))
    return {
        "diff_mean_musd": float(d.mean()),
        "diff_mcse_musd": sd / math.sqrt(n),
        "diff_sd_musd": sd,
        "diff_p10_musd": float(q[0]),
        "diff_p50_musd": float(q[1]),
        "diff_p90_musd": float(q[2]),
        "prob_a_beats_b": p_win,
        "prob_a_beats_b_mcse": math.sqrt(p_win * (1 - p_win) / n),
    }


def per_launch(total: np.ndarray, launches: np.ndarray) -> float:
    """Ratio of sums: a total over a count of launches (NaN when there are none)."""
    n_launch = float(np.sum(launches))
    return float(np.sum(total)) / n_launch if n_launch > 0 else math.nan
