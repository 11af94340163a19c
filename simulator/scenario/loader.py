"""Reading a scenario: YAML with line numbers, ``extends``, templates and overrides.

The steps, in order:

1. **Read** each YAML file into plain data and a map from every field path to the file
   and line it came from (so that errors can say ``nichebuster.yaml:42``).
2. **Extend**: ``extends: base/market.yaml`` (or a list of files, relative to the file
   that names them) is read first and the file's own values are merged over it, mapping by
   mapping; a list or a value replaces what the base had.
3. **Override**: ``--set dotted.path=value`` (or :meth:`Scenario.with_`) changes the
   merged data. List items are picked by index (``assets[0]``) or by name
   (``assets.onc_egfr``).
4. **Expand templates**: an asset entry ``{template: targeted_oncology, count: 8, name:
   onc}`` becomes eight assets ``onc_1`` ... ``onc_8``, each the template merged with the
   entry's own fields.
5. **Validate** with the typed models of :mod:`.schema`. Every finding becomes a
   :class:`~.errors.Problem` naming the file, the line, the path of the field *where the
   user must edit it* (the template, if the value came from one) and what was expected.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.core.errors import Problem, ScenarioError
from simulator.scenario.schema import Scenario

Loc = tuple[str, int | None]  # (file, line)
PathT = tuple[Any, ...]

__all__ = ["apply_overrides", "format_path", "load_scenario", "parse_set"]


# ------------------------------------------------------------------------------------
# paths
# ------------------------------------------------------------------------------------
def format_path(path: PathT) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(text: str) -> PathT:
    """``a.b[2].c`` -> ``('a', 'b', 2, 'c')``."""
    parts: list[Any] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        if text[pos] == ".":
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot read the path {text!r} at {text[pos:]!r}")
        parts.append(int(m.group(2)) if m.group(2) is not None else m.group(1))
        pos = m.end()
    if not parts:
        raise ValueError("empty path")
    return tuple(parts)


# ------------------------------------------------------------------------------------
# 1. YAML with locations
# ------------------------------------------------------------------------------------
def _read_yaml(path: Path, shown: str) -> tuple[dict, dict[PathT, Loc]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError.single(shown, None, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(shown, None, "", f"cannot read the file: {exc}") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "cannot parse"
        raise ScenarioError.single(shown, line, "", f"malformed YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError.single(shown, None, "", f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()
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


# ------------------------------------------------------------------------------------
# 2. extends
# ------------------------------------------------------------------------------------
def _merge(base: Any, over: Any, base_locs: dict, over_locs: dict, path: PathT = ()) -> Any:
    """Merge ``over`` onto ``base`` (mappings recursively); locations follow the winner."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v, base_locs, over_locs, (*path, k)) if k in base else v
            if k not in base or not (isinstance(base[k], dict) and isinstance(v, dict)):
                _replace_locs(base_locs, over_locs, (*path, k))
        return out
    return over


def _replace_locs(base_locs: dict, over_locs: dict, prefix: PathT) -> None:
    n = len(prefix)
    for p in [p for p in base_locs if p[:n] == prefix]:
        del base_locs[p]
    base_locs.update({p: v for p, v in over_locs.items() if p[:n] == prefix})


def _read_with_extends(path: Path, chain: tuple[Path, ...], shown: str) -> tuple[dict, dict]:
    data, locs = _read_yaml(path, shown)
    extends = data.pop("extends", None)
    if extends is None:
        return data, locs
    where = locs.get(("extends",), (shown, None))
    files = [extends] if isinstance(extends, str) else extends
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ScenarioError.single(
            shown, where[1], "extends", "expected a file name or a list of file names"
        )
    merged: dict = {}
    merged_locs: dict = {}
    for name in files:
        base_path = (path.parent / name).resolve()
        base_shown = str(Path(shown).parent / name)
        if base_path in chain:
            raise ScenarioError.single(
                shown, where[1], "extends", f"{name} extends itself (a cycle)"
            )
        if not base_path.is_file():
            raise ScenarioError.single(
                shown,
                where[1],
                "extends",
                f"file {base_shown} not found (paths are relative to {shown})",
            )
        bdata, blocs = _read_with_extends(base_path, (*chain, base_path), base_shown)
        merged = _merge(merged, bdata, merged_locs, blocs)
    merged = _merge(merged, data, merged_locs, {k: v for k, v in locs.items() if k != ("extends",)})
    merged_locs[()] = locs[()]
    return merged, merged_locs


# ------------------------------------------------------------------------------------
# 3. overrides
# ------------------------------------------------------------------------------------
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


def _set(data: dict, locs: dict, dotted: str, value: Any) -> None:
    src = ("--set", None)
    shown = f"--set {dotted}"
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
    _replace_locs(locs, {}, full)
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


# ------------------------------------------------------------------------------------
# 4. templates
# ------------------------------------------------------------------------------------
class _Expansion:
    """Expanded portfolios plus where each expanded asset came from."""

    def __init__(self, data: dict, locs: dict):
        self.data = copy.deepcopy(data)
        self.locs = locs
        self.templates = self.data.pop("templates", None) or {}
        # (portfolio, expanded index) -> (raw index, entry dict, template name | None)
        self.records: dict[tuple[str, int], tuple[int, dict, str | None]] = {}
        self.problems: list[Problem] = []
        if not isinstance(self.templates, dict):
            self._problem(("templates",), "expected a mapping of template name -> asset fields")
            self.templates = {}
        portfolios = self.data.get("portfolios")
        if isinstance(portfolios, dict):
            for pname, pf in portfolios.items():
                if isinstance(pf, dict) and isinstance(pf.get("assets"), list):
                    pf["assets"] = self._expand(pname, pf["assets"])

    def _problem(self, path: PathT, message: str) -> None:
        file, line = self.lookup(path)
        self.problems.append(Problem(file, line, format_path(path), message))

    def lookup(self, path: PathT) -> Loc:
        for n in range(len(path), -1, -1):
            if path[:n] in self.locs:
                return self.locs[path[:n]]
        return ("<scenario>", None)

    def _expand(self, pname: str, entries: list) -> list:
        out: list = []
        for j, entry in enumerate(entries):
            here = ("portfolios", pname, "assets", j)
            if not isinstance(entry, dict):
                self.records[(pname, len(out))] = (j, {}, None)
                out.append(entry)
                continue
            entry = dict(entry)
            tname = entry.pop("template", None)
            count = entry.pop("count", 1)
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                self._problem((*here, "count"), f"expected a whole number >= 1, got {count!r}")
                count = 1
            body: dict = entry
            if tname is not None:
                if not isinstance(tname, str) or tname not in self.templates:
                    known = ", ".join(self.templates) or "none defined"
                    self._problem(
                        (*here, "template"), f"unknown template {tname!r}; known: {known}"
                    )
                elif not isinstance(self.templates[tname], dict):
                    self._problem(("templates", tname), "expected a mapping of asset fields")
                else:
                    body = _deep_merge(self.templates[tname], entry)
            base = body.get("name", tname)
            for k in range(count):
                item = copy.deepcopy(body)
                if count > 1 and isinstance(base, str):
                    item["name"] = f"{base}_{k + 1}"
                elif base is not None:
                    item["name"] = base
                self.records[(pname, len(out))] = (
                    j,
                    entry,
                    tname if tname in self.templates else None,
                )
                out.append(item)
        return out

    def source(self, path: PathT) -> tuple[PathT, str]:
        """Where the user must edit ``path`` of the expanded data, and a note."""
        if len(path) >= 4 and path[0] == "portfolios" and path[2] == "assets":
            rec = self.records.get((path[1], path[3])) if isinstance(path[3], int) else None
            if rec is not None:
                raw_index, entry, tname = rec
                rest = path[4:]
                entry_path = ("portfolios", path[1], "assets", raw_index, *rest)
                if tname is not None:
                    depth_entry = _depth(entry, rest)
                    depth_tmpl = _depth(self.templates[tname], rest)
                    if depth_tmpl > depth_entry:
                        name = self._asset_name(path)
                        note = f" (template used by {format_path(path[:4])}{name})"
                        return ("templates", tname, *rest), note
                return entry_path, ""
        return path, ""

    def _asset_name(self, path: PathT) -> str:
        try:
            name = self.data["portfolios"][path[1]]["assets"][path[3]].get("name")
        except (KeyError, IndexError, TypeError, AttributeError):
            return ""
        return f" '{name}'" if name else ""


def _deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _depth(data: Any, path: PathT) -> int:
    n = 0
    for p in path:
        in_dict = isinstance(data, dict) and p in data
        in_list = isinstance(data, list) and isinstance(p, int) and 0 <= p < len(data)
        if not (in_dict or in_list):
            break
        data = data[p]
        n += 1
    return n


# ------------------------------------------------------------------------------------
# 5. validation
# ------------------------------------------------------------------------------------
def _message(err: dict, model: type[BaseModel], loc: PathT) -> str:
    kind = err["type"]
    given = err.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        tail = f"; did you mean '{hint[0]}'?" if hint else ""
        listed = f" Allowed here: {', '.join(allowed)}." if allowed else ""
        return f"unknown key '{loc[-1]}'{tail}{listed}"
    if kind == "missing":
        return "required field is missing"
    msg = err["msg"]
    msg = re.sub(r"^(Value|Assertion) error, ", "", msg)
    if kind.endswith(("_parsing", "_type")) and given is not None:
        msg = f"{msg}; got {given!r}"
    return msg


def _allowed_keys(model: type[BaseModel], loc: PathT) -> list[str]:
    """Field names of the model found at ``loc`` (best effort, for error hints)."""
    import typing

    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return []
            current = field.annotation
        else:
            args = [a for a in typing.get_args(current) if a is not type(None)]
            origin = typing.get_origin(current)
            if origin in (list, dict) or (origin is typing.Union and args):
                current = args[-1] if args else None
            else:
                return []
        while typing.get_origin(current) is typing.Union or type(current).__name__ == "UnionType":
            args = [a for a in typing.get_args(current) if a is not type(None)]
            current = args[0] if args else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _validate(exp: _Expansion, origin: str) -> Scenario:
    if exp.problems:  # templates that could not be applied: later errors would only echo them
        raise ScenarioError(exp.problems)
    problems: list[Problem] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(exp.data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            src_path, note = exp.source(loc)
            file, line = exp.lookup(src_path)
            problems.append(
                Problem(file, line, format_path(src_path), _message(err, Scenario, loc) + note)
            )
    if scenario is not None:
        for path, message in cross_references(scenario):
            src_path, note = exp.source(path)
            file, line = exp.lookup(src_path)
            problems.append(Problem(file, line, format_path(src_path), message + note))
    if problems:
        raise ScenarioError(_dedupe(problems))
    assert scenario is not None
    return scenario


def cross_references(s: Scenario) -> list[tuple[PathT, str]]:
    """Checks that span fields: unique asset names, known risk groups and portfolios."""
    found: list[tuple[PathT, str]] = []
    for pname, pf in s.portfolios.items():
        seen: set[str] = set()
        for i, a in enumerate(pf.assets):
            here = ("portfolios", pname, "assets", i)
            if a.name in seen:
                found.append(
                    (
                        (*here, "name"),
                        f"asset names must be unique in a portfolio; {a.name!r} repeats",
                    )
                )
            seen.add(a.name)
            if a.risk_group is not None and a.risk_group not in pf.risk_groups:
                known = ", ".join(pf.risk_groups) or "none defined"
                found.append(
                    (
                        (*here, "risk_group"),
                        f"unknown risk group {a.risk_group!r}; "
                        f"this portfolio's risk_groups: {known}",
                    )
                )
    for i, pair in enumerate(s.compare or []):
        if pair[0] == pair[1]:
            found.append((("compare", i), f"compares {pair[0]!r} with itself"))
        for j, p in enumerate(pair):
            if p not in s.portfolios:
                found.append(
                    (
                        ("compare", i, j),
                        f"unknown portfolio {p!r}; known: {', '.join(s.portfolios)}",
                    )
                )
    return found


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """One problem per place: a template error shows once, not once per asset using it."""
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.path, p.message.split(" (template used by")[0])
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _build(data: dict, locs: dict, origin: str) -> Scenario:
    exp = _Expansion(data, locs)
    scenario = _validate(exp, origin)
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
    data, locs = _read_with_extends(path.resolve(), (path.resolve(),), shown)
    for key, value in (overrides or {}).items():
        _set(data, locs, key, value)
    return _build(data, locs, shown)


def apply_overrides(scenario: Scenario, sets: Mapping[str, Any]) -> Scenario:
    """A new scenario: ``scenario`` with the dotted-path ``sets`` applied and revalidated."""
    raw = copy.deepcopy(scenario._raw) if scenario._raw else scenario.model_dump(mode="json")
    locs = dict(scenario._locs)
    for key, value in sets.items():
        _set(raw, locs, key, value)
    return _build(raw, locs, scenario._origin)


def scenario_from_dict(data: Mapping[str, Any], origin: str = "<python>") -> Scenario:
    """Validate a scenario given as plain Python data (same rules as a file)."""
    return _build(copy.deepcopy(dict(data)), {}, origin)
