"""Ranks and equal-count bins of a sample, from one sort (what the drivers of
:mod:`simulator.results.drivers` are computed on).

Sorting ``x`` once (``np.unique``) gives its distinct values, each value's index among
them and the cumulative counts ``below`` and ``at_or_below`` of each distinct value. The
average rank of a value is ``(below + at_or_below + 1) / 2`` (ties share the mean of their
ranks, as ``scipy.stats.rankdata`` computes it, to the last bit), its lowest rank
``below + 1``. Equal-count bins put the value of lowest rank ``r`` (from 0) in bin
``r * bins // n``, so ties stay together.
"""

from __future__ import annotations

import numpy as np

#: Bins of a continuous input (equal counts); an input with at most this many distinct
#: values (a stage outcome, a discrete draw) is grouped by value.
BINS = 20


def _tie_counts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One sort of ``x``: its distinct values, each value's index among them, and how many
    values are below each distinct value and at or below it (cumulative counts)."""
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    at_or_below = np.cumsum(counts)
    return values, inverse.reshape(-1), np.concatenate(([0], at_or_below))


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``x``, ties given the mean of their ranks (as
    ``scipy.stats.rankdata``, which computes ``0.5 * (below + at_or_below + 1)`` too:
    the same numbers to the last bit), from one sort."""
    _, inverse, cum = _tie_counts(x)
    return 0.5 * (cum[inverse + 1] + cum[inverse] + 1)


def bin_index(x: np.ndarray, bins: int = BINS) -> tuple[np.ndarray, int]:
    """Each value's bin (0..k-1) and ``k``: by value if there are at most ``bins``
    distinct values, else ``bins`` bins of equal counts (by rank, so ties stay together)."""
    values, inverse, cum = _tie_counts(x)
    if values.size <= bins:
        return inverse.astype(np.int64), int(values.size)
    ranks = cum[inverse]  # values below: the lowest rank of the ties, from 0
    return (ranks * bins // x.size).astype(np.int64), bins
