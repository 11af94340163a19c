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

Loc = tuple[str, int | None]  # (file, line)
PathT = tuple[Any, ...]

__all__ = ["Loc", "PathT", "format_path", "replace_locations", "split_path"]


def format_path(path: PathT) -> str:
    """``('a', 'b', 2, 'c')`` -> ``a.b[2].c``."""
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


def replace_locations(base_locs: dict, over_locs: dict, prefix: PathT) -> None:
    """Drop every location at or under ``prefix`` and take those of ``over_locs`` there."""
    n = len(prefix)
    for p in [p for p in base_locs if p[:n] == prefix]:
        del base_locs[p]
    base_locs.update({p: v for p, v in over_locs.items() if p[:n] == prefix})
