"""The numbers do not move: the code reproduces the recorded golden outputs exactly.

See ``tests/golden/record.py`` for what is recorded and how to re-record on purpose.
"""

from __future__ import annotations

import json

import pytest
from golden.record import HERE, outputs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def now() -> dict[str, str]:
    return outputs()


def test_every_iteration_column_is_bit_identical(now):
    before = json.loads((HERE / "columns.json").read_text())
    after = json.loads(now["columns.json"])
    missing = [c for c in before if c not in after]
    assert not missing, f"{len(missing)} columns are gone, e.g. {missing[:5]}"
    # new outcome columns may be added; the recorded ones keep their order and bits
    assert [c for c in after if c in before] == list(before), "recorded columns reordered"
    moved = [c for c in before if after[c] != before[c]]
    assert not moved, f"{len(moved)} columns moved, e.g. {moved[:5]}"


@pytest.mark.parametrize(
    "name", ["nichebuster_summary.csv", "paul2010_summary.csv", "bio2016_summary.csv", "trials.csv"]
)
def test_tables_are_identical(now, name):
    assert now[name] == (HERE / name).read_text()
