"""``extends``: a scenario file built on shared ones.

``extends: base/market.yaml`` (or a list of files, each relative to the file that names
it) reads the shared files first, in order, and then merges the file's own values over
them, mapping by mapping: a key the file sets replaces the base's value, unless both are
mappings, which are merged key by key in turn; a list or a plain value replaces what the
base had. A shared file may itself extend others; a file that (directly or not) extends
itself is an error. The locations of merged fields follow the value that won, so an error
points to the file the value really came from.

**Confined to the scenario's folder.** A scenario may extend only files inside the folder
of the file that was loaded, or below it (after following symbolic links): ``extends:
base/market.yaml`` and, from ``base/``, ``../common.yaml`` are fine; ``../../secrets.yaml``
or an absolute path elsewhere is an error that names the folder, and nothing outside it
is opened. ``load_scenario(path, allow_extends_outside=True)`` (the command line's
``--allow-extends-outside``) lifts the rule for files one trusts.

**Bounded.** A scenario reads at most ``MAX_EXTENDED_FILES`` files in all: a file may be
extended twice (two branches sharing a base), so without a bound ten files each
extending the next one ten times would read 10^10 files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.core.errors import ScenarioError
from simulator.core.limits import MAX_EXTENDED_FILES
from simulator.scenario.paths import PathT, replace_locations
from simulator.scenario.yaml_reader import read_yaml

__all__ = ["read_with_extends", "resolved"]


def resolved(path: Path, shown: str) -> Path:
    """``path`` made absolute with its symbolic links followed; a loop of links or an
    unreadable name is a problem about ``shown``, not a traceback."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ScenarioError.single(
            shown, None, "", f"cannot follow the path ({exc}); a loop of symbolic links?"
        ) from None


def _merge(base: Any, over: Any, base_locs: dict, over_locs: dict, path: PathT = ()) -> Any:
    """Merge ``over`` onto ``base`` (mappings recursively); locations follow the winner."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v, base_locs, over_locs, (*path, k)) if k in base else v
            if k not in base or not (isinstance(base[k], dict) and isinstance(v, dict)):
                replace_locations(base_locs, over_locs, (*path, k))
        return out
    return over


def read_with_extends(
    path: Path,
    chain: tuple[Path, ...],
    shown: str,
    root: Path | None = None,
    reads: list[Path] | None = None,
) -> tuple[dict, dict]:
    """``path`` merged over the files it extends, and the location of every field.

    ``chain`` holds the files already being read (to catch cycles); ``shown`` is the name
    errors print for ``path``; ``root`` is the folder extended files must lie in (None:
    anywhere); ``reads`` collects every file read (to bound them).
    """
    reads = [] if reads is None else reads
    reads.append(path)
    if len(reads) > MAX_EXTENDED_FILES:
        raise ScenarioError.single(
            shown,
            None,
            "extends",
            f"the scenario extends more than {MAX_EXTENDED_FILES} files in all (counting a "
            "file each time it is extended); merge the shared files",
        )
    data, locs = read_yaml(path, shown)
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
        base_path = resolved(path.parent / name, str(Path(shown).parent / name))
        base_shown = str(Path(shown).parent / name)
        if root is not None and not base_path.is_relative_to(root):
            raise ScenarioError.single(
                shown,
                where[1],
                "extends",
                f"{name} is outside {root}, the scenario's folder: a scenario extends "
                "only files in its folder or below it; "
                "allow others with --allow-extends-outside "
                "(load_scenario(..., allow_extends_outside=True))",
            )
        if base_path in chain:
            raise ScenarioError.single(
                shown, where[1], "extends", f"{name} extends itself (a cycle)"
            )
        if not base_path.is_file():
            what = "is not a regular file" if base_path.exists() else "not found"
            raise ScenarioError.single(
                shown,
                where[1],
                "extends",
                f"file {base_shown} {what} (paths are relative to {shown})",
            )
        bdata, blocs = read_with_extends(base_path, (*chain, base_path), base_shown, root, reads)
        merged = _merge(merged, bdata, merged_locs, blocs)
    merged = _merge(merged, data, merged_locs, {k: v for k, v in locs.items() if k != ("extends",)})
    merged_locs[()] = locs[()]
    return merged, merged_locs
