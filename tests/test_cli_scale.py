"""``simulate run`` at scale: --summaries-only, --keep-samples, and the Dask options'
errors (one line, exit status 2, no traceback, nothing written)."""

from __future__ import annotations

import json
import socket
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.engine import dask_backend


def _run(args: list[str]):
    return CliRunner().invoke(main, args, env={"CI": "true"})


def _clean_failure(res, *needles: str) -> None:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    for needle in needles:
        assert needle in res.output


def test_summaries_only_writes_the_summary_files(tiny_scenario_file, tmp_path):
    out = tmp_path / "out"
    res = _run([str(tiny_scenario_file), "--summaries-only", "--out", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    rows = pd.read_csv(out / "summary.csv")
    assert [r["npv_mean_musd"] for r in report["summary"]] == pytest.approx(
        list(rows.npv_mean_musd), rel=1e-5
    )
    assert not (out / "iterations.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["summaries_only"] is True


def test_keep_samples_implies_summaries(tiny_scenario_file, tmp_path):
    res = _run(
        [
            str(tiny_scenario_file),
            "--keep-samples",
            str(tmp_path / "s"),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert res.exit_code == 0, res.output
    assert "summaries only" in res.output
    assert sorted(p.name for p in (tmp_path / "s").iterdir())[0] == "part-000000.parquet"


def test_scheduler_with_another_backend_is_a_usage_error(tiny_scenario_file, tmp_path):
    res = _run([str(tiny_scenario_file), "--backend", "local", "--scheduler", "tcp://127.0.0.1:1"])
    _clean_failure(res, "--scheduler runs on Dask")


def test_unreachable_scheduler(tiny_scenario_file, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT_S", 1)
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    res = _run(
        [str(tiny_scenario_file), "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(out)]
    )
    _clean_failure(res, "cannot reach the Dask scheduler", "dask scheduler")
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_missing_scheduler_file(tiny_scenario_file, tmp_path):
    pytest.importorskip("distributed")
    res = _run([str(tiny_scenario_file), "--scheduler", str(tmp_path / "nope.json")])
    _clean_failure(res, "no Dask scheduler file")


def test_dask_backend_without_dask_installed(tiny_scenario_file, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    res = _run([str(tiny_scenario_file), "--backend", "dask"])
    _clean_failure(res, "pip install", "[dask]")
