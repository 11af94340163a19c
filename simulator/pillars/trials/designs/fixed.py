"""The fixed design: one analysis at the planned size; in phase II, a go/no-go rule.

The trial enrols its planned ``n`` patients and tests once: success if ``Z >= z_{1-alpha}``
with ``Z ~ N(delta sqrt(n), 1)`` (:mod:`simulator.pillars.trials.information`). A phase II
go/no-go may instead go when the estimated effect ``Z / sqrt(n)`` reaches ``go_effect``
(converted to the drift-per-patient scale) or when ``Z`` reaches ``go_z``: a phase II is
a decision to invest, not a test at the regulatory level. Its power is the closed form
``Phi(delta sqrt(n) - z_{1-alpha})``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from pydantic import Field, model_validator
from scipy import special

from simulator.core.fields import Float
from simulator.pillars.trials.designs.base import DESIGNS, DesignBlock
from simulator.pillars.trials.outcome import DesignOutcome, design_outcome
from simulator.pillars.trials.stage import TrialInputs, effect_threshold


def simulate_fixed(
    delta: ArrayLike,
    n: ArrayLike,
    rng: np.random.Generator,
    alpha: float = 0.025,
    go_delta: ArrayLike | None = None,
    go_z: float | None = None,
) -> DesignOutcome:
    """One analysis of ``n`` patients: success if ``Z >= z_{1-alpha}``.

    A phase II go/no-go may instead require the estimate ``Z / sqrt(n)`` to reach
    ``go_delta`` (an effect threshold on the drift-per-patient scale) or ``Z`` to reach
    ``go_z``.
    """
    delta, n = np.broadcast_arrays(np.asarray(delta, float), np.asarray(n, float))
    z = delta * np.sqrt(n) + rng.standard_normal(delta.shape)
    if go_delta is not None:
        success = z / np.sqrt(n) >= go_delta
    elif go_z is not None:
        success = z >= go_z
    else:
        success = z >= special.ndtri(1.0 - alpha)
    return design_outcome(success, np.ones(delta.shape, dtype=np.int8), 1, n)


@DESIGNS.register
class FixedDesign(DesignBlock):
    """One analysis at the planned size. In phase II, a go/no-go rule."""

    type: Literal["fixed"] = "fixed"
    go_effect: Float | None = Field(
        None, description="phase II: go if the estimated effect reaches this (instead of alpha)"
    )
    go_z: Float | None = Field(None, description="phase II: go if z reaches this")

    @model_validator(mode="after")
    def _one_rule(self) -> FixedDesign:
        if self.go_effect is not None and self.go_z is not None:
            raise ValueError("give go_effect or go_z, not both")
        return self

    def simulate(self, trial: TrialInputs) -> DesignOutcome:
        delta, info = trial.drift(trial.theta)
        go_delta = effect_threshold(self.go_effect, info)
        return simulate_fixed(delta, trial.planned, trial.rng, self.alpha, go_delta, self.go_z)
