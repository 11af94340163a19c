"""Seamless phase II/III: phase III continues the phase II trial, with no gap between them.

The design is *inferentially* seamless (Bauer & Kieser 1999; Bretz et al. 2006): stage 1
(the phase II stage's trial) compares ``arms`` doses with a shared control, selects the
best, and stops if it misses the go threshold (``go_z``, or ``go_effect`` on the
estimate); otherwise the selected dose and control go on as stage 2 (this phase III)
without a second start-up. The final test combines both stages' data with the
inverse-normal test; the stage-1 p-value of the selected arm is Bonferroni-adjusted for
the selection (``min(1, arms x p_1)``, the closed test's worst intersection), so the type
I error holds for any selection rule. Phase II's patients count in the final test; phase
III's ``patients`` are stage 2 only. In the development timeline phase II succeeds where
the trial goes on, and phase III where the final test rejects.

References: Bauer P, Kieser M (1999), *Stat Med* 18:1833-1848; Bretz F et al. (2006),
*Biom J* 48:623-634.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike
from pydantic import Field
from scipy import special

from simulator.core.fields import Float, Int
from simulator.core.seeding import iteration_major
from simulator.pillars.trials.designs.base import DESIGNS, DesignBlock
from simulator.pillars.trials.outcome import DesignOutcome, design_outcome, p_value, z_value
from simulator.pillars.trials.stage import StageTrial, TrialInputs, effect_threshold


def simulate_seamless(
    delta: ArrayLike,
    n1: ArrayLike,
    n2: ArrayLike,
    rng: np.random.Generator,
    *,
    arms: int = 1,
    alpha: float = 0.025,
    go_z: float | None = 0.0,
    go_delta: ArrayLike | None = None,
) -> DesignOutcome:
    """Inferentially seamless phase II/III trials (see the module docstring).

    ``n1`` patients in stage 1 share ``arms`` doses and a control equally; every dose has
    the true drift ``delta``. The best dose (largest z) goes on if its z reaches ``go_z``
    (or its estimate ``go_delta``); stage 2 randomises ``n2`` patients 1:1 to it and
    control. The final test combines the selected comparison's two stages with weights
    fixed by the planned sizes, ``w_1^2 = 2 n_1/(arms+1) / (2 n_1/(arms+1) + n_2)``, and the
    stage-1 p-value Bonferroni-adjusted for the selection. Stage 1 is ``stage == 1``
    (no-go, ``early_futility``); ``success`` needs go and rejection.
    """
    if arms < 1:
        raise ValueError("a seamless design needs at least one experimental arm")
    delta, n1, n2 = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (delta, n1, n2)))
    per_arm = n1 / (arms + 1)
    e = iteration_major(rng.standard_normal, arms + 2, delta.shape)
    # arm j vs control: Z_j = delta sqrt(2 per_arm) + (A_j - A_0)/sqrt(2); corr 1/2
    z_arms = delta * np.sqrt(2.0 * per_arm) + (e[1 : arms + 1] - e[0]) / np.sqrt(2.0)
    z1 = z_arms.max(axis=0)
    if go_delta is not None:
        go = z1 / np.sqrt(2.0 * per_arm) >= go_delta
    elif go_z is not None:
        go = z1 >= go_z
    else:
        go = np.ones(delta.shape, dtype=bool)
    p1 = np.minimum(arms * p_value(z1), 1.0)
    w1 = np.sqrt(2.0 * per_arm / (2.0 * per_arm + n2))
    w2 = np.sqrt(1.0 - w1 * w1)
    z2 = delta * np.sqrt(n2) + e[arms + 1]
    final = w1 * z_value(p1) + w2 * z2 >= special.ndtri(1.0 - alpha)
    success = go & final
    stage = np.where(go, 2, 1)
    return design_outcome(success, stage, 2, n1 + np.where(go, n2, 0.0))


def _phase2_part(whole: DesignOutcome, n1: np.ndarray) -> DesignOutcome:
    """Stage 1 of a seamless trial as the phase II stage: success = go."""
    go = whole.stage == 2
    z = np.zeros(go.size, dtype=bool)
    return whole._replace(
        success=go,
        stage=np.ones(go.size, dtype=np.int8),
        early_efficacy=z,
        early_futility=z,
        patients=np.asarray(n1, dtype=np.float64),
        enriched_patients=np.zeros(go.size),
        adapted=z,
        label_positive_only=z,
    )


@DESIGNS.register
class Seamless(DesignBlock):
    """Phase III continuing the phase II trial: no gap, phase II patients count."""

    belongs_to: ClassVar[tuple[str, ...]] = ("phase3",)
    continues: ClassVar[str | None] = "phase2"

    type: Literal["seamless"] = "seamless"
    arms: Int = Field(1, ge=1, le=6, description="doses compared with control in phase II")
    go_z: Float | None = Field(0.0, description="go to stage 2 if the best dose's z reaches this")
    go_effect: Float | None = Field(None, description="or: if its estimated effect reaches this")

    def check(self, asset, name: str) -> None:
        super().check(asset, name)
        phase2 = dict(asset.stages()).get("phase2")
        if phase2 is None or phase2.trial is None:
            raise ValueError(
                "a seamless phase3 continues the phase II trial: the asset needs phase2 with a "
                "trial block (its patients are stage 1)"
            )
        if phase2.design is not None:
            raise ValueError(
                "with a seamless phase3 the phase II part is stage 1 of the same trial: remove "
                "phase2.design (the go rule is phase3.design.go_z or go_effect)"
            )
        if phase2.duration_months is not None:
            raise ValueError(
                "with a seamless phase3, phase2's length follows from its trial; "
                "remove phase2.duration_months"
            )
        if asset.regulatory.accelerated_approval:
            raise ValueError(
                "a seamless phase II/III cannot also file after phase II (accelerated approval)"
            )

    def simulate(self, trial: TrialInputs) -> DesignOutcome:
        """The whole trial: stage 1 (phase II) and, where it goes on, stage 2."""
        delta, info = trial.drift(trial.theta)
        return simulate_seamless(
            delta,
            trial.stage_draws(self.continues).trial.patients,
            trial.planned,
            trial.rng,
            arms=self.arms,
            alpha=self.alpha,
            go_z=self.go_z,
            go_delta=effect_threshold(self.go_effect, info),
        )

    def stage_trials(self, trial: TrialInputs) -> dict[str, StageTrial]:
        """Phase II is stage 1 (success: go); phase III is stage 2, with no start-up."""
        whole = self.simulate(trial)
        n1 = trial.stage_draws(self.continues).trial.patients
        go = whole.stage == 2
        stage2 = whole._replace(
            stage=np.ones(go.size, dtype=np.int8), patients=np.where(go, trial.planned, 0.0)
        )
        return {
            self.continues: trial.staged(_phase2_part(whole, n1), self.continues),
            trial.name: trial.staged(stage2, startup=False),
        }
