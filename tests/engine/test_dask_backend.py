"""The Dask backend: the same numbers as every other backend, on a local or a remote
(loopback) cluster, with a lost worker, and a clear refusal of workers on other code."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import ROOT, asset, make

import simulator as sim
from simulator.engine import dask_backend
from simulator.engine.dask_backend import BackendError
from simulator.report.export import resolved_yaml

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scenario() -> sim.Scenario:
    return make(
        {
            "a": [asset("x", p=(0.6, 0.5, 0.6, 0.9)), asset("z", p=(0.7, 0.4, 0.6, 0.9))],
            "b": [asset("y", p=(0.8, 0.6, 0.7, 0.9))],
        },
        iterations=1_200,
        chunk_size=300,
        tax_rate=0.2,
    )


@pytest.fixture(scope="module")
def in_process_client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0"
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _tables(result) -> list[pd.DataFrame]:
    return [result.summary(), result.comparison(), result.cashflow_bands()]


def _assert_identical(a, b) -> None:
    for x, y in zip(_tables(a), _tables(b), strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


@pytest.mark.slow
@pytest.mark.parametrize("summaries_only", [False, True])
def test_every_backend_gives_identical_numbers(scenario, in_process_client, summaries_only):
    kw = {"summaries_only": summaries_only}
    reference = sim.run(scenario, backend="sequential", **kw)
    _assert_identical(reference, sim.run(scenario, backend="local", workers=2, **kw))
    _assert_identical(
        reference, sim.run(scenario, backend="dask", scheduler=in_process_client, **kw)
    )
    _assert_identical(reference, sim.run(scenario, backend="dask", workers=2, **kw))
    if not summaries_only:
        pd.testing.assert_frame_equal(
            reference.iterations,
            sim.run(scenario, backend="dask", scheduler=in_process_client).iterations,
            check_exact=True,
        )


def test_workers_on_other_code_are_refused(in_process_client):
    version, source = dask_backend.code_fingerprint()
    assert dask_backend.check_workers(in_process_client) == 2
    with pytest.raises(BackendError, match="2 of 2 Dask workers run other simulator code"):
        dask_backend.check_workers(in_process_client, (version, "0" * 16))
    with pytest.raises(BackendError, match=re.escape(f"simulator {version}")):
        dask_backend.check_workers(in_process_client, ("9.9.9", source))


def test_a_missing_scheduler_file_is_a_clear_error(scenario, tmp_path):
    with pytest.raises(BackendError, match="no Dask scheduler file"):
        sim.run(scenario, backend="dask", scheduler=str(tmp_path / "scheduler.json"))


# ------------------------------------------------------------------------------------
# a remote cluster on loopback: `dask scheduler` and `dask worker` processes
# ------------------------------------------------------------------------------------
def _env() -> dict[str, str]:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "CI": "true", "MPLBACKEND": "Agg"}


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]],
        env=_env(),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture
def loopback_cluster(tmp_path):
    """A scheduler and two worker processes on 127.0.0.1; yields (address, workers)."""
    sched_file = tmp_path / "scheduler.json"
    procs: list[subprocess.Popen] = []
    try:
        procs.append(
            _start(
                [
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--dashboard-address",
                    "127.0.0.1:0",
                    "--scheduler-file",
                    str(sched_file),
                ],
                tmp_path / "scheduler.log",
            )
        )
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        workers = []
        for i in range(2):
            workers.append(
                _start(
                    [
                        "worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--name",
                        f"w{i}",
                    ],
                    tmp_path / f"worker{i}.log",
                )
            )
        procs += workers
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, sched_file, workers
    finally:
        for p in reversed(procs):
            _stop(p)


@pytest.mark.slow
def test_remote_cluster_on_loopback_gives_the_local_numbers(scenario, loopback_cluster, tmp_path):
    address, sched_file, _ = loopback_cluster
    reference = sim.run(scenario)
    _assert_identical(reference, sim.run(scenario, backend="dask", scheduler=str(sched_file)))
    # the command line, as a user on a cluster runs it
    path = tmp_path / "scenario.yaml"
    path.write_text(resolved_yaml(reference))  # what ran, as a file
    cmd = [sys.executable, "-m", "simulator.cli", str(path), "--scheduler", address]
    cmd += ["--out", str(tmp_path / "out"), "--format", "json", "-q"]
    done = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    expected = reference.summary().reset_index().to_dict("records")
    assert [r["npv_mean_musd"] for r in report["summary"]] == [r["npv_mean_musd"] for r in expected]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["workers"] == 2


@pytest.mark.slow
def test_a_lost_worker_changes_nothing(loopback_cluster):
    address, _, workers = loopback_cluster
    s = make({"a": [asset("x", p=(0.6, 0.5, 0.6, 0.9))], "b": [asset("y")]}, iterations=4_000)
    s = s.with_(chunk_size=200)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if done == 2 and not killed:  # chunks are in flight on both workers now
            os.kill(workers[0].pid, signal.SIGKILL)
            killed.append(workers[0].pid)

    with distributed.Client(address, timeout=30) as client:
        result = sim.run(s, backend="dask", scheduler=client, progress=kill_one)
    assert killed and workers[0].wait(timeout=20) == -signal.SIGKILL
    _assert_identical(sim.run(s), result)
