"""A mutation fuzz of the shipped scenarios (hypothesis): each case replaces, deletes or
adds one to three fields of a shipped scenario (merged with the files it extends) with
hostile values (NaN, infinities, huge and tiny numbers, wrong types, broken and extreme
distributions, names too long), writes it as YAML and runs ``simulate`` on it for 20
iterations. Every case must be refused (exit 2, no traceback, nothing new on disk) or run
to finite summaries; both must occur.

The examples are derandomized, so a failure reproduces; raise ``FUZZ_EXAMPLES`` to search
longer (the issue's campaign used 300).
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from hostile.common import SCENARIOS, assert_ran, assert_refused, invoke, snapshot
from simulator.scenario.extends import read_with_extends

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
BASES = ("nichebuster.yaml", "validation/bio2016.yaml", "validation/paul2010.yaml")
OUTCOMES: Counter = Counter()


def _merged(name: str) -> dict:
    path = (SCENARIOS / name).resolve()
    return read_with_extends(path, (path,), name)[0]


MERGED = {name: _merged(name) for name in BASES}


def _paths(data, path=()) -> list[tuple]:
    out = [path] if path else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*path, i))
    return out


PATHS = {name: _paths(data) for name, data in MERGED.items()}

HOSTILE = st.one_of(
    st.sampled_from(
        [
            float("nan"),
            float("inf"),
            float("-inf"),
            0,
            -1,
            1,
            0.5,
            1e308,
            -1e308,
            1e-300,
            5e-324,
            10**30,
            2**63,
            "",
            "x",
            "nan",
            "inf",
            "1e999",
            True,
            None,
            [],
            {},
            [1, 2],
            {"a": 1},
            [[[[[]]]]],
            "a" * 200,
            12,
            60,
            61,
            1200,
            1201,
            1e6,
            0.999999,
            1.000001,
            "pert(3, 2, 1)",
            "pert(0, 0, 0)",
            "normal(0, 1)",
            "lognormal(mu=100, sigma=5)",
            "beta(a=1e-9, b=1e-9)",
            "gamma(1e-9, 1e9)",
            "uniform(0, 1e12)",
            "uniform(-1, 1)",
            "discrete([0, 1e12], [0.5, 0.5])",
            "bernoulli(1)",
            "fixed(0)",
            "pert(0, 1, 1200)",
            "triangular(0, 0, 1e-300)",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(min_value=-10, max_value=10),
    st.text(max_size=30),
)


@st.composite
def mutants(draw):
    name = draw(st.sampled_from(BASES))
    data = copy.deepcopy(MERGED[name])
    ops = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS[name]))
        node = data
        try:
            for key in path[:-1]:
                node = node[key]
            kind = draw(st.sampled_from(["set", "set", "set", "delete", "add"]))
            if kind == "set":
                node[path[-1]] = value = draw(HOSTILE)
            elif kind == "delete":
                del node[path[-1]]
                value = "<deleted>"
            elif isinstance(node, dict):
                node["zz_unknown"] = value = 1
            else:
                continue
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the way there
        ops.append((path, value))
    return name, data, ops


@pytest.mark.slow
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutants())
def test_mutated_shipped_scenario_is_refused_or_runs_finitely(mutant):
    name, data, ops = mutant
    note(f"{name}: {ops}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenario = folder / "scenario.yaml"
        scenario.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        out = folder / "out"
        before = snapshot(folder)
        args = ["-n", "20", "--chunk-size", "10", "--summaries-only", "--backend", "sequential"]
        res = invoke([scenario, *args, "-q", "--out", out], folder)
        if res.exit_code == 0:
            assert_ran(res, out)
            OUTCOMES["ran"] += 1
        else:
            assert_refused(res, folder, before)
            OUTCOMES["refused"] += 1


@pytest.mark.slow
def test_the_fuzz_both_refused_and_ran():
    """The mutations are neither all fatal nor all harmless (run after the fuzz above)."""
    if not OUTCOMES:
        pytest.skip("the fuzz did not run in this session")
    print(f"fuzz outcomes: {dict(OUTCOMES)}")
    assert OUTCOMES["ran"] >= FUZZ_EXAMPLES // 20, OUTCOMES
    assert OUTCOMES["refused"] >= FUZZ_EXAMPLES // 2, OUTCOMES
