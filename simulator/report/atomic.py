"""Writing a folder of outputs all at once, safe against interrupts and against other runs.

A run's files are written into a hidden *staging* folder beside the target,
``.<name>.partial-<random>``, and moved into place only when every one is complete, so
an interrupted or failed run leaves nothing that looks finished. Four rules make that
hold when several things happen at once:

1. **Nothing before the run can succeed.** :meth:`Target.check` tells, before the
   simulation, whether the outputs could be written (the folder's parent is a folder, not
   a file; we may create folders there; the names are not too long) and creates nothing:
   a run that fails early leaves no empty ``runs/``. Folders the save creates are removed
   again if the save fails.
2. **Stale staging is swept.** Each staging folder is held under an advisory lock
   (``flock``) by the process writing it; the lock dies with the process, however it
   dies. Before staging, a run removes every unlocked staging folder beside its target
   that has not changed for ``STALE_SECONDS`` (the folders of runs killed with SIGKILL
   or a power cut).
3. **A new folder is claimed once.** When the target did not exist as the run began, the
   staging folder is renamed onto it, which fails if another run got there first (a
   rename never replaces a folder that has files). The later run then moves to the first
   free sibling, ``<name>-2``, ``<name>-3``, ... and the caller prints that folder: two
   runs into one new ``--out`` both succeed, into distinct folders, and each says which.
4. **An existing folder is updated by one run at a time, and only if unchanged.** Files
   are moved in one by one, ``manifest.json`` last (a folder with a manifest is
   complete), under a lock on the folder; if its manifest changed since the run began
   (another run wrote there meanwhile), this run goes to a sibling instead of replacing
   the other's files.

Locks are POSIX advisory locks; where ``fcntl`` is missing, staging folders older than a
day count as stale and updates are not serialized.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

__all__ = ["OutputError", "Target", "staged", "write_directory"]

STALE_SECONDS = 5.0 if fcntl is not None else 86_400.0
_PARTIAL = ".partial-"
_TAKEN = (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR)


class OutputError(OSError):
    """The outputs cannot be written where asked; ``str()`` says why, in one line."""


@dataclass
class Target:
    """Where a run's outputs go, and what was there when the run began."""

    path: Path
    found: str | None = None  # what the folder held at the start (None: nothing)
    created: list[Path] = field(default_factory=list)  # folders the save made

    @classmethod
    def check(cls, path: str | Path) -> Target:
        """The target ``path`` if outputs can be written there (raises
        :class:`OutputError` saying why not); creates nothing."""
        try:
            return cls._check(Path(path))
        except OutputError:
            raise
        except OSError as exc:  # a name too long, a loop of links, ...
            raise OutputError(exc.strerror or str(exc)) from None

    @classmethod
    def _check(cls, path: Path) -> Target:
        if path.exists() and not path.is_dir():
            raise OutputError(f"{path} exists and is a file, not a folder")
        existing, missing = path.parent, [path.name]
        while not existing.exists() and existing != existing.parent:
            existing, missing = existing.parent, [existing.name, *missing]
        if not existing.is_dir():
            raise OutputError(f"{existing} is a file, not a folder: it cannot hold {path}")
        for where in (existing, path) if path.is_dir() else (existing,):
            if not os.access(where, os.W_OK | os.X_OK):
                raise OutputError(f"no permission to write in {where}")
        limit = _name_max(existing)
        for part in missing:
            if len(part.encode()) > limit:
                raise OutputError(f"the folder name {part[:40]}... is longer than {limit} bytes")
        if len(f".{path.name}{_PARTIAL}xxxxxxxx".encode()) > limit:
            raise OutputError(
                f"the folder name {path.name[:40]}... is too long (at most "
                f"{limit - len(_PARTIAL) - 9} bytes, to leave room for its staging folder)"
            )
        return cls(path, _fingerprint(path))


def _name_max(directory: Path) -> int:
    try:
        return int(os.pathconf(directory, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not POSIX
        return 255


def _fingerprint(path: Path) -> str | None:
    """What the folder holds now: None if nothing, else its manifest's identity."""
    if not path.is_dir():
        return None
    try:
        st = (path / "manifest.json").stat()
    except OSError:
        return "no manifest"
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def _lock(fd: int, blocking: bool) -> bool:
    if fcntl is None:  # pragma: no cover - not POSIX
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def sweep_stale(parent: Path) -> list[Path]:
    """Remove the staging folders in ``parent`` that no live process holds and that have
    not changed for ``STALE_SECONDS``; returns what was removed."""
    removed: list[Path] = []
    try:
        candidates = [p for p in parent.iterdir() if p.name.startswith(".") and _PARTIAL in p.name]
    except OSError:
        return removed
    for p in candidates:
        try:
            if not p.is_dir() or time.time() - p.stat().st_mtime < STALE_SECONDS:
                continue
            fd = os.open(p, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _lock(fd, blocking=False):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
        finally:
            os.close(fd)
    return removed


def _mkdirs(path: Path, created: list[Path]) -> None:
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for p in reversed(missing):
        with suppress(FileExistsError):
            p.mkdir()
            created.append(p)


@contextmanager
def staged(target: Target) -> Iterator[Path]:
    """A private, locked staging folder beside ``target``; removed when the block ends
    (published or not), with the folders made for it if the block failed."""
    parent = target.path.parent
    _mkdirs(parent, target.created)
    sweep_stale(parent)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.path.name}{_PARTIAL}", dir=parent))
    fd = os.open(staging, os.O_RDONLY)
    ok = False
    try:
        _lock(fd, blocking=True)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it private; a run is for sharing
        yield staging
        ok = True
    finally:
        os.close(fd)
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if not ok:
            for p in reversed(target.created):
                with suppress(OSError):
                    p.rmdir()  # only if still empty


def publish(staging: Path, target: Target, update: Callable[[Path, Path], None]) -> Path:
    """Move the staged files to the target (rules 3 and 4 of the module docstring); returns
    the folder they are in. ``update(staging, directory)`` moves them into an existing
    folder, file by file."""
    directory = target.path
    if target.found is None:
        try:
            os.rename(staging, directory)
            return directory
        except OSError as exc:
            if exc.errno not in _TAKEN:
                raise
        return _sibling(staging, directory)
    fd = os.open(directory, os.O_RDONLY)
    try:
        _lock(fd, blocking=True)
        if _fingerprint(directory) == target.found:
            update(staging, directory)
            return directory
    finally:
        os.close(fd)
    return _sibling(staging, directory)


def _sibling(staging: Path, directory: Path) -> Path:
    """Rename ``staging`` to the first free ``<name>-<k>`` beside ``directory``."""
    for k in range(2, 10_000):
        candidate = directory.with_name(f"{directory.name}-{k}")
        try:
            os.rename(staging, candidate)
            return candidate
        except OSError as exc:
            if exc.errno not in _TAKEN:
                raise
    raise OutputError(f"no free folder name beside {directory}")  # pragma: no cover


def _move_all(staging: Path, directory: Path) -> None:
    for item in sorted(staging.iterdir()):
        os.replace(item, directory / item.name)


def write_directory(
    directory: str | Path | Target, write: Callable[[Path], None], scenario: Any = None
) -> Path:
    """Call ``write(staging)`` (then, given ``scenario``, write its resolved scenario and
    the manifest: :func:`~simulator.report.export.study_provenance`) and move what it
    wrote into ``directory``; returns the folder the files are in (a sibling if another
    run took ``directory`` meanwhile)."""
    from simulator.report.export import study_provenance  # export imports this module

    target = directory if isinstance(directory, Target) else Target.check(directory)
    with staged(target) as staging:
        write(staging)
        if scenario is not None:
            study_provenance(scenario, staging)
        return publish(staging, target, _move_all)
