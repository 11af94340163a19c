"""The notebooks run, top to bottom, on small iteration counts (docs that run).

Each notebook has one cell tagged ``parameters`` (iteration counts, output directory);
the test replaces it with small values and executes the notebook in a fresh kernel whose
working directory is the checkout, so it imports this checkout's ``simulator``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SMALL = {
    "01_quickstart": "ITERATIONS = 400\nOUT_DIR = {out!r}",
    "02_what_drives_the_difference": "ITERATIONS = 600\nSWING_ITERATIONS = 200\nTOP = 3",
}


def test_every_notebook_has_small_parameters():
    assert {p.stem for p in NOTEBOOKS} >= set(SMALL)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, "one cell tagged 'parameters'"
    params[0].source = SMALL[path.stem].format(out=str(tmp_path / "out"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
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
    if path.stem == "01_quickstart":
        assert (tmp_path / "out" / "report.html").is_file()
