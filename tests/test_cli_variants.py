"""``simulate sensitivity`` on the command line: outputs, and clean failures."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from helpers import asset, scenario_dict

from simulator.cli import main


@pytest.fixture
def scenario_file(tmp_path):
    a = asset("a", p=(0.7, 0.5, 0.6, 0.9), list_price_usd="uniform(60000, 140000)")
    b = asset("b", p=(0.6, 0.4, 0.6, 0.9), launch_cost_musd="uniform(0, 400)")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict({"a": [a], "b": [b]}, iterations=300)))
    return path


def test_sensitivity_writes_tables_and_tornadoes(scenario_file, tmp_path):
    out = tmp_path / "out"
    args = ["sensitivity", str(scenario_file), "--out", str(out), "-q", "--backend", "sequential"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "a.a.commercial.list_price_usd" in res.output
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "regression.csv",
        "scenario.resolved.yaml",
        "sensitivity.csv",
        "tornado_regression.png",
        "tornado_swing.png",
    ]
    swing = pd.read_csv(out / "sensitivity.csv", index_col="input")
    assert set(swing.index) == {"a.a.commercial.list_price_usd", "b.b.commercial.launch_cost_musd"}
    # more price for a and more launch cost for b both raise a - b
    assert (swing["diff_at_high_musd"] > swing["diff_at_low_musd"]).all()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--input", "a.a.commercial.peak_share"],
            "--input: 'a.a.commercial.peak_share' is not an uncertain input",
        ),
        (["--pair", "a,c"], "--pair: unknown portfolio 'c'; known: a, b"),
        (["--pair", "a"], "--pair: expected two portfolios A,B"),
        (["--set", "market.tax_rate=2"], "--set: market.tax_rate:"),
    ],
)
def test_sensitivity_bad_options_exit_2_and_write_nothing(scenario_file, tmp_path, extra, message):
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["sensitivity", str(scenario_file), "--out", str(out), "-q", *extra]
    )
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["s.yaml"]
