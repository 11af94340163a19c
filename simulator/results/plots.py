"""Plots of a result. Each takes an optional matplotlib ``ax`` and returns it; none calls
``plt.show()``. Money is in USD millions and every axis says so.

A summaries-only run has no NPV samples; its densities and CDFs are drawn from
:data:`QUANTILE_POINTS` equally spaced quantiles of the sketch (each within the sketch's
relative error of the exact quantile), which stand for the distribution as an equally
weighted sample would. The plant fan reads the plant bands, which both kinds of run have.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from simulator.results.result import Result

#: One colour per portfolio, in the scenario's order, in every chart of a run (no red or
#: green among them: those two mean a sign, below).
COLORS = ("#1f5aa6", "#e08a00", "#6a4c93", "#00798c", "#8c564b", "#7f7f7f")
#: Where the sign is the message (an effect raises or lowers the outcome): a diverging
#: pair, said in each chart's legend or axis label.
POSITIVE, NEGATIVE = "#1b7837", "#b2182b"
#: Two ends of one input (P10, P90): light and dark of one neutral hue, not a sign.
LOW_END, HIGH_END = "#a6b4c4", "#34495e"
QUANTILE_POINTS = 2_000


def portfolio_color(result: Result, portfolio: str) -> str:
    """The portfolio's colour: its place in the scenario, whatever subset a chart shows."""
    return COLORS[result.portfolios.index(portfolio) % len(COLORS)]


def tail_note(values: list[np.ndarray], edges: np.ndarray) -> str:
    """How many futures fall left and right of the drawn range, as shares (not piled
    into the edge bins, where they would look like modes)."""
    n = sum(v.size for v in values)
    left = sum(int((v < edges[0]).sum()) for v in values)
    right = sum(int((v > edges[-1]).sum()) for v in values)
    return f"beyond the range: {left / n:.1%} left, {right / n:.1%} right"


def npv_range(arrays: list[np.ndarray]) -> tuple[float, float]:
    """The x-range every NPV chart of a run shares: P0.5 to P99.5 over the portfolios."""
    edges = _bins(arrays, 1)
    return float(edges[0]), float(edges[-1])


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4.5))
    return ax


def _percent_axis():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def _bins(arrays: list[np.ndarray], bins: int = 80) -> np.ndarray:
    lo = min(np.percentile(a, 0.5) for a in arrays)
    hi = max(np.percentile(a, 99.5) for a in arrays)
    if hi - lo <= 1e-9 * max(1.0, abs(lo)):  # (nearly) certain: rounding noise only
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1)


class Plots:
    """``result.plot``: the standard charts of a run, and every other chart of the report
    (``paired_difference``, ``cashflow_fan``, ``asset_contributions``, ``expected_launches``,
    ``launch_count``, ``risk_panels``, ``convergence``, ``plant_panels``, ``strip``), each
    with ``ax=`` (``axes=`` for panels).

    The report's charts live a layer above (``simulator.report.charts``); the package
    root registers them in :attr:`MORE` when it hands out :class:`Result`, as it installs
    the writer of ``Result.save``."""

    #: name -> ``f(result, *args, ax=...)``: charts drawn by a higher layer
    MORE: ClassVar[dict[str, Callable]] = {}

    def __init__(self, result: Result):
        self.result = result

    def __getattr__(self, name: str):
        chart = type(self).MORE.get(name)
        if chart is None:
            raise AttributeError(
                f"result.plot has no chart {name!r}; known: {', '.join(dir(self))}"
            )
        return lambda *args, **kw: chart(self.result, *args, **kw)

    def __dir__(self) -> list[str]:
        own = [n for n in vars(type(self)) if not n.startswith("_") and n != "MORE"]
        return sorted({*own, *type(self).MORE})

    def _npv_values(self, portfolio: str) -> np.ndarray:
        """The NPV samples, or the sketch's quantiles at the midpoints of equal steps."""
        if self.result.has_samples:
            return self.result.npv(portfolio)
        col = self.result.stats(f"{portfolio}.npv_musd")
        steps = (np.arange(QUANTILE_POINTS) + 0.5) / QUANTILE_POINTS * 100
        return np.array([col.percentile(q) for q in steps])

    def npv_distribution(self, ax: Axes | None = None, portfolios: list[str] | None = None) -> Axes:
        """Overlaid NPV histograms as the share of futures in each bin, each portfolio's
        mean marked; futures beyond the range (P0.5-P99.5 over the portfolios) are
        counted in the label, not piled into the edge bins."""
        ax = _axes(ax)
        names = portfolios or self.result.portfolios
        data = [self._npv_values(p) for p in names]
        edges = _bins(data)
        for p, x in zip(names, data, strict=True):
            color = portfolio_color(self.result, p)
            inside = x[(x >= edges[0]) & (x <= edges[-1])]
            ax.hist(inside, bins=edges, weights=np.full(inside.size, 1.0 / x.size), alpha=0.4,
                    color=color, edgecolor=color, linewidth=0.4, label=p)  # fmt: skip
            ax.axvline(self.result.stats(f"{p}.npv_musd").mean, color=color, lw=2, ls="--")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(edges[0], edges[-1])
        ax.yaxis.set_major_formatter(_percent_axis())
        ax.set_xlabel(f"NPV (USD millions; {tail_note(data, edges)})")
        ax.set_ylabel(f"share of futures per bin ({edges[1] - edges[0]:,.0f} USD M wide)")
        ax.set_title("NPV distribution by portfolio (dashed: mean)")
        ax.legend(frameon=False, loc="upper right")
        return ax

    def npv_cdf(self, ax: Axes | None = None, portfolios: list[str] | None = None) -> Axes:
        """Empirical cumulative distribution of NPV per portfolio."""
        ax = _axes(ax)
        names = portfolios or self.result.portfolios
        data = [np.sort(self._npv_values(p)) for p in names]
        for p, x in zip(names, data, strict=True):
            y = np.arange(1, x.size + 1) / x.size
            ax.plot(x, y, color=portfolio_color(self.result, p), lw=2, label=p)
        lo, hi = npv_range(data)  # the histogram's range: the two charts read side by side
        ax.set_xlim(lo, hi)
        ax.axvline(0, color="black", lw=0.8)
        for q in (0.1, 0.5, 0.9):
            ax.axhline(q, color="grey", lw=0.5, ls=":")
        ax.set_xlabel("NPV (USD millions; same range as the histogram)")
        ax.set_ylabel("P(NPV <= x)")
        ax.yaxis.set_major_formatter(_percent_axis())
        ax.set_title("Cumulative distribution of NPV (left and higher = riskier)")
        ax.legend(frameon=False, loc="lower right")
        return ax

    def plant(self, portfolio: str, asset: str, ax: Axes | None = None) -> Axes:
        """A cell or gene therapy's plant over time: the fan (P10-P90, median) of patients
        waiting at each year end and, on the right axis, the capacity online (patient
        slots a month), over the iterations in which the asset had launched by then."""
        ax = _axes(ax)
        bands = self.result.plant_bands()
        mine = bands[(bands.portfolio == portfolio) & (bands.asset == asset)]
        if mine.empty:
            raise KeyError(f"{portfolio}.{asset} has no manufacturing plant")
        m = self.result.scenario.portfolios[portfolio].asset(asset).manufacturing
        slots = m.batches_per_suite_month * m.doses_per_batch
        backlog = mine[mine.measure == "backlog"]
        suites = mine[mine.measure == "suites"]
        ax.fill_between(backlog.year, backlog.p10, backlog.p90, color=COLORS[0], alpha=0.25,
                        label="patients waiting, P10-P90")  # fmt: skip
        ax.plot(backlog.year, backlog.p50, color=COLORS[0], lw=2, label="patients waiting, median")
        ax.set_xlabel("year")
        ax.set_ylabel("patients waiting at year end")
        right = ax.twinx()
        right.fill_between(suites.year, suites.p10 * slots, suites.p90 * slots, color=COLORS[1],
                           alpha=0.15, step="post")  # fmt: skip
        right.step(suites.year, suites.p50 * slots, where="post", color=COLORS[1], lw=2,
                   label="capacity, median (P10-P90 shaded)")  # fmt: skip
        right.set_ylabel("capacity (patient slots a month)")
        right.set_ylim(bottom=0)
        ax.set_ylim(bottom=0)
        lines = ax.get_legend_handles_labels()
        more = right.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], frameon=False, fontsize="small",
                  loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)  # fmt: skip
        ax.set_title(f"{asset} ({portfolio}): backlog and manufacturing capacity")
        return ax
