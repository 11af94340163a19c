"""``--format`` of the commands that write a table (readiness, sensitivity, frontier,
discover): ``csv`` prints the table file as written, ``json`` its rows, and nothing else
reaches standard output; the files are the same whichever is chosen."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import asset, scenario_dict, write_yaml
from studies.test_frontier import KINDS, _template
from studies.test_readiness import readied

from simulator.cli import main


def _readiness(tmp_path):
    data = scenario_dict({"p": [readied()]}, iterations=60, chunk_size=60)
    return write_yaml(tmp_path / "s.yaml", data), [], "readiness.csv", "mechanisms"


def _sensitivity(tmp_path):
    a = asset("a", p=(0.7, 0.5, 0.6, 0.9), list_price_usd="uniform(60000, 140000)")
    b = asset("b", p=(0.6, 0.4, 0.6, 0.9), launch_cost_musd="uniform(0, 400)")
    data = scenario_dict({"a": [a], "b": [b]}, iterations=200)
    return write_yaml(tmp_path / "s.yaml", data), [], "sensitivity.csv", "swing"


def _frontier(tmp_path):
    data = scenario_dict(
        {"today": [{"template": "steady", "name": "s1", "count": 2}]},
        iterations=100,
        chunk_size=100,
    )
    data["templates"] = {k: _template(*v) for k, v in KINDS.items()}
    extra = ["--budget", "today", "--max-count", "2", "--no-report"]
    return write_yaml(tmp_path / "s.yaml", data), extra, "frontier.csv", "mixes"


def _discover(tmp_path):
    a = asset("a", patients_per_year=10_000)
    b = asset("b", patients_per_year=10_000)
    data = scenario_dict({"A": [a], "B": [b]}, iterations=20, chunk_size=20)
    lever = "portfolios.A.assets.a.commercial.patients_per_year=5000:15000"
    extra = ["--pair", "A,B", "--lever", lever, "--experiments", "12", "--threshold", "0.9"]
    return write_yaml(tmp_path / "s.yaml", data), extra, "discovery.csv", "boxes"


@pytest.mark.parametrize(
    ("command", "build"),
    [
        ("readiness", _readiness),
        ("sensitivity", _sensitivity),
        ("frontier", _frontier),
        ("discover", _discover),
    ],
)
def test_csv_prints_the_table_as_written_and_json_its_rows(tmp_path, command, build):
    path, extra, written, key = build(tmp_path)
    printed = {}
    for fmt in ("csv", "json"):
        out = tmp_path / fmt
        args = [command, str(path), *extra, "--backend", "sequential", "--out", str(out)]
        res = CliRunner().invoke(main, [*args, "--format", fmt])
        assert res.exit_code == 0, res.output
        printed[fmt] = (res.stdout, out)
    csv_text, csv_out = printed["csv"]
    assert csv_text == (csv_out / written).read_text(encoding="utf-8")
    json_text, json_out = printed["json"]
    data = json.loads(json_text)  # the whole of standard output is one JSON document
    assert data["outputs"] == str(json_out)
    rows = csv_text.strip().count("\n")  # a line per row below the header
    assert isinstance(data[key], list) and len(data[key]) == rows
    assert sorted(p.name for p in csv_out.iterdir()) == sorted(p.name for p in json_out.iterdir())
