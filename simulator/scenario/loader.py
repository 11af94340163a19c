"""Reading a scenario: YAML with line numbers, ``extends``, overrides and templates.

The steps, in order, each in its own module:

1. **Read** each YAML file into plain data and a map from every field path to the file
   and line it came from, so that errors can say ``nichebuster.yaml:42``
   (:mod:`.yaml_reader`, paths and locations in :mod:`.paths`).
2. **Extend**: ``extends: base/market.yaml`` (or a list of files, relative to the file
   that names them) is read first and the file's own values are merged over it, mapping by
   mapping; a list or a value replaces what the base had (:mod:`.extends`).
3. **Override**: ``--set dotted.path=value`` (or :meth:`Scenario.with_`) changes the
   merged data. List items are picked by index (``assets[0]``) or by name
   (``assets.onc_egfr``) (:mod:`.overrides`).
4. **Expand templates**: an asset entry ``{template: targeted_oncology, count: 8, name:
   onc}`` becomes eight assets ``onc_1`` ... ``onc_8``, each the template merged with the
   entry's own fields (:mod:`.templates`).
5. **Validate** with the typed models of :mod:`.schema`. Every finding becomes a
   :class:`~simulator.core.errors.Problem` naming the file, the line, the path of the
   field *where the user must edit it* (the template, if the value came from one) and what
   was expected (:mod:`.validation`).

The validated scenario keeps its merged, overridden data before expansion (``_raw``),
its origin and the locations, so that :meth:`Scenario.with_` can apply more overrides
and report errors against the same files.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.scenario.extends import read_with_extends
from simulator.scenario.overrides import parse_set, set_value
from simulator.scenario.paths import format_path
from simulator.scenario.schema import Scenario
from simulator.scenario.templates import Expansion
from simulator.scenario.validation import validate

__all__ = [
    "apply_overrides",
    "format_path",
    "load_scenario",
    "parse_set",
    "scenario_from_dict",
]


def _build(data: dict, locs: dict, origin: str) -> Scenario:
    scenario = validate(Expansion(data, locs))
    scenario._raw = copy.deepcopy(data)
    scenario._origin = origin
    scenario._locs = locs
    return scenario


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read, merge, override, expand and validate a scenario file.

    Parameters
    ----------
    path
        The scenario YAML file.
    overrides
        Dotted paths and values, as ``--set`` takes them:
        ``{"simulation.iterations": 2000,
        "portfolios.nichebuster.assets[0].commercial.peak_share": 0.3}``.

    Raises
    ------
    ScenarioError
        With every problem found: file, line, field path and what was expected.
    """
    path = Path(path)
    shown = str(path)
    data, locs = read_with_extends(path.resolve(), (path.resolve(),), shown)
    for key, value in (overrides or {}).items():
        set_value(data, locs, key, value)
    return _build(data, locs, shown)


def apply_overrides(scenario: Scenario, sets: Mapping[str, Any]) -> Scenario:
    """A new scenario: ``scenario`` with the dotted-path ``sets`` applied and revalidated."""
    raw = copy.deepcopy(scenario._raw) if scenario._raw else scenario.model_dump(mode="json")
    locs = dict(scenario._locs)
    for key, value in sets.items():
        set_value(raw, locs, key, value, via="Scenario.with_")
    return _build(raw, locs, scenario._origin)


def scenario_from_dict(data: Mapping[str, Any], origin: str = "<python>") -> Scenario:
    """Validate a scenario given as plain Python data (same rules as a file)."""
    return _build(copy.deepcopy(dict(data)), {}, origin)


Scenario._apply_overrides = apply_overrides  # Scenario.with_ re-validates through the loader
