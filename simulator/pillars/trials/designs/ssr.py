"""Sample-size re-estimation in the promising zone (Mehta & Pocock 2011).

At the interim (fraction ``t1`` of the planned ``n``) the conditional power under the
observed trend, ``CP``, sorts the trial into zones: favourable (``CP >= cp_target``) and
unfavourable (``CP < cp_min``) continue as planned; promising (in between) raises the
second stage to the size that gives ``CP = cp_target``, capped at ``max_increase x n`` in
total. An interim efficacy stop may spend alpha by a Lan-DeMets function, and a
conditional power below ``futility_cp`` stops for futility (non-binding). The final test
is the weighted inverse-normal combination with weights fixed in advance,
``Z = sqrt(t1) Z_1 + sqrt(1 - t1) Z_2``, where ``Z_2`` uses stage-2 patients only (Cui,
Hung & Wang 1999; Lehmacher & Wassmer 1999): under H0 it is N(0, 1) whatever the new
size, so the type I error of the two-look group-sequential bounds holds exactly.

References: Mehta CR, Pocock SJ (2011), *Stat Med* 30:3267-3284; Cui L, Hung HMJ, Wang SJ
(1999), *Biometrics* 55:853-857; Lehmacher W, Wassmer G (1999), *Biometrics* 55:1286-1290.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field, model_validator
from scipy import special

from simulator.core.fields import Float
from simulator.core.seeding import iteration_major
from simulator.pillars.trials.boundaries import design_group_sequential
from simulator.pillars.trials.designs.base import DESIGNS, DesignBlock
from simulator.pillars.trials.outcome import DesignOutcome, design_outcome
from simulator.pillars.trials.spending import SpendingName
from simulator.pillars.trials.stage import TrialInputs

Array = NDArray[np.float64]


@lru_cache(maxsize=64)
def two_stage_bounds(
    interim_fraction: float, alpha: float, spending: str | None, gamma: float = -4.0
) -> tuple[float, float]:
    """Efficacy bounds ``(b_1, b_2)`` of a two-look design; ``spending=None``: no interim
    efficacy stop (``b_1 = inf``, ``b_2 = z_{1-alpha}``). Computed once per design."""
    if spending is None:
        return float("inf"), float(special.ndtri(1.0 - alpha))
    d = design_group_sequential(
        alpha=alpha, spending=spending, gamma=gamma, info_fractions=(interim_fraction, 1.0)
    )
    return float(d.efficacy_z[0]), float(d.efficacy_z[1])


@dataclass(frozen=True)
class PromisingZone:
    """A promising-zone sample-size re-estimation design (see the module docstring).

    ``interim_fraction`` of the planned patients are analysed at the interim;
    ``interim_efficacy`` names the alpha-spending function for an interim efficacy stop
    (None: none); conditional power below ``futility_cp`` stops for futility (non-binding,
    None: never); ``cp_min <= CP < cp_target`` is the promising zone; the total may grow to
    ``max_increase`` times the plan.
    """

    interim_fraction: float = 0.5
    alpha: float = 0.025
    interim_efficacy: str | None = "obf"
    gamma: float = -4.0
    futility_cp: float | None = None
    cp_min: float = 0.36
    cp_target: float = 0.8
    max_increase: float = 2.0

    def bounds(self) -> tuple[float, float]:
        t1, spending = self.interim_fraction, self.interim_efficacy
        return two_stage_bounds(t1, self.alpha, spending, self.gamma)


def conditional_power(z1, n1, n2, b2: float, t1: float) -> Array:
    """P(final combination test rejects | Z_1 = z1) under the observed trend.

    The trend is the interim estimate ``z1 / sqrt(n1)``; ``n2`` the second-stage patients;
    the test rejects when ``sqrt(t1) z1 + sqrt(1 - t1) Z_2 >= b2``.
    """
    z1 = np.asarray(z1, dtype=np.float64)
    trend = z1 / np.sqrt(n1)
    needed = (b2 - np.sqrt(t1) * z1) / np.sqrt(1.0 - t1)
    return special.ndtr(trend * np.sqrt(n2) - needed)


def reestimated_stage2(design: PromisingZone, z1, n) -> tuple[Array, Array, NDArray[np.bool_]]:
    """Second-stage patients after the interim, the conditional power at the planned size,
    and whether the interim fell in the promising zone."""
    t1 = design.interim_fraction
    _, b2 = design.bounds()
    n = np.asarray(n, dtype=np.float64)
    n1, n2 = t1 * n, (1.0 - t1) * n
    cp = conditional_power(z1, n1, n2, b2, t1)
    promising = (cp >= design.cp_min) & (cp < design.cp_target)
    trend = np.asarray(z1) / np.sqrt(n1)
    needed = (b2 - np.sqrt(t1) * np.asarray(z1)) / np.sqrt(1.0 - t1)
    n2_max = design.max_increase * n - n1
    with np.errstate(divide="ignore", invalid="ignore"):
        target = ((needed + special.ndtri(design.cp_target)) / trend) ** 2
    target = np.where(trend > 0.0, target, n2_max)
    n2_new = np.where(promising, np.clip(target, n2, n2_max), n2)
    return n2_new, cp, promising


def simulate_ssr(
    design: PromisingZone, delta: ArrayLike, n: ArrayLike, rng: np.random.Generator
) -> DesignOutcome:
    """Promising-zone trials with ``n`` patients planned (see the module docstring)."""
    delta, n = np.broadcast_arrays(np.asarray(delta, float), np.asarray(n, float))
    t1 = design.interim_fraction
    b1, b2 = design.bounds()
    n1 = t1 * n
    e = iteration_major(rng.standard_normal, 2, delta.shape)
    z1 = delta * np.sqrt(n1) + e[0]
    n2, cp, promising = reestimated_stage2(design, z1, n)
    efficacy1 = z1 >= b1
    futile1 = ~efficacy1 & (cp < design.futility_cp) if design.futility_cp is not None else False
    go_on = ~efficacy1 & ~futile1
    z2 = delta * np.sqrt(n2) + e[1]
    final = np.sqrt(t1) * z1 + np.sqrt(1.0 - t1) * z2 >= b2
    success = efficacy1 | (go_on & final)
    stage = np.where(go_on, 2, 1)
    patients = n1 + np.where(go_on, n2, 0.0)
    return design_outcome(success, stage, 2, patients, adapted=go_on & promising)


@DESIGNS.register
class SampleSizeReestimation(DesignBlock):
    """Promising-zone sample-size re-estimation (Mehta & Pocock 2011), inverse-normal test."""

    type: Literal["ssr"] = "ssr"
    interim_fraction: Float = Field(0.5, gt=0.0, lt=1.0, description="of the planned patients")
    interim_efficacy: SpendingName | None = Field(
        "obf", description="alpha spending for an interim efficacy stop (none: no stop)"
    )
    gamma: Float = Field(
        -4.0, ge=-40.0, le=40.0, description="Hwang-Shih-DeCani shape (interim_efficacy: hsd)"
    )
    futility_cp: Float | None = Field(
        None, ge=0.0, lt=1.0, description="stop if conditional power is below this (non-binding)"
    )
    cp_min: Float = Field(0.36, gt=0.0, lt=1.0, description="promising zone: lower edge")
    cp_target: Float = Field(0.8, gt=0.0, lt=1.0, description="promising zone: upper edge, target")
    max_increase: Float = Field(2.0, ge=1.0, le=10.0, description="most patients / planned")

    @model_validator(mode="after")
    def _zone(self) -> SampleSizeReestimation:
        if not self.cp_min < self.cp_target:
            raise ValueError(f"cp_min ({self.cp_min}) must be below cp_target ({self.cp_target})")
        if self.futility_cp is not None and self.futility_cp > self.cp_min:
            raise ValueError(
                f"futility_cp ({self.futility_cp}) must not exceed cp_min ({self.cp_min})"
            )
        return self

    def rule(self) -> PromisingZone:
        """The re-estimation rule these fields describe."""
        return PromisingZone(
            interim_fraction=self.interim_fraction,
            alpha=self.alpha,
            interim_efficacy=self.interim_efficacy,
            gamma=self.gamma,
            futility_cp=self.futility_cp,
            cp_min=self.cp_min,
            cp_target=self.cp_target,
            max_increase=self.max_increase,
        )

    def simulate(self, trial: TrialInputs) -> DesignOutcome:
        delta, _ = trial.drift(trial.theta)
        return simulate_ssr(self.rule(), delta, trial.planned, trial.rng)

    def stop_text(self, look: float) -> str:
        return ", stopped at the interim" if look == 1 else ", to the final analysis"
