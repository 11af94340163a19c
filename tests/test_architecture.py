"""The architecture holds: dependencies point one way, modules stay small and say what they
are, and the engine reads typed draws, not dotted strings.

These are checks on the source tree, run with the tests so that a change that breaks the
layout fails like any other regression.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulator"
MAX_LINES = 400
MODULES = sorted(PACKAGE.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_import_contracts_hold():
    """`lint-imports` with the contracts of pyproject.toml: the layers of DESIGN.md
    section 7, and the order of the pillars."""
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    done = subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)},
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_module_is_small_and_documented(path):
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_LINES, f"{_rel(path)} has over {MAX_LINES} lines: split it"
    doc = ast.get_docstring(ast.parse(text))
    if path.name == "__main__.py":
        return
    assert doc and len(doc) > 20, f"{_rel(path)} needs a docstring that says what it is"
    assert "TODO" not in doc


MACHINE_PATH = re.compile(r"(/work/|/home/|/tmp/|\.\./shared|published_figures\.md)")


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_no_machine_paths(path):
    hits = [
        f"{_rel(path)}:{i}"
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if MACHINE_PATH.search(line)
    ]
    assert not hits, f"machine or reference-file paths in the code: {hits}"


DOTTED_DRAW = re.compile(r"""draws(\[|\.get\()\s*(f?["']|p\s*\+|q\s*\+)|\bdrawn\(""")


def test_no_string_lookup_into_draws_outside_core():
    hits = [
        f"{_rel(p)}:{i}"
        for p in MODULES
        if "core" not in p.relative_to(PACKAGE).parts
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if DOTTED_DRAW.search(line)
    ]
    assert not hits, f"read typed draws by attribute: {hits}"
