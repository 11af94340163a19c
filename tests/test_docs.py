"""Docs that run: every Python example in the README is executed."""

import re
import shutil
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


def test_readme_has_python_examples():
    assert BLOCKS


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_example_runs(code, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert (tmp_path / "runs" / "quickstart" / "manifest.json").is_file()


def test_readme_error_example_is_what_the_tool_prints(tmp_path):
    """The README shows a real error message: reproduce it."""
    from click.testing import CliRunner

    from simulator.cli import main

    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    assets = tmp_path / "scenarios" / "base" / "assets.yaml"
    text = assets.read_text()
    old = "      success_rates: bio_2011_2020/selection_biomarker\n"  # targeted_oncology's
    assert old in text
    assets.write_text(text.replace(old, old.replace("biomarker", "biomarkers"), 1))
    res = CliRunner().invoke(main, [str(tmp_path / "scenarios" / "nichebuster.yaml"), "-q"])
    assert res.exit_code == 2
    shown = re.search(r"^(scenarios/base/assets\.yaml:\d+: .*)$", README, re.M).group(1)
    printed = res.output.replace(str(tmp_path) + "/", "")
    assert shown in printed, printed
