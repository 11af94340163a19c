"""The first screen of ``report.html``: the answer, before anything that explains it.

A strategist forwards the first page and may read nothing else, so it holds, above the
fold of a laptop screen (tested in a 1280 x 900 browser window):

- the **verdict in words** for the first compared pair (the page title): which portfolio
  is worth more on average, by how much with its Monte Carlo error, and in what share of
  futures it is ahead, with that share's error. When the mean and the share disagree
  (a few large wins against many small losses) the sentence says both;
- a row per portfolio: expected R&D spend (mean out of pocket, and present value), NPV
  per R&D dollar, mean NPV with its error, P10 and P90, and P(loss): the budgets side by
  side, so a comparison at unequal spend cannot pass for one at equal spend;
- a **distribution strip**: one horizontal box per portfolio (box P25-P75, whiskers
  P10-P90, the mean as a dot) on one NPV axis, in each portfolio's colour.

The sentence for every other pair follows in the headline section.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from simulator.report.page import Context, Section, figure_html, table_html
from simulator.results.metrics import MONEY, PERCENT, RATIO
from simulator.results.plots import portfolio_color

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from simulator.results.result import Result


def verdict_sentence(a: str, b: str, c: pd.Series) -> str:
    """The verdict on ``a - b`` in words, from its :meth:`~Result.compare` row."""
    mean, err = c["diff_mean_musd"], c["diff_mcse_musd"]
    p, perr = c["prob_a_beats_b"], c["prob_a_beats_b_mcse"]
    richer, poorer = (a, b) if mean >= 0 else (b, a)
    ahead, share = (a, p) if p >= 0.5 else (b, 1.0 - p)
    money = f"{abs(mean):,.0f} ± {MONEY.text(err)} USD M"
    odds = f"{PERCENT.text(share)} ± {PERCENT.text(perr)} of futures"
    if richer == ahead:
        return f"{richer} is worth {money} more than {poorer} on average and ahead in {odds}"
    return (
        f"{richer} is worth {money} more than {poorer} on average, but {ahead} is ahead in {odds}"
    )


def title(result: Result) -> str:
    """The page title: the first pair's verdict, or the scenario's name if no pair."""
    pairs = result.scenario.pairs()
    if not pairs:
        return f"{result.scenario.name}: portfolio outcomes"
    a, b = pairs[0]
    return verdict_sentence(a, b, result.compare(a, b))


def strip(result: Result, ax: Axes | None = None) -> Axes:
    """Box P25-P75, whiskers P10-P90 and the mean (dot) of each portfolio's NPV, one axis."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 0.6 + 0.45 * len(result.portfolios)))
    names = result.portfolios
    for k, p in enumerate(names):
        col = result.stats(f"{p}.npv_musd")
        q10, q25, q50, q75, q90 = (col.percentile(q) for q in (10, 25, 50, 75, 90))
        y = len(names) - 1 - k
        color = portfolio_color(result, p)
        ax.plot([q10, q90], [y, y], color=color, lw=1.5)
        ax.barh(y, q75 - q25, left=q25, height=0.5, color=color, alpha=0.35, edgecolor=color)
        ax.plot([q50, q50], [y - 0.25, y + 0.25], color=color, lw=2)
        ax.plot(col.mean, y, "o", color="black", ms=4)
    ax.axvline(0, color="black", lw=0.7)
    ax.set_yticks(range(len(names)), names[::-1], fontsize=9)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel(
        "NPV, USD millions (box: P25-P75, bar: median, whiskers: P10-P90, dot: mean)",
        fontsize=8,
    )
    ax.tick_params(axis="x", labelsize=8)
    return ax


def executive(result: Result, ctx: Context) -> Section:
    summary = result.summary()
    rows = {}
    for p in result.portfolios:
        s = summary.loc[p]
        rows[p] = {
            "R&D spend, mean OOP (USD M)": MONEY.text(s["rd_oop_mean_musd"]),
            "R&D spend, PV (USD M)": MONEY.text(s["rd_pv_mean_musd"]),
            "NPV per R&D dollar (PV)": RATIO.text(s["npv_per_rd_dollar"]),
            "NPV mean ± MC error (USD M)": f"{MONEY.text(s['npv_mean_musd'])} ± "
            f"{MONEY.text(s['npv_mcse_musd'])}",
            "NPV P10 / P90 (USD M)": f"{MONEY.text(s['npv_p10_musd'])} / "
            f"{MONEY.text(s['npv_p90_musd'])}",
            "P(loss)": PERCENT.text(s["prob_loss"]),
        }
    frame = pd.DataFrame(rows).T
    frame.index.name = "portfolio"
    sentences = []
    for a, b in result.scenario.pairs():
        c = result.compare(a, b)
        sentences.append(f"<li>{html.escape(verdict_sentence(a, b, c))}.</li>")
    n = len(result.portfolios)
    fig = figure_html(
        lambda ax: strip(result, ax=ax), (8, 0.75 + 0.42 * n), alt="NPV distribution strip"
    )
    sim = result.scenario.simulation
    body = (
        f"<ul class='verdicts'>{''.join(sentences)}</ul>"
        f"{table_html(frame)}{fig}"
        f"<p class='muted'>{sim.iterations:,} futures, seed {sim.seed}; NPV discounted at "
        f"{result.scenario.market.discount_rate_annual:.1%} a year to the scenario start; "
        "± is the Monte Carlo standard error. NPV per R&D dollar: mean NPV over the mean "
        "present value of R&D.</p>"
    )
    return Section("answer", "The answer", body, 1)
