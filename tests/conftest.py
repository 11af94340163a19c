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


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (``--dist loadgroup``, see pyproject.toml): the tests of a module
    that defines a fixture of module or session scope (the golden outputs, a validation
    run) go to one worker, so that fixture is computed once; every other test goes to
    whichever worker is free."""
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        defs = getattr(item, "_fixtureinfo", None)
        shared = defs is not None and any(
            d.scope in ("module", "session") and d.baseid == module
            for chain in defs.name2fixturedefs.values()
            for d in chain
        )
        if shared:
            item.add_marker(pytest.mark.xdist_group(module))
