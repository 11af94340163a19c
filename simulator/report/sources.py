"""The scenario in words for the report: portfolios, assets, assumptions and their sources.

Every shipped number carries its source in a YAML comment. The loader remembers where
each field came from (file and line, through ``extends`` and templates), so the report can
quote that comment beside the value: the comment on the field's own line, else the block
of comment lines just above it, else the same for the enclosing mapping (a comment over
``phases:`` covers every phase).

``scenario.resolved.yaml`` (what ran, templates expanded) keeps those sources: each value
whose source is known gets it as the comment on its own line (:func:`annotated_yaml`),
so a rerun from that file finds the same source for every field and its report quotes
the same notes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from simulator.scenario import Scenario

_COPY = re.compile(r"_\d+$")


@lru_cache(maxsize=64)
def _lines(file: str) -> tuple[str, ...]:
    try:
        return tuple(Path(file).read_text(encoding="utf-8").splitlines())
    except OSError:
        return ()


def _comment_at(file: str, line: int | None, below: bool = False) -> str:
    """The inline comment on ``line`` (1-based), else the comment block just above it;
    with ``below``, a comment block just under it comes before the one above (a
    mapping's first lines often describe its contents)."""
    lines = _lines(file)
    if line is None or not 0 < line <= len(lines):
        return ""
    text = lines[line - 1]
    inline = _inline_comment(text)
    if inline:
        return inline
    indent = len(text) - len(text.lstrip())
    if below:
        block = []
        i = line
        while i < len(lines) and lines[i].strip().startswith("#"):
            block.append(lines[i].strip().lstrip("#").strip())
            i += 1
        if block:
            return " ".join(block)
    above = []
    i = line - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        if len(lines[i]) - len(lines[i].lstrip()) < indent - 2:
            break
        above.append(lines[i].strip().lstrip("#").strip())
        i -= 1
    return " ".join(reversed(above))


def _inline_comment(text: str) -> str:
    quote = None
    for i, ch in enumerate(text):
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote else ch
        elif ch == "#" and quote is None and (i == 0 or text[i - 1].isspace()):
            return text[i + 1 :].strip()
    return ""


def source_of(scenario: Scenario, portfolio: str | None, asset: str | None, field: str) -> str:
    """The source comment of a field of an asset (or of ``market`` when ``asset`` is None)."""
    locs = scenario._locs
    parts = tuple(field.split("."))
    candidates: list[tuple[tuple, int]] = []  # (path, depth not to climb above)
    if asset is None:
        candidates.append((("market", *parts), 1))
    else:
        raw = scenario._raw.get("portfolios", {}).get(portfolio, {}).get("assets", [])
        base = _COPY.sub("", asset)
        for j, entry in enumerate(raw if isinstance(raw, list) else []):
            name = entry.get("name", entry.get("template")) if isinstance(entry, dict) else None
            if name in (asset, base):
                own = ("portfolios", portfolio, "assets", j, *parts)
                if own in locs:  # set on the entry itself
                    candidates.append((own, len(own) - 1))
                if entry.get("template"):
                    candidates.append((("templates", entry["template"], *parts), 2))
                break
    for path, root in candidates:
        for n in range(len(path), root, -1):
            loc = locs.get(path[:n])
            if loc is None:
                continue
            note = _comment_at(*loc, below=n < len(path))
            if note:
                return note
    return ""


def asset_families(scenario: Scenario, portfolio: str) -> list[tuple[str, list]]:
    """Assets grouped by the entry that made them (``onc_kinase_1..4`` -> ``onc_kinase``)."""
    groups: dict[str, list] = {}
    for a in scenario.portfolios[portfolio].assets:
        groups.setdefault(_COPY.sub("", a.name), []).append(a)
    return list(groups.items())


def assumptions(scenario: Scenario, portfolio: str, family: list) -> list[dict[str, Any]]:
    """Every numeric assumption of an asset family: value or distribution, mean, P10-P90,
    what it means (the schema's description) and its source (the YAML comment)."""
    from simulator.core.draws import distribution_fields

    first = family[0]
    rows = []
    for path, dist in distribution_fields(first).items():
        if dist.is_constant and dist.mean() == 0:
            continue  # a zero default (no screening cost, no delay): not an assumption
        lo, hi = dist.quantile(0.1), dist.quantile(0.9)
        rows.append(
            {
                "field": path,
                "value": _short(dist.compact()) if not dist.is_constant else _num(dist.mean()),
                "mean": _num(dist.mean()),
                "p10_p90": "" if dist.is_constant else f"{_num(lo)} – {_num(hi)}",
                "meaning": _description(first, path),
                "source": source_of(scenario, portfolio, first.name, path),
            }
        )
    return rows


def market_assumptions(scenario: Scenario) -> list[dict[str, Any]]:
    """Every market-wide assumption (nested blocks such as ``ira`` flattened by path)."""
    return _model_rows(scenario, scenario.market, "")


def _model_rows(scenario: Scenario, model: BaseModel, prefix: str) -> list[dict[str, Any]]:
    rows = []
    for name, info in type(model).model_fields.items():
        v = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(v, BaseModel):
            rows += _model_rows(scenario, v, path + ".")
            continue
        if hasattr(v, "compact") and hasattr(v, "is_constant"):
            value = _short(v.compact()) if not v.is_constant else _num(v.mean())
        elif v is None:
            value = "(none)"
        elif isinstance(v, bool) or not isinstance(v, int | float):
            value = str(v)
        else:
            value = _num(v)
        rows.append(
            {
                "field": f"market.{path}",
                "value": value,
                "meaning": info.description or "",
                "source": source_of(scenario, None, None, path),
            }
        )
    return rows


def _description(model, path: str) -> str:
    obj = model
    parts = path.split(".")
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
        if obj is None:
            return ""
    info = type(obj).model_fields.get(parts[-1]) if hasattr(type(obj), "model_fields") else None
    return (info.description or "") if info is not None else ""


def _num(x: float | None) -> str:
    if x is None:
        return "(default)"
    x = float(x)
    if not np.isfinite(x):
        return str(x)
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if x == int(x):
        return f"{int(x)}"
    return f"{x:.3g}"


def _short(text: str) -> str:
    """Numbers in a distribution's compact form to 4 significant digits."""
    return re.sub(r"-?\d+\.\d{5,}(?:e-?\d+)?", lambda m: f"{float(m.group()):.4g}", text)


def annotated_yaml(scenario: Scenario, data: dict) -> str:
    """``data`` (the scenario dumped) as YAML with each scalar's source as the comment on
    its line: the market's fields and every asset's, by :func:`source_of`."""
    import yaml

    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=float("inf"))
    lines = text.splitlines()
    for path, line in _scalar_lines(yaml.compose(text), ()):
        note = _source_for_path(scenario, path)
        if note and "#" not in lines[line] and "\n" not in note:
            lines[line] += f"  # {note}"
    return "\n".join(lines) + "\n"


def _scalar_lines(node: Any, path: tuple) -> list[tuple[tuple, int]]:
    """``(path, 0-based line)`` of every scalar value, or list of scalars, in a YAML node
    (a list of scalars is written on its key's line, then one item a line)."""
    import yaml

    out: list[tuple[tuple, int]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*path, key.value)
            if isinstance(value, yaml.ScalarNode) and value.start_mark.line == key.start_mark.line:
                out.append((here, key.start_mark.line))
            else:
                out += _scalar_lines(value, here)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _scalar_lines(item, (*path, i))
    return out


def _source_for_path(scenario: Scenario, path: tuple) -> str:
    if len(path) >= 2 and path[0] == "market" and all(isinstance(p, str) for p in path):
        return source_of(scenario, None, None, ".".join(path[1:]))
    if len(path) >= 5 and path[0] == "portfolios" and path[2] == "assets":
        rest = path[4:]
        if isinstance(path[3], int) and all(isinstance(p, str) for p in rest):
            assets = scenario.portfolios[path[1]].assets
            if path[3] < len(assets):
                return source_of(scenario, path[1], assets[path[3]].name, ".".join(rest))
    return ""
