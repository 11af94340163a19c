"""Outputs under failure and contention (:mod:`simulator.report.atomic`): nothing is made
before a run can succeed, stale staging folders are swept, and two runs into one folder
never leave a folder whose files come from a run that printed another folder."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time

import pytest
import yaml

import simulator as sim
from hostile.common import ROOT, SMALL, invoke, snapshot
from simulator.report import atomic, export
from simulator.report.atomic import OutputError, Target, publish, staged, sweep_stale

RESULT = sim.run(
    sim.scenario_from_dict(yaml.safe_load(SMALL)).with_(iterations=20, chunk_size=20),
    backend="sequential",
    summaries_only=True,
)


def _write(marker: str):
    def write(d):
        (d / "who.txt").write_text(marker)
        (d / "manifest.json").write_text("{}")

    return write


def test_checking_a_target_creates_nothing(tmp_path):
    before = snapshot(tmp_path)
    target = Target.check(tmp_path / "runs" / "deep" / "er" / "out")
    assert target.found is None
    assert snapshot(tmp_path) == before


def test_a_file_on_the_way_is_named(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match="afile is a file, not a folder"):
        Target.check(tmp_path / "afile" / "sub" / "out")


def test_a_refused_run_makes_no_runs_folder(tmp_path):
    (tmp_path / "s.yaml").write_text(SMALL.replace("tax_rate: 0.2", "tax_rate: .nan"))
    res = invoke(["s.yaml", "--backend", "sequential", "-q"], tmp_path)
    assert res.exit_code == 2 and not (tmp_path / "runs").exists()


def test_a_failed_save_removes_the_folders_it_made(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_files", boom)
    before = snapshot(tmp_path)
    with pytest.raises(OSError, match="disk full"):
        export.save_result(RESULT, tmp_path / "runs" / "a" / "out")
    assert snapshot(tmp_path) == before


def _partial(parent, name, age_seconds):
    p = parent / f".{name}.partial-test{age_seconds}"
    p.mkdir(parents=True)
    (p / "summary.csv").write_text("half")
    old = time.time() - age_seconds
    os.utime(p, (old, old))
    return p


def test_stale_staging_is_swept_and_live_staging_is_not(tmp_path):
    stale = _partial(tmp_path, "old", 3600)
    young = _partial(tmp_path, "young", 0)  # its writer may be between mkdtemp and its lock
    held = _partial(tmp_path, "held", 3600)
    fd = os.open(held, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another open description: a live writer
    try:
        os.utime(held, (time.time() - 3600,) * 2)
        out = export.save_result(RESULT, tmp_path / "run")
    finally:
        os.close(fd)
    assert out == tmp_path / "run" and (out / "manifest.json").is_file()
    assert not stale.exists() and young.exists() and held.exists()
    assert sweep_stale(tmp_path) == [held]  # its writer is gone now


def test_two_runs_into_one_new_folder_go_to_distinct_folders(tmp_path):
    out = tmp_path / "out"
    first, second = Target.check(out), Target.check(out)  # both began before either saved
    a = atomic.write_directory(first, _write("first"))
    b = atomic.write_directory(second, _write("second"))
    assert (a, b) == (out, tmp_path / "out-2")
    assert (a / "who.txt").read_text() == "first" and (b / "who.txt").read_text() == "second"
    third = atomic.write_directory(Target.check(tmp_path / "fresh"), _write("third"))
    assert third == tmp_path / "fresh"


def test_a_folder_made_between_the_check_and_the_rename_is_not_an_error(tmp_path):
    """The issue's race: the other run renames into place after this one checked."""
    out = tmp_path / "out"
    target = Target.check(out)
    with staged(target) as staging:
        _write("late")(staging)
        atomic.write_directory(out, _write("early"))  # the other run, meanwhile
        got = publish(staging, target, lambda s, d: None)
    assert got == tmp_path / "out-2" and (got / "who.txt").read_text() == "late"
    assert (out / "who.txt").read_text() == "early"


def test_an_existing_folder_changed_meanwhile_is_not_overwritten(tmp_path):
    out = export.save_result(RESULT, tmp_path / "out")
    target = Target.check(out)  # this run began with the folder as it was
    export.save_result(RESULT, out)  # another run updated it meanwhile
    theirs = (out / "manifest.json").read_text()
    mine = export.save_result(RESULT, target)
    assert mine == tmp_path / "out-2"
    assert (out / "manifest.json").read_text() == theirs
    assert json.loads((mine / "manifest.json").read_text())["scenario"] == "small"
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.slow
def test_two_command_line_runs_into_one_new_out_each_print_their_own_folder(tmp_path):
    (tmp_path / "s.yaml").write_text(SMALL)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT), CI="1")
    cmd = [sys.executable, "-m", "simulator.cli", "s.yaml", "--summaries-only", "-q"]
    procs = [
        subprocess.Popen(
            [*cmd, "--seed", str(seed), "--out", str(out), "--backend", "sequential"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    printed = {}
    for seed, p in zip((1, 2), procs, strict=True):
        stdout, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr
        line = next(x for x in stdout.splitlines() if x.startswith("outputs: "))
        printed[seed] = (tmp_path / line.split()[1].rstrip("/")).resolve()
    assert printed[1] != printed[2]
    for seed, folder in printed.items():
        assert json.loads((folder / "manifest.json").read_text())["seed"] == seed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "out-2", "s.yaml"]
