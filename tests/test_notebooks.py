"""The notebooks run, top to bottom, on small iteration counts (docs that run).

Each notebook sets its sizes at top level (``ITERATIONS = 5_000``, ``SWING_ITERATIONS``,
``TOP``, ``OUT_DIR``); the test rewrites those assignments to small values and executes
the notebook in a fresh kernel whose working directory is ``notebooks/``, as Jupyter
starts it (``PYTHONPATH`` points at the checkout, so it imports this checkout's
``simulator``; the notebooks find the shipped scenario with ``sim.shipped``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Top-level assignments rewritten before a run (a trailing comment stays).
SMALL = {"ITERATIONS": "400", "SWING_ITERATIONS": "200", "TOP": "3"}


def _shrink(source: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        source = re.sub(
            rf"^{name}\s*=\s*[^#\n]*?(\s*#.*)?$", rf"{name} = {value}\1", source, flags=re.M
        )
    return source


def test_shrink_rewrites_assignments_and_keeps_comments():
    src = "ITERATIONS = 5_000   # futures\nTOP = 8\nX_ITERATIONS = 9\nprint(ITERATIONS)"
    out = _shrink(src, {"ITERATIONS": "400", "TOP": "3"})
    assert out == "ITERATIONS = 400   # futures\nTOP = 3\nX_ITERATIONS = 9\nprint(ITERATIONS)"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any(re.search(r"^ITERATIONS\s*=", c.source, re.M) for c in code), (
        "a notebook sets ITERATIONS at top level, so the tests can run it small"
    )
    values = {**SMALL, "OUT_DIR": repr(str(tmp_path / "out"))}
    for c in code:
        c.source = _shrink(c.source, values)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    )
    client.execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert errors == []
    assert 'scenarios/nichebuster.yaml")' not in "".join(c.source for c in code), (
        "a notebook names the scenario by a path relative to the checkout; use sim.shipped"
    )
    if path.stem == "01_quickstart":
        assert (tmp_path / "out" / "report.html").is_file()


def test_shipped_finds_the_scenario_from_any_directory(tmp_path, monkeypatch):
    import simulator as sim

    monkeypatch.chdir(tmp_path)
    assert sim.shipped("nichebuster.yaml") == ROOT / "scenarios" / "nichebuster.yaml"
    with pytest.raises(FileNotFoundError, match=r"nichebuster\.yaml"):
        sim.shipped("no_such.yaml")
