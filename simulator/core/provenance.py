"""What code produced a number: the simulator's version and a fingerprint of its source.

A result is a function of (code version, scenario, seed, chunk size). The version alone
does not pin the code (an editable install changes under it), so
:func:`code_fingerprint` also hashes every ``simulator/*.py`` file, path and bytes: two
processes with the same fingerprint run the same code. The Dask backend refuses workers
whose fingerprint differs from the client's.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

VERSION = "0.1.0"
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def code_fingerprint() -> tuple[str, str]:
    """``(VERSION, first 16 hex digits of the SHA-256 of every simulator/*.py file)``."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode("utf-8"))
        digest.update(path.read_bytes())
    return VERSION, digest.hexdigest()[:16]
