"""Overrides: ``--set dotted.path=value`` on the command line, ``Scenario.with_`` in Python.

An override names a field by its path (:mod:`.paths`) and gives a new value, read as
YAML (``--set market.tax_rate=0.2`` sets a number, ``--set 'x=pert(1, 2, 3)'`` a
distribution). It is applied to the merged data, before templates are expanded and the
whole is validated, so an overridden value is checked like any other. List items are
picked by index (``assets[0]``) or by name (``assets.onc_egfr``, the entry's ``name`` or,
failing that, its ``template``); missing mappings on the way are created. A wrong name is
an error that lists the known ones, and a name made by ``count`` (``onc_3``) points to
the entry that made it, since the copies are not separate entries yet.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from simulator.core.errors import ScenarioError
from simulator.scenario.paths import format_path, replace_locations, split_path

__all__ = ["parse_set", "set_value"]


def parse_set(text: str) -> tuple[str, Any]:
    """``'market.tax_rate=0.2'`` -> ``('market.tax_rate', 0.2)``; the value is read as YAML."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError.single(
            "--set",
            None,
            "",
            f"expected dotted.path=value, e.g. market.tax_rate=0.21; got {text!r}",
        )
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        parsed = value
    return key.strip(), parsed


def set_value(data: dict, locs: dict, dotted: str, value: Any, via: str = "--set") -> None:
    """Set the field at ``dotted`` in ``data`` (in place) and mark it as coming from ``via``
    (``--set`` on the command line, ``Scenario.with_`` in Python), which errors name."""
    src = (via, None)
    shown = f"{via} {dotted}"
    try:
        path = split_path(dotted)
    except ValueError as exc:
        raise ScenarioError.single(shown, None, dotted, str(exc)) from None
    if path[0] == "portfolios" and len(path) > 1 and path[1] not in (data.get("portfolios") or {}):
        known = ", ".join(data.get("portfolios") or {}) or "none"
        raise ScenarioError.single(
            shown, None, dotted, f"unknown portfolio {path[1]!r}; known: {known}"
        )
    node: Any = data
    resolved: list[Any] = []
    for i, key in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(node, list):
            key = _list_index(node, key, shown, format_path(tuple(resolved)))
        elif isinstance(node, dict):
            if key not in node or node[key] is None:
                node[key] = [] if isinstance(nxt, int) else {}
        else:
            raise ScenarioError.single(
                shown, None, format_path(tuple(resolved)), "is a value, not a mapping or a list"
            )
        resolved.append(key)
        node = node[key]
    last = path[-1]
    if isinstance(node, list):
        last = _list_index(node, last, shown, format_path(tuple(resolved)))
    elif not isinstance(node, dict):
        raise ScenarioError.single(
            shown, None, format_path(tuple(resolved)), "is a value, not a mapping"
        )
    node[last] = value
    full = (*resolved, last)
    replace_locations(locs, {}, full)
    locs[full] = src


def _list_index(items: list, key: Any, shown: str, where: str) -> int:
    if isinstance(key, int):
        if not 0 <= key < len(items):
            raise ScenarioError.single(
                shown, None, where, f"index {key} is out of range (the list has {len(items)} items)"
            )
        return key
    names = [it.get("name", it.get("template")) if isinstance(it, dict) else None for it in items]
    if key in names:
        return names.index(key)
    hint = ""
    base = re.sub(r"_\d+$", "", str(key))
    if base in names:  # an asset stamped out by `count`: overrides apply to its entry
        hint = f"; {key!r} is a copy made by count, set the entry {base!r} (all its copies)"
    raise ScenarioError.single(
        shown,
        None,
        where,
        f"no item named {key!r}{hint}; known: {', '.join(str(n) for n in names)}",
    )
