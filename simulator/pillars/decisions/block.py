"""The ``gates:`` block of an asset: where it decides, on what, and what it observes.

::

    gates:
      readings:                      # noisy readings of uncertain inputs, with their noise
        prevalence_reading: {revealed_after: phase1, noise_sd: 0.03}
        peak_share_reading: {revealed_after: phase2, noise_sd: 0.04}
      phase2: {continue_if: "prevalence_reading >= 0.08 and peak_share_reading > 0.1"}
      launch: {continue_if: "peak_share_reading > 0.05"}

A gate is named by the stage whose end it follows (``launch`` is the end of regulatory
review: the decision to launch). Its rule is an expression of the signals revealed at or
before that stage (:mod:`simulator.pillars.decisions.expressions`); a stage that fails
never reaches its gate. The known signals and what each reads are
:data:`simulator.pillars.decisions.signals.SIGNALS`.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from simulator.core.fields import Float, Model
from simulator.pillars.decisions.expressions import parse_rule
from simulator.pillars.decisions.signals import SIGNALS
from simulator.pillars.development.block import STAGES

#: the gates in the order a programme meets them (``launch`` follows ``review``)
GATES: tuple[str, ...] = (*STAGES[:-1], "launch")


def gate_stage(gate: str) -> str:
    """The stage whose end a gate follows."""
    return "review" if gate == "launch" else gate


class Reading(Model):
    revealed_after: str = Field(description="the stage at whose end the reading is known")
    noise_sd: Float = Field(
        ge=0.0, description="standard deviation of the additive normal reading error"
    )

    @model_validator(mode="after")
    def _stage(self) -> Reading:
        if self.revealed_after not in STAGES:
            raise ValueError(
                f"revealed_after {self.revealed_after!r} is not a stage; one of {', '.join(STAGES)}"
            )
        return self


class Gate(Model):
    continue_if: str = Field(description="continue where this expression of signals holds")


class Gates(Model):
    readings: dict[str, Reading] = Field(default_factory=dict)
    target_to_hit: Gate | None = None
    hit_to_lead: Gate | None = None
    lead_optimization: Gate | None = None
    preclinical: Gate | None = None
    phase1: Gate | None = None
    phase2: Gate | None = None
    phase3: Gate | None = None
    launch: Gate | None = None

    @model_validator(mode="after")
    def _rules(self) -> Gates:
        for name in self.readings:
            if name not in SIGNALS:
                raise ValueError(f"readings: unknown signal {name!r}; known: {', '.join(SIGNALS)}")
        for gate in GATES:
            rule = getattr(self, gate)
            if rule is not None:
                try:
                    parse_rule(rule.continue_if, self.visible(gate))
                except ValueError as exc:
                    raise ValueError(f"gates.{gate}.continue_if: {exc}") from None
        return self

    def visible(self, gate: str) -> tuple[str, ...]:
        """The signals known at ``gate``: readings revealed at or before its stage."""
        at = STAGES.index(gate_stage(gate))
        return tuple(n for n, r in self.readings.items() if STAGES.index(r.revealed_after) <= at)

    def rules(self) -> list[tuple[str, str]]:
        """``(gate, expression)`` of the gates that have a rule, in order."""
        return [(g, getattr(self, g).continue_if) for g in GATES if getattr(self, g)]


def check_gates(asset) -> None:
    """What spans blocks: gates on the asset's own stages, signals it can read."""
    gates = asset.gates
    if gates is None:
        return
    names = [s for s, _ in asset.stages()]
    for gate, _ in gates.rules():
        stage = gate_stage(gate)
        if stage not in names:
            raise ValueError(f"gates.{gate}: the asset does not run {stage} ({', '.join(names)})")
        if stage == "phase3" and asset.regulatory.accelerated_approval:
            raise ValueError("gates.phase3: under accelerated approval phase III runs after launch")
    for name, r in gates.readings.items():
        if r.revealed_after not in names:
            raise ValueError(f"gates.readings.{name}: the asset does not run {r.revealed_after}")
        if name == "effect_reading" and asset.effect is None:
            raise ValueError("gates.readings.effect_reading needs an effect block (mechanistic)")
