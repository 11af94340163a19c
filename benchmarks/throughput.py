"""Speed a strategist feels: every figure of the throughput table, each with its floor ratio.

One process measures, against a **floor kernel** timed in the same process (the one-core
numpy kernel of :func:`suite.numpy_floor`: draw the model's random numbers for every
iteration and asset and touch every iteration x asset x month cell once), the rows of
the table the README quotes:

==========================================  ===============================================
row                                         what is timed
==========================================  ===============================================
``simulation, sequential``                  ``simulator.run`` in this process, one core
``simulation, local x W``                   ``simulator.run`` on a pool of W processes
``Result.save``                             writing every output of that result
``simulate, end to end``                    the ``simulate`` command in a fresh process:
                                            imports, simulation, every file; the CPU
                                            seconds and peak memory (proportional set
                                            size) of its process tree, and bytes written
``default run, end to end``                 ``simulate scenarios/nichebuster.yaml`` at its
                                            own 20,000 iterations
``simulate --help``, ``import simulator``   fresh processes
==========================================  ===============================================

Each figure is the median of ``--repeat`` runs, and each ratio is over the median floor
(floors are timed between the runs, so that the load of a shared machine weighs on both).
The machine may be shared: quote the ratios, and the load average printed with them. On
a loaded machine the **CPU ratio** (CPU seconds of the row, its worker processes
included, over the floor's CPU seconds) moves least: waiting for a core costs wall time,
not CPU time. On two idle cores a parallel row's wall time is about its CPU time over 2.
Targets (DESIGN.md section 6, issue 16): default run under 3 s end to end; 100,000
iterations within 3x the floor sequentially and 2x on 2 workers, under 8 s end to end,
under 1 GB peak memory and 150 MB written; ``--help`` and ``import`` under 0.3 s.

Usage::

    python benchmarks/throughput.py                     # 100,000 iterations, 2 workers
    python benchmarks/throughput.py --iterations 20000 --repeat 1 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]  # this checkout first

from suite import numpy_floor, problem_size  # noqa: E402

SCENARIO = ROOT / "scenarios" / "nichebuster.yaml"
ENV = {**os.environ, "CI": "true", "PYTHONPATH": str(ROOT)}


def _tree_memory_bytes(pid: int) -> int:
    """Memory of a process and all its descendants (Linux /proc): the sum of their
    proportional set sizes, so that pages a forked process shares are counted once."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError, StopIteration):
            continue
    return total


def run_command(args: list[str]) -> dict:
    """Run ``python -m simulator.cli ARGS`` from the checkout: wall seconds, CPU seconds
    of its process tree, and its peak memory (the tree's PSS, sampled every 20 ms)."""
    cmd = [sys.executable, "-m", "simulator.cli", *args]
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=err)
        peak = [0]

        def sample() -> None:
            while proc.returncode is None:
                peak[0] = max(peak[0], _tree_memory_bytes(proc.pid))
                time.sleep(0.02)

        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        watcher.join()
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{err.read().decode()[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": seconds, "cpu_s": cpu, "peak_memory_mb": peak[0] / 1e6}


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (pool workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def time_python(code: str) -> float:
    """Wall seconds of a fresh ``python -c CODE`` from the checkout (interpreter included)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, check=True, capture_output=True)
    return time.perf_counter() - start


def directory_sizes(directory: Path) -> dict[str, float]:
    """MB of each file written, and the total."""
    sizes = {p.name: p.stat().st_size / 1e6 for p in directory.iterdir() if p.is_file()}
    return {"total": sum(sizes.values()), **dict(sorted(sizes.items(), key=lambda kv: -kv[1]))}


def measure(args) -> dict:
    import simulator as sim

    base = sim.load_scenario(SCENARIO)
    size = problem_size(base)
    s = base.with_(iterations=args.iterations)
    floors, floor_cpus, rows = [], [], {}

    def floor() -> None:
        c0 = time.process_time()
        floors.append(numpy_floor(args.iterations, size))
        floor_cpus.append(time.process_time() - c0)

    def record(name: str, seconds: float, **extra) -> None:
        rows.setdefault(name, {"runs": [], **extra})["runs"].append(seconds)
        rows[name].update(extra)

    sim.run(base.with_(iterations=min(args.iterations, 2_000)), backend="sequential")  # warm
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):
            floor()
            t0, c0 = time.perf_counter(), _cpu()
            r = sim.run(s, backend="sequential")
            record("simulation, sequential", time.perf_counter() - t0, cpu_s=_cpu() - c0)
            floor()
            t0, c0 = time.perf_counter(), _cpu()
            sim.run(s, backend="local", workers=args.workers)
            t = time.perf_counter() - t0
            record(f"simulation, local x{args.workers}", t, cpu_s=_cpu() - c0)
            t0, c0 = time.perf_counter(), _cpu()
            r.save(Path(tmp) / f"save-{k}")
            record("Result.save", time.perf_counter() - t0, cpu_s=_cpu() - c0)
            del r
            floor()
            out = Path(tmp) / f"cmd-{k}"
            cmd = [str(SCENARIO), "-n", str(args.iterations), "--out", str(out), "-q"]
            c = run_command([*cmd, "--workers", str(args.workers)])
            record("simulate, end to end", c["seconds"], cpu_s=c["cpu_s"],
                   peak_memory_mb=c["peak_memory_mb"], written_mb=directory_sizes(out))  # fmt: skip
            d = run_command([str(SCENARIO), "--out", str(Path(tmp) / f"default-{k}"), "-q"])
            record("default run (20,000), end to end", d["seconds"], cpu_s=d["cpu_s"],
                   peak_memory_mb=d["peak_memory_mb"])  # fmt: skip
        for _ in range(args.repeat):
            help_code = "from simulator.cli import main; main(['--help'])"
            record("simulate --help", time_python(help_code))
            record("import simulator", time_python("import simulator"))
    return {"floor_runs": floors, "floor_cpu_runs": floor_cpus, "size": size, "rows": rows}


def report(args, m: dict) -> None:
    floor_s = statistics.median(m["floor_runs"])
    size = m["size"]
    load = os.getloadavg()
    print(
        f"{SCENARIO.name}: {args.iterations:,} iterations, {size['assets']} assets, "
        f"{size['months']} months; median of {args.repeat}; load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    floor_cpu = statistics.median(m["floor_cpu_runs"])
    print(f"floor (one-core numpy kernel, this process): {floor_s:.2f} s, CPU {floor_cpu:.2f} s")
    print(f"{'':40} {'seconds':>8} {'floor ratio':>12} {'CPU ratio':>10}  notes")
    seq = None
    for name, row in m["rows"].items():
        t = statistics.median(row["runs"])
        notes = []
        if name == "simulation, sequential":
            seq = t
        elif name.startswith("simulation, local") and seq:
            notes.append(f"speed-up {seq / t:.2f}")
        if "cpu_s" in row:
            notes.append(f"CPU {row['cpu_s']:.1f} s")
        if "peak_memory_mb" in row:
            notes.append(f"peak memory {row['peak_memory_mb']:,.0f} MB")
        if "written_mb" in row:
            w = row["written_mb"]
            top = ", ".join(f"{k} {v:.1f}" for k, v in list(w.items())[1:4])
            notes.append(f"{w['total']:.1f} MB written ({top})")
        with_ratio = name in _RATIO_ROWS or name.startswith("simulation")
        ratio = f"{t / floor_s:.1f}x" if with_ratio else ""
        cpu_ratio = f"{row['cpu_s'] / floor_cpu:.1f}x" if "cpu_s" in row else ""
        print(f"{name:40} {t:8.2f} {ratio:>12} {cpu_ratio:>10}  {'; '.join(notes)}")
    client = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this process peaked at {client:,.0f} MiB)")
    print(json.dumps({"benchmark": "throughput", "iterations": args.iterations,
                      "workers": args.workers, "load_average": load, "floor_s": floor_s,
                      "floor_cpu_s": floor_cpu,
                      **{k: {**v, "median_s": statistics.median(v["runs"])}
                         for k, v in m["rows"].items()}}))  # fmt: skip


_RATIO_ROWS = {"Result.save"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each figure (median)")
    args = ap.parse_args()
    report(args, measure(args))


if __name__ == "__main__":
    main()
