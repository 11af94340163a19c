"""Every summary figure of a run, declared once: what it is called, what it measures, how
it is computed and how it is shown.

A :class:`Metric` has a ``name`` (its column in ``summary.csv``), a ``label`` and ``unit``
for people, a ``formula`` over the portfolio's outcome columns (the
:class:`~simulator.results.columns.Column` interface, which rows and streaming summaries
both implement), a display :class:`Format`, whether it is ``exact`` on a summaries-only run
(means, shares and ratios of sums are; quantiles and tail means are within the sketch's
bound), the table ``row`` it is shown on (metrics sharing a row are joined: ``"NPV P10 /
P50 / P90"``) and in which ``views`` (``"table"``: the comparison table of the terminal and
of the report's headline; ``"risk"``: the report's risk table), and optionally how its
Monte Carlo standard error is computed (``mcse``: a formula, or ``BATCHES``).

``summary.csv``, ``Result.summary()``, the terminal table, the report's headline and risk
tables, the workbook's Summary sheet and its MC error sheet all read :data:`SUMMARY`;
comparisons of two portfolios read :data:`PAIR` the same way. Adding a metric is one entry
here.

For ``n`` simulated NPVs ``x_i`` (USD millions):

- percentiles interpolate linearly between order statistics (numpy's default);
- ``prob_loss`` is ``P(x < 0)``;
- ``var05`` is the value at risk *expressed as an NPV*, the 5th percentile: in 95% of
  futures the NPV is above it (a negative value is a loss of that size);
- ``cvar05`` is the expected shortfall, the mean NPV of the worst ``ceil(0.05 n)`` futures,
  always <= var05;
- cost per launch follows Paul et al. (2010): all R&D spend over the number of approvals
  (a ratio of sums, not a mean of ratios, so it ignores the horizon); R&D spend is
  complete: the drug's stages, CDx development, trial screening and deal payments, each
  also per launch on its own;
- ``tax_pv_mean_musd`` is the present value of tax paid net of credits, as the market's
  tax mode computes it (:mod:`simulator.pillars.finance`);
- ``npv_per_rd_dollar`` is mean NPV over the mean present value of R&D and CDx spend
  (before tax): what each discounted dollar put into development returns;
- R&D spend is shown as the portfolio's mean out-of-pocket spend (the stages' costs as
  spent, undiscounted) and its mean present value, so that portfolios of different
  sizes are compared knowing what each costs; ``launches_per_busd`` is expected launches
  per USD billion of expected out-of-pocket spend (Paul et al. 2010's productivity,
  inverted: 1000 / cost per launch when every approval launches);
- ``budget_delay_mean_months`` is the mean, over iterations, of the months all the
  portfolio's stage starts waited for its annual R&D budget (:mod:`simulator.pillars.budget`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.results.columns import ArrayColumn, Column

TAIL = 0.05
BAND_QUANTILES = (10, 50, 90)  # the P10 / P50 / P90 bands of yearly tables
BATCHES = "batches"  # an MCSE found from batches of iterations (needs the samples)


@dataclass(frozen=True)
class Format:
    """How a value is written: in text (terminal, report) and in the workbook."""

    name: str
    pattern: str  # str.format pattern of a finite value
    excel: str  # XlsxWriter number format
    scale: float = 1.0

    def text(self, x: Any, missing: str = "-") -> str:
        if x is None or not np.isfinite(x):
            return missing
        return self.pattern.format(x * self.scale)


MONEY = Format("money", "{:,.0f}", "#,##0.0")  # USD millions
PERCENT = Format("percent", "{:.1f}%", "0.0%", scale=100.0)
COUNT = Format("count", "{:,.0f}", "#,##0")
DECIMAL = Format("decimal", "{:.2f}", "0.00")
TENTHS = Format("tenths", "{:.1f}", "0.0")  # months, years
RATIO = Format("ratio", "{:.2f}", "0.00")


@dataclass(frozen=True)
class Metric:
    """One summary figure (see the module docstring)."""

    name: str
    label: str
    unit: str
    format: Format
    formula: Callable[[Any], float]
    exact: bool = True
    row: str | None = None
    views: tuple[str, ...] = ()
    mcse: Callable[[Any, float], float] | str | None = None

    @property
    def title(self) -> str:
        """The label with its unit where the unit is money (as the MC error table shows)."""
        return f"{self.label} ({self.unit})" if self.unit == "USD M" else self.label


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when the denominator is not positive."""
    return numerator / denominator if denominator > 0 else math.nan


def per_launch(total: Column, count: Column) -> float:
    """A ratio of sums: a total over a count of launches (NaN when there are none)."""
    return ratio(total.total, count.total)


def binomial_mcse(p: float, n: int) -> float:
    """Monte Carlo standard error of a probability ``p`` estimated from ``n`` iterations."""
    return math.sqrt(p * (1 - p) / n) if n > 0 else math.nan


def _quantile(q: int, **kw) -> Metric:
    return Metric(f"npv_p{q:02d}_musd", f"NPV P{q}", "USD M", MONEY,
                  lambda c: c["npv_musd"].percentile(q), exact=False, **kw)  # fmt: skip


_NPV_BANDS = "NPV P10 / P50 / P90"
_RD_COST = "R&D cost/launch OOP / cap."
_RD_KINDS = "R&D/launch drug / CDx / screening / deals"
_CDX = "CDx delay: mean mo. / launches"
_CGT = "CGT treated / lost / capex"
_SPEND = "R&D spend: mean OOP / PV"
_T, _TR, _R = ("table",), ("table", "risk"), ("risk",)

#: IRR, deals and financing (:mod:`simulator.pillars.deals`; NaN where a run has none). The
#: IRR's percentiles are over the iterations where it exists (``irr_defined_share``).
DEAL_METRICS: tuple[Metric, ...] = (
    Metric("irr_defined_share", "IRR exists (cash changes sign)", "share", PERCENT,
           lambda c: c["irr_annual"].share("finite")),
    *(Metric(f"irr_p{q}", f"IRR P{q}", "share", PERCENT,
             lambda c, q=q: c["irr_annual"].percentile(q), exact=False) for q in (10, 50, 90)),
    Metric("deal_partner_npv_mean_musd", "Partners' NPV, mean", "USD M", MONEY,
           lambda c: c["deal_partner_npv_musd"].mean),
    Metric("deal_to_sponsor_pv_mean_musd", "Deal payments to the sponsor, PV mean", "USD M",
           MONEY, lambda c: c["deal_to_sponsor_pv_musd"].mean),
    *(m for k in ("senior", "junior") for m in (
        Metric(f"fin_{k}_default_prob", f"{k.title()} debt default probability", "share",
               PERCENT, lambda c, k=k: c[f"fin_{k}_default"].mean),
        Metric(f"fin_{k}_expected_loss", f"{k.title()} debt expected loss", "share", PERCENT,
               lambda c, k=k: c[f"fin_{k}_loss_share"].mean))),
    *(Metric(f"fin_equity_irr_p{q}", f"Equity IRR P{q}", "share", PERCENT,
             lambda c, q=q: c["fin_equity_irr"].percentile(q), exact=False)
      for q in (10, 50, 90)),
)  # fmt: skip

#: The summary of each portfolio: a row of ``summary.csv`` per portfolio, in this order.
SUMMARY: tuple[Metric, ...] = (
    Metric("iterations", "Iterations", "iterations", COUNT, lambda c: c["npv_musd"].n),
    Metric("npv_mean_musd", "NPV mean", "USD M", MONEY, lambda c: c["npv_musd"].mean,
           row="NPV mean ± MC error", views=_T, mcse=lambda c, v: c["npv_musd"].mcse),
    Metric("npv_mcse_musd", "NPV MC error", "USD M", MONEY, lambda c: c["npv_musd"].mcse,
           row="NPV mean ± MC error", views=_T),
    Metric("npv_sd_musd", "NPV SD", "USD M", MONEY, lambda c: c["npv_musd"].sd),
    _quantile(5),
    _quantile(10, row=_NPV_BANDS, views=_T, mcse=BATCHES),
    _quantile(50, row=_NPV_BANDS, views=_T, mcse=BATCHES),
    _quantile(90, row=_NPV_BANDS, views=_T, mcse=BATCHES),
    _quantile(95),
    Metric("prob_loss", "P(loss)", "share", PERCENT, lambda c: c["npv_musd"].share("negative"),
           views=_TR, mcse=lambda c, v: binomial_mcse(v, c["npv_musd"].n)),
    Metric("var05_musd", "VaR 5%", "USD M", MONEY,
           lambda c: c["npv_musd"].percentile(100 * TAIL), exact=False,
           row="VaR 5% / CVaR 5% (NPV)", views=_TR, mcse=BATCHES),
    Metric("cvar05_musd", "CVaR 5%", "USD M", MONEY, lambda c: c["npv_musd"].tail_mean(TAIL),
           exact=False, row="VaR 5% / CVaR 5% (NPV)", views=_TR, mcse=BATCHES),
    Metric("launches_mean", "Expected launches", "launches", DECIMAL,
           lambda c: c["launches"].mean, views=_T, mcse=lambda c, v: c["launches"].mcse),
    Metric("prob_no_launch", "P(no launch)", "share", PERCENT,
           lambda c: c["launches"].share("zero"), views=_T),
    Metric("first_launch_years_mean_if_any", "First launch, mean years (if any)", "years", TENTHS,
           lambda c: c["first_launch_month"].mean / 12 if c["first_launch_month"].finite
           else math.nan),
    Metric("peak_revenue_mean_musd", "Peak revenue, mean", "USD M", MONEY,
           lambda c: c["peak_revenue_musd"].mean, views=_T),
    Metric("cash_trough_mean_musd", "Cash trough, mean", "USD M", MONEY,
           lambda c: c["cash_trough_musd"].mean, views=_TR),
    Metric("cash_trough_p05_musd", "Cash trough, P5", "USD M", MONEY,
           lambda c: c["cash_trough_musd"].percentile(5), exact=False, views=_R),
    Metric("prob_breakeven", "P(breaks even within horizon)", "share", PERCENT,
           lambda c: c["breakeven_month"].share("finite"), views=_R),
    Metric("breakeven_years_median_if_any", "Breakeven, median years (if it does)", "years",
           TENTHS, lambda c: c["breakeven_month"].percentile(50) / 12, exact=False, views=_R),
    Metric("oop_cost_per_launch_musd", "R&D cost per launch, out of pocket", "USD M", MONEY,
           lambda c: per_launch(c["oop_cost_musd"], c["approvals"]), row=_RD_COST, views=_T),
    Metric("capitalized_cost_per_launch_musd", "R&D cost per launch, capitalized", "USD M",
           MONEY, lambda c: per_launch(c["capitalized_cost_musd"], c["approvals"]),
           row=_RD_COST, views=_T),
    *(Metric(f"rd_{k}_per_launch_musd", f"R&D cost per launch, {label}", "USD M", MONEY,
             lambda c, k=k: per_launch(c[f"rd_{k}_musd"], c["approvals"]), row=_RD_KINDS)
      for k, label in (("drug", "drug stages"), ("cdx", "CDx development"),
                       ("screening", "trial screening"), ("milestones", "deal payments"))),
    Metric("rd_oop_mean_musd", "R&D spend, mean out of pocket", "USD M", MONEY,
           lambda c: c["oop_cost_musd"].mean, row=_SPEND, views=_T,
           mcse=lambda c, v: c["oop_cost_musd"].mcse),
    Metric("rd_pv_mean_musd", "R&D spend, mean present value", "USD M", MONEY,
           lambda c: c["rd_pv_musd"].mean, row=_SPEND, views=_T,
           mcse=lambda c, v: c["rd_pv_musd"].mcse),
    Metric("npv_per_rd_dollar", "NPV per R&D dollar", "USD per USD", RATIO,
           lambda c: ratio(c["npv_musd"].mean, c["rd_pv_musd"].mean), views=_T),
    Metric("launches_per_busd", "Launches per $B of R&D (OOP)", "launches per USD B", DECIMAL,
           lambda c: ratio(1000.0 * c["launches"].mean, c["oop_cost_musd"].mean), views=_T),
    Metric("budget_delay_mean_months", "Budget delay, mean months (all stages)", "months",
           TENTHS, lambda c: c["budget_delay_months"].mean, views=_T),
    Metric("tax_pv_mean_musd", "Tax paid, present value, mean", "USD M", MONEY,
           lambda c: c["tax_pv_musd"].mean),
    Metric("losses_unused_mean_musd", "Tax losses unused at the horizon, mean", "USD M",
           MONEY, lambda c: c["losses_unused_musd"].mean),
    Metric("cdx_delay_mean_months", "CDx delay to launch, mean months", "months", TENTHS,
           lambda c: per_launch(c["cdx_delay_months_sum"], c["cdx_launches"]),
           row=_CDX, views=_T),
    Metric("launches_delayed_by_cdx_share", "Launches delayed by the CDx", "share", PERCENT,
           lambda c: per_launch(c["cdx_delayed_launches"], c["launches"]), row=_CDX, views=_T),
    Metric("cgt_patients_treated_mean", "CGT patients treated, mean", "patients", COUNT,
           lambda c: c["cgt_patients_treated"].mean, row=_CGT, views=_T),
    Metric("cgt_patients_lost_waiting_mean", "CGT patients lost waiting, mean", "patients",
           COUNT, lambda c: c["cgt_patients_lost_waiting"].mean, row=_CGT, views=_T),
    Metric("cgt_capex_mean_musd", "CGT capex, mean", "USD M", MONEY,
           lambda c: c["cgt_capex_musd"].mean, row=_CGT, views=_T),
    Metric("cgt_plant_build_mean_musd", "CGT plant built at risk before approval, mean",
           "USD M", MONEY, lambda c: c["cgt_plant_build_musd"].mean),
    *DEAL_METRICS,
)  # fmt: skip

#: The paired difference ``a - b`` of two portfolios' NPV, same iterations: a row of
#: ``comparison.csv`` per pair. The formulas take the column of differences.
PAIR: tuple[Metric, ...] = (
    Metric("diff_mean_musd", "mean difference", "USD M", MONEY, lambda d: d.mean,
           mcse=lambda d, v: d.mcse),
    Metric("diff_mcse_musd", "MC error of the mean difference", "USD M", MONEY, lambda d: d.mcse),
    Metric("diff_sd_musd", "SD of the difference", "USD M", MONEY, lambda d: d.sd),
    *(Metric(f"diff_p{q}_musd", f"difference P{q}", "USD M", MONEY,
             lambda d, q=q: d.percentile(q), exact=False) for q in BAND_QUANTILES),
    Metric("prob_a_beats_b", "P({a} > {b})", "share", PERCENT, lambda d: d.share("positive"),
           mcse=lambda d, v: binomial_mcse(v, d.n)),
    Metric("prob_a_beats_b_mcse", "MC error of P({a} > {b})", "share", PERCENT,
           lambda d: binomial_mcse(d.share("positive"), d.n)),
)  # fmt: skip

BY_NAME = {m.name: m for m in (*SUMMARY, *PAIR)}

#: Columns a summaries-only run gives within the sketch's bound rather than exactly
#: (written to its manifest).
APPROXIMATE_COLUMNS: tuple[str, ...] = (
    *(m.name for m in (*SUMMARY, *PAIR) if not m.exact),
    *(f"p{q}_musd" for q in BAND_QUANTILES),
    *(f"p{q}" for q in BAND_QUANTILES),
)


def evaluate(metrics: tuple[Metric, ...], columns: Any) -> dict[str, Any]:
    """``{name: value}`` of each metric over ``columns`` (what its formulas take)."""
    return {m.name: m.formula(columns) for m in metrics}


def paired_difference(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """The :data:`PAIR` figures of ``a - b`` over the same iterations (common random numbers)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return evaluate(PAIR, ArrayColumn(d))


def rows(view: str) -> list[tuple[str, tuple[Metric, ...]]]:
    """The rows of a table view, in declaration order: ``(title, metrics joined on it)``."""
    out: dict[str, list[Metric]] = {}
    for m in SUMMARY:
        if view in m.views:
            out.setdefault(m.row or m.label, []).append(m)
    return [(title, tuple(ms)) for title, ms in out.items()]


def cell(title: str, metrics: tuple[Metric, ...], values: Any, missing: str = "-") -> str:
    """A row's cell for one portfolio: its metrics' values joined as the title joins them
    (``±`` or ``/``); ``missing`` when the first of them is not a number."""
    first = values[metrics[0].name]
    if first is None or not np.isfinite(first):
        return missing
    sep = " ± " if "±" in title else " / "
    return sep.join(m.format.text(values[m.name], missing) for m in metrics)


def table(view: str, summary: Any, missing: str = "-") -> list[tuple[str, list[str]]]:
    """A view of a summary table (a row per portfolio, a column per metric) as text rows
    ``(title, a cell per portfolio)``; a row with no number for any portfolio (no CDx,
    no plant in the scenario) is left out."""
    records = [summary.loc[p] for p in summary.index]
    out = []
    for title, ms in rows(view):
        if not any(np.isfinite(r[ms[0].name]) for r in records):
            continue
        out.append((title, [cell(title, ms, r, missing) for r in records]))
    return out
