"""How precise is each headline figure? Monte Carlo standard errors.

A figure estimated from ``n`` iterations would change with another seed; its Monte Carlo
standard error (MCSE) says by how much. Exact formulas where they exist:

- a mean: ``sd / sqrt(n)``;
- a probability ``p``: ``sqrt(p (1 - p) / n)``.

For percentiles, VaR and CVaR there is no simple formula, so the iterations are cut into
``B`` consecutive batches (independent, because every iteration is): the figure is
computed in each batch, and its MCSE at full size is ``sd(batch figures) / sqrt(B)``
(batch means; for quantiles this is the standard large-sample approximation). Batches
need the samples: on a summaries-only run those figures have no MCSE here (NaN).

Which figures, and how, is declared with each metric (``Metric.mcse`` in :mod:`.metrics`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.results.columns import ArrayColumn
from simulator.results.metrics import BATCHES, PAIR, SUMMARY, Metric
from simulator.results.result import Outcomes

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


def _batch_mcse(result: Result, metric: Metric, portfolio: str, batches: int) -> float:
    """A metric's MCSE from batches of iterations: its formula on each batch's columns."""
    if not result.has_samples:
        return math.nan
    n = len(result.npv(portfolio))
    if n < 2 * batches:
        return math.nan
    cuts = np.array_split(np.arange(n), batches)

    def on(rows: np.ndarray) -> float:
        def lookup(name: str):
            return ArrayColumn(result.column(name)[rows[0] : rows[-1] + 1])

        return metric.formula(Outcomes(lookup, portfolio))

    values = [on(rows) for rows in cuts]
    return float(np.std(values, ddof=1) / math.sqrt(batches))


def _row(metric: Metric, figure: str, who: str, value: float, error: float) -> dict:
    how = BATCHES if metric.mcse == BATCHES else "exact"
    return {"figure": figure, "portfolio": who, "value": value, "mcse": error,
            "unit": metric.unit, "method": how}  # fmt: skip


def mcse_table(result: Result, batches: int = 20) -> pd.DataFrame:
    """Every headline figure with its value and MCSE: a row per (figure, portfolio)."""
    summary = result.summary()
    rows = []
    for p in result.portfolios:
        columns = result.outcomes(p)
        for m in SUMMARY:
            if m.mcse is None:
                continue
            value = float(summary.loc[p, m.name])
            if m.mcse == BATCHES:
                error = _batch_mcse(result, m, p, batches)
            else:
                error = m.mcse(columns, value)
            rows.append(_row(m, m.title, p, value, error))
    for a, b in result.scenario.pairs():
        c = result.compare(a, b)
        d = result.difference(a, b)
        for m in PAIR:
            if m.mcse is None or m.mcse == BATCHES:
                continue
            value = float(c[m.name])
            figure = m.title.format(a=a, b=b)
            rows.append(_row(m, figure, f"{a} - {b}", value, m.mcse(d, value)))
    return pd.DataFrame(rows)
