"""The result of a run: pandas tables for people, plots, and the files finance reviews.

``Result`` wraps what the engine merged. Its tables:

- :attr:`Result.iterations`: a row per iteration: NPV, launches, cash trough... per
  portfolio (``<portfolio>.<outcome>``), per asset (``<portfolio>.<asset>.<outcome>``),
  and every sampled input (``input:<portfolio>.<asset>.<field>``);
- :meth:`Result.summary`: a row per portfolio (see :mod:`.metrics`);
- :meth:`Result.compare` / :meth:`Result.comparison`: paired differences;
- :meth:`Result.cashflow_bands`: yearly cash and revenue, mean and P10/P50/P90.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.results.metrics import npv_metrics, paired_difference, per_launch
from simulator.scenario import Scenario


class RunResult(ABC):
    """What every result of a run shares: its scenario, how it ran, and the tables that
    need only per-portfolio means (:class:`Result` keeps rows, ``SummaryResult`` merged
    summaries; each says how to take a column's mean in :meth:`_mean`)."""

    def __init__(self, output):
        self._out = output

    # -- inputs and provenance ----------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        return self._out.scenario

    @property
    def portfolios(self) -> list[str]:
        return list(self.scenario.portfolios)

    @property
    def seconds(self) -> float:
        return self._out.seconds

    @property
    def backend(self) -> str:
        return self._out.backend

    @property
    def workers(self) -> int:
        return self._out.workers

    def _check(self, portfolio: str) -> None:
        if portfolio not in self.scenario.portfolios:
            raise KeyError(f"unknown portfolio {portfolio!r}; known: {', '.join(self.portfolios)}")

    @abstractmethod
    def _mean(self, column: str) -> float:
        """The mean of a per-iteration column, NaN if the run has no such column."""

    def _plant_summary(self, p: str) -> dict[str, float]:
        """Cell and gene therapy plants: patients treated and lost, capex (NaN without)."""
        return {
            "cgt_patients_treated_mean": self._mean(f"{p}.cgt_patients_treated"),
            "cgt_patients_lost_waiting_mean": self._mean(f"{p}.cgt_patients_lost_waiting"),
            "cgt_capex_mean_musd": self._mean(f"{p}.cgt_capex_musd"),
        }

    def plant_assets(self) -> list[tuple[str, str]]:
        """``(portfolio, asset)`` of every cell or gene therapy with a plant."""
        return [
            (p, a.name)
            for p, portfolio in self.scenario.portfolios.items()
            for a in portfolio.assets
            if a.manufacturing is not None
        ]

    def comparison(self) -> pd.DataFrame:
        """:meth:`compare` for every pair the scenario asks for."""
        return pd.DataFrame([self.compare(a, b) for a, b in self.scenario.pairs()])


class Result(RunResult):
    """Outcomes of one run of a scenario, a row per iteration."""

    # -- tables --------------------------------------------------------------------------
    @cached_property
    def iterations(self) -> pd.DataFrame:
        """A row per iteration (the full outcome table)."""
        return pd.DataFrame(self._out.columns)

    def column(self, name: str) -> np.ndarray:
        return self._out.columns[name]

    def _mean(self, column: str) -> float:
        c = self._out.columns
        return float(c[column].mean()) if column in c else np.nan

    def npv(self, portfolio: str) -> np.ndarray:
        """NPV draws of a portfolio, USD millions."""
        self._check(portfolio)
        return self._out.columns[f"{portfolio}.npv_musd"]

    def summary(self) -> pd.DataFrame:
        """A row per portfolio: NPV distribution, risk, launches, R&D productivity."""
        rows = []
        for p in self.portfolios:
            c = self._out.columns
            launches = c[f"{p}.launches"]
            approvals = c[f"{p}.approvals"]
            first = c[f"{p}.first_launch_month"]
            row = {"portfolio": p, "iterations": len(launches)}
            row.update(npv_metrics(c[f"{p}.npv_musd"]))
            row.update(
                {
                    "launches_mean": float(launches.mean()),
                    "prob_no_launch": float((launches == 0).mean()),
                    "first_launch_years_mean_if_any": float(np.nanmean(first) / 12)
                    if np.isfinite(first).any()
                    else np.nan,
                    "peak_revenue_mean_musd": float(c[f"{p}.peak_revenue_musd"].mean()),
                    "cash_trough_mean_musd": float(c[f"{p}.cash_trough_musd"].mean()),
                    "cash_trough_p05_musd": float(np.percentile(c[f"{p}.cash_trough_musd"], 5)),
                    "prob_breakeven": float(np.isfinite(c[f"{p}.breakeven_month"]).mean()),
                    # Paul et al. 2010: all R&D spend over approvals (launches whether or
                    # not they fall inside the horizon, so the ratio ignores the horizon)
                    "oop_cost_per_launch_musd": per_launch(c[f"{p}.oop_cost_musd"], approvals),
                    "capitalized_cost_per_launch_musd": per_launch(
                        c[f"{p}.capitalized_cost_musd"], approvals
                    ),
                    "cdx_delay_mean_months": per_launch(
                        c[f"{p}.cdx_delay_months_sum"], c[f"{p}.cdx_launches"]
                    ),
                    "launches_delayed_by_cdx_share": per_launch(
                        c[f"{p}.cdx_delayed_launches"], launches
                    ),
                }
            )
            row.update(self._plant_summary(p))
            rows.append(row)
        return pd.DataFrame(rows).set_index("portfolio")

    def trial_operating_characteristics(self, trials: int = 50_000) -> pd.DataFrame | None:
        """Power, type I error, early stops, expected patients and months of every
        mechanistic trial in the scenario (see :mod:`.trials`); None when it has none."""
        from simulator.studies.trials import operating_characteristics

        table = operating_characteristics(self.scenario, trials=trials)
        return table if len(table) else None

    def plant_bands(self) -> pd.DataFrame:
        """Year-end backlog, suites online and patients treated a year of each plant:
        mean, P10, P50, P90 over the iterations in which the asset had launched by then."""
        frames = []
        for p, a in self.plant_assets():
            for measure in ("backlog", "suites", "treated"):
                arr = self._out.yearly_series[f"{p}.{a}.{measure}"]
                live = np.isfinite(arr)
                with np.errstate(invalid="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # years before any launch
                    q = np.nanpercentile(arr, (10, 50, 90), axis=0)
                    mean = np.nanmean(arr, axis=0)
                frames.append(
                    pd.DataFrame(
                        {
                            "portfolio": p,
                            "asset": a,
                            "measure": measure,
                            "year": np.arange(1, arr.shape[1] + 1),
                            "launched_share": live.mean(axis=0),
                            "mean": mean,
                            "p10": q[0],
                            "p50": q[1],
                            "p90": q[2],
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def compare(self, a: str, b: str) -> pd.Series:
        """Paired difference ``a - b`` of NPV over the same iterations."""
        out = {"a": a, "b": b}
        out.update(paired_difference(self.npv(a), self.npv(b)))
        return pd.Series(out, name=f"{a} - {b}")

    def cashflow_bands(self) -> pd.DataFrame:
        """Yearly net cash and revenue per portfolio: mean, P10, P50, P90 (USD millions)."""
        frames = []
        for p in self.portfolios:
            for what, arr in (
                ("net_cash", self._out.yearly_cash_musd[p]),
                ("revenue", self._out.yearly_revenue_musd[p]),
            ):
                q = np.percentile(arr, (10, 50, 90), axis=0)
                frames.append(
                    pd.DataFrame(
                        {
                            "portfolio": p,
                            "measure": what,
                            "year": np.arange(1, arr.shape[1] + 1),
                            "mean_musd": arr.mean(axis=0),
                            "p10_musd": q[0],
                            "p50_musd": q[1],
                            "p90_musd": q[2],
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)

    # -- plots and files ----------------------------------------------------------------
    @property
    def plot(self):
        """Plots of this result: ``r.plot.npv_distribution(ax=...)``, ``r.plot.npv_cdf()``."""
        from simulator.results.plots import Plots

        return Plots(self)

    def save(self, directory: str | Path, **manifest_extra) -> Path:
        """Write every output file to ``directory`` atomically; returns the directory."""
        from simulator.report.export import save_result

        return save_result(self, Path(directory), **manifest_extra)

    def __repr__(self) -> str:
        n = self.scenario.simulation.iterations
        names = ", ".join(self.portfolios)
        return f"<Result {self.scenario.name}: {n} iterations, portfolios {names}>"
