"""Reading one scenario file: YAML into plain data, and the line every field came from.

``yaml.safe_load`` forgets where things were, so the file is composed into a node tree
first (which keeps each node's line) and then constructed into plain data, both within
the bounds of :mod:`simulator.core.bounded_yaml` (size, nesting, aliases); a walk over
the tree records the line of every field path. The walk also catches two mistakes that
YAML itself accepts silently:

- a key written twice in one mapping (YAML keeps the last one);
- a distribution such as ``pert(1, 2, 3)`` unquoted inside ``{...}`` or ``[...]``, where
  the commas cut it into pieces.

Every problem is reported as a :class:`~simulator.core.errors.Problem` with the file and
the line, never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from simulator.core.bounded_yaml import YamlProblem, decode, load
from simulator.core.errors import Problem, ScenarioError
from simulator.core.limits import MAX_FILE_BYTES
from simulator.scenario.paths import Loc, PathT, format_path

__all__ = ["read_yaml"]


def read_yaml(path: Path, shown: str) -> tuple[dict, dict[PathT, Loc]]:
    """The mapping in ``path`` and the location of each of its fields (``shown`` is the
    file name errors print). Reading is bounded (:mod:`simulator.core.bounded_yaml`): a
    file that is not a regular file, too big, not UTF-8 or not YAML the simulator can
    read is a problem with its line, never a traceback or a stall."""
    try:
        if not path.is_file():
            what = "not found" if not path.exists() else "is not a regular file"
            raise ScenarioError.single(shown, None, "", f"file {what}")
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise ScenarioError.single(
            shown, None, "", f"cannot read the file: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    try:
        node, data = load(decode(raw))
    except YamlProblem as exc:
        raise ScenarioError.single(shown, exc.line, "", str(exc)) from None
    if data is None:
        raise ScenarioError.single(
            shown, None, "", "the file is empty; expected a scenario mapping"
        )
    if not isinstance(data, dict):
        raise ScenarioError.single(
            shown,
            1,
            "",
            f"expected a mapping of scenario fields at the top, got {type(data).__name__}",
        )
    locs: dict[PathT, Loc] = {}
    problems: list[Problem] = []
    _walk(node, (), locs, shown, problems)
    if problems:
        raise ScenarioError(problems)
    return data, locs


def _walk(node: yaml.Node, path: PathT, locs: dict, shown: str, problems: list[Problem]) -> None:
    locs[path] = (shown, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.flow_style:
        _check_flow_calls(node, path, shown, problems)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for knode, vnode in node.value:
            key = knode.value
            if key in seen:
                problems.append(
                    Problem(
                        shown, knode.start_mark.line + 1, format_path((*path, key)), "duplicate key"
                    )
                )
            seen.add(key)
            _walk(vnode, (*path, key), locs, shown, problems)
            locs[(*path, key)] = (shown, knode.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), locs, shown, problems)


_UNCLOSED_CALL = re.compile(r"^[A-Za-z_]+\([^)]*$")


def _check_flow_calls(node: yaml.Node, path: PathT, shown: str, problems: list[Problem]) -> None:
    """Inside ``{...}`` or ``[...]`` a comma ends a value, so ``pert(1, 2, 3)`` is cut in
    pieces. Catch it and say how to write it."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [v for _, v in node.value]
    for item in items:
        if (
            isinstance(item, yaml.ScalarNode)
            and not item.style
            and _UNCLOSED_CALL.match(item.value)
        ):
            problems.append(
                Problem(
                    shown,
                    item.start_mark.line + 1,
                    format_path(path),
                    f"a distribution inside {{...}} or [...] must be quoted, because commas split "
                    f'it there: write "{item.value}, ...)" in quotes, or use block style',
                )
            )
