"""What one patient tells a trial: information, drift and sample size on one scale.

**Units.** Every design works with the *drift per patient* ``delta``: a 1:1 two-arm trial
with ``n`` patients in total has final statistic ``Z ~ N(delta sqrt(n), 1)``. For a
continuous endpoint with standardized effect ``theta`` (difference in means over the SD)
``delta = theta / 2``, since the information is ``n / 4``; other endpoints enter through
their information per patient ``i`` (:func:`information_per_patient`): ``delta = theta
sqrt(i / 4)``. An estimate of the effect is ``Z / sqrt(n)`` on this scale. Arrays
broadcast: each Monte Carlo iteration may have its own true effect, sample size and
prevalence.

**Populations.** Biomarker-positive patients have effect ``theta_+``, negatives
``theta_-``; an all-comer trial at prevalence ``p`` sees the mixture ``p theta_+ + (1 - p)
theta_-``, so an untargeted design needs ``1 / (p + (1 - p) r)^2`` times the patients of a
targeted one for equal power when ``theta_- = r theta_+`` (Simon & Maitournam 2004).

References: Schoenfeld D (1983), *Biometrics* 39:499-503 (information of a log-rank
test); Simon R, Maitournam A (2004), *Clin Cancer Res* 10:6759-6763.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

Array = NDArray[np.float64]


def information_per_patient(
    endpoint: str,
    effect: ArrayLike,
    control_rate: float | None = None,
    event_fraction: ArrayLike | None = None,
) -> Array:
    """Statistical information one patient brings, in units where a continuous endpoint's is 1.

    - ``continuous``: ``theta`` is the difference in means over the SD; information 1.
    - ``binary``: ``theta`` is the difference in response rates (treatment - control);
      the variance of one patient's response at the average rate
      ``pbar = control_rate + theta / 2`` gives information ``1 / (pbar (1 - pbar))``.
    - ``time_to_event``: ``theta = -log(hazard ratio)``; Schoenfeld's formula gives
      information ``events / 4`` for a 1:1 trial, i.e. ``event_fraction`` (events per
      patient at the analysis) per patient on this scale.
    """
    theta = np.asarray(effect, dtype=np.float64)
    if endpoint == "continuous":
        return np.ones_like(theta)
    if endpoint == "binary":
        if control_rate is None:
            raise ValueError("a binary endpoint needs the control arm's response rate")
        pbar = np.clip(control_rate + theta / 2.0, 0.005, 0.995)
        return 1.0 / (pbar * (1.0 - pbar))
    if endpoint == "time_to_event":
        if event_fraction is None:
            raise ValueError("a time-to-event endpoint needs the share of patients with an event")
        return np.broadcast_to(np.asarray(event_fraction, dtype=np.float64), theta.shape).copy()
    raise ValueError(f"unknown endpoint {endpoint!r}")


def drift_per_patient(theta: ArrayLike, info_per_patient: ArrayLike) -> Array:
    """``delta = theta sqrt(i / 4)``: a trial of ``n`` patients has ``Z ~ N(delta sqrt(n), 1)``."""
    return np.asarray(theta, dtype=np.float64) * np.sqrt(np.asarray(info_per_patient) / 4.0)


def fixed_sample_size(
    effect: float, alpha: float = 0.025, power: float = 0.9, info_per_patient: float = 1.0
) -> float:
    """Patients (both arms) a fixed 1:1 design needs: ``4 (z_{1-a} + z_{pow})^2 / (theta^2 i)``."""
    if effect <= 0.0:
        raise ValueError("the effect the trial is sized for must be positive")
    z = special.ndtri(1.0 - alpha) + special.ndtri(power)
    return float(4.0 * z * z / (effect * effect * info_per_patient))


def population_effect(theta_pos: ArrayLike, theta_neg: ArrayLike, prevalence: ArrayLike) -> Array:
    """Effect in all-comers: ``p theta_+ + (1 - p) theta_-`` (a mixture of the strata)."""
    p = np.asarray(prevalence, dtype=np.float64)
    return p * np.asarray(theta_pos) + (1.0 - p) * np.asarray(theta_neg)


def untargeted_sample_size_ratio(prevalence: float, negative_ratio: float = 0.0) -> float:
    """Patients an untargeted fixed design needs over a targeted one, for equal power.

    With ``theta_- = r theta_+`` the all-comer effect is ``(p + (1 - p) r) theta_+``, so the
    ratio is ``1 / (p + (1 - p) r)^2``; with no effect in negatives, ``1 / p^2``
    (Simon & Maitournam 2004).
    """
    return 1.0 / (prevalence + (1.0 - prevalence) * negative_ratio) ** 2
