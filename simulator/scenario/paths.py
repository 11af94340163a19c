"""Field paths: where a value sits in a scenario, and which file and line it came from.

A scenario is nested mappings and lists. A value's *path* is the keys and list indices
that lead to it, ``("portfolios", "nichebuster", "assets", 2, "trial")``; the user reads
it in errors and types it after ``--set`` as ``portfolios.nichebuster.assets[2].trial``.

Every reading step carries a map from each path to its location, ``(file, line)``, so
that an error can say ``nichebuster.yaml:42``. When a step replaces a value (a file that
extends another, an override), the locations of everything under that value are
replaced with those of the new one.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.core.limits import MAX_YAML_DEPTH

Loc = tuple[str, int | None]  # (file, line)
PathT = tuple[Any, ...]

__all__ = ["Loc", "PathT", "format_path", "replace_locations", "split_path"]


def format_path(path: PathT) -> str:
    """``('a', 'b', 2, 'c')`` -> ``a.b[2].c``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_NAME = re.compile(r"[^.\[\]\s]+")
_INDEX = re.compile(r"\[(\d+)\]")


def split_path(text: str) -> PathT:
    """``a.b[2].c`` -> ``('a', 'b', 2, 'c')``.

    Strict: names are separated by exactly one dot, indices follow a name or an index,
    and nothing is dropped silently (``market..tax_rate`` and ``market.tax_rate.`` are
    errors, not ``market.tax_rate``). Raises ``ValueError`` saying where it stopped.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty path")
    parts: list[Any] = []
    pos = 0
    while pos < len(text):
        if parts and text[pos] == ".":
            pos += 1
            m = _NAME.match(text, pos)
            if not m:
                what = "an empty name" if text[pos : pos + 1] in ("", ".", "[") else "a name"
                raise ValueError(
                    f"cannot read the path {text!r}: expected a field name after the dot at "
                    f"character {pos}, found {what} ({text[pos - 1 :]!r})"
                )
            parts.append(m.group(0))
            pos = m.end()
            continue
        m = _INDEX.match(text, pos) if parts else _NAME.match(text, pos)
        if not m:
            raise ValueError(
                f"cannot read the path {text!r} at {text[pos:]!r}: write names separated by "
                "single dots and list indices in brackets, e.g. portfolios.a.assets[0].name"
            )
        parts.append(int(m.group(1)) if parts and m.re is _INDEX else m.group(0))
        pos = m.end()
    if len(parts) > MAX_YAML_DEPTH:
        raise ValueError(
            f"the path has {len(parts)} parts; a field is at most {MAX_YAML_DEPTH} levels deep"
        )
    return tuple(parts)


def replace_locations(base_locs: dict, over_locs: dict, prefix: PathT) -> None:
    """Drop every location at or under ``prefix`` and take those of ``over_locs`` there."""
    n = len(prefix)
    for p in [p for p in base_locs if p[:n] == prefix]:
        del base_locs[p]
    base_locs.update({p: v for p, v in over_locs.items() if p[:n] == prefix})
