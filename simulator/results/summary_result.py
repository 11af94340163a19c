"""The result of a streaming run: the same tables as :class:`.Result`, from summaries.

When a run keeps only mergeable summaries (:mod:`simulator.engine.reduction`: above
``STREAMING_THRESHOLD`` iterations, or ``summaries_only=True`` / ``--summaries-only``),
there is no per-iteration table; :class:`SummaryResult` computes what can be computed:

- :meth:`~SummaryResult.summary`: the columns of ``Result.summary()``. Exact (to the
  rounding of sums): iterations, NPV mean, MC error and SD, P(loss), launches mean,
  P(no launch), mean first launch, peak revenue and cash trough means, P(break-even),
  cost per launch, CDx figures. Approximate, from the log-bucket sketch: NPV P5-P95,
  VaR 5% and the cash-trough P5 (each within a relative error ``RELATIVE_ACCURACY`` =
  0.5% of the order statistic), CVaR 5% (only the bucket at the cut-off is approximated:
  error at most ``2 * 0.5% * |VaR|``);
- :meth:`~SummaryResult.compare`: the paired difference ``a - b``, summarized per
  iteration on the workers: mean, MC error, SD and P(a > b) with its error exact, P10,
  P50, P90 approximate as above;
- :meth:`~SummaryResult.cashflow_bands`: yearly mean (exact), P10/P50/P90 (approximate);
- :meth:`~SummaryResult.plant_bands`: CGT plants' yearly backlog, suites and patients
  treated: launched share and mean exact, P10/P50/P90 approximate;
- :meth:`~SummaryResult.column`: the summary of any per-iteration column.

Not available: the per-iteration table, plots, and ``pricing.csv`` (its means are
conditional on launch, which marginal column summaries cannot condition on).

:attr:`SummaryResult.iterations` raises: rerun with fewer iterations, or with
``keep_samples=DIR`` to have the workers write the rows as Parquet parts.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine.reduction import diff_column
from simulator.engine.summaries import RELATIVE_ACCURACY, ColumnSummary
from simulator.results.metrics import PERCENTILES
from simulator.results.result import RunResult

TAIL = 0.05
APPROXIMATE_COLUMNS = (
    *(f"npv_p{p:02d}_musd" for p in PERCENTILES),
    "var05_musd",
    "cvar05_musd",
    "cash_trough_p05_musd",
    "diff_p10_musd",
    "diff_p50_musd",
    "diff_p90_musd",
    "p10_musd",
    "p50_musd",
    "p90_musd",
    "p10",
    "p50",
    "p90",
)


class SummaryResult(RunResult):
    """Outcomes of a run that kept summaries instead of rows (see the module docstring)."""

    summaries_only = True
    quantile_relative_accuracy = RELATIVE_ACCURACY

    @property
    def keep_samples(self) -> str | None:
        """Directory the workers wrote ``part-*.parquet`` rows to, if asked."""
        return self._out.keep_samples

    @property
    def iterations(self) -> pd.DataFrame:
        raise AttributeError(
            "this run kept summaries only (no per-iteration table); rerun with fewer "
            "iterations, or with keep_samples=DIR (--keep-samples DIR) for Parquet parts"
        )

    def column(self, name: str) -> ColumnSummary:
        """The merged summary of a per-iteration column (e.g. ``"nichebuster.npv_musd"``)."""
        return self._out.summary.columns[name]

    def _mean(self, column: str) -> float:
        c = self._out.summary.columns
        return c[column].mean if column in c else np.nan

    # -- tables --------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """A row per portfolio, the columns of ``Result.summary()``."""
        rows = []
        for p in self.portfolios:
            c = self._out.summary.columns
            npv, launches, first = (
                c[f"{p}.npv_musd"],
                c[f"{p}.launches"],
                c[f"{p}.first_launch_month"],
            )
            trough = c[f"{p}.cash_trough_musd"]
            row: dict[str, Any] = {"portfolio": p, "iterations": npv.n}
            row.update(
                {
                    "npv_mean_musd": npv.mean,
                    "npv_mcse_musd": npv.mcse,
                    "npv_sd_musd": npv.sd,
                }
            )
            row.update({f"npv_p{q:02d}_musd": npv.percentile(q) for q in PERCENTILES})
            row["prob_loss"] = npv.share("negative")
            row["var05_musd"] = npv.percentile(100 * TAIL)
            row["cvar05_musd"] = npv.tail_mean(TAIL)
            row.update(
                {
                    "launches_mean": launches.mean,
                    "prob_no_launch": launches.share("zero"),
                    "first_launch_years_mean_if_any": first.mean / 12 if first.finite else np.nan,
                    "peak_revenue_mean_musd": c[f"{p}.peak_revenue_musd"].mean,
                    "cash_trough_mean_musd": trough.mean,
                    "cash_trough_p05_musd": trough.percentile(5),
                    "prob_breakeven": c[f"{p}.breakeven_month"].share("finite"),
                    "oop_cost_per_launch_musd": _ratio(
                        c[f"{p}.oop_cost_musd"], c[f"{p}.approvals"]
                    ),
                    "capitalized_cost_per_launch_musd": _ratio(
                        c[f"{p}.capitalized_cost_musd"], c[f"{p}.approvals"]
                    ),
                    "cdx_delay_mean_months": _ratio(
                        c[f"{p}.cdx_delay_months_sum"], c[f"{p}.cdx_launches"]
                    ),
                    "launches_delayed_by_cdx_share": _ratio(
                        c[f"{p}.cdx_delayed_launches"], launches
                    ),
                }
            )
            row.update(self._plant_summary(p))
            rows.append(row)
        return pd.DataFrame(rows).set_index("portfolio")

    def plant_bands(self) -> pd.DataFrame:
        """``Result.plant_bands()`` from the yearly summaries: mean exact, P10/P50/P90
        approximate, over the iterations in which the asset had launched by then."""
        frames = []
        for p, a in self.plant_assets():
            for measure in ("backlog", "suites", "treated"):
                years = self._out.summary.yearly[f"series:{p}.{a}.{measure}"]
                frames.append(
                    pd.DataFrame(
                        {
                            "portfolio": p,
                            "asset": a,
                            "measure": measure,
                            "year": np.arange(1, len(years) + 1),
                            "launched_share": [y.share("finite") for y in years],
                            "mean": [y.mean if y.finite else np.nan for y in years],
                            "p10": [y.percentile(10) for y in years],
                            "p50": [y.percentile(50) for y in years],
                            "p90": [y.percentile(90) for y in years],
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def compare(self, a: str, b: str) -> pd.Series:
        """Paired difference ``a - b`` of NPV (summarized per iteration on the workers)."""
        self._check(a)
        self._check(b)
        key = diff_column(a, b)
        if key not in self._out.summary.columns:
            raise KeyError(
                f"{a} - {b} was not summarized: only the pairs the scenario compares are "
                f"({', '.join(f'{x} - {y}' for x, y in self.scenario.pairs())})"
            )
        d = self._out.summary.columns[key]
        p_win = d.share("positive")
        out: dict[str, Any] = {"a": a, "b": b}
        out.update(
            {
                "diff_mean_musd": d.mean,
                "diff_mcse_musd": d.mcse,
                "diff_sd_musd": d.sd,
                "diff_p10_musd": d.percentile(10),
                "diff_p50_musd": d.percentile(50),
                "diff_p90_musd": d.percentile(90),
                "prob_a_beats_b": p_win,
                "prob_a_beats_b_mcse": math.sqrt(p_win * (1 - p_win) / d.n),
            }
        )
        return pd.Series(out, name=f"{a} - {b}")

    def cashflow_bands(self) -> pd.DataFrame:
        """Yearly net cash and revenue per portfolio: mean, P10, P50, P90 (USD millions)."""
        frames = []
        for p in self.portfolios:
            for what, kind in (("net_cash", "cash"), ("revenue", "revenue")):
                years = self._out.summary.yearly[f"{kind}:{p}"]
                frames.append(
                    pd.DataFrame(
                        {
                            "portfolio": p,
                            "measure": what,
                            "year": np.arange(1, len(years) + 1),
                            "mean_musd": [y.mean for y in years],
                            "p10_musd": [y.percentile(10) for y in years],
                            "p50_musd": [y.percentile(50) for y in years],
                            "p90_musd": [y.percentile(90) for y in years],
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)

    # -- files ----------------------------------------------------------------------------
    def save(self, directory: str | Path, **manifest_extra) -> Path:
        """Write summary, comparison, cash-flow bands, the resolved scenario and the
        manifest to ``directory`` atomically (no per-iteration files, no plots)."""
        from simulator.report.export import save_result

        return save_result(self, Path(directory), **manifest_extra)

    def _write_files(self, directory: Path, extra: dict[str, Any]) -> None:
        from simulator.report.export import manifest, resolved_yaml

        self.summary().reset_index().to_csv(
            directory / "summary.csv", index=False, float_format="%.6g"
        )
        self.comparison().to_csv(directory / "comparison.csv", index=False, float_format="%.6g")
        self.cashflow_bands().to_csv(directory / "cashflows.csv", index=False, float_format="%.6g")
        plants = self.plant_bands()
        if not plants.empty:
            plants.to_csv(directory / "plant.csv", index=False, float_format="%.6g")
        resolved = resolved_yaml(self)
        (directory / "scenario.resolved.yaml").write_text(resolved, encoding="utf-8")
        info = manifest(self, resolved, dict(extra))
        info["summaries_only"] = True
        info["quantile_relative_accuracy"] = RELATIVE_ACCURACY
        info["approximate_columns"] = list(APPROXIMATE_COLUMNS)
        info["samples_dir"] = self.keep_samples
        files = sorted(p.name for p in directory.iterdir())
        info["files"] = sorted([*files, "manifest.json"])
        (directory / "manifest.json").write_text(
            json.dumps(info, indent=2) + "\n", encoding="utf-8"
        )

    def __repr__(self) -> str:
        n = self.scenario.simulation.iterations
        return f"<SummaryResult {self.scenario.name}: {n} iterations (summaries only)>"


def _ratio(total: ColumnSummary, count: ColumnSummary) -> float:
    """Ratio of sums, as ``metrics.per_launch`` (NaN when the count is zero)."""
    return total.total / count.total if count.total > 0 else math.nan
