"""Fixtures shared by the test suite (builders live in helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import asset, scenario_dict, write_yaml


@pytest.fixture
def tiny_scenario_file(tmp_path: Path) -> Path:
    return write_yaml(
        tmp_path / "tiny.yaml",
        scenario_dict(
            {"a": [asset("x", p=(0.6, 0.5, 0.6, 0.9))], "b": [asset("y")]}, iterations=400
        ),
    )
