"""Scenarios: the typed, validated description of the question a run answers.

``load_scenario`` reads a YAML file (with ``extends``, templates and ``--set`` style
overrides) into a :class:`Scenario`; distributions live in :mod:`.distributions`.
"""

from .distributions import Distribution
from .errors import Problem, ScenarioError
from .loader import load_scenario, parse_set, scenario_from_dict
from .notation import parse_distribution
from .schema import STAGES, Asset, Commercial, Market, Portfolio, Scenario, Simulation, Stage

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
