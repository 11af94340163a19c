"""Mergeable summaries of a column of draws: what a worker sends instead of the draws.

A :class:`ColumnSummary` of values ``x_1..x_n`` holds

- counts: ``n`` (all values), ``nan`` (NaN values), and among the finite values how many
  are ``< 0``, ``== 0`` and ``> 0`` (so P(loss), P(no launch), P(a beats b) are exact);
- ``total`` (the sum), ``lo``/``hi`` (exact minimum and maximum) of the finite values;
- their mean and ``m2`` (sum of squared deviations), merged with Chan et al.'s parallel
  formula ``m2 = m2_a + m2_b + delta^2 n_a n_b / n``, ``delta = mean_b - mean_a``: the
  variance of the union without a second pass;
- a *log-bucket sketch* (DDSketch, Masson et al. 2019): a finite value ``x`` with
  ``|x| >= MIN_ABS`` falls in bucket ``k = ceil(log_gamma |x|)``, ``gamma = (1 + a) / (1 - a)``,
  ``a = RELATIVE_ACCURACY``, kept apart by sign; ``|x| < MIN_ABS`` falls in one zero
  bucket. Each bucket keeps its count and the sum of its values. The buckets are
  unbounded (sparse), so there is no overflow; the zero bucket is the underflow.

Merging adds counts and bucket counts (integers: the same in any order, exactly) and
combines sums and moments (floating point: the same to rounding in any order, and bit for
bit when merged in the same order, which the runner guarantees: chunk order).

What is exact and what is not, for ``n`` finite values:

- exact (to floating-point rounding of sums): count, mean, SD and its MC error, sums and
  ratios of sums, min, max, the shares below/at/above zero;
- quantiles: the estimate of an order statistic ``x_(j)`` lies within a relative error
  ``a`` of it (``|est - x_(j)| <= a |x_(j)|``; zero bucket: ``<= MIN_ABS``); the
  linearly interpolated percentile (numpy's default) is therefore within
  ``a * max(|x_(j)|, |x_(j+1)|)`` of ``np.percentile``. Ranks are normalised by the count of
  finite values, as ``np.nanpercentile`` does;
- the tail mean (CVaR): whole buckets contribute their exact sums; only the bucket that
  holds the cut-off order statistic is approximated by its mean, so the error is at most
  ``2 a |x_(k)| (m / k)``, with ``m`` the values taken from that bucket and ``k`` the
  tail size.

The sketch's memory is bounded by the spread of the values (about
``ln(max|x| / MIN_ABS) / a`` buckets a sign, a few thousand), never by ``n``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

RELATIVE_ACCURACY = 0.005
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
LOG_GAMMA = math.log(GAMMA)
MIN_ABS = 1e-9
# key of bucket k: +(OFFSET + k) for positive values, -(OFFSET + k) for negative ones, 0
# for the zero bucket; keys then sort in the order of the values they hold.
_OFFSET = 1 + math.ceil(-math.log(MIN_ABS) / LOG_GAMMA)


def _empty_keys() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


@dataclass
class ColumnSummary:
    """Mergeable summary of one column (see the module docstring)."""

    n: int = 0
    nan: int = 0
    negative: int = 0
    zero: int = 0
    positive: int = 0
    total: float = 0.0
    mean: float = 0.0
    m2: float = 0.0
    lo: float = math.inf
    hi: float = -math.inf
    keys: np.ndarray = field(default_factory=_empty_keys)
    counts: np.ndarray = field(default_factory=_empty_keys)
    sums: np.ndarray = field(default_factory=lambda: np.zeros(0))

    # -- building and merging ----------------------------------------------------------
    @classmethod
    def of(cls, values: np.ndarray) -> ColumnSummary:
        """The summary of an array of draws (booleans and integers are read as floats)."""
        x = np.asarray(values, dtype=float).ravel()
        finite = np.isfinite(x)
        nan = int(x.size - np.count_nonzero(finite))
        if nan:
            x = x[finite]
        out = cls(n=int(x.size) + nan, nan=nan)
        if x.size == 0:
            return out
        mean = float(x.mean())
        negative = int(np.count_nonzero(x < 0))
        positive = int(np.count_nonzero(x > 0))
        keys = _bucket_keys(x)
        uniq, inverse = np.unique(keys, return_inverse=True)
        out.negative, out.positive = negative, positive
        out.zero = int(x.size) - negative - positive
        out.total = float(x.sum())
        out.mean = mean
        out.m2 = float(np.square(x - mean).sum())
        out.lo, out.hi = float(x.min()), float(x.max())
        out.keys = uniq
        out.counts = np.bincount(inverse, minlength=uniq.size).astype(np.int64)
        out.sums = np.bincount(inverse, weights=x, minlength=uniq.size)
        return out

    def merge(self, other: ColumnSummary) -> ColumnSummary:
        """The summary of the union of both columns' values (neither is changed)."""
        na, nb = self.finite, other.finite
        nf = na + nb
        if nb == 0:
            mean, m2 = self.mean, self.m2
        elif na == 0:
            mean, m2 = other.mean, other.m2
        else:
            delta = other.mean - self.mean
            mean = self.mean + delta * nb / nf
            m2 = self.m2 + other.m2 + delta * delta * na * nb / nf
        keys = np.concatenate([self.keys, other.keys])
        uniq, inverse = np.unique(keys, return_inverse=True)
        counts = np.concatenate([self.counts, other.counts])
        sums = np.concatenate([self.sums, other.sums])
        return ColumnSummary(
            n=self.n + other.n,
            nan=self.nan + other.nan,
            negative=self.negative + other.negative,
            zero=self.zero + other.zero,
            positive=self.positive + other.positive,
            total=self.total + other.total,
            mean=mean,
            m2=m2,
            lo=min(self.lo, other.lo),
            hi=max(self.hi, other.hi),
            keys=uniq,
            counts=np.bincount(inverse, weights=counts, minlength=uniq.size).astype(np.int64),
            sums=np.bincount(inverse, weights=sums, minlength=uniq.size),
        )

    # -- statistics ---------------------------------------------------------------------
    @property
    def finite(self) -> int:
        """How many values are finite (not NaN)."""
        return self.n - self.nan

    @property
    def sd(self) -> float:
        """Sample standard deviation (``ddof=1``) of the finite values."""
        return math.sqrt(self.m2 / (self.finite - 1)) if self.finite > 1 else math.nan

    @property
    def mcse(self) -> float:
        """Monte Carlo standard error of the mean, ``sd / sqrt(n)``."""
        return self.sd / math.sqrt(self.finite) if self.finite > 1 else math.nan

    def share(self, what: str) -> float:
        """Share of all ``n`` values that are ``"negative"``, ``"zero"``, ``"positive"``
        or ``"finite"``."""
        count = self.finite if what == "finite" else getattr(self, what)
        return count / self.n if self.n else math.nan

    def order_statistic(self, j: int) -> float:
        """Estimate of the ``j``-th smallest finite value (0-based); see the error bound."""
        if j <= 0:
            return self.lo
        if j >= self.finite - 1:
            return self.hi
        b = int(np.searchsorted(np.cumsum(self.counts), j, side="right"))
        return min(max(_representative(int(self.keys[b])), self.lo), self.hi)

    def percentile(self, q: float) -> float:
        """Estimate of ``np.nanpercentile(values, q)`` (linear interpolation)."""
        if self.finite == 0:
            return math.nan
        h = q / 100 * (self.finite - 1)
        j = math.floor(h)
        lo = self.order_statistic(j)
        if h == j:
            return lo
        return lo + (h - j) * (self.order_statistic(j + 1) - lo)

    def tail_mean(self, tail: float) -> float:
        """Mean of the ``ceil(tail * finite)`` smallest finite values (CVaR of NPV)."""
        if self.finite == 0:
            return math.nan
        k = max(1, math.ceil(tail * self.finite))
        if k >= self.finite:
            return self.total / self.finite
        cum = np.cumsum(self.counts)
        b = int(np.searchsorted(cum, k, side="left"))  # bucket holding the k-th value
        before = int(cum[b - 1]) if b else 0
        taken = float(self.sums[:b].sum()) + (k - before) * self.sums[b] / self.counts[b]
        return taken / k


def _bucket_keys(x: np.ndarray) -> np.ndarray:
    """Sortable sketch keys of finite values (see ``_OFFSET``)."""
    a = np.abs(x)
    big = a >= MIN_ABS
    k = np.zeros(x.size, dtype=np.int64)
    k[big] = np.ceil(np.log(a[big]) / LOG_GAMMA).astype(np.int64) + _OFFSET
    return np.where(x < 0, -k, k)


def _representative(key: int) -> float:
    """The value that stands for a bucket: ``2 gamma^k / (gamma + 1)``, sign restored."""
    if key == 0:
        return 0.0
    k = abs(key) - _OFFSET
    value = 2.0 * math.exp(k * LOG_GAMMA) / (GAMMA + 1)
    return value if key > 0 else -value


def summarize_matrix(values: np.ndarray) -> list[ColumnSummary]:
    """A summary per column of an ``(n, years)`` array (e.g. yearly cash)."""
    return [ColumnSummary.of(values[:, j]) for j in range(values.shape[1])]


def merge_matrix(a: list[ColumnSummary], b: list[ColumnSummary]) -> list[ColumnSummary]:
    return [x.merge(y) for x, y in zip(a, b, strict=True)]
