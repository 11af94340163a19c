"""Biomarker-defined cohorts: who can be treated, and how fast a trial can find them.

**The patient funnel.** Of ``I`` patients a year with the disease (incidence, or the
prevalent pool treated each year), growing at ``g`` a year, a share ``f`` is treatable
(line of therapy, fitness). A share ``tau(t)`` of them is tested for the biomarker; a
biomarker-positive patient (prevalence ``p``) tests positive with the assay's sensitivity
``se``, a negative one tests (falsely) positive with ``1 - sp``. Patients who test
positive are eligible:

    eligible(t) = I (1 + g)^(t/12) f tau(t) [p se + (1 - p)(1 - sp)]

False negatives are lost to the product; false positives are treated and do not respond
(which outcome-based contracts will see). An all-comer asset has ``p = 1`` and no test
(``tau = se = 1``), so ``eligible = I (1+g)^(t/12) f``.

**Testing ramps after the test exists.** Testing starts at ``tau_0`` when the companion
diagnostic (or the drug, if it needs none) launches and rises linearly to ``tau_1`` over
``R`` months: after targeted drugs were approved, EGFR testing in US community NSCLC rose
from 20% to 78.2% and ALK from 45% to 78.3% (2015-2020; Clin Lung Cancer 2023).

**Recruitment from the same cohort.** A trial that must enrol ``n`` biomarker-positive
patients screens ``n / (p se)`` candidates; with ``S`` sites each screening ``r``
candidates a month it needs

    recruitment_months = n / (p se) / (S r),      screening cost = c_screen n / (p se)

and lasts start-up + recruitment + follow-up. Lower prevalence means longer, costlier
trials for the same ``n``. An all-comer trial screens ``n`` and needs no biomarker test.

**A trial that cannot recruit.** At ``p se = 0`` (a biomarker nobody carries) nobody can
be found: the trial never finishes recruiting, so its programme never launches. Time is
bounded at ``RECRUITMENT_LIMIT_MONTHS`` (100 years, past every horizon; see
:mod:`simulator.core.limits`): recruitment lasts at most that long and screens at most
what the sites screen in it, ``S r`` candidates a month, so the spend inside the horizon
is the sites' screening every month, and every amount stays finite.

**Sharing an indication.** Assets of one portfolio that name the same indication split
its eligible patients equally among those that launch in the iteration (a drug that
fails leaves the market to the others; first-mover advantages are not modelled).
"""

from __future__ import annotations

import numpy as np

from simulator.core.limits import RECRUITMENT_LIMIT_MONTHS


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


def recruit(n_patients, prevalence, sensitivity, sites, screened_per_site_month):
    """``(screened, months)``: candidates screened and months taken to enrol ``n_patients``
    biomarker-positive patients, both bounded at the recruitment limit (see the module
    docstring)."""
    screened = screened_patients(n_patients, prevalence, sensitivity)
    capacity = np.asarray(sites * screened_per_site_month, dtype=float)
    screened, capacity = np.broadcast_arrays(screened, capacity)
    never = np.where(screened > 0, np.inf, 0.0)
    months = np.divide(screened, capacity, out=never, where=capacity > 0)
    over = months > RECRUITMENT_LIMIT_MONTHS
    if np.any(over):
        months = np.where(over, RECRUITMENT_LIMIT_MONTHS, months)
        screened = np.where(over, RECRUITMENT_LIMIT_MONTHS * capacity, screened)
    return screened, months


def recruitment_months(n_patients, prevalence, sensitivity, sites, screened_per_site_month):
    """Months to enrol ``n_patients`` biomarker-positive patients (see module docstring)."""
    return recruit(n_patients, prevalence, sensitivity, sites, screened_per_site_month)[1]


def screened_patients(n_patients, prevalence, sensitivity):
    """Candidates screened to enrol ``n_patients`` who are biomarker-positive (unbounded:
    infinite where nobody tests positive, ``p se = 0``)."""
    found = np.asarray(prevalence * sensitivity, dtype=float)
    n = np.asarray(n_patients, dtype=float)
    n, found = np.broadcast_arrays(n, found)
    return np.divide(n, found, out=np.where(n > 0, np.inf, 0.0), where=found > 0)
