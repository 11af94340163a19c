"""Mergeable column summaries against numpy on the raw draws (the oracle)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine.summaries import MIN_ABS, RELATIVE_ACCURACY, ColumnSummary

SLACK = 1e-9  # float rounding at bucket edges


def _draws(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [
            rng.lognormal(5, 1.5, n // 2),  # a right tail like launched NPVs
            -rng.gamma(2.0, 80.0, n - n // 2 - n // 10),  # losses
            np.zeros(n // 10),  # exact zeros (no launch, no cost)
        ]
    )
    rng.shuffle(x)
    return x


def _fold(parts: list[np.ndarray]) -> ColumnSummary:
    out = ColumnSummary.of(parts[0])
    for p in parts[1:]:
        out = out.merge(ColumnSummary.of(p))
    return out


def test_exact_parts_match_numpy():
    x = _draws(1, 20_001)
    s = _fold(np.array_split(x, 7))
    assert s.n == x.size and s.nan == 0
    assert (s.negative, s.zero, s.positive) == (
        np.count_nonzero(x < 0),
        np.count_nonzero(x == 0),
        np.count_nonzero(x > 0),
    )
    assert (s.lo, s.hi) == (x.min(), x.max())
    assert s.mean == pytest.approx(x.mean(), rel=1e-12)
    assert s.sd == pytest.approx(x.std(ddof=1), rel=1e-12)
    assert s.total == pytest.approx(x.sum(), rel=1e-12)


@pytest.mark.parametrize("q", [0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 100])
def test_percentiles_within_the_stated_bound(q):
    x = _draws(2, 30_000)
    s = _fold(np.array_split(x, 5))
    exact = np.percentile(x, q)
    srt = np.sort(x)
    h = q / 100 * (x.size - 1)
    bound = RELATIVE_ACCURACY * max(abs(srt[math.floor(h)]), abs(srt[math.ceil(h)])) + MIN_ABS
    assert abs(s.percentile(q) - exact) <= bound * (1 + SLACK)


@pytest.mark.parametrize("tail", [0.0001, 0.01, 0.05, 0.5])
def test_tail_mean_within_the_stated_bound(tail):
    x = _draws(3, 25_000)
    s = _fold(np.array_split(x, 3))
    k = math.ceil(tail * x.size)
    srt = np.sort(x)
    exact = srt[:k].mean()
    bound = 2 * RELATIVE_ACCURACY * abs(srt[k - 1]) + MIN_ABS
    assert abs(s.tail_mean(tail) - exact) <= bound * (1 + SLACK)


def test_nan_values_are_counted_apart_and_quantiles_are_nan_aware():
    x = _draws(4, 5_000)
    x[::7] = np.nan
    s = _fold(np.array_split(x, 4))
    assert s.nan == np.count_nonzero(np.isnan(x)) and s.n == x.size
    assert s.share("finite") == pytest.approx(np.isfinite(x).mean(), abs=0)
    assert s.mean == pytest.approx(np.nanmean(x), rel=1e-12)
    assert (
        abs(s.percentile(50) - np.nanpercentile(x, 50))
        <= RELATIVE_ACCURACY * abs(np.nanpercentile(x, 50)) * 1.01 + MIN_ABS
    )


def test_all_nan_column():
    s = ColumnSummary.of(np.full(10, np.nan)).merge(ColumnSummary.of(np.array([np.nan])))
    assert s.n == 11 and s.finite == 0
    assert math.isnan(s.percentile(50)) and math.isnan(s.tail_mean(0.05)) and math.isnan(s.sd)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 400),
    cuts=st.lists(st.integers(0, 400), max_size=6),
    order_seed=st.integers(0, 1000),
)
def test_merge_is_the_same_in_any_order(seed, n, cuts, order_seed):
    x = _draws(seed, n) if n >= 10 else np.random.default_rng(seed).normal(0, 100, n)
    parts = np.split(x, sorted({c for c in cuts if c < n}))
    order = np.random.default_rng(order_seed).permutation(len(parts))
    a = _fold(parts)
    b = _fold([parts[i] for i in order])
    whole = ColumnSummary.of(x)
    for s in (a, b):
        # integers: exactly the same in any order, and as the whole column's
        assert (s.n, s.nan, s.negative, s.zero, s.positive) == (
            whole.n,
            whole.nan,
            whole.negative,
            whole.zero,
            whole.positive,
        )
        np.testing.assert_array_equal(s.keys, whole.keys)
        np.testing.assert_array_equal(s.counts, whole.counts)
        assert (s.lo, s.hi) == (whole.lo, whole.hi)
        # floating point: the same to rounding
        np.testing.assert_allclose(s.sums, whole.sums, rtol=1e-9, atol=1e-9)
        assert s.mean == pytest.approx(whole.mean, rel=1e-9, abs=1e-9)
        assert s.m2 == pytest.approx(whole.m2, rel=1e-9, abs=1e-6)
        assert s.percentile(50) == whole.percentile(50)
