"""Golden outputs: what the shipped scenarios produce, recorded to the last bit.

``tests/test_golden.py`` recomputes these and requires them to be *equal* (``==``, not
close): a refactoring that moves any number fails it. An issue that is meant to change the
numbers (a new mechanism, a recalibration) re-records them on purpose and says so in its
commit::

    python tests/golden/record.py            # rewrites tests/golden/*

What is recorded:

- ``columns.json``: for every per-iteration column of ``scenarios/nichebuster.yaml`` at
  2,000 iterations and seed 7, a SHA-256 of its float64 bytes (so a failure names the
  columns that moved) and three sums (plain, weighted, absolute) for the comparison across
  library versions below;
- ``nichebuster_summary.csv``, ``paul2010_summary.csv``, ``bio2016_summary.csv``: the
  summary tables, at 17 significant digits;
- ``trials.csv``: the ``simulate trials`` table at 20,000 trials per setting;
- ``platform.json``: the library versions they were computed with.

**The reference CPU.** The last bit of a number depends on the machine as well as on the
code: numpy's vectorized ``exp`` and ``log`` take other (equally accurate) code paths on a
CPU with AVX-512 than on one with only AVX2, OpenBLAS picks its kernels (and so the order
of a dot product's sums) by CPU, and numba compiles for the host. The golden outputs are
therefore computed, when recorded and when checked, in a child process pinned to one
reference x86-64 CPU (:data:`REFERENCE_ENV`: numpy's AVX2 paths, OpenBLAS's Haswell
kernels on one thread, numba compiling for Haswell), which any x86-64 machine of the last
ten years can run. The bits then agree across machines: recorded on a CPU with AVX-512,
they are the bits a CI runner with only AVX2 computes.

**Other library versions.** With the recorded versions of numpy, scipy, numba and pandas
on x86-64 the check is bit for bit. With other versions (a new numpy may round its
``exp`` differently) or on another architecture, the last bits may legitimately differ,
and the check compares the recorded sums and summary values to a relative 1e-9 of the
column's scale instead: a last-bit difference moves a column's sum by about 1e-16 of it,
a changed number in one iteration moves it by far more than 1e-9 (unless the change
itself is below about a millionth of that number).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ITERATIONS, SEED, TRIALS = 2_000, 7, 20_000
VALIDATION = ("paul2010", "bio2016")
# the libraries whose versions decide the last bits
LIBRARIES = ("numpy", "scipy", "numba", "llvmlite", "pandas")
REFERENCE_ENV = {
    # numpy's dispatched SIMD code without AVX-512 (names of numpy 2.x and of numpy 1.x;
    # a name the installed numpy does not know is ignored)
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_SKX "
    "AVX512_CLX AVX512_CNL AVX512_KNL AVX512_KNM",
    "OPENBLAS_CORETYPE": "Haswell",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMBA_CPU_NAME": "haswell",
}
# the comparison across library versions (module docstring)
RTOL = 1e-9
# weights of the weighted sum: a fixed pseudo-random vector, so that values exchanged
# between iterations move it
_WEIGHTS = np.random.default_rng(20261202).uniform(0.5, 1.5, ITERATIONS)


def column_fingerprints(df: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Each column's SHA-256 of its float64 bytes, and its plain, weighted and absolute
    sums (NaN read as 0, with the count of NaN), as ``repr`` strings."""
    out = {}
    for c in df.columns:
        x = np.ascontiguousarray(df[c].to_numpy(dtype=np.float64))
        finite = np.where(np.isnan(x), 0.0, x)
        out[c] = {
            "sha256": hashlib.sha256(x.tobytes()).hexdigest(),
            "sum": repr(float(finite.sum())),
            "weighted_sum": repr(float(finite @ _WEIGHTS[: len(x)])),
            "abs_sum": repr(float(np.abs(finite).sum())),
            "nan": int(np.isnan(x).sum()),
        }
    return out


def summary_csv(table: pd.DataFrame) -> str:
    return table.to_csv(float_format="%.17g")


def platform_record() -> dict[str, str]:
    """The versions of :data:`LIBRARIES` installed here, and the machine's architecture."""
    return {"machine": platform.machine(), **{n: metadata.version(n) for n in LIBRARIES}}


def outputs() -> dict[str, str]:
    """Every golden file's content, computed by the code as it is now, in this process."""
    import simulator as sim
    from simulator.studies.trials import operating_characteristics

    base = sim.load_scenario(ROOT / "scenarios" / "nichebuster.yaml")
    r = sim.run(base.with_(iterations=ITERATIONS, seed=SEED), backend="sequential")
    files = {
        "columns.json": json.dumps(column_fingerprints(r.iterations), indent=0),
        "nichebuster_summary.csv": summary_csv(r.summary()),
    }
    for name in VALIDATION:
        s = sim.load_scenario(ROOT / "scenarios" / "validation" / f"{name}.yaml")
        files[f"{name}_summary.csv"] = summary_csv(sim.run(s, backend="sequential").summary())
    table = operating_characteristics(base, trials=TRIALS)
    files["trials.csv"] = table.to_csv(float_format="%.17g", index=False)
    return files


def outputs_on_reference_cpu() -> dict[str, str]:
    """:func:`outputs`, computed in a child process pinned to the reference CPU (module
    docstring) on x86-64, or as this machine computes them elsewhere."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    if platform.machine().lower() in ("x86_64", "amd64"):
        env.update(REFERENCE_ENV)
    done = subprocess.run(
        [sys.executable, "-c", "import json, golden.record as g; print(json.dumps(g.outputs()))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"computing the golden outputs failed:\n{done.stderr}")
    return json.loads(done.stdout)


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    files = outputs_on_reference_cpu()
    files["platform.json"] = json.dumps(platform_record(), indent=1) + "\n"
    for name, text in files.items():
        (HERE / name).write_text(text)
        print("wrote", HERE / name, file=sys.stderr)
