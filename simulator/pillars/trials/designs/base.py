"""A trial design as a registered kind: its YAML block and how it runs a stage's trial.

A stage with a ``design:`` runs a simulated trial (mechanistic mode). Each design is one
class in one module of this package, holding its block's fields and its behaviour, and
registered by its ``type`` name in :data:`DESIGNS`; an unknown ``type`` is a validation
error that lists the registered ones. A design class provides:

- :meth:`DesignBlock.simulate`: the trial's outcome per iteration, from the stage's
  :class:`~simulator.pillars.trials.stage.TrialInputs`;
- :meth:`DesignBlock.stage_trials`: the development stages that outcome decides (one, or
  two for a design that continues an earlier stage's trial);
- :meth:`DesignBlock.check`: rules that span the asset's blocks (where the design may
  stand, what else it needs);
- its label rule (:meth:`DesignBlock.label_positive_only`), its extra output columns
  (:meth:`DesignBlock.columns`) and how the trace tells where it stopped
  (:meth:`DesignBlock.stop_text`).

Adding a design is one module here, its test, and one import line in ``__init__.py``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from simulator.core.fields import Float, Model, NonNegative
from simulator.core.registry import Registry
from simulator.pillars.trials.outcome import DesignOutcome
from simulator.pillars.trials.stage import StageTrial, TrialInputs

DESIGNS = Registry("trial design")
MECHANISTIC_STAGES = ("phase2", "phase3")


class DesignBlock(Model):
    """Fields and behaviour every design shares (see the module docstring)."""

    belongs_to: ClassVar[tuple[str, ...]] = MECHANISTIC_STAGES
    """The stages this design may stand in."""
    continues: ClassVar[str | None] = None
    """The earlier stage whose trial this one continues (its stage 1), if any."""

    alpha: Float = Field(
        0.025,
        ge=1e-4,
        lt=0.5,
        description="one-sided type I error (at least 0.0001: the boundary solver's limit)",
    )
    cost_per_patient_usd: NonNegative | None = Field(
        None,
        description="with it, cost_musd is the fixed part and this is added per patient enrolled; "
        "without it, cost_musd scales with the patients enrolled",
    )

    def simulate(self, trial: TrialInputs) -> DesignOutcome:
        """The trial's outcome in every iteration."""
        raise NotImplementedError

    def stage_trials(self, trial: TrialInputs) -> dict[str, StageTrial]:
        """The stages the trial decides, by name: this stage, its length and its cost."""
        return {trial.name: trial.staged(self.simulate(trial))}

    def check(self, asset, name: str) -> None:
        """Raise ValueError, saying what to change, if the design cannot stand in stage
        ``name`` of ``asset``."""
        if name not in self.belongs_to:
            raise ValueError(
                f"a {self.type} design belongs to {' or '.join(self.belongs_to)}, not {name}"
            )

    def label_positive_only(self, trial: StageTrial, enrolment: str) -> np.ndarray:
        """Where a pivotal trial's label is the biomarker-positive stratum only: by whom it
        enrolled (``all_comers``: an all-comer label)."""
        return np.full(trial.success.size, enrolment == "biomarker_positive")

    def columns(self, trial: StageTrial, entered: np.ndarray) -> dict[str, np.ndarray]:
        """Per-iteration output columns beyond the stopping look and the patients."""
        return {}

    def stop_text(self, look: float) -> str:
        """Where the trial stopped, for one iteration's trace (empty: nothing to say)."""
        return ""
