"""A study file for ``simulate voi``: which decision a study informs, what it reveals, and
what it costs.

::

    name: prevalence_validation
    decision: {portfolio: nichebuster, asset: onc_kinase_1, gate: phase2}
    study:
      kind: biomarker_validation       # what it reveals, and how precisely
      patients: 400
    cost_musd: 2.5                     # spent at the gate, in every future that reaches it
    delay_months: 6                    # the decision waits this long for the result

The decision is the asset's go or stop at ``gate`` (a stage's end, or ``launch``). A
study's *summary statistic* ``S`` per iteration is a noisy reading of one of the asset's
sampled inputs (its ``input:`` column in the run), one kind per way of reading:

- ``biomarker_validation``: the biomarker prevalence ``p`` (``cohort.biomarker_prevalence``)
  as the positive share of ``patients`` screened, ``S = Binomial(patients, p) / patients``
  (standard error ``sqrt(p (1 - p) / patients)``); or, with ``noise_sd`` instead,
  ``S = p + noise_sd e``;
- ``larger_phase2``: the true effect in biomarker-positive patients (``effect.positive``,
  mechanistic mode) as a further 1:1 randomised cohort of ``patients`` estimates it,
  ``S = theta + e / sqrt(patients i / 4)`` with ``i`` the information one patient brings
  (:func:`simulator.pillars.trials.information.information_per_patient`: 1 for a
  standardized continuous effect, the event fraction for a log hazard ratio, Schoenfeld
  1983);
- ``reading``: any sampled input named by ``input`` (e.g. ``commercial.peak_share`` from a
  market study), ``S = x + noise_sd e``.

``e`` are standard normals from the study's own stream (``voi``, keyed by the study's
name). A bad file exits with status 2 naming the file, the line and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from simulator.core.errors import Problem, ScenarioError
from simulator.core.fields import Float, Int, Model, Name
from simulator.pillars.decisions.block import GATES, gate_stage
from simulator.pillars.trials.information import information_per_patient
from simulator.scenario.paths import format_path
from simulator.scenario.yaml_reader import read_yaml


class BiomarkerValidation(Model):
    kind: Literal["biomarker_validation"]
    patients: Int | None = Field(None, ge=1, description="patients screened for the biomarker")
    noise_sd: Float | None = Field(None, ge=0.0, description="or: the reading's standard error")

    @model_validator(mode="after")
    def _one(self) -> BiomarkerValidation:
        if (self.patients is None) == (self.noise_sd is None):
            raise ValueError("give the study's precision as patients or as noise_sd (one of them)")
        return self

    def input_field(self) -> str:
        return "cohort.biomarker_prevalence"

    def statistic(self, x, asset, rng) -> np.ndarray:
        if self.patients is None:
            return x + self.noise_sd * rng.standard_normal(x.size)
        return rng.binomial(self.patients, np.clip(x, 0.0, 1.0)) / self.patients


class LargerPhase2(Model):
    kind: Literal["larger_phase2"]
    patients: Int = Field(ge=2, description="patients of the further 1:1 randomised cohort")

    def input_field(self) -> str:
        return "effect.positive"

    def statistic(self, x, asset, rng) -> np.ndarray:
        e = asset.effect
        info = information_per_patient(e.endpoint, x, e.control_rate, e.event_fraction)
        return x + rng.standard_normal(x.size) / np.sqrt(self.patients * info / 4.0)


class Reading(Model):
    kind: Literal["reading"]
    input: str = Field(description="the sampled input it reads, e.g. commercial.peak_share")
    noise_sd: Float = Field(ge=0.0, description="the reading's standard error")

    def input_field(self) -> str:
        return self.input

    def statistic(self, x, asset, rng) -> np.ndarray:
        return x + self.noise_sd * rng.standard_normal(x.size)


#: the study kinds by name (``kind:``)
KINDS = {"biomarker_validation": BiomarkerValidation, "larger_phase2": LargerPhase2,
         "reading": Reading}  # fmt: skip
StudyKind = Annotated[BiomarkerValidation | LargerPhase2 | Reading, Field(discriminator="kind")]


class Decision(Model):
    portfolio: Name
    asset: Name
    gate: str = Field(description="the gate the study informs: go or stop there")

    @model_validator(mode="after")
    def _gate(self) -> Decision:
        if self.gate not in GATES:
            raise ValueError(f"gate {self.gate!r} is not a gate; one of {', '.join(GATES)}")
        return self


class Study(Model):
    name: Name
    description: str = ""
    decision: Decision
    study: StudyKind
    cost_musd: Float = Field(0.0, ge=0.0, description="spent at the gate (USD millions)")
    delay_months: Float = Field(0.0, ge=0.0, le=120.0, description="the decision waits")
    _file: str = "<python>"
    _locs: dict = {}  # noqa: RUF012 - a pydantic private attribute, copied per instance

    def problem(self, path: tuple, message: str) -> ScenarioError:
        """A :class:`ScenarioError` at ``path`` of this study's file."""
        file, line = self._locs.get(path, (self._file, None))
        return ScenarioError.single(file, line, format_path(path), message)

    def check_against(self, scenario):
        """The asset the decision names, or a :class:`ScenarioError` at the field."""
        d = self.decision
        if d.portfolio not in scenario.portfolios:
            known = ", ".join(scenario.portfolios)
            raise self.problem(("decision", "portfolio"), f"unknown portfolio {d.portfolio!r}; "
                               f"known: {known}")  # fmt: skip
        assets = {a.name: a for a in scenario.portfolios[d.portfolio].assets}
        if d.asset not in assets:
            raise self.problem(("decision", "asset"), f"unknown asset {d.asset!r} in "
                               f"{d.portfolio}; known: {', '.join(assets)}")  # fmt: skip
        asset = assets[d.asset]
        stages = [s for s, _ in asset.stages()]
        if gate_stage(d.gate) not in stages:
            raise self.problem(
                ("decision", "gate"),
                f"{d.asset} does not run {gate_stage(d.gate)}; its stages: {', '.join(stages)}",
            )
        if gate_stage(d.gate) == "phase3" and asset.regulatory.accelerated_approval:
            raise self.problem(("decision", "gate"), "under accelerated approval phase III "
                               "runs after launch: no phase3 gate")  # fmt: skip
        if isinstance(self.study, LargerPhase2) and asset.effect is None:
            raise self.problem(("study", "kind"), f"larger_phase2 reads the true effect: "
                               f"{d.asset} has no effect block (mechanistic mode)")  # fmt: skip
        if isinstance(self.study, BiomarkerValidation) and asset.cohort is None:
            raise self.problem(("study", "kind"), f"{d.asset} has no cohort block: no "
                               "biomarker prevalence to validate")  # fmt: skip
        return asset


def load_study(path: str | Path) -> Study:
    """Read and validate a study file; :class:`ScenarioError` names file, line and field."""
    shown = str(path)
    data, locs = read_yaml(Path(path), shown)
    try:
        study = Study.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if p not in KINDS)  # the union's tag
            if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                loc = (*loc, "kind")
            file, line = _nearest(locs, loc, shown)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown key {loc[-1]!r}"
            elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                msg = f"expected a study kind, one of: {', '.join(KINDS)}"
            problems.append(Problem(file, line, format_path(loc), msg))
        raise ScenarioError(problems) from None
    study._file, study._locs = shown, locs
    return study


def _nearest(locs: dict, loc: tuple, shown: str) -> tuple[str, int | None]:
    """The line of ``loc``, or of its nearest parent the file has (a missing field)."""
    for k in range(len(loc), -1, -1):
        if loc[:k] in locs:
            return locs[loc[:k]]
    return shown, None
