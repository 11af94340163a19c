"""What value-based pricing did to each priced asset, read from a run's outcome columns.

:func:`pricing_table` gives a row per priced asset (one with a ``pricing`` block, or any
asset when the market has an ``ira`` block): the average net price realised (revenue
recognised over units sold), units sold, revenue recognised and cash received, rebates
(the gross-to-net share of list), IRA cuts, budget-cap rebates, payments forgone under the
contract (instalments not paid, refunds), the share of contract value at risk on outcomes,
and the outcomes-tracking cost; means over the iterations in which the asset launched.
The columns are those :mod:`simulator.pillars.pricing.step` writes per iteration.

Means conditional on launch need the samples (marginal column summaries cannot be
conditioned on another column), so a summaries-only run raises
:class:`~simulator.results.columns.NoSamplesError`. The NPV effect of the contracts
re-runs the model and is a study (:mod:`simulator.studies.contract_impact`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.pillars.pricing.step import COLUMNS
from simulator.results.columns import NoSamplesError

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result


def pricing_table(result: Result) -> pd.DataFrame:
    """A row per priced asset (``portfolio``, ``asset``): pricing outcomes, means over the
    iterations in which the asset launched (empty when nothing is priced)."""
    if not result.has_samples:
        raise NoSamplesError("the pricing table (means given launch)", result.keep_samples)
    names = set(result.column_names)
    rows = []
    for p, portfolio in result.scenario.portfolios.items():
        for a in portfolio.assets:
            prefix = f"{p}.{a.name}."
            if prefix + COLUMNS[0] not in names:
                continue
            launched = result.column(prefix + "launched").astype(bool)
            row = {"portfolio": p, "asset": a.name, "launches": int(launched.sum())}
            for k in COLUMNS:
                v = result.column(prefix + k)[launched]
                row[k] = float(np.nanmean(v)) if v.size and np.isfinite(v).any() else np.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=["portfolio", "asset", "launches", *COLUMNS])
