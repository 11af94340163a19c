"""Scenarios: the typed, validated description of the question a run answers.

``load_scenario`` reads a YAML file (with ``extends``, templates and ``--set`` style
overrides) into a :class:`Scenario`; distributions live in :mod:`.distributions`.
"""

from simulator.core.distributions import Distribution
from simulator.core.errors import Problem, ScenarioError
from simulator.core.notation import parse_distribution
from simulator.scenario.loader import load_scenario, parse_set, scenario_from_dict
from simulator.scenario.schema import (
    STAGES,
    Asset,
    Commercial,
    Market,
    Portfolio,
    Scenario,
    Simulation,
    Stage,
)

__all__ = [
    "STAGES",
    "Asset",
    "Commercial",
    "Distribution",
    "Market",
    "Portfolio",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "Stage",
    "load_scenario",
    "parse_distribution",
    "parse_set",
    "scenario_from_dict",
]
