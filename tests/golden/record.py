"""Golden outputs: what the shipped scenarios produce, recorded to the last bit.

``tests/test_golden.py`` recomputes these and requires them to be *equal* (``==``, not
close): a refactoring that moves any number fails it. An issue that is meant to change the
numbers (a new mechanism, a recalibration) re-records them on purpose and says so in its
commit::

    python tests/golden/record.py            # rewrites tests/golden/*

What is recorded:

- ``columns.json``: a SHA-256 of every per-iteration column of
  ``scenarios/nichebuster.yaml`` at 2,000 iterations and seed 7 (float64 bytes), so a
  failure names the columns that moved;
- ``nichebuster_summary.csv``, ``paul2010_summary.csv``, ``bio2016_summary.csv``: the
  summary tables, at 17 significant digits;
- ``trials.csv``: the ``simulate trials`` table at 20,000 trials per setting.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ITERATIONS, SEED, TRIALS = 2_000, 7, 20_000
VALIDATION = ("paul2010", "bio2016")


def column_hashes(df: pd.DataFrame) -> dict[str, str]:
    """SHA-256 of each column's float64 bytes."""
    return {
        c: hashlib.sha256(np.ascontiguousarray(df[c].to_numpy(dtype=np.float64)).tobytes())
        .hexdigest()
        for c in df.columns
    }


def summary_csv(table: pd.DataFrame) -> str:
    return table.to_csv(float_format="%.17g")


def outputs() -> dict[str, str]:
    """Every golden file's content, computed by the code as it is now."""
    import simulator as sim
    from simulator.studies.trials import operating_characteristics

    base = sim.load_scenario(ROOT / "scenarios" / "nichebuster.yaml")
    r = sim.run(base.with_(iterations=ITERATIONS, seed=SEED), backend="sequential")
    files = {
        "columns.json": json.dumps(column_hashes(r.iterations), indent=0),
        "nichebuster_summary.csv": summary_csv(r.summary()),
    }
    for name in VALIDATION:
        s = sim.load_scenario(ROOT / "scenarios" / "validation" / f"{name}.yaml")
        files[f"{name}_summary.csv"] = summary_csv(sim.run(s, backend="sequential").summary())
    table = operating_characteristics(base, trials=TRIALS)
    files["trials.csv"] = table.to_csv(float_format="%.17g", index=False)
    return files


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for name, text in outputs().items():
        (HERE / name).write_text(text)
        print("wrote", HERE / name, file=sys.stderr)
