"""``report.xlsx``: the run as a workbook for finance.

Written with XlsxWriter (fast, and column formats need no per-cell loop).

Every sheet's first row says what it holds and, on a money sheet, whether its figures
are discounted; the second row is the header, in words with units (``NPV mean (USD
M)``), and both stay frozen when scrolling. Numbers are stored as numbers with formats
(USD millions as ``#,##0.0``, probabilities as percentages), never as text. Sheets:

- **Summary**: a row per portfolio, the same numbers as ``summary.csv``, each column in
  the number format its metric declares (:mod:`simulator.results.metrics`);
- **Comparison**: each compared pair, the same numbers as ``comparison.csv`` (formats
  likewise);
- **MC error**: every headline figure with its Monte Carlo standard error;
- **Iterations**: per iteration, each portfolio's outcomes and the paired differences
  (the first :data:`MAX_ITERATION_ROWS` iterations; the full table with every asset and
  every sampled input is ``iterations.parquet`` and ``inputs.parquet``);
- **Cash flows**: yearly net cash and revenue bands per portfolio;
- **NPV distribution**: a histogram table (bin edges and midpoint in USD M, then each
  portfolio's share of futures in the bin) and a native Excel column chart over it, one
  series per portfolio (:func:`npv_histogram`; the report's bins: :data:`HISTOGRAM_BINS`
  equal bins from P0.5 to P99.5 over the portfolios, futures beyond that range counted
  in the sheet's first row, not piled into the edge bins);
- **Inputs**: the resolved scenario, one row per field (dotted path, assets by name, and
  value: a number where the value is one);
- **Provenance**: the run's manifest, key by key (code fingerprint, versions, seed,
  chunk size, input hash, command): the same values as ``manifest.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulator.report.page import header
from simulator.results.convergence import mcse_table
from simulator.results.metrics import BY_NAME
from simulator.results.plots import npv_range, portfolio_color, tail_note

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result

#: Rows of the Iterations sheet. A workbook is slow to write (about 20 microseconds a cell
#: with XlsxWriter: 10,000 rows took 6 s, more than the rest of the run) and to open; the
#: full table is in iterations.parquet (and iterations.csv with ``--csv``).
MAX_ITERATION_ROWS = 1_000

#: Bins of the NPV distribution sheet and its chart (the report's figure draws 80; a
#: column chart of 80 bars per portfolio is hard to read in a spreadsheet).
HISTOGRAM_BINS = 40

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


def npv_histogram(result: Result, bins: int = HISTOGRAM_BINS) -> tuple[pd.DataFrame, str]:
    """The NPV distribution sheet: a row per bin (``bin_from_musd``, ``bin_to_musd``,
    ``bin_mid_musd``, then per portfolio ``<p> share of futures``, its futures in the bin over all
    its futures), and the note of what lies beyond the range.

    Share in bin k of portfolio p: ``#{i : e_k <= NPV_p,i < e_k+1} / n`` (the last bin
    closed), with ``n`` the iterations and ``e`` the edges; the shares sum to one minus
    the share beyond the range."""
    data = [result.npv(p) for p in result.portfolios]
    edges = np.linspace(*npv_range(data), bins + 1)
    table: dict[str, Any] = {
        "bin_from_musd": edges[:-1],
        "bin_to_musd": edges[1:],
        "bin_mid_musd": (edges[:-1] + edges[1:]) / 2,
    }
    for p, x in zip(result.portfolios, data, strict=True):
        counts, _ = np.histogram(x, bins=edges)  # outside the range: not counted
        table[f"{p} share of futures"] = counts / x.size
    return pd.DataFrame(table), tail_note(data, edges)


def _add_histogram_chart(book: Any, ws: Any, df: pd.DataFrame, result: Result) -> None:
    """A column chart of the NPV distribution sheet (rows 3 on), one series per
    portfolio, placed to the right of the table."""
    chart = book.add_chart({"type": "column"})
    first, last = 2, 1 + len(df)
    name = "NPV distribution"
    for j, p in enumerate(result.portfolios, start=3):
        color = portfolio_color(result, p)
        chart.add_series({
            "name": p,
            "categories": [name, first, 2, last, 2],
            "values": [name, first, j, last, j],
            "fill": {"color": color, "transparency": 45},
            "border": {"color": color},
            "gap": 0,
            "overlap": 100,
        })  # fmt: skip
    chart.set_title({"name": "NPV distribution by portfolio"})
    chart.set_x_axis({"name": "NPV, bin midpoint (USD millions)", "num_format": "#,##0",
                      "label_position": "low"})  # fmt: skip
    chart.set_y_axis({"name": "share of futures per bin", "num_format": "0%"})
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 900, "height": 420})
    ws.insert_chart(1, len(df.columns) + 1, chart)


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts and lists -> ``(dotted path, leaf value)`` rows; a list item with a
    ``name`` is named by it (``assets.onc_kinase_1``), as ``--set`` takes it."""
    if isinstance(data, dict):
        out = []
        for k, v in data.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(data, list) and any(isinstance(v, dict | list) for v in data):
        out = []
        for i, v in enumerate(data):
            named = isinstance(v, dict) and isinstance(v.get("name"), str)
            out += flatten(v, f"{prefix}.{v['name']}" if named else f"{prefix}[{i}]")
        return out
    return [(prefix, data if not isinstance(data, list) else str(data))]


def resolved_inputs(result: Result) -> pd.DataFrame:
    """The resolved scenario, a row per field: ``number`` holds the value when it is a
    number (stored as one), ``value`` holds it otherwise (a distribution, a name)."""
    data = result.scenario.model_dump(mode="json", exclude_none=True)
    rows = []
    for field, v in flatten(data):
        numeric = isinstance(v, int | float) and not isinstance(v, bool)
        rows.append({"field": field, "number": float(v) if numeric else np.nan,
                     "value": "" if numeric else str(v)})  # fmt: skip
    return pd.DataFrame(rows, columns=["field", "number", "value"])


def provenance_table(provenance: dict[str, Any]) -> pd.DataFrame:
    """The manifest, key by key (nested keys dotted), as text."""
    rows = [(k, "" if v is None else str(v)) for k, v in flatten(provenance)]
    return pd.DataFrame(rows, columns=["item", "value"])


def column_title(column: str, sheet: str) -> str:
    """A header in words with its unit: a declared metric's label, else :func:`header`."""
    if sheet in DECLARED and column in BY_NAME:
        m = BY_NAME[column]
        unit = {"share": "%", "USD M": "USD M"}.get(m.unit, m.unit)
        return f"{m.label.format(a='a', b='b')} ({unit})" if unit else m.label
    return header(column)


def _notes(result: Result, n_iter: int, rows: int, beyond: str = "") -> dict[str, str]:
    """The first row of each sheet: what it holds."""
    npv = (
        f"NPV and present values discounted at {result.scenario.market.discount_rate_annual:.1%}"
        " a year to the scenario start (USD millions)"
    )
    held = (
        f"every one of the {n_iter:,} iterations"
        if rows >= n_iter
        else f"the FIRST {rows:,} of {n_iter:,} iterations only (their means differ from "
        "Summary's, which uses all); every iteration, with every asset, is in "
        "iterations.parquet (inputs: inputs.parquet)"
    )
    return {
        "Summary": f"A row per portfolio over all {n_iter:,} iterations. {npv}.",
        "Comparison": f"Paired differences a - b over the same iterations. {npv}.",
        "MC error": "Each headline figure with its Monte Carlo standard error "
        "(the value's own unit).",
        "Iterations": f"Per iteration: {held}. {npv}.",
        "Cash flows": "Yearly net cash after tax and revenue, UNDISCOUNTED (each year's "
        "cash as it falls), USD millions: mean and percentiles over iterations.",
        "NPV distribution": f"Share of each portfolio's {n_iter:,} futures in each bin of NPV "
        f"(discounted at {result.scenario.market.discount_rate_annual:.1%} a year to the "
        f"scenario start, USD millions); {beyond} over the portfolios (so a column sums to "
        "one less its futures beyond). The chart is drawn from this table.",
        "Inputs": "The resolved scenario (what ran): numbers under 'number', "
        "distributions and names under 'value'.",
        "Provenance": "The run's manifest (manifest.json), key by key.",
    }


def write_excel(result: Result, path: str | Path, provenance: dict[str, Any] | None = None) -> Path:
    """Write ``report.xlsx`` for ``result`` to ``path`` (``provenance``: the manifest, for
    the Provenance sheet); returns the path."""
    path = Path(path)
    sheets = {
        "Summary": result.summary().reset_index(),
        "Comparison": result.comparison(),
        "MC error": mcse_table(result),
        "Iterations": portfolio_iterations(result),
        "Cash flows": result.cashflow_bands(),
    }
    sheets["NPV distribution"], beyond = npv_histogram(result)
    sheets["Inputs"] = resolved_inputs(result)
    if provenance is not None:
        sheets["Provenance"] = provenance_table(provenance)
    import xlsxwriter

    n_iter = len(result.column("iteration"))
    notes = _notes(result, n_iter, len(sheets["Iterations"]), beyond)
    with xlsxwriter.Workbook(str(path)) as book:
        bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "bottom": 1,
                                "text_wrap": True, "valign": "top"})  # fmt: skip
        note = book.add_format({"italic": True, "font_color": "#44505c"})
        formats: dict[str, Any] = {}
        for name, df in sheets.items():
            ws = book.add_worksheet(name)
            ws.write_string(0, 0, notes[name], note)
            ws.freeze_panes(2, 1)
            for j, col in enumerate(df.columns):
                ws.write_string(1, j, column_title(str(col), name), bold)
                values = df[col].to_numpy()
                numeric = pd.api.types.is_numeric_dtype(df[col])
                fmt = _number_format(str(col), name) if numeric else None
                if name == "MC error" and numeric:
                    fmt = "#,##0.000"
                if fmt is not None and fmt not in formats:
                    formats[fmt] = book.add_format({"num_format": fmt})
                cell = formats.get(fmt)
                for i, v in enumerate(values, start=2):
                    if v is None or (numeric and not np.isfinite(v)):
                        continue  # an empty cell reads back as NaN
                    if numeric:
                        ws.write_number(i, j, float(v), cell)
                    else:
                        ws.write_string(i, j, str(v))
                width = max(min(len(column_title(str(col), name)), 24),
                            *(len(str(v)) for v in values[:50]), 8)  # fmt: skip
                ws.set_column(j, j, min(width + 2, 60))
            if name == "NPV distribution":
                _add_histogram_chart(book, ws, df, result)
    return path
