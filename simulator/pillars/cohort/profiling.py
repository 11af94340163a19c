"""Shared genomic profiling: one multi-gene panel screens a portfolio's patients once for
every biomarker it covers, and the portfolio's trials recruit from that one stream.

**The block** (``profiling`` on a portfolio): the ``biomarkers`` the panel covers (names
that the assets' ``cohort.biomarker`` carry), the pooled stream ``R`` of patients profiled
a month (``screened_per_month``), the panel's cost per patient ``c``
(``cost_per_test_usd``) and its turnaround ``d`` (``turnaround_months``).

**Recruitment from a pooled stream.** Profiled patients arrive as one Poisson stream of
rate ``R``; a patient who tests positive for biomarker ``i`` (share ``q_i = p_i se_i +
(1 - p_i)(1 - sp_i)``, :func:`simulator.pillars.cohort.funnel.positive_fraction`) is
referred to the trial of that biomarker, so by Poisson thinning trial ``i`` recruits at
``R q_i`` a month, whatever the other trials do. A trial that must enrol ``n_i``
test-positive patients screens ``n_i / q_i`` of the stream over

    screening_months_i   = n_i / q_i / R
    recruitment_months_i = n_i / q_i / R + d          (the last result arrives d later)

in place of ``n_i / q_i / (S r)`` from its own ``S`` sites screening ``r`` a month. Every
patient profiled is tested for all ``k`` covered biomarkers at once.

**The screen is paid once per patient and shared.** The stream costs ``c R`` a month
while at least one covered trial screens. Trial ``j`` screens over ``[a_j, b_j)`` (its
start-up done); at time ``t``, ``N(t)`` covered trials screen. Each profiled patient is
paid once and split evenly among the trials screening when they are profiled, so trial
``j`` pays

    fee_j = c (n_j / q_j) w_j,     w_j = (1 / (b_j - a_j)) integral_{a_j}^{b_j} dt / N(t)

and the portfolio pays ``sum_j fee_j = c R |union_j [a_j, b_j)|``: one screen per
profiled patient. Single tests pay one test per patient per biomarker: ``k`` trials that
screen the same patients pay ``k c`` per patient. The integral is exact: ``N`` is constant
between the sorted window ends (:func:`shared_weights`). A trial that is not reached
(an earlier stage failed) does not screen. With one covered trial ``w = 1`` exactly, so a
one-biomarker panel with ``R = S r``, ``c`` equal to the trial's screening cost and
``d = 0`` reproduces per-asset screening bit for bit.

**The market tests with the panel too.** With ``adoption`` the panel is in routine use
from grid month ``m_0``, profiling a share rising linearly from ``a_0`` to ``a_1`` over
``Y`` years of the covered indications' patients; a patient is found if the panel or the
asset's own test finds them, so the testing rate of a covered asset after its launch is

    tau(m) = max(tau_own(m), a(m)),    a(m) = a_0 + (a_1 - a_0) min(1, (m - m_0) / 12Y)

for ``m >= m_0`` (0 before), for its incident and prevalent patients and for the CDx
partner's per-test fees alike. Without ``adoption`` the market is as without the panel.

Not modelled (ASSUMPTION): a simulated trial (mechanistic mode) of a covered asset
recruits from its own sites; two trials of the same biomarker each get every positive of
the stream (they do not split it); the panel has each asset's own sensitivity and
specificity; the market's testing rate still follows each asset's test.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from simulator.core.fields import Float, Model, Name
from simulator.pillars.cohort.funnel import testing_rate


class Adoption(Model):
    """The panel in routine care: the share of covered patients it profiles over time."""

    start_month: Float = Field(0.0, ge=0.0, description="grid month the panel is in use")
    initial_rate: Float = Field(ge=0.0, le=1.0, description="share profiled at the start")
    mature_rate: Float = Field(ge=0.0, le=1.0, description="share profiled once mature")
    ramp_years: Float = Field(3.0, ge=0.0, description="start to mature rate")


class Profiling(Model):
    """A portfolio's shared multi-gene panel (see :mod:`simulator.pillars.cohort.profiling`)."""

    biomarkers: list[Name] = Field(
        min_length=1, description="biomarkers the panel covers (the assets' cohort.biomarker)"
    )
    screened_per_month: Float = Field(gt=0.0, description="patients profiled a month (R)")
    cost_per_test_usd: Float = Field(ge=0.0, description="per patient profiled, all markers")
    turnaround_months: Float = Field(0.0, ge=0.0, description="sample to result")
    adoption: Adoption | None = Field(
        None, description="the panel in routine care (none: the market tests as before)"
    )

    def covers(self, asset) -> bool:
        """Whether the panel covers the biomarker of ``asset`` (a scenario asset)."""
        c = asset.cohort
        return c is not None and c.biomarker is not None and c.biomarker in self.biomarkers


def market_testing(panel, asset, tau_own, months):
    """``tau(m) = max(tau_own(m), a(m))`` for an asset the panel covers, with ``a`` its
    adoption (see the module docstring); ``tau_own`` unchanged otherwise."""
    if panel is None or panel.adoption is None or not panel.covers(asset):
        return tau_own
    a = panel.adoption
    since = np.asarray(months, dtype=float) - a.start_month
    adopted = testing_rate(since, a.initial_rate, a.mature_rate, a.ramp_years * 12.0)
    return np.maximum(tau_own, adopted)


def pooled_months(screened, stream_per_month, turnaround_months):
    """``(screening_months, recruitment_months)`` of a trial that screens ``screened``
    patients of a pooled stream: ``screened / R`` and ``screened / R + d``."""
    screening = screened / stream_per_month
    return screening, screening + turnaround_months


def shared_weights(start: np.ndarray, end: np.ndarray, screens: np.ndarray) -> np.ndarray:
    """``w``, ``(n, J)``: the share of its own screens each of ``J`` trials pays when every
    profiled patient is paid once and split among the trials screening at the time (see
    the module docstring). ``start``/``end`` are ``(n, J)`` window ends; ``screens``
    ``(n, J)`` says whether the trial screens at all. A trial with an empty window pays
    its own screens (``w = 1``)."""
    start = np.where(screens, start, 0.0)
    end = np.where(screens, end, 0.0)
    edges = np.sort(np.concatenate([start, end], axis=1), axis=1)
    lo, hi = edges[:, :-1, None], edges[:, 1:, None]  # (n, segments, 1)
    length = hi[..., 0] - lo[..., 0]
    mid = 0.5 * (lo + hi)
    active = screens[:, None, :] & (start[:, None, :] <= mid) & (mid < end[:, None, :])
    count = active.sum(axis=2)  # N on each segment
    per_trial = np.divide(length, count, out=np.zeros_like(length), where=count > 0)
    paid = (active * per_trial[..., None]).sum(axis=1)
    own = end - start
    return np.divide(paid, own, out=np.ones_like(own), where=own > 0)
