"""The pieces a report page is built from: a section, what every section may use, and
plots and tables turned into self-contained HTML (PNG inline as base64, no network).

A figure is drawn once, at :data:`DPI`: a figure that is also an output file of its own
(``npv_distribution.png``, ``plant_<portfolio>.<asset>.png``) is kept in the context's
``images`` under its file name, and the writer saves those very bytes.

Drawing is most of a report's time (a figure is a few tenths of a second of matplotlib),
and the figures do not depend on each other: inside :func:`deferred_figures` a section's
:func:`figure_html` only records its figure and returns a placeholder, and
:func:`draw_figures` then draws them all, on two processes forked from this one where the
platform forks (they inherit the result; only the PNG bytes come back), else one by one.
"""

from __future__ import annotations

import base64
import html
import io
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulator.results.metrics import table

MISSING = "–"


@dataclass
class Section:
    """One section of the page: an id (the anchor), a title and its HTML body."""

    id: str
    title: str
    body: str
    figures: int = 0


@dataclass
class Context:
    """What every section may use: provenance, the compared pair, and tables computed
    elsewhere for the report to show (``"trials"``: trial operating characteristics)."""

    provenance: dict[str, Any] = field(default_factory=dict)
    pair: tuple[str, str] | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: PNG bytes of the figures that are output files too, by file name
    images: dict[str, bytes] = field(default_factory=dict)


#: Resolution of every figure: 100 dots per inch, an 8 x 4.5 inch plot is 800 x 450 pixels
#: (sharp on a screen, small in a page; the PNG files are the same images).
DPI = 100


def figure_png(draw: Callable, figsize=(8, 4.5), panels: int = 1) -> bytes:
    """Draw with ``draw(ax)`` (or ``draw(axes)`` for panels): the PNG bytes."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=DPI)
    axes = fig.subplots(1, panels) if panels > 1 else fig.subplots()
    draw(axes)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def figure_html(
    draw: Callable,
    figsize=(8, 4.5),
    panels: int = 1,
    alt: str = "",
    keep: tuple[dict[str, bytes], str] | None = None,
) -> str:
    """Draw with ``draw(ax)`` (or ``draw(axes)`` for panels) and embed the PNG inline;
    ``keep=(images, name)`` also keeps the bytes as ``images[name]`` (an output file)."""
    if _pending is not None:  # inside deferred_figures: drawn later by draw_figures
        _pending.append(((draw, figsize, panels), alt, keep))
        return _placeholder(len(_pending) - 1)
    return _img(figure_png(draw, figsize, panels), alt, keep)


def _img(png: bytes, alt: str, keep: tuple[dict[str, bytes], str] | None) -> str:
    if keep is not None:
        keep[0][keep[1]] = png
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></figure>'


def _placeholder(k: int) -> str:
    return f"<!--figure {k}-->"


_pending: list | None = None  # figures recorded inside deferred_figures
_to_draw: list = []  # what the forked drawing processes read (inherited, never pickled)


@contextmanager
def deferred_figures() -> Iterator[Callable[[str], str]]:
    """Record the figures of the sections built inside; yields ``fill(page)``, which draws
    them all (:func:`draw_figures`) and puts them in place of their placeholders."""
    global _pending
    outer, _pending = _pending, []
    recorded = _pending

    def fill(page: str) -> str:
        pngs = draw_figures([spec for spec, _, _ in recorded])
        for k, ((_, alt, keep), png) in enumerate(zip(recorded, pngs, strict=True)):
            page = page.replace(_placeholder(k), _img(png, alt, keep), 1)
        return page

    try:
        yield fill
    finally:
        _pending = outer


def _draw_one(k: int) -> bytes:
    return figure_png(*_to_draw[k])


def draw_figures(specs: list[tuple]) -> list[bytes]:
    """PNG bytes of each ``(draw, figsize, panels)``, in order: on two forked processes
    when there are several figures, two cores and a platform that forks, else here."""
    global _to_draw
    processes = min(2, os.cpu_count() or 1, len(specs))
    forks = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
    if processes < 2 or not forks or multiprocessing.current_process().daemon:
        return [figure_png(*spec) for spec in specs]
    _to_draw = specs
    try:
        pool = multiprocessing.get_context("fork").Pool(processes)  # children hold the specs
    finally:
        _to_draw = []
    try:
        pngs = pool.map(_draw_one, range(len(specs)), chunksize=1)
    except BaseException:  # an error or an interrupt: end the workers at once
        pool.terminate()
        raise
    # Done: let the workers end on their own (close, then join). Pool.terminate() here
    # (what ``with Pool()`` does) sends SIGTERM, and in the test suite under pytest-xdist
    # one worker was now and then never ended by it, hanging the join for good.
    pool.close()
    pool.join()
    return pngs


def header(name: object) -> str:
    """A column name for people: ``cost_musd`` -> ``cost (USD M)``, ``prob_win`` ->
    ``P(win)``; names that already hold a space are kept."""
    text = str(name)
    if " " in text or "_" not in text:
        return text
    unit = ""
    for suffix, label in (("_musd", " (USD M)"), ("_months", " (months)"), ("_years", " (years)")):
        if text.endswith(suffix):
            text, unit = text[: -len(suffix)], label
    if text.startswith("prob_"):
        return f"P({text[5:].replace('_', ' ')}){unit}"
    return text.replace("_", " ") + unit


def cell(x: object) -> object:
    """A number as a reader wants it: thousands separated from 100 on, 3 significant
    digits below; anything else as it is."""
    if isinstance(x, bool | np.bool_) or not isinstance(x, float | np.floating):
        return x
    if not np.isfinite(x):
        return MISSING
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def table_html(df: pd.DataFrame, index: bool = True, text: bool = False) -> str:
    """An HTML table with readable headers (:func:`header`) and rounded numbers
    (:func:`cell`), no unnamed index column, inside a box that scrolls sideways when the
    table is wider than its card (one header row; ``text`` left-aligns every column)."""
    if index and df.index.name is None and not isinstance(df.index, pd.RangeIndex):
        df = df.rename_axis("")
    if index and not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()
    df = df.rename(columns=header)
    df = df.apply(lambda col: col.map(cell)) if len(df) else df
    classes = "t text" if text else "t"
    out = df.to_html(index=False, border=0, classes=classes, escape=True, na_rep=MISSING)
    return f"<div class='scroll'>{out}</div>"


def metrics_html(view: str, summary: pd.DataFrame) -> str:
    """A view of the metrics registry (``"table"``, ``"risk"``) as an HTML table: a row
    per figure, a column per portfolio."""
    rows = table(view, summary, missing=MISSING)
    frame = pd.DataFrame({title: cells for title, cells in rows}, index=summary.index).T
    frame.index.name = "USD millions"
    frame.columns.name = None
    return table_html(frame)


def g(x: float) -> str:
    """A count or rate: thousands separated when large, 3 significant digits when not."""
    if not np.isfinite(x):
        return MISSING
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
