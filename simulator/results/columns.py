"""A column of outcomes, whether the run kept its values or only a summary of them.

A run yields, for every per-iteration outcome (``nichebuster.npv_musd``), either the
values themselves (up to a few hundred thousand iterations) or a mergeable summary of
them (:class:`~simulator.engine.summaries.ColumnSummary`, from 10^6 iterations on or with
``summaries_only``). Both answer the same questions, and every metric and table of a
result is written once against them (the :class:`Column` protocol):

- ``n`` (values), ``finite`` (finite values), ``mean``, ``sd`` (``ddof=1``), ``mcse``
  (``sd / sqrt(finite)``), ``total`` (their sum), ``lo``/``hi`` (min and max);
- ``share(what)``: the share of all ``n`` values that are ``"negative"``, ``"zero"``,
  ``"positive"`` or ``"finite"``;
- ``percentile(q)``: as ``np.nanpercentile`` (linear interpolation);
- ``tail_mean(tail)``: the mean of the ``ceil(tail * finite)`` smallest values (CVaR).

Statistics are over the finite values, as the summaries define them. On values that are
all finite, :class:`ArrayColumn` computes each with the numpy call the results always used
(``x.mean()``, ``x.std(ddof=1)``, ``np.percentile``), so its figures are bit for bit those
of earlier versions; a summary's quantiles and tail means are within the error bounds its
module states (means, shares and sums are exact to rounding).

A yearly outcome (net cash per year, a plant's backlog at each year end) is an
``(iterations, years)`` array or a summary per year: :class:`ArrayYears` and
:class:`SketchYears` answer ``mean()``, ``percentile(q)`` and ``share_finite()`` per year.

A result that kept no values raises :class:`NoSamplesError` (an ``AttributeError``) where
the values themselves are asked for, with a one-line hint on how to keep them.
"""

from __future__ import annotations

import math
import warnings
from typing import Protocol

import numpy as np

from simulator.engine.summaries import ColumnSummary


class NoSamplesError(AttributeError):
    """The run kept summaries only, and what was asked for needs the values."""

    def __init__(self, what: str, samples_dir: str | None = None):
        where = (
            f"its rows are in {samples_dir}/part-*.parquet (pandas.read_parquet)"
            if samples_dir
            else "rerun with keep_samples=DIR (--keep-samples DIR) to keep the rows as "
            "Parquet parts, or with fewer than 10^6 iterations and without summaries_only"
        )
        super().__init__(f"this run kept summaries only (no per-iteration samples), so {what} "
                         f"is not available; {where}")  # fmt: skip


class Column(Protocol):
    """What a metric may ask of a column (see the module docstring)."""

    @property
    def n(self) -> int: ...
    @property
    def finite(self) -> int: ...
    @property
    def mean(self) -> float: ...
    @property
    def sd(self) -> float: ...
    @property
    def mcse(self) -> float: ...
    @property
    def total(self) -> float: ...
    @property
    def lo(self) -> float: ...
    @property
    def hi(self) -> float: ...
    def share(self, what: str) -> float: ...
    def percentile(self, q: float) -> float: ...
    def tail_mean(self, tail: float) -> float: ...


class ArrayColumn:
    """A column whose values the run kept."""

    def __init__(self, values: np.ndarray):
        values = np.asarray(values)
        self.values = values.astype(float) if values.dtype == bool else values
        ok = np.isfinite(self.values)
        self.n = int(self.values.size)
        self._all_finite = bool(ok.all())
        self._finite = self.values if self._all_finite else self.values[ok]

    @property
    def finite(self) -> int:
        return int(self._finite.size)

    @property
    def mean(self) -> float:
        if self._all_finite:
            return float(self.values.mean()) if self.n else math.nan
        if not self.finite:
            return math.nan
        # NaN-aware, as np.nanmean of the column (infinities count as missing)
        return float(np.nanmean(np.where(np.isfinite(self.values), self.values, np.nan)))

    @property
    def total(self) -> float:
        return float(np.sum(self._finite))

    @property
    def lo(self) -> float:
        return float(self._finite.min()) if self.finite else math.inf

    @property
    def hi(self) -> float:
        return float(self._finite.max()) if self.finite else -math.inf

    @property
    def sd(self) -> float:
        return float(self._finite.std(ddof=1)) if self.finite > 1 else math.nan

    @property
    def mcse(self) -> float:
        return self.sd / math.sqrt(self.finite) if self.finite > 1 else math.nan

    def share(self, what: str) -> float:
        if not self.n:
            return math.nan
        x = self._finite
        count = {
            "negative": lambda: np.count_nonzero(x < 0),
            "zero": lambda: np.count_nonzero(x == 0),
            "positive": lambda: np.count_nonzero(x > 0),
            "finite": lambda: x.size,
        }[what]()
        return int(count) / self.n

    def percentile(self, q: float) -> float:
        return float(np.percentile(self._finite, q)) if self.finite else math.nan

    def tail_mean(self, tail: float) -> float:
        x = self._finite
        if not x.size:
            return math.nan
        k = max(1, math.ceil(tail * x.size))
        worst = np.partition(x, k - 1)[:k] if k < x.size else x
        return float(worst.mean())


class MissingColumn:
    """A column the run does not have (a portfolio without a plant): every figure NaN."""

    n = 0
    finite = 0
    mean = sd = mcse = total = math.nan
    lo, hi = math.inf, -math.inf

    def share(self, what: str) -> float:
        return math.nan

    def percentile(self, q: float) -> float:
        return math.nan

    def tail_mean(self, tail: float) -> float:
        return math.nan


MISSING = MissingColumn()


class ArrayYears:
    """A yearly outcome whose ``(iterations, years)`` values the run kept."""

    def __init__(self, values: np.ndarray):
        self.values = values
        self._nan = bool(np.isnan(values).any())

    @property
    def years(self) -> int:
        return self.values.shape[1]

    def share_finite(self) -> np.ndarray:
        return np.isfinite(self.values).mean(axis=0)

    def mean(self) -> np.ndarray:
        if not self._nan:
            return self.values.mean(axis=0)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # years before any launch
            return np.nanmean(self.values, axis=0)

    def percentile(self, q: float) -> np.ndarray:
        if not self._nan:
            return np.percentile(self.values, q, axis=0)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanpercentile(self.values, q, axis=0)


class SketchYears:
    """A yearly outcome the run kept as a summary per year."""

    def __init__(self, years: list[ColumnSummary]):
        self._years = years

    @property
    def years(self) -> int:
        return len(self._years)

    def share_finite(self) -> np.ndarray:
        return np.array([y.share("finite") for y in self._years])

    def mean(self) -> np.ndarray:
        return np.array([y.mean if y.finite else np.nan for y in self._years])

    def percentile(self, q: float) -> np.ndarray:
        return np.array([y.percentile(q) for y in self._years])


def paired_columns(a, b, names) -> dict[str, ArrayColumn]:
    """``a:<name>``, ``b:<name>`` and ``diff:<name>`` (per-iteration ``a - b``) of two kept
    runs on the same futures: the columns
    :func:`~simulator.engine.reduction.run_paired_summaries` gives as summaries."""
    out: dict[str, ArrayColumn] = {}
    for name in names:
        x, y = a.column(name), b.column(name)
        out.update(
            {f"a:{name}": ArrayColumn(x), f"b:{name}": ArrayColumn(y),
             f"diff:{name}": ArrayColumn(x - y)}
        )  # fmt: skip
    return out
