"""``report.xlsx``: the run as a workbook for finance.

Written with XlsxWriter (fast, and column formats need no per-cell loop).

Sheets (each with a frozen header row, readable column widths and number formats: USD
millions as ``#,##0.0``, probabilities as percentages):

- **Summary**: a row per portfolio, the same numbers as ``summary.csv``, each column in
  the number format its metric declares (:mod:`simulator.results.metrics`);
- **Comparison**: each compared pair, the same numbers as ``comparison.csv`` (formats
  likewise);
- **MC error**: every headline figure with its Monte Carlo standard error;
- **Iterations**: per iteration, each portfolio's outcomes and the paired differences
  (the first :data:`MAX_ITERATION_ROWS` iterations; the full table with every asset and
  every sampled input is ``iterations.parquet`` and ``inputs.parquet``);
- **Cash flows**: yearly net cash and revenue bands per portfolio;
- **Inputs**: the resolved scenario, one row per field (dotted path and value).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulator.results.convergence import mcse_table
from simulator.results.metrics import BY_NAME

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result

#: Rows of the Iterations sheet. A workbook is slow to write (about 20 microseconds a cell
#: with XlsxWriter: 10,000 rows took 6 s, more than the rest of the run) and to open; the
#: full table is in iterations.parquet (and iterations.csv with ``--csv``).
MAX_ITERATION_ROWS = 1_000

MONEY = "#,##0.0"
PERCENT = "0.0%"
COUNT = "0.00"
DECLARED = ("Summary", "Comparison")  # sheets whose columns are declared metrics


def _number_format(column: str, sheet: str) -> str | None:
    """A metric's declared format; for other tables' columns, one read from the name."""
    if sheet in DECLARED and column in BY_NAME:
        return BY_NAME[column].format.excel
    c = column.lower()
    if c.startswith(("prob", "p(")) or "share" in c:
        return PERCENT
    if "musd" in c or "usd" in c:
        return MONEY
    if c.endswith(("months", "month", "years", "_mean")) or "launch" in c:
        return COUNT
    return None


def portfolio_iterations(result: Result, rows: int = MAX_ITERATION_ROWS) -> pd.DataFrame:
    """Per-iteration portfolio outcomes and paired differences (the first ``rows``)."""
    names = result.column_names
    n = min(rows, len(result.column("iteration")))
    data: dict[str, Any] = {"iteration": result.column("iteration")[:n]}
    for p in result.portfolios:
        for k in names:
            if k.startswith(p + ".") and k.count(".") == 1:
                data[k] = result.column(k)[:n]
    for a, b in result.scenario.pairs():
        data[f"{a} - {b}.npv_musd"] = result.npv(a)[:n] - result.npv(b)[:n]
    return pd.DataFrame(data)


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts and lists -> ``(dotted path, leaf value)`` rows."""
    if isinstance(data, dict):
        out = []
        for k, v in data.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(data, list) and any(isinstance(v, dict | list) for v in data):
        out = []
        for i, v in enumerate(data):
            out += flatten(v, f"{prefix}[{i}]")
        return out
    return [(prefix, data if not isinstance(data, list) else str(data))]


def resolved_inputs(result: Result) -> pd.DataFrame:
    data = result.scenario.model_dump(mode="json", exclude_none=True)
    return pd.DataFrame(flatten(data), columns=["field", "value"]).astype({"value": str})


def write_excel(result: Result, path: str | Path) -> Path:
    """Write ``report.xlsx`` for ``result`` to ``path``; returns the path."""
    path = Path(path)
    sheets = {
        "Summary": result.summary().reset_index(),
        "Comparison": result.comparison(),
        "MC error": mcse_table(result),
        "Iterations": portfolio_iterations(result),
        "Cash flows": result.cashflow_bands(),
        "Inputs": resolved_inputs(result),
    }
    import xlsxwriter

    n_iter = len(result.column("iteration"))
    with xlsxwriter.Workbook(str(path)) as book:
        bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "bottom": 1})
        formats: dict[str, Any] = {}
        for name, df in sheets.items():
            ws = book.add_worksheet(name)
            ws.freeze_panes(1, 1)
            for j, col in enumerate(df.columns):
                ws.write_string(0, j, str(col), bold)
                values = df[col].to_numpy()
                numeric = pd.api.types.is_numeric_dtype(df[col])
                fmt = _number_format(str(col), name) if numeric and name != "MC error" else None
                if fmt is not None and fmt not in formats:
                    formats[fmt] = book.add_format({"num_format": fmt})
                cell = formats.get(fmt)
                for i, v in enumerate(values, start=1):
                    if v is None or (numeric and not np.isfinite(v)):
                        continue  # an empty cell reads back as NaN
                    if numeric:
                        ws.write_number(i, j, float(v), cell)
                    else:
                        ws.write_string(i, j, str(v))
                width = max(len(str(col)), *(len(str(v)) for v in values[:50]), 8)
                ws.set_column(j, j, min(width + 2, 60))
            if name == "Iterations" and n_iter > MAX_ITERATION_ROWS:
                ws.write_string(
                    0,
                    len(df.columns) + 1,
                    f"first {MAX_ITERATION_ROWS:,} of {n_iter:,} iterations; "
                    "all of them, with every asset, in iterations.parquet (inputs: inputs.parquet)",
                )
    return path
