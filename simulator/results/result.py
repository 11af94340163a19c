"""The result of a run: pandas tables for people, plots, and the files finance reviews.

One :class:`Result` type at every size. Up to a few hundred thousand iterations the run
keeps every iteration's outcomes (*samples*); from 10^6 iterations on, or with
``summaries_only``, it keeps mergeable summaries of them instead
(:mod:`simulator.engine.reduction`), and memory stays flat. Both answer through the same
column interface (:mod:`.columns`), so these work either way:

- :meth:`Result.summary`: a row per portfolio, every metric of :mod:`.metrics`;
- :meth:`Result.compare` / :meth:`Result.comparison`: the paired difference of NPV (a
  summaries-only run summarizes it per iteration on the workers, for the pairs the
  scenario compares);
- :meth:`Result.cashflow_bands`: yearly net cash and revenue, mean and P10/P50/P90;
- :meth:`Result.plant_bands`: each cell or gene therapy plant's yearly backlog, suites and
  patients treated;
- :meth:`Result.stats`: any outcome column as a :class:`~.columns.Column`;
- ``result.plot``: the NPV densities and CDFs (from the sketch's quantiles when there are
  no samples) and the plant fan.

What needs the values themselves (:attr:`Result.iterations`, :meth:`Result.column`,
:meth:`Result.npv`, :meth:`Result.yearly`) raises a one-line
:class:`~.columns.NoSamplesError` on a summaries-only run, saying how to keep them. On a
summaries-only run quantiles and tail means are within the sketch's stated bound
(``quantile_relative_accuracy``); :data:`~.metrics.APPROXIMATE_COLUMNS` lists them.

Column names: ``<portfolio>.<outcome>`` per portfolio, ``<portfolio>.<asset>.<outcome>``
per asset, ``input:<portfolio>.<asset>.<field>`` for every sampled input.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from simulator.engine.reduction import SummaryOutput, diff_column
from simulator.engine.runner import RunOutput
from simulator.engine.summaries import RELATIVE_ACCURACY
from simulator.results.columns import (
    MISSING,
    ArrayColumn,
    ArrayYears,
    Column,
    NoSamplesError,
    SketchYears,
)
from simulator.results.metrics import BAND_QUANTILES, PAIR, SUMMARY, evaluate
from simulator.scenario import Scenario

YEARLY_KINDS = ("cash", "revenue", "series")
PLANT_MEASURES = ("backlog", "suites", "treated")


class Outcomes:
    """One portfolio's outcome columns by short name (``c["npv_musd"]``): what a metric's
    formula reads. A column the run does not have reads as all-NaN."""

    def __init__(self, lookup, portfolio: str):
        self._lookup, self._prefix, self._cache = lookup, f"{portfolio}.", {}

    def __getitem__(self, outcome: str) -> Column:
        if outcome not in self._cache:
            self._cache[outcome] = self._lookup(self._prefix + outcome)
        return self._cache[outcome]


class Result:
    """Outcomes of one run of a scenario (see the module docstring)."""

    def __init__(self, output: RunOutput | SummaryOutput):
        self._out = output
        self._samples = not isinstance(output, SummaryOutput)

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

    @property
    def has_samples(self) -> bool:
        """True when the run kept every iteration's outcomes (False: summaries only)."""
        return self._samples

    @property
    def summaries_only(self) -> bool:
        """True when the run kept mergeable summaries instead of rows."""
        return not self._samples

    @property
    def keep_samples(self) -> str | None:
        """Directory a summaries-only run's workers wrote ``part-*.parquet`` rows to."""
        return None if self._samples else self._out.keep_samples

    @property
    def quantile_relative_accuracy(self) -> float:
        """Relative error bound of quantiles (0: computed from the samples, exactly)."""
        return 0.0 if self._samples else RELATIVE_ACCURACY

    def _check(self, portfolio: str) -> None:
        if portfolio not in self.scenario.portfolios:
            raise KeyError(f"unknown portfolio {portfolio!r}; known: {', '.join(self.portfolios)}")

    def _need_samples(self, what: str) -> None:
        if not self._samples:
            raise NoSamplesError(what, self.keep_samples)

    # -- columns ------------------------------------------------------------------------
    @property
    def column_names(self) -> list[str]:
        """Every per-iteration outcome column (and, summaries only, ``diff:<a>-<b>``)."""
        return list(self._columns())

    def stats(self, name: str) -> Column:
        """The column ``name`` (e.g. ``"nichebuster.npv_musd"``) as a
        :class:`~.columns.Column`: its mean, SD, shares, percentiles, tail mean..."""
        if self._samples:
            return ArrayColumn(self._out.columns[name])
        return self._out.summary.columns[name]

    def outcomes(self, portfolio: str) -> Outcomes:
        """A portfolio's columns by outcome name (``r.outcomes("a")["npv_musd"].mean``)."""
        self._check(portfolio)
        return Outcomes(self._stats_or_missing, portfolio)

    def _stats_or_missing(self, name: str) -> Column:
        return self.stats(name) if name in self._columns() else MISSING

    def _columns(self) -> dict:
        return self._out.columns if self._samples else self._out.summary.columns

    def column(self, name: str) -> np.ndarray:
        """The values of a per-iteration column (needs samples)."""
        self._need_samples(f"column {name!r}")
        return self._out.columns[name]

    def npv(self, portfolio: str) -> np.ndarray:
        """NPV draws of a portfolio, USD millions (needs samples)."""
        self._check(portfolio)
        self._need_samples("the NPV of each iteration")
        return self._out.columns[f"{portfolio}.npv_musd"]

    @cached_property
    def iterations(self) -> pd.DataFrame:
        """A row per iteration (the full outcome table; needs samples)."""
        self._need_samples("the per-iteration table")
        return pd.DataFrame(self._out.columns)

    def yearly(self, kind: str, name: str) -> np.ndarray:
        """An ``(iterations, years)`` array (needs samples): ``kind`` ``"cash"`` or
        ``"revenue"`` of a portfolio, or ``"series"`` of a plant (``"<p>.<asset>.backlog"``,
        ``.suites``, ``.treated``; NaN in years before the asset launched)."""
        self._need_samples(f"the yearly {kind} of each iteration")
        return self._yearly_arrays(kind)[name]

    def yearly_stats(self, kind: str, name: str) -> ArrayYears | SketchYears:
        """:meth:`yearly` as per-year statistics (works from summaries too)."""
        if kind not in YEARLY_KINDS:
            raise KeyError(f"unknown yearly kind {kind!r}; known: {', '.join(YEARLY_KINDS)}")
        if self._samples:
            return ArrayYears(self._yearly_arrays(kind)[name])
        return SketchYears(self._out.summary.yearly[f"{kind}:{name}"])

    def _yearly_arrays(self, kind: str) -> dict[str, np.ndarray]:
        out = self._out
        return {"cash": out.yearly_cash_musd, "revenue": out.yearly_revenue_musd,
                "series": out.yearly_series}[kind]  # fmt: skip

    def plant_assets(self) -> list[tuple[str, str]]:
        """``(portfolio, asset)`` of every cell or gene therapy with a plant."""
        return [
            (p, a.name)
            for p, portfolio in self.scenario.portfolios.items()
            for a in portfolio.assets
            if a.manufacturing is not None
        ]

    # -- tables --------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """A row per portfolio, a column per metric of :data:`~.metrics.SUMMARY`."""
        rows = [{"portfolio": p, **evaluate(SUMMARY, self.outcomes(p))} for p in self.portfolios]
        return pd.DataFrame(rows).set_index("portfolio")

    def difference(self, a: str, b: str) -> Column:
        """The per-iteration paired difference ``NPV_a - NPV_b`` as a column (a
        summaries-only run has it for the pairs the scenario compares)."""
        self._check(a)
        self._check(b)
        if self._samples:
            return ArrayColumn(self.npv(a) - self.npv(b))
        key = diff_column(a, b)
        if key not in self._out.summary.columns:
            pairs = ", ".join(f"{x} - {y}" for x, y in self.scenario.pairs())
            raise KeyError(
                f"{a} - {b} was not summarized: only the pairs the scenario compares are ({pairs})"
            )
        return self._out.summary.columns[key]

    def compare(self, a: str, b: str) -> pd.Series:
        """Paired difference ``a - b`` of NPV over the same iterations
        (:data:`~.metrics.PAIR`): a float Series named ``"a - b"`` (it rounds and stacks
        into tables); the two names are also in ``.attrs["a"]`` and ``.attrs["b"]``."""
        d = self.difference(a, b)
        out = pd.Series(evaluate(PAIR, d), name=f"{a} - {b}", dtype=float)
        out.attrs.update(a=a, b=b)
        return out

    def comparison(self) -> pd.DataFrame:
        """:meth:`compare` for every pair the scenario asks for: columns ``a`` and ``b``
        (the names), then the numbers."""
        rows = [{"a": a, "b": b, **self.compare(a, b)} for a, b in self.scenario.pairs()]
        return pd.DataFrame(rows, columns=["a", "b", *(m.name for m in PAIR)])

    def cashflow_bands(self) -> pd.DataFrame:
        """Yearly net cash and revenue per portfolio: mean, P10, P50, P90 (USD millions)."""
        frames = []
        for p in self.portfolios:
            for measure, kind in (("net_cash", "cash"), ("revenue", "revenue")):
                y = self.yearly_stats(kind, p)
                frame = {"portfolio": p, "measure": measure, "year": np.arange(1, y.years + 1),
                         "mean_musd": y.mean()}  # fmt: skip
                frame.update({f"p{q}_musd": y.percentile(q) for q in BAND_QUANTILES})
                frames.append(pd.DataFrame(frame))
        return pd.concat(frames, ignore_index=True)

    def plant_bands(self) -> pd.DataFrame:
        """Year-end backlog, suites online and patients treated a year of each plant:
        the share of iterations launched by then, and the mean, P10, P50, P90 over them."""
        frames = []
        for p, a in self.plant_assets():
            for measure in PLANT_MEASURES:
                y = self.yearly_stats("series", f"{p}.{a}.{measure}")
                frame = {"portfolio": p, "asset": a, "measure": measure,
                         "year": np.arange(1, y.years + 1), "launched_share": y.share_finite(),
                         "mean": y.mean()}  # fmt: skip
                frame.update({f"p{q}": y.percentile(q) for q in BAND_QUANTILES})
                frames.append(pd.DataFrame(frame))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # -- plots and files ----------------------------------------------------------------
    @property
    def plot(self):
        """Plots of this result: ``r.plot.npv_distribution(ax=...)``, ``r.plot.npv_cdf()``,
        ``r.plot.plant(portfolio, asset)``."""
        from simulator.results.plots import Plots

        return Plots(self)

    def save(
        self,
        directory: str | Path,
        tables: dict[str, pd.DataFrame] | None = None,
        *,
        csv: bool = False,
        **manifest_extra: Any,
    ) -> Path:
        """Write every output file to ``directory`` atomically; returns the directory.

        ``tables`` are tables computed elsewhere for the report to show (``"trials"``: the
        trial operating characteristics of :mod:`simulator.studies.trials`); reading a
        result never runs the model again. ``csv`` adds ``iterations.csv`` and
        ``inputs.csv`` beside their Parquet files. A summaries-only run writes the summary
        files only (summary, comparison, cash-flow and plant bands, scenario, manifest).
        """
        return Result.writer(self, Path(directory), tables=tables, csv=csv, **manifest_extra)

    # The writer of a result's files lives in simulator.report, above this layer; the
    # package root (simulator/__init__.py), which composes the layers, installs it when
    # it hands out this class (it imports it lazily: ``import simulator`` stays light).
    writer: ClassVar[Callable[..., Path]]

    def __repr__(self) -> str:
        n = self.scenario.simulation.iterations
        names = ", ".join(self.portfolios)
        kept = "" if self._samples else " (summaries only)"
        return f"<Result {self.scenario.name}: {n} iterations{kept}, portfolios {names}>"
