"""Evolving biomarker standards: the validated definition or cutoff changes under you.

A biomarker's definition is not fixed: a new guideline, a regulator's request or a
better assay can change the cutoff that defines "positive" (PD-L1 scoring, HER2-low,
tumour mutational burden are examples). For a biomarker-selected asset the
``biomarker_standard`` block gives a constant hazard ``h`` a year, from the asset's start
month ``S`` to the horizon, that the standard changes (at most one change is modelled):

    E = floor(S + 12 X / h),  X ~ Exp(1)    so P(E < T) = 1 - exp(-h (T - S) / 12)

for a grid of ``T`` months. If the asset is still alive at ``E`` (in development, or
approved), a revalidation or bridging study runs from ``E`` for ``D`` months at cost ``C``
(spread evenly) and succeeds with probability ``p``. Then

- before launch ``L``: the launch waits for the study, ``L' = max(L, E + D)``; a failed
  study means no launch (the CDx cannot be labelled against the standard in force);
- after launch: a failed study ends new starts from ``E + D`` (ASSUMPTION: patients on
  therapy stay on it);
- either way the new cutoff changes the eligible share by a drawn ``prevalence_factor``
  (the biomarker's prevalence x factor) from ``E + D`` on, applied as ``log factor`` to
  the asset's share of its indication.

Not modelled: a cutoff change that moves the positive stratum's true effect in
mechanistic mode (the factor acts on the market only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field

from simulator.core.fields import HazardPerYear, Model, NonNegative, Probability
from simulator.core.notation import parse_distribution
from simulator.core.seeding import iteration_major
from simulator.core.timeline import MONTHS_PER_YEAR, add_spread, pv_spread

NEVER = np.iinfo(np.int64).max // 4


class BiomarkerStandard(Model):
    """A hazard that the biomarker's validated definition or cutoff changes (see module)."""

    hazard_per_year: HazardPerYear = Field(description="changes a year, from the asset's start")
    revalidation_cost_musd: NonNegative = Field(parse_distribution(0.0))
    revalidation_months: NonNegative = Field(parse_distribution(0.0))
    p_revalidation_success: Probability = Field(parse_distribution(1.0))
    prevalence_factor: NonNegative = Field(
        parse_distribution(1.0), description="eligible share after / before the change"
    )


@dataclass(frozen=True)
class StandardChange:
    """Per iteration: the change, its study and what they do (arrays over the chunk)."""

    month: np.ndarray  # int grid month of the change (NEVER: none)
    effective_month: np.ndarray  # int: the study ends, the new cutoff is in force
    incurred: np.ndarray  # bool: the change came while the asset was alive, within the horizon
    failed: np.ndarray  # bool: its study failed (meaningful where incurred)
    factor: np.ndarray  # eligible share after / before
    pv_cost_musd: np.ndarray  # present value of the study's cost (negative)

    def launch(self, launch: np.ndarray) -> np.ndarray:
        """The launch month after the study: ``max(L, E + D)``, never if it failed first."""
        before = self.incurred & (self.month < launch)
        waited = np.maximum(launch, self.effective_month)
        return np.where(before, np.where(self.failed, np.inf, waited), launch)

    def log_share(self, rows: np.ndarray, horizon: int) -> np.ndarray:
        """``log factor`` (``-inf`` after a failed study) from ``E + D`` on, ``(rows, horizon)``."""
        on = self.incurred[rows] & (self.month[rows] < NEVER)
        after = np.arange(horizon)[None, :] >= self.effective_month[rows][:, None]
        with np.errstate(divide="ignore"):
            k = np.where(self.failed[rows], -np.inf, np.log(self.factor[rows]))
        return np.where(after & on[:, None], k[:, None], 0.0)


def standard_change(
    rng: np.random.Generator, block, draws, dev, rate_annual: float, horizon: int, cost_diff
) -> StandardChange:
    """Draw each iteration's change and study; books the study's cost in ``cost_diff``.

    ``block`` is the asset's ``biomarker_standard``, ``draws`` the asset's draws
    (``start_month`` and ``biomarker_standard``), ``dev`` its development outcome; ``rng``
    gives two uniforms per iteration whatever ``h``, drawn together
    (:func:`~simulator.core.seeding.iteration_major`, so iteration ``i``'s change does
    not depend on the chunk's length); the exponential time is the first by inversion.
    """
    b = draws.biomarker_standard
    n = draws.start_month.shape[0]
    first, u = iteration_major(rng.random, 2, (n,))
    x = -np.log1p(-first)  # a standard exponential, by inversion
    h = block.hazard_per_year
    if h > 0:
        month = np.floor(draws.start_month + np.minimum(MONTHS_PER_YEAR * x / h, NEVER))
    else:
        month = np.full(n, float(NEVER))
    month = month.astype(np.int64)
    length = np.maximum(np.round(b.revalidation_months), 1).astype(np.int64)
    effective = month + np.round(b.revalidation_months).astype(np.int64)
    entered = dev.reached.sum(axis=1)
    development_end = dev.boundaries[np.arange(n), entered]
    incurred = (month < horizon) & (dev.approved | (month < development_end))
    failed = u >= b.p_revalidation_success
    cost = np.where(incurred, b.revalidation_cost_musd, 0.0)
    pv = -pv_spread(cost, month, length, rate_annual, horizon)
    rows = np.flatnonzero(incurred)
    add_spread(cost_diff, rows, -cost[rows], month[rows], length[rows])
    return StandardChange(month, effective, incurred, failed, b.prevalence_factor, pv)


def standard_columns(change: StandardChange, launched: np.ndarray) -> dict:
    """Per-iteration columns: a change came (and its study ran), the study failed."""
    return {
        "standard_changed": change.incurred,
        "standard_revalidation_failed": change.incurred & change.failed,
    }
