"""Biomarker-defined cohorts: who can be treated, and how fast a trial can find them.

**The patient funnel.** Of ``I`` patients a year with the disease, growing at ``g`` a year,
a share ``f`` is treatable (line of therapy, fitness). A share ``tau(t)`` of them is
tested for the biomarker; a biomarker-positive patient (prevalence ``p``) tests positive
with the assay's sensitivity ``se``, a negative one tests (falsely) positive with
``1 - sp``. Patients who test positive are eligible:

    eligible(t) = I (1 + g)^(t/12) f tau(t) q,        q = p se + (1 - p)(1 - sp)

False negatives are lost to the product. Of the test-positives a share

    PPV = p se / q

is truly biomarker-positive (the positive predictive value); the others are false
positives. An all-comer asset has ``p = 1`` and no test (``tau = se = sp = 1``), so
``eligible = I (1+g)^(t/12) f``. A ``prevalent_pool`` (:mod:`.block`) is a stock of
diagnosed patients waiting at launch; it goes through the same funnel (``f q``).

**One assay for trials and market.** The same test, with the same ``se`` and ``sp``,
selects the patients of a trial that enrols test-positives and the patients who start
therapy after launch. In the market false positives start therapy and stop at their first
response assessment (:mod:`simulator.pillars.commercial.therapy`); in a trial they are
enrolled and carry the negatives' effect, so a trial of test-positives sees

    theta_seen = PPV theta_+ + (1 - PPV) theta_-

(:mod:`simulator.pillars.trials.stage`). Both follow from ``p``, ``se`` and ``sp``.

**Testing ramps after the test exists.** Testing starts at ``tau_0`` when the companion
diagnostic (or the drug, if it needs none) launches and rises linearly to ``tau_1`` over
``R`` months: after targeted drugs were approved, EGFR testing in US community NSCLC rose
from 20% to 78.2% and ALK from 45% to 78.3% (2015-2020; Clin Lung Cancer 2023).

**Recruitment from the same cohort.** A trial that must enrol ``n`` test-positive
patients screens ``n / q`` candidates (fewer than ``n / (p se)``: the false positives it
enrols count towards ``n``); with ``S`` sites each screening ``r`` candidates a month it
needs

    recruitment_months = n / q / (S r),      screening cost = c_screen n / q

and lasts start-up + recruitment + follow-up. Lower prevalence means longer, costlier
trials for the same ``n``. An all-comer trial screens ``n`` and needs no biomarker test.

**A data partner's factors** (:class:`Recruitment`; a ``data_partner`` deal sets them per
stage, :mod:`simulator.pillars.deals`): genomic data that points sites at likely
biomarker-positive candidates raises the share of screened candidates who test positive,
``q' = min(1, y q)`` (screening yield ``y``), so a trial screens ``n / q'``; faster
referral multiplies the screening rate, ``r' = v r`` (speed ``v``):

    recruitment_months = n / min(1, y q) / (S r v)

ASSUMPTION: the data change whom sites screen, not the assay, so the enrolled patients'
make-up (PPV) and the market's funnel are unchanged. ``y = v = 1`` is the identity.

**A trial that cannot recruit.** At ``q = 0`` (a biomarker nobody carries, and a test
without false positives) nobody can be found: the trial never finishes recruiting, so its
programme never launches. Time is bounded at ``RECRUITMENT_LIMIT_MONTHS`` (100 years,
past every horizon; see :mod:`simulator.core.limits`): recruitment lasts at most that long
and screens at most what the sites screen in it, ``S r`` candidates a month, so the spend
inside the horizon is the sites' screening every month, and every amount stays finite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.limits import RECRUITMENT_LIMIT_MONTHS


@dataclass(frozen=True)
class Recruitment:
    """A stage's recruitment factors: screening yield ``y`` and speed ``v`` (1: none)."""

    screening_yield: float = 1.0
    speed: float = 1.0


NO_PARTNER = Recruitment()


def positive_fraction(prevalence, sensitivity, specificity):
    """Share of tested patients who test positive: ``p se + (1 - p)(1 - sp)``."""
    return prevalence * sensitivity + (1.0 - prevalence) * (1.0 - specificity)


def testing_rate(months_since_test_launch, initial, mature, ramp_months):
    """Share of patients tested: ``initial`` at the test's launch, rising linearly to
    ``mature`` after ``ramp_months`` (0 before the launch). Broadcasts over arrays."""
    t = np.asarray(months_since_test_launch, dtype=float)
    ramp = np.maximum(np.asarray(ramp_months, dtype=float), 1e-9)
    frac = np.clip(t / ramp, 0.0, 1.0)
    return np.where(t < 0, 0.0, initial + (mature - initial) * frac)


def true_positive_share(prevalence, sensitivity, specificity):
    """Share of test-positive patients who are truly biomarker-positive (the positive
    predictive value ``p se / q``; 1 where nobody tests positive)."""
    tp = prevalence * sensitivity
    q = positive_fraction(prevalence, sensitivity, specificity)
    return np.divide(tp, q, out=np.ones_like(np.asarray(q, dtype=float)), where=q > 0)


def recruit(
    n_patients,
    prevalence,
    sensitivity,
    sites,
    screened_per_site_month,
    specificity=1.0,
    factors: Recruitment = NO_PARTNER,
):
    """``(screened, months)``: candidates screened and months taken to enrol ``n_patients``
    test-positive patients, both bounded at the recruitment limit, under a data partner's
    ``factors`` (see the module docstring)."""
    screened = screened_patients(n_patients, prevalence, sensitivity, specificity, factors)
    rate = screened_per_site_month * factors.speed  # x 1.0 is exact: identity
    capacity = np.asarray(sites * rate, dtype=float)
    screened, capacity = np.broadcast_arrays(screened, capacity)
    never = np.where(screened > 0, np.inf, 0.0)
    months = np.divide(screened, capacity, out=never, where=capacity > 0)
    over = months > RECRUITMENT_LIMIT_MONTHS
    if np.any(over):
        months = np.where(over, RECRUITMENT_LIMIT_MONTHS, months)
        screened = np.where(over, RECRUITMENT_LIMIT_MONTHS * capacity, screened)
    return screened, months


def recruitment_months(
    n_patients,
    prevalence,
    sensitivity,
    sites,
    screened_per_site_month,
    specificity=1.0,
    factors: Recruitment = NO_PARTNER,
):
    """Months to enrol ``n_patients`` test-positive patients (see the module docstring)."""
    return recruit(
        n_patients, prevalence, sensitivity, sites, screened_per_site_month, specificity, factors
    )[1]


def screened_patients(
    n_patients, prevalence, sensitivity, specificity=1.0, factors: Recruitment = NO_PARTNER
):
    """Candidates screened to enrol ``n_patients`` who test positive: ``n / q`` (with
    ``specificity`` 1, ``n / (p se)``; ``n / min(1, y q)`` under a screening yield ``y``;
    unbounded: infinite where nobody tests positive)."""
    q = np.asarray(positive_fraction(prevalence, sensitivity, specificity), dtype=float)
    if factors.screening_yield != 1.0:
        q = np.minimum(1.0, factors.screening_yield * q)
    n = np.asarray(n_patients, dtype=float)
    n, q = np.broadcast_arrays(n, q)
    return np.divide(n, q, out=np.where(n > 0, np.inf, 0.0), where=q > 0)
