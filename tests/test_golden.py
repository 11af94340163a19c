"""The numbers do not move: the code reproduces the recorded golden outputs exactly.

See ``tests/golden/record.py`` for what is recorded, the reference CPU the outputs are
computed on (so that the bits agree across machines), the comparison used when the
installed library versions are not the recorded ones, and how to re-record on purpose.
"""

from __future__ import annotations

import csv
import io
import json
import math
import warnings

import pytest
from golden.record import HERE, RTOL, outputs_on_reference_cpu, platform_record

pytestmark = pytest.mark.slow

RECORDED_PLATFORM = json.loads((HERE / "platform.json").read_text())
EXACT = platform_record() == RECORDED_PLATFORM


@pytest.fixture(scope="module")
def now() -> dict[str, str]:
    if not EXACT:
        warnings.warn(
            f"golden outputs recorded with {RECORDED_PLATFORM}, checked with "
            f"{platform_record()}: compared to a relative {RTOL:g}, not bit for bit",
            stacklevel=1,
        )
    return outputs_on_reference_cpu()


def test_every_iteration_column_is_bit_identical(now):
    before = json.loads((HERE / "columns.json").read_text())
    after = json.loads(now["columns.json"])
    missing = [c for c in before if c not in after]
    assert not missing, f"{len(missing)} columns are gone, e.g. {missing[:5]}"
    # new outcome columns may be added; the recorded ones keep their order and bits
    assert [c for c in after if c in before] == list(before), "recorded columns reordered"
    if EXACT:
        moved = [c for c in before if after[c]["sha256"] != before[c]["sha256"]]
    else:
        moved = [c for c in before if not _sums_agree(after[c], before[c])]
    assert not moved, f"{len(moved)} columns moved, e.g. {moved[:5]}"


def _sums_agree(now: dict, recorded: dict) -> bool:
    """The column's NaN count is the recorded one and each of its sums is within
    ``RTOL`` of the column's recorded absolute sum."""
    scale = max(float(recorded["abs_sum"]), 1e-300)
    return now["nan"] == recorded["nan"] and all(
        abs(float(now[k]) - float(recorded[k])) <= RTOL * scale
        for k in ("sum", "weighted_sum", "abs_sum")
    )


@pytest.mark.parametrize(
    "name", ["nichebuster_summary.csv", "paul2010_summary.csv", "bio2016_summary.csv", "trials.csv"]
)
def test_tables_are_identical(now, name):
    before, after = (HERE / name).read_text(), now[name]
    if name.endswith("_summary.csv"):
        # new metrics may be added (each is one entry of results/metrics.py); the recorded
        # columns keep their order and every character of their values
        after = _recorded_columns(after, before)
    if EXACT:
        assert after == before
    else:
        _assert_close_tables(after, before)


def _assert_close_tables(text: str, recorded: str) -> None:
    """Every cell equal as text, or both numbers within ``RTOL`` (relative, floored at 1)."""
    rows, expected = list(csv.reader(io.StringIO(text))), list(csv.reader(io.StringIO(recorded)))
    assert len(rows) == len(expected) and rows[0] == expected[0]
    for row, exp in zip(rows[1:], expected[1:], strict=True):
        for col, a, b in zip(expected[0], row, exp, strict=True):
            if a == b:
                continue
            x, y = float(a), float(b)  # a text cell that changed is a failure here
            assert math.isclose(x, y, rel_tol=RTOL, abs_tol=RTOL), f"{row[0]} {col}: {a} != {b}"


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
