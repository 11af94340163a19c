"""The command line: outputs a strategist and a finance reviewer rely on."""

import io
import json

import numpy as np
import pandas as pd
import yaml
from click.testing import CliRunner

import simulator as sim
from simulator.cli import main

SUMMARY_COLUMNS = [
    "portfolio",
    "iterations",
    "npv_mean_musd",
    "npv_mcse_musd",
    "npv_sd_musd",
    "npv_p05_musd",
    "npv_p10_musd",
    "npv_p50_musd",
    "npv_p90_musd",
    "npv_p95_musd",
    "prob_loss",
    "cvar05_musd",
    "launches_mean",
    "oop_cost_per_launch_musd",
    "capitalized_cost_per_launch_musd",
]


def run_cli(args):
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return res


def test_run_writes_every_output(tmp_path):
    out = tmp_path / "run"
    res = run_cli(["scenarios/nichebuster.yaml", "-n", "2000", "--out", str(out), "-q", "--csv"])
    assert "nichebuster - blockbuster" in res.output
    names = {p.name for p in out.iterdir()}
    assert {
        "summary.csv",
        "comparison.csv",
        "iterations.csv",
        "iterations.parquet",
        "inputs.csv",
        "inputs.parquet",
        "cashflows.csv",
        "scenario.resolved.yaml",
        "manifest.json",
        "npv_distribution.png",
        "npv_cdf.png",
    } <= names
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns[: len(SUMMARY_COLUMNS)]) == SUMMARY_COLUMNS or set(
        SUMMARY_COLUMNS
    ) <= set(summary.columns)
    assert set(summary.portfolio) == {"blockbuster", "nichebuster", "blockbuster_small"}
    it_csv = pd.read_csv(out / "iterations.csv")
    it_pq = pd.read_parquet(out / "iterations.parquet")
    assert len(it_csv) == len(it_pq) == 2000
    pd.testing.assert_frame_equal(it_csv, it_pq, check_dtype=False)
    inputs = pd.read_parquet(out / "inputs.parquet")
    pd.testing.assert_frame_equal(pd.read_csv(out / "inputs.csv"), inputs, check_dtype=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 20261125 and manifest["iterations"] == 2000
    assert set(manifest["files"]) == names
    # the command computes the trials' operating characteristics and hands them to the
    # report (reading a result never simulates): every design of the scenario is in it
    page = (out / "report.html").read_text(encoding="utf-8")
    trials = page[page.index('<section id="trials">') :].split("</section>")[0]
    for design in ("group_sequential", "ssr", "enrichment", "seamless"):
        assert design in trials
    # the summary is reproducible from the iteration table
    niche = summary.set_index("portfolio").loc["nichebuster"]
    assert niche.npv_mean_musd == __import__("pytest").approx(
        it_csv["nichebuster.npv_musd"].mean(), rel=1e-5
    )


def test_resolved_scenario_reruns_to_the_same_numbers(tmp_path):
    out = tmp_path / "a"
    run_cli(
        [
            "scenarios/nichebuster.yaml",
            "-n",
            "500",
            "--out",
            str(out),
            "-q",
            "--backend",
            "sequential",
        ]
    )
    resolved = out / "scenario.resolved.yaml"
    data = yaml.safe_load(resolved.read_text())
    assert "extends" not in data and "templates" not in data
    again = sim.run(sim.load_scenario(resolved))
    first = pd.read_parquet(out / "iterations.parquet")
    pd.testing.assert_series_equal(
        first["nichebuster.npv_musd"],
        again.iterations["nichebuster.npv_musd"],
        check_exact=False,
        rtol=1e-12,
    )


def test_set_overrides_and_json_format(tmp_path):
    res = run_cli(
        [
            "scenarios/nichebuster.yaml",
            "-n",
            "300",
            "--out",
            str(tmp_path / "j"),
            "--format",
            "json",
            "--set",
            "market.tax_rate=0",
            "--set",
            "portfolios.blockbuster_small.assets.bb_cardio.commercial.peak_share=0.2",
        ]
    )
    report = json.loads(res.output)
    assert {r["portfolio"] for r in report["summary"]} == {
        "blockbuster",
        "nichebuster",
        "blockbuster_small",
    }
    data = yaml.safe_load((tmp_path / "j" / "scenario.resolved.yaml").read_text())
    assert data["market"]["tax_rate"] == 0
    assert data["portfolios"]["blockbuster_small"]["assets"][0]["commercial"]["peak_share"] == 0.2


def test_existing_output_directory_is_updated_file_by_file(tmp_path):
    out = tmp_path / "same"
    run_cli(["scenarios/nichebuster.yaml", "-n", "200", "--out", str(out), "-q", "--csv"])
    run_cli(["scenarios/nichebuster.yaml", "-n", "300", "--out", str(out), "-q"])
    assert len(pd.read_parquet(out / "iterations.parquet")) == 300
    assert not (out / "iterations.csv").exists()  # the first run's CSV went with its manifest
    assert not list(tmp_path.glob(".same.partial-*"))


def test_help_and_version():
    assert "Nichebuster" in run_cli(["--help"]).output
    assert "--iterations" in run_cli(["run", "--help"]).output
    assert "0.1.0" in run_cli(["--version"]).output


def test_version_names_the_package_version_and_the_code_fingerprint():
    import subprocess
    import sys

    from simulator.core.provenance import code_fingerprint

    version, fingerprint = code_fingerprint()
    expected = f"simulate {version} (code fingerprint {fingerprint})"
    assert run_cli(["--version"]).output.strip() == expected
    module = subprocess.run(
        [sys.executable, "-m", "simulator", "--version"], capture_output=True, text=True
    )
    assert (module.returncode, module.stdout.strip()) == (0, expected)


def test_fidelity_option_runs_the_plants_event_by_event(tmp_path):
    out = tmp_path / "run"
    args = ["scenarios/nichebuster.yaml", "-n", "30", "--out", str(out), "-q"]
    res = run_cli([*args, "--fidelity", "event", "--backend", "sequential"])
    assert "CGT treated / lost / capex" in res.output
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["simulation"]["fidelity"] == "event"
    assert {"plant.csv", "plant_nichebuster.car_t.png"} <= {p.name for p in out.iterdir()}


def test_trials_prints_the_operating_characteristics():
    res = run_cli(["trials", "scenarios/nichebuster.yaml", "-n", "20000"])
    for design in ("fixed", "group_sequential", "ssr", "enrichment", "seamless"):
        assert design in res.output
    assert "type I" in res.output and "E[months]" in res.output
    csv = run_cli(["trials", "scenarios/nichebuster.yaml", "-n", "20000", "--format", "csv"])
    rows = list(csv.output.splitlines())
    assert rows[0].startswith("portfolio,asset,copies,stage,design")
    assert len(rows) == 1 + 9  # header; phase II and III of four assets, one seamless row
    bad = CliRunner().invoke(main, ["trials", "scenarios/nichebuster.yaml", "--set", "x=1"])
    assert bad.exit_code == 2


def test_outputs_split_inputs_and_leave_constant_columns_in_the_manifest(tmp_path):
    """By default no CSV copy of the per-iteration tables; the sampled inputs are in
    their own file; a column constant over the run is not in them but in the manifest,
    and the three together are exactly the run's columns and values."""
    out = tmp_path / "split"
    run_cli(["scenarios/nichebuster.yaml", "-n", "400", "--out", str(out), "-q"])
    names = {p.name for p in out.iterdir()}
    assert {"iterations.parquet", "inputs.parquet"} <= names
    assert not {"iterations.csv", "inputs.csv"} & names
    outcomes = pd.read_parquet(out / "iterations.parquet")
    inputs = pd.read_parquet(out / "inputs.parquet")
    constant = json.loads((out / "manifest.json").read_text())["constant_columns"]
    assert all(c.startswith("input:") for c in inputs.columns[1:])
    assert not any(c.startswith("input:") for c in outcomes.columns)
    assert list(outcomes["iteration"]) == list(inputs["iteration"]) == list(range(400))
    r = sim.run(sim.load_scenario("scenarios/nichebuster.yaml").with_(iterations=400))
    full = r.iterations
    written = [*outcomes.columns, *inputs.columns[1:], *constant]
    assert sorted(written) == sorted(full.columns)
    for name, value in constant.items():
        expected = full[name].iloc[0]
        assert full[name].nunique(dropna=False) == 1
        assert (value is None and pd.isna(expected)) or value == expected
    # the outcomes to the last bit; the sampled inputs as 32-bit floats (the manifest says)
    assert json.loads((out / "manifest.json").read_text())["inputs_float"] == "float32"
    for frame in (outcomes, inputs):
        for name in frame.columns:
            assert frame[name].nunique(dropna=False) > 1
            expected = full[name].to_numpy()
            if frame is inputs and expected.dtype.kind == "f":
                assert frame[name].dtype == np.float32
                expected = expected.astype(np.float32)
            np.testing.assert_array_equal(frame[name].to_numpy(), expected)


def test_the_studies_that_rerun_the_model_are_asked_for_with_tables(tmp_path):
    """The default run neither reruns under each success-rate table nor computes the
    calibration table (the report says how to get them); ``--tables`` does both."""
    args = ["scenarios/nichebuster.yaml", "-n", "200", "-q", "--backend", "sequential"]
    plain = run_cli([*args, "--out", str(tmp_path / "plain")])
    page = (tmp_path / "plain" / "report.html").read_text(encoding="utf-8")
    assert "by success-rate table" not in plain.output
    assert '<section id="calibration">' not in page and "--tables" in page
    full = run_cli([*args, "--out", str(tmp_path / "full"), "--tables"])
    page = (tmp_path / "full" / "report.html").read_text(encoding="utf-8")
    assert "nichebuster - blockbuster by success-rate table" in full.output
    assert '<section id="calibration">' in page and "--tables" not in page


def test_help_shows_a_default_for_every_option_of_every_command():
    import click

    for name, command in main.commands.items():
        text = run_cli([name, "--help"]).output
        assert "Usage: " in text and "Sentinel" not in text
        for p in command.params:
            if isinstance(p, click.Option) and not (p.is_flag or p.multiple or p.required):
                valued = p.default is not None and repr(p.default) != "Sentinel.UNSET"
                assert valued or p.show_default, (name, p.opts)  # a value, or words for one
    assert "[default: table]" in run_cli(["gates", "--help"]).output
    run_help = " ".join(run_cli(["run", "--help"]).output.split())  # unwrapped
    assert "[default: local]" in run_help and "[default: table]" in run_help
    assert "[default: (scenario's simulation.iterations); x>=1]" in run_help
    sweep_help = " ".join(run_cli(["sweep", "--help"]).output.split())
    assert "[default: (runs/<scenario>-sweep-<date>-<time>)]" in sweep_help
    assert "A - B. [default: (the scenario's first pair)]" in sweep_help


def test_format_means_what_standard_output_holds_in_every_command(tmp_path):
    import click

    from simulator.cli.app import FORMATS

    having = {n for n, c in main.commands.items() if any(p.name == "fmt" for p in c.params)}
    assert having == {
        "run", "sweep", "trials", "gates", "voi", "readiness", "sensitivity", "frontier", "discover"
    }  # fmt: skip
    for name in having:
        (fmt,) = [p for p in main.commands[name].params if p.name == "fmt"]
        assert isinstance(fmt.type, click.Choice) and tuple(fmt.type.choices) == FORMATS
        assert fmt.default == "table" and fmt.help.startswith("What standard output holds")
    out = tmp_path / "run"
    csv = run_cli(["scenarios/nichebuster.yaml", "-n", "200", "--out", str(out), "-q",
                   "--format", "csv"]).output  # fmt: skip
    assert csv == (out / "summary.csv").read_text()
    args = ["trials", "scenarios/nichebuster.yaml", "-n", "2000"]
    rows = pd.read_csv(io.StringIO(run_cli([*args, "--format", "csv"]).output))
    as_json = pd.DataFrame(json.loads(run_cli([*args, "--format", "json"]).output))
    assert list(as_json.columns) == list(rows.columns) and len(as_json) == len(rows)
    gates = json.loads(run_cli(["gates", "scenarios/gates.yaml", "-n", "40", "--format", "json"])
                       .output)  # fmt: skip
    assert set(gates) == {"portfolios", "assets"} and gates["portfolios"] and gates["assets"]
