"""The numbers do not move: the code reproduces the recorded golden outputs exactly.

See ``tests/golden/record.py`` for what is recorded and how to re-record on purpose.
"""

from __future__ import annotations

import csv
import io
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
    before, after = (HERE / name).read_text(), now[name]
    if name.endswith("_summary.csv"):
        # new metrics may be added (each is one entry of results/metrics.py); the recorded
        # columns keep their order and every character of their values
        after = _recorded_columns(after, before)
    assert after == before


def _recorded_columns(text: str, recorded: str) -> str:
    """``text`` (a CSV table) cut to the columns of ``recorded``, in their order, written
    back in ``recorded``'s own form."""
    rows = list(csv.reader(io.StringIO(text)))
    header = next(csv.reader(io.StringIO(recorded)))
    missing = [c for c in header if c not in rows[0]]
    assert not missing, f"summary columns are gone: {missing}"
    assert [c for c in rows[0] if c in header] == header, "recorded columns reordered"
    keep = [rows[0].index(c) for c in header]
    return "".join(",".join(r[i] for i in keep) + "\n" for r in rows)
