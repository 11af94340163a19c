"""Asset templates and ``count``: "eight targeted oncology assets like this one".

A scenario may declare ``templates:``, a mapping of name -> asset fields. An asset entry
``{template: targeted_oncology, count: 8, name: onc}`` becomes eight assets ``onc_1`` ...
``onc_8``, each the template deep-merged with the entry's own fields (the entry wins;
mappings merge key by key). Without ``count`` the entry is one asset named by its
``name`` (the entry's, else the template's field) or, failing that, the template's name.

Expansion remembers where each expanded asset came from, so that a validation error on
``portfolios.niche.assets[5].phases.phase3.cost_musd`` is reported where the user must
edit it: the template, when the value came from there (with a note naming the asset that
used it), or the entry otherwise.

**Bounds** (:mod:`simulator.core.limits`): ``count`` is at most ``MAX_COUNT`` and the
whole scenario expands to at most ``MAX_ASSETS`` assets. Both are checked before any copy
is made, so ``count: 10000000`` is an error at once, not minutes of copying.
"""

from __future__ import annotations

import copy
from typing import Any

from simulator.core.errors import Problem
from simulator.core.limits import MAX_ASSETS, MAX_COUNT
from simulator.scenario.paths import Loc, PathT, format_path

__all__ = ["Expansion"]


class Expansion:
    """Expanded portfolios plus where each expanded asset came from."""

    def __init__(self, data: dict, locs: dict):
        self.data = copy.deepcopy(data)
        self.locs = locs
        self.templates = self.data.pop("templates", None) or {}
        # (portfolio, expanded index) -> (raw index, entry dict, template name | None)
        self.records: dict[tuple[str, int], tuple[int, dict, str | None]] = {}
        self.problems: list[Problem] = []
        self.n_assets = 0  # expanded so far, over every portfolio
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
        """The location of ``path``, or of the nearest enclosing field that has one."""
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
            known_template = isinstance(tname, str) and tname in self.templates
            count = entry.pop("count", 1)
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                self._problem((*here, "count"), f"expected a whole number >= 1, got {count!r}")
                count = 1
            elif count > MAX_COUNT:
                self._problem(
                    (*here, "count"),
                    f"expected at most {MAX_COUNT} copies, got {count:,}: every asset adds "
                    "columns to each iteration and cash arrays to each chunk; model many "
                    "similar programmes as fewer assets with larger markets, or split the "
                    "portfolios over several scenario files",
                )
                count = 1
            if self.n_assets + count > MAX_ASSETS:
                if self.n_assets <= MAX_ASSETS:
                    self._problem(
                        (*here, "count") if count > 1 else here,
                        f"the scenario expands to more than {MAX_ASSETS} assets here "
                        f"(at most {MAX_ASSETS} in all portfolios together); split the "
                        "portfolios over several scenario files, or model similar "
                        "programmes as fewer assets with larger markets",
                    )
                self.n_assets = MAX_ASSETS + 1
                continue
            self.n_assets += count
            body: dict = entry
            if tname is not None:
                if not known_template:
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
                    tname if known_template else None,
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
    """How many steps of ``path`` exist in ``data`` (to tell who set a value)."""
    n = 0
    for p in path:
        in_dict = isinstance(data, dict) and p in data
        in_list = isinstance(data, list) and isinstance(p, int) and 0 <= p < len(data)
        if not (in_dict or in_list):
            break
        data = data[p]
        n += 1
    return n
