"""The group-sequential design: K looks, Lan-DeMets alpha spending, non-binding futility.

The trial looks at its data at information fractions ``t_1 < ... < t_K = 1`` of its
maximum size ``n``; it succeeds at the first look whose z-statistic crosses the efficacy
bound and stops for futility at the first interim look below the futility bound
(:mod:`simulator.pillars.trials.boundaries` computes both once per design, by recursive
numerical integration; :mod:`simulator.pillars.trials.simulate` runs the paths).
Stopping at look ``k`` enrols ``t_k n`` patients: enrolment stops at the look, and
patients recruited while the data mature are not counted. Jennison & Turnbull (2000),
*Group Sequential Methods with Applications to Clinical Trials*.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from pydantic import Field, model_validator

from simulator.core.fields import Float, Int
from simulator.pillars.trials.boundaries import GroupSequentialDesign, design_group_sequential
from simulator.pillars.trials.designs.base import DESIGNS, DesignBlock
from simulator.pillars.trials.outcome import DesignOutcome, design_outcome
from simulator.pillars.trials.simulate import simulate_group_sequential
from simulator.pillars.trials.spending import SpendingName
from simulator.pillars.trials.stage import TrialInputs


def simulate_gsd(
    design: GroupSequentialDesign,
    delta: ArrayLike,
    n: ArrayLike,
    rng: np.random.Generator,
    obey_futility: bool = True,
) -> DesignOutcome:
    """A group-sequential trial of at most ``n`` patients; stopping at look ``k`` enrols
    ``t_k n`` (enrolment stops at the look: patients recruited while the data mature are
    not counted)."""
    delta, n = np.broadcast_arrays(np.asarray(delta, float), np.asarray(n, float))
    out = simulate_group_sequential(design, delta * np.sqrt(n), rng, obey_futility)
    return design_outcome(out.success, out.stage, design.k, out.info_fraction * n)


#: Smallest information between two looks (and before the first). ASSUMPTION: no design in
#: practice looks more often; below it the recursive integration cannot tell looks apart
#: (the boundary solver fails to converge at 0.001 apart with alpha 1e-4).
MIN_LOOK_GAP = 0.05


@DESIGNS.register
class GroupSequential(DesignBlock):
    """K looks with Lan-DeMets alpha spending and optional non-binding beta-spending futility."""

    type: Literal["group_sequential"] = "group_sequential"
    looks: Int | None = Field(None, ge=2, le=10, description="equally spaced looks (default 3)")
    info_fractions: list[Float] | None = Field(
        None,
        min_length=2,
        max_length=10,
        description="information fractions of the looks, increasing, ending at 1",
    )
    spending: Literal["obf", "pocock", "hsd", "obf_classical", "pocock_classical"] = "obf"
    gamma: Float = Field(
        -4.0, ge=-40.0, le=40.0, description="Hwang-Shih-DeCani shape (spending: hsd)"
    )
    futility: SpendingName | None = Field(None, description="beta-spending function, or none")
    futility_gamma: Float = Field(
        -2.0, ge=-40.0, le=40.0, description="Hwang-Shih-DeCani shape (futility: hsd)"
    )
    power: Float = Field(
        0.9, gt=0.0, lt=1.0, description="design power: sets where futility bounds spend beta"
    )

    @model_validator(mode="after")
    def _looks(self) -> GroupSequential:
        t = self.info_fractions
        if t is not None:
            if not t or t[-1] != 1.0 or t[0] <= 0.0 or any(b <= a for a, b in pairwise(t)):
                raise ValueError(
                    f"info_fractions must increase strictly within (0, 1] and end at 1, got {t}"
                )
            if min(b - a for a, b in pairwise([0.0, *t])) < MIN_LOOK_GAP:
                raise ValueError(
                    f"info_fractions must be at least {MIN_LOOK_GAP} apart (and the first at "
                    f"least {MIN_LOOK_GAP}): closer looks are one look for the boundary "
                    f"solver, which cannot separate them; got {t}"
                )
            if self.looks is not None and self.looks != len(t):
                raise ValueError(f"looks is {self.looks} but info_fractions has {len(t)}")
        if self.power <= self.alpha:
            raise ValueError("power must exceed alpha")
        return self

    def fractions(self) -> tuple[float, ...]:
        """Information fractions of the looks."""
        if self.info_fractions is not None:
            return tuple(self.info_fractions)
        k = self.looks or 3
        return tuple((i + 1) / k for i in range(k))

    def boundaries(self) -> GroupSequentialDesign:
        """The design's looks and bounds (computed once, cached)."""
        return design_group_sequential(
            alpha=self.alpha,
            power=self.power,
            spending=self.spending,
            gamma=self.gamma,
            futility=self.futility,
            futility_gamma=self.futility_gamma,
            info_fractions=self.fractions(),
        )

    def simulate(self, trial: TrialInputs) -> DesignOutcome:
        delta, _ = trial.drift(trial.theta)
        return simulate_gsd(self.boundaries(), delta, trial.planned, trial.rng)

    def stop_text(self, look: float) -> str:
        return f", stopped at look {look:.0f} of {len(self.fractions())}"
