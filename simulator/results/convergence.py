"""How precise is each headline figure? Monte Carlo standard errors.

A figure estimated from ``n`` iterations would change with another seed; its Monte Carlo
standard error (MCSE) says by how much. Exact formulas where they exist:

- a mean: ``sd / sqrt(n)``;
- a probability ``p``: ``sqrt(p (1 - p) / n)``.

For percentiles, VaR and CVaR there is no simple formula, so the iterations are cut into
``B`` consecutive batches (independent, because every iteration is): the figure is
computed in each batch, and its MCSE at full size is ``sd(batch figures) / sqrt(B)``
(batch means; for quantiles this is the standard large-sample approximation).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.results.metrics import npv_metrics

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result


def mcse_mean(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    return float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan


def mcse_probability(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n) if n > 0 else math.nan


def mcse_batch(x: np.ndarray, stat: Callable[[np.ndarray], float], batches: int = 20) -> float:
    """Batch-means standard error of ``stat(x)`` (NaN with fewer than 2 iterations a batch)."""
    x = np.asarray(x, dtype=float)
    if x.size < 2 * batches:
        return math.nan
    values = [stat(b) for b in np.array_split(x, batches)]
    return float(np.std(values, ddof=1) / math.sqrt(batches))


def mcse_table(result: Result, batches: int = 20) -> pd.DataFrame:
    """Every headline figure with its value and MCSE: a row per (figure, portfolio)."""
    rows = []
    for p in result.portfolios:
        x = np.asarray(result.npv(p), dtype=float)
        n = x.size
        m = npv_metrics(x)
        launches = np.asarray(result.column(f"{p}.launches"), dtype=float)
        figures = [
            ("NPV mean (USD M)", m["npv_mean_musd"], mcse_mean(x), "exact"),
            ("P(loss)", m["prob_loss"], mcse_probability(m["prob_loss"], n), "exact"),
            (
                "NPV P10 (USD M)",
                m["npv_p10_musd"],
                mcse_batch(x, lambda b: np.percentile(b, 10), batches),
                "batches",
            ),
            (
                "NPV P50 (USD M)",
                m["npv_p50_musd"],
                mcse_batch(x, lambda b: np.percentile(b, 50), batches),
                "batches",
            ),
            (
                "NPV P90 (USD M)",
                m["npv_p90_musd"],
                mcse_batch(x, lambda b: np.percentile(b, 90), batches),
                "batches",
            ),
            (
                "VaR 5% (USD M)",
                m["var05_musd"],
                mcse_batch(x, lambda b: np.percentile(b, 5), batches),
                "batches",
            ),
            (
                "CVaR 5% (USD M)",
                m["cvar05_musd"],
                mcse_batch(x, lambda b: npv_metrics(b)["cvar05_musd"], batches),
                "batches",
            ),
            ("Expected launches", float(launches.mean()), mcse_mean(launches), "exact"),
        ]
        rows += [
            {"figure": f, "portfolio": p, "value": v, "mcse": e, "method": how}
            for f, v, e, how in figures
        ]
    for a, b in result.scenario.pairs():
        d = np.asarray(result.npv(a) - result.npv(b), dtype=float)
        win = float((d > 0).mean())
        rows += [
            {
                "figure": "mean difference (USD M)",
                "portfolio": f"{a} - {b}",
                "value": float(d.mean()),
                "mcse": mcse_mean(d),
                "method": "exact",
            },
            {
                "figure": f"P({a} > {b})",
                "portfolio": f"{a} - {b}",
                "value": win,
                "mcse": mcse_probability(win, d.size),
                "method": "exact",
            },
        ]
    df = pd.DataFrame(rows)
    return df
