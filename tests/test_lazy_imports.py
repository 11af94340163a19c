"""``import simulator`` and ``simulate --help`` load no heavy library (issue 16).

What is imported is checked, not how long it takes (timings belong to
``benchmarks/throughput.py``): a fresh interpreter imports the package or prints the help,
and reports which of pandas, scipy, pyarrow, matplotlib, pydantic, numba and the engine
ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "scipy", "pyarrow", "matplotlib", "pydantic", "numba", "simulator.engine")


def _loaded_after(code: str) -> list[str]:
    probe = (
        "import sys, json, contextlib, io\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    {code}\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_import_simulator_loads_no_heavy_library():
    assert _loaded_after("import simulator") == []


def test_help_loads_no_heavy_library():
    code = (
        "from simulator.cli import main\n    try:\n        main(['--help'])\n"
        "    except SystemExit:\n        pass"
    )
    assert _loaded_after(code) == []


def test_run_help_loads_no_heavy_library():
    code = (
        "from simulator.cli import main\n    try:\n        main(['run', '--help'])\n"
        "    except SystemExit:\n        pass"
    )
    assert _loaded_after(code) == []


def test_public_names_resolve_on_first_use():
    import simulator as sim

    assert sim.load_scenario.__module__.startswith("simulator.scenario")
    assert sim.Result is sim.SummaryResult
    assert set(sim.__all__) <= set(dir(sim))
    with pytest.raises(AttributeError):
        sim.no_such_name  # noqa: B018


def test_cli_backends_are_the_engines():
    from simulator.cli.app import BACKENDS
    from simulator.engine.executors import BACKENDS as ENGINE

    assert BACKENDS == ENGINE
