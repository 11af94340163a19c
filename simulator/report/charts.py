"""The charts of the report that ``result.plot`` does not already draw.

Each function takes a :class:`~simulator.results.result.Result` and an optional
matplotlib ``ax`` (or ``axes`` for multi-panel charts), draws one chart and returns the
axes; none calls ``plt.show()``. Money is in USD millions, time in years after the
scenario start, and every axis says so. The paired difference, launches over time, the
risk panels and the convergence plot need the run's samples; the asset contributions and
the plant panels read column and yearly statistics, which summaries-only runs have too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.results.plots import COLORS, portfolio_color, tail_note

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from simulator.results.result import Result

MONTHS_PER_YEAR = 12


def _axes(ax, figsize=(8, 4.5)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def paired_difference(result: Result, a: str, b: str, ax: Axes | None = None) -> Axes:
    """Histogram of ``NPV_a - NPV_b`` per iteration, wins shaded, P(a > b) in the title."""
    ax = _axes(ax)
    d = result.npv(a) - result.npv(b)
    lo, hi = np.percentile(d, (0.5, 99.5))
    hi = hi if hi > lo else lo + 1.0
    edges = np.linspace(lo, hi, 81)
    counts, _ = np.histogram(d, bins=edges)  # outside the range: counted in the label
    share = counts / d.size
    mids = 0.5 * (edges[1:] + edges[:-1])
    width = edges[1] - edges[0]
    win = mids > 0
    ca, cb = portfolio_color(result, a), portfolio_color(result, b)
    ax.bar(mids[win], share[win], width=width, color=ca, alpha=0.75, label=f"{a} ahead")
    ax.bar(mids[~win], share[~win], width=width, color=cb, alpha=0.75, label=f"{b} ahead")
    ax.axvline(0, color="black", lw=0.8)
    ax.axvline(d.mean(), color="black", lw=2, ls="--", label=f"mean {d.mean():+,.0f}")
    ax.set_xlabel(f"NPV {a} - {b}, same future (USD millions; {tail_note([d], edges)})")
    ax.set_ylabel(f"share of futures per bin ({width:,.0f} USD M wide)")
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set_title(f"Paired difference: P({a} > {b}) = {(d > 0).mean():.1%}")
    ax.legend(frameon=False, fontsize=8)
    return ax


def cashflow_fan(result: Result, portfolio: str, ax: Axes | None = None, bands=None) -> Axes:
    """Yearly net cash of one portfolio: P10-P90 band, median and mean (``bands``: the
    result's :meth:`~Result.cashflow_bands`, if already computed)."""
    ax = _axes(ax)
    bands = result.cashflow_bands() if bands is None else bands
    b = bands[(bands.portfolio == portfolio) & (bands.measure == "net_cash")]
    color = portfolio_color(result, portfolio)
    ax.fill_between(b.year, b.p10_musd, b.p90_musd, color=color, alpha=0.25, label="P10-P90")
    ax.plot(b.year, b.p50_musd, color=color, lw=2, label="median")
    ax.plot(b.year, b.mean_musd, color="black", lw=1, ls="--", label="mean")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel("year after scenario start")
    ax.set_ylabel("net cash in the year (USD millions)")
    ax.set_title(f"{portfolio}: yearly net cash flow")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return ax


def asset_contributions(result: Result, ax: Axes | None = None) -> Axes:
    """Mean NPV of every asset, grouped by portfolio (horizontal bars)."""
    names, values, colors = [], [], []
    for i, p in enumerate(result.portfolios):
        for a in result.scenario.portfolios[p].assets:
            names.append(f"{p} · {a.name}")
            values.append(result.stats(f"{p}.{a.name}.npv_musd").mean)
            colors.append(COLORS[i % len(COLORS)])
    ax = _axes(ax, figsize=(8, 1.0 + 0.3 * len(names)))
    y = np.arange(len(names))[::-1]
    ax.barh(y, values, color=colors)
    ax.set_yticks(y, names, fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("mean NPV of the asset (USD millions)")
    ax.set_title("What each asset contributes to its portfolio's mean NPV")
    return ax


def expected_launches(result: Result, ax: Axes | None = None) -> Axes:
    """Expected cumulative number of launches by year, per portfolio."""
    ax = _axes(ax)
    years = result.scenario.market.horizon_years
    t = np.arange(1, years + 1)
    for i, p in enumerate(result.portfolios):
        total = np.zeros(years)
        for a in result.scenario.portfolios[p].assets:
            month = result.column(f"{p}.{a.name}.launch_month")
            m = np.where(np.isfinite(month), month, np.inf)
            total += (m[:, None] < t[None, :] * MONTHS_PER_YEAR).mean(axis=0)
        ax.step(t, total, where="post", color=COLORS[i % len(COLORS)], lw=2, label=p)
    ax.set_xlabel("year after scenario start")
    ax.set_ylabel("expected launches so far")
    ax.set_title("Launches over time (mean over futures)")
    ax.legend(frameon=False)
    return ax


def launch_count(result: Result, ax: Axes | None = None) -> Axes:
    """Distribution of the number of launches per portfolio (grouped bars)."""
    ax = _axes(ax)
    counts = {p: np.asarray(result.column(f"{p}.launches")) for p in result.portfolios}
    top = int(max(c.max() for c in counts.values()))
    k = np.arange(top + 1)
    width = 0.8 / len(counts)
    for i, (p, c) in enumerate(counts.items()):
        share = np.bincount(c.astype(int), minlength=top + 1) / c.size
        ax.bar(k + (i - (len(counts) - 1) / 2) * width, share, width, color=COLORS[i], label=p)
    ax.set_xticks(k)
    ax.set_xlabel("launches within the horizon")
    ax.set_ylabel("share of futures")
    ax.set_title("How many products reach the market")
    ax.legend(frameon=False)
    return ax


def risk_panels(result: Result, axes=None):
    """Two panels: the cash trough (peak funding need) and the CDF of time to breakeven."""
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax1, ax2 = axes
    troughs = [np.asarray(result.column(f"{p}.cash_trough_musd")) for p in result.portfolios]
    lo = min(np.percentile(t, 0.5) for t in troughs)
    edges = np.linspace(lo, 0.0 if lo < 0 else 1.0, 60)
    for i, (p, t) in enumerate(zip(result.portfolios, troughs, strict=True)):
        ax1.hist(np.clip(t, lo, 0), bins=edges, density=True, alpha=0.45, color=COLORS[i], label=p)
    ax1.set_xlabel("lowest cumulative cash (USD millions; more negative = more funding)")
    ax1.set_ylabel("density")
    ax1.set_title("Cash trough: money needed before payback")
    ax1.legend(frameon=False, fontsize=8)
    years = result.scenario.market.horizon_years
    t = np.linspace(0, years, 200)
    for i, p in enumerate(result.portfolios):
        be = np.asarray(result.column(f"{p}.breakeven_month")) / MONTHS_PER_YEAR
        be = np.where(np.isfinite(be), be, np.inf)
        ax2.plot(t, (be[:, None] <= t[None, :]).mean(axis=0), color=COLORS[i], lw=2, label=p)
    ax2.set_xlabel("years after scenario start")
    ax2.set_ylabel("P(broken even by then)")
    ax2.set_ylim(0, 1)
    ax2.set_title("Time to breakeven (cumulative cash stays >= 0)")
    ax2.legend(frameon=False, fontsize=8)
    return axes


def convergence(result: Result, pair: tuple[str, str] | None = None, ax: Axes | None = None):
    """Running mean of each portfolio's NPV (and the paired difference) with a ±2 SE band."""
    ax = _axes(ax)
    series = {p: np.asarray(result.npv(p), dtype=float) for p in result.portfolios}
    if pair is not None:
        series[f"{pair[0]} - {pair[1]}"] = series[pair[0]] - series[pair[1]]
    for i, (name, x) in enumerate(series.items()):
        n = np.arange(1, x.size + 1)
        mean = np.cumsum(x) / n
        var = np.maximum(np.cumsum(x**2) / n - mean**2, 0.0) * n / np.maximum(n - 1, 1)
        se = np.sqrt(var / n)
        # ~400 points, evenly spaced on the log axis, from the 20th iteration on
        k = np.unique(np.geomspace(min(20, x.size), x.size, 400).astype(int)) - 1
        color = COLORS[i % len(COLORS)] if i < len(result.portfolios) else "black"
        ax.plot(n[k], mean[k], color=color, lw=1.5, label=name)
        ax.fill_between(n[k], (mean - 2 * se)[k], (mean + 2 * se)[k], color=color, alpha=0.2)
    ax.set_xscale("log")
    ax.set_xlabel("iterations (log scale)")
    ax.set_ylabel("running mean NPV (USD millions)")
    ax.set_title("Convergence: running mean ± 2 standard errors")
    ax.legend(frameon=False, fontsize=8)
    return ax


def plant_panels(result: Result, key: str, axes=None):
    """A CGT asset's plant: year-end backlog (P10-P90, median) and mean suites by year."""
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    ax1, ax2 = axes
    backlog = result.yearly_stats("series", f"{key}.backlog")
    years = np.arange(1, backlog.years + 1)
    q = [backlog.percentile(p) for p in (10, 50, 90)]  # NaN in years before any launch
    suites = result.yearly_stats("series", f"{key}.suites").mean()
    treated = result.yearly_stats("series", f"{key}.treated").mean()
    ax1.fill_between(years, q[0], q[2], color=COLORS[4], alpha=0.25, label="P10-P90")
    ax1.plot(years, q[1], color=COLORS[4], lw=2, label="median")
    ax1.set_xlabel("year after scenario start")
    ax1.set_ylabel("patients waiting at year end")
    ax1.set_title(f"{key}: backlog (futures where it launched)", fontsize=10)
    ax1.legend(frameon=False, fontsize=8)
    ax2.step(years, suites, where="mid", color=COLORS[0], lw=2, label="suites (mean)")
    ax2.set_xlabel("year after scenario start")
    ax2.set_ylabel("manufacturing suites")
    top = np.nanmax(suites) if np.isfinite(suites).any() else 1.0
    ax2.set_ylim(0, 1.25 * max(top, 1.0))
    twin = ax2.twinx()
    twin.plot(years, treated, color=COLORS[2], lw=1.5, ls="--", label="treated / year (mean)")
    twin.set_ylabel("patients treated a year")
    top = np.nanmax(treated) if np.isfinite(treated).any() else 1.0
    twin.set_ylim(0, 1.25 * max(top, 1.0))
    ax2.set_title(f"{key}: capacity and throughput", fontsize=10)
    lines = ax2.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax2.legend(lines[0] + more[0], lines[1] + more[1], frameon=False, fontsize=8, loc="lower right")
    return axes
