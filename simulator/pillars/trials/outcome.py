"""What a simulated trial reports, per Monte Carlo iteration, whatever its design.

Every design returns a :class:`DesignOutcome`: whether it succeeded, where it stopped,
why it stopped early, how many patients it enrolled (and how many of them had to be found
by screening for the biomarker after an enrichment), whether it adapted, and whether its
label narrowed to the biomarker-positive stratum. :mod:`.stage` turns the patients into
the stage's length and cost. The p-value helpers convert a one-sided z-statistic to its
p-value and back, as combination tests need.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

Array = NDArray[np.float64]


class DesignOutcome(NamedTuple):
    """Per-iteration results of simulated trials (arrays of length N).

    Attributes
    ----------
    success : bool
        The trial's primary hypothesis (or, for enrichment, one of its two) was rejected.
    stage : int8
        Look or stage at which the trial stopped, 1..K.
    early_efficacy, early_futility : bool
        Stopped before the last look for efficacy, or for futility (no-go).
    patients : float
        Patients enrolled in total.
    enriched_patients : float
        Of those, patients enrolled from the positive stratum only after an enrichment
        (they must be found by screening); 0 for other designs.
    adapted : bool
        The design adapted: sample size increased (re-estimation) or enriched.
    label_positive_only : bool
        Success in the biomarker-positive stratum only (the label narrows to it).
    """

    success: NDArray[np.bool_]
    stage: NDArray[np.int8]
    early_efficacy: NDArray[np.bool_]
    early_futility: NDArray[np.bool_]
    patients: Array
    enriched_patients: Array
    adapted: NDArray[np.bool_]
    label_positive_only: NDArray[np.bool_]


def design_outcome(success, stage, k_max, patients, enriched=None, adapted=None, label=None):
    """A :class:`DesignOutcome` from success and stopping stage (of ``k_max``); early stops
    are the stops before ``k_max``; the optional parts default to none."""
    n = success.size
    early = stage < k_max
    return DesignOutcome(
        success=success,
        stage=stage.astype(np.int8),
        early_efficacy=success & early,
        early_futility=~success & early,
        patients=np.asarray(patients, dtype=np.float64),
        enriched_patients=np.zeros(n) if enriched is None else enriched,
        adapted=np.zeros(n, dtype=bool) if adapted is None else adapted,
        label_positive_only=np.zeros(n, dtype=bool) if label is None else label,
    )


def p_value(z: ArrayLike) -> Array:
    """One-sided p-value of a z-statistic: ``1 - Phi(z)``."""
    return special.ndtr(-np.asarray(z))


def z_value(p: ArrayLike) -> Array:
    """The z-statistic of a one-sided p-value: ``Phi^{-1}(1 - p)`` (p floored at 1e-300)."""
    return -special.ndtri(np.clip(p, 1e-300, 1.0))
