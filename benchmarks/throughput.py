"""Throughput of the shipped scenario: iterations per second, simulation and end to end.

For each iteration count it times
- ``simulation``: ``simulator.run`` on the chosen backend (chunks, merge), and
- ``end to end``: the ``simulate`` command as a strategist runs it (imports, simulation,
  every output file and plot written), in a fresh process.

Target (DESIGN.md section 6): ``scenarios/nichebuster.yaml`` at 100,000 iterations in
under 10 s on a 2-core machine.

Usage::

    python benchmarks/throughput.py                      # 10k and 100k, local backend
    python benchmarks/throughput.py --iterations 1000000 --backend local --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import simulator as sim

ROOT = Path(__file__).resolve().parents[1]


def time_simulation(scenario, backend: str, workers: int | None) -> float:
    start = time.perf_counter()
    sim.run(scenario, backend=backend, workers=workers)
    return time.perf_counter() - start


def time_command(path: Path, iterations: int, backend: str, workers: int | None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "simulator.cli",
            str(path),
            "-n",
            str(iterations),
            "--backend",
            backend,
            "--out",
            str(Path(tmp) / "out"),
            "-q",
        ]
        if workers:
            cmd += ["--workers", str(workers)]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "CI": "true"})
        return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "nichebuster.yaml"))
    ap.add_argument("--iterations", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--backend", default="local", choices=["sequential", "local"])
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--no-command", action="store_true", help="skip the end-to-end timing")
    args = ap.parse_args()
    base = sim.load_scenario(args.scenario)
    rows = []
    for n in args.iterations:
        s = base.with_(iterations=n)
        t_sim = time_simulation(s, args.backend, args.workers)
        t_cmd = (
            None
            if args.no_command
            else time_command(Path(args.scenario), n, args.backend, args.workers)
        )
        rows.append(
            {
                "iterations": n,
                "simulation_s": round(t_sim, 3),
                "iterations_per_s": round(n / t_sim),
                "end_to_end_s": None if t_cmd is None else round(t_cmd, 3),
            }
        )
    print(
        f"{Path(args.scenario).name}, backend {args.backend}, "
        f"workers {args.workers or os.cpu_count()}"
    )
    print(f"{'iterations':>12} {'simulation s':>13} {'iter/s':>10} {'end-to-end s':>13}")
    for r in rows:
        e2e = "-" if r["end_to_end_s"] is None else f"{r['end_to_end_s']:.2f}"
        print(
            f"{r['iterations']:>12,} {r['simulation_s']:>13.2f} "
            f"{r['iterations_per_s']:>10,} {e2e:>13}"
        )
    print(
        json.dumps(
            {
                "benchmark": "throughput",
                "scenario": Path(args.scenario).name,
                "backend": args.backend,
                "workers": args.workers,
                "results": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
