"""Writing a directory of outputs all at once (for commands other than ``run``).

The files are written into a hidden sibling directory (see
:func:`~simulator.report.export.make_staging`) and moved into place only when every
one of them is complete: an interrupted or failed command leaves nothing that looks
finished. Given the scenario the command ran on, the directory also gets its resolved
scenario and a manifest (:func:`~simulator.report.export.study_provenance`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.report.export import make_staging, study_provenance


def write_directory(
    directory: str | Path, write: Callable[[Path], None], scenario: Any = None
) -> Path:
    """Call ``write(staging)`` (then, given ``scenario``, write its resolved scenario and
    the manifest) and move it all into ``directory``; returns it."""
    directory = Path(directory)
    staging = make_staging(directory)
    try:
        write(staging)
        if scenario is not None:
            study_provenance(scenario, staging)
        if not directory.exists():
            os.replace(staging, directory)
        else:
            for item in sorted(staging.iterdir()):
                os.replace(item, directory / item.name)
        return directory
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
