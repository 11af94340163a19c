"""Interrupts: SIGTERM (and SIGINT) at mid-simulation and during the save end the command
with no worker process alive 5 s later and no staging folder; SIGKILL, which cannot be
handled, still leaves no worker behind (they watch their parent), and the staging folder
it leaves is swept by the next run beside it.

Each test runs ``simulate`` in a subprocess on the shipped scenario with a process pool
of two workers, as a user would, and finds the workers by their parent in ``/proc``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostile.common import ROOT, SCENARIOS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc"),
]


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, timeout: float, step: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def start(tmp_path: Path, *args: str) -> subprocess.Popen:
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    env = dict(os.environ, PYTHONPATH=str(ROOT), CI="1")
    cmd = [sys.executable, "-m", "simulator.cli", "scenarios/nichebuster.yaml", "-q", *args]
    return subprocess.Popen(
        cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def partials(tmp_path: Path) -> list[Path]:
    return list(tmp_path.glob(".*.partial-*"))


def mid_simulation(tmp_path):
    p = start(
        tmp_path,
        "-n",
        "200000",
        "--summaries-only",
        "--backend",
        "local",
        "--workers",
        "2",
        "--out",
        "out",
    )
    workers = wait_for(lambda: len(children(p.pid)) >= 2 and children(p.pid), 60)
    assert workers, p.communicate(timeout=30)
    time.sleep(2.0)  # the workers are simulating chunks now
    assert p.poll() is None
    return p, workers


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_at_mid_simulation_ends_workers_and_writes_nothing(tmp_path, sig):
    p, workers = mid_simulation(tmp_path)
    p.send_signal(sig)
    _, stderr = p.communicate(timeout=10)
    assert p.returncode == 128 + sig, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert wait_for(lambda: not [w for w in workers if alive(w)], 5), "workers still alive"
    assert not (tmp_path / "out").exists() and not partials(tmp_path)
    assert not (tmp_path / "runs").exists()


def test_sigterm_during_the_save_removes_the_staging_folder(tmp_path):
    p = start(tmp_path, "-n", "10000", "--backend", "local", "--workers", "2", "--out", "out")
    staging = wait_for(lambda: partials(tmp_path), 120, step=0.01)
    assert staging, p.communicate(timeout=60)
    p.send_signal(signal.SIGTERM)
    _, stderr = p.communicate(timeout=10)
    assert p.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert not partials(tmp_path) and not (tmp_path / "out").exists()
    assert not [c for c in children(p.pid) if alive(c)]


def test_sigkill_leaves_no_worker_and_its_staging_is_swept_later(tmp_path):
    p, workers = mid_simulation(tmp_path)
    p.kill()
    p.communicate(timeout=10)
    assert wait_for(lambda: not [w for w in workers if alive(w)], 5), "workers outlived SIGKILL"
    # a run killed while saving leaves its staging folder; the next run beside it sweeps it
    stale = tmp_path / ".out.partial-killed"
    stale.mkdir()
    (stale / "summary.csv").write_text("half")
    os.utime(stale, (time.time() - 60,) * 2)
    q = start(tmp_path / "next", "-n", "50", "--summaries-only", "--out", str(tmp_path / "other"))
    assert q.wait(timeout=120) == 0, q.communicate()
    assert not stale.exists() and (tmp_path / "other" / "manifest.json").is_file()


def test_a_forked_child_ends_quietly_on_the_commands_signal_handler():
    """A process forked from the command (the report's figure pool, which ends its workers
    with SIGTERM) inherits the handler: there the signal ends it by default, with no
    traceback of an interrupt it has no command for."""
    code = (
        "import os, signal, time\n"
        "from simulator.cli import app\n"
        "app._OWNER.append(os.getppid())  # as in a child forked from the command\n"
        "signal.signal(signal.SIGTERM, app._on_signal)\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "time.sleep(5)\n"
        "print('still alive')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert p.returncode == -signal.SIGTERM, (p.returncode, p.stderr)
    assert p.stderr == "" and p.stdout == ""
