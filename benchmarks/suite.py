"""The scale benchmark: throughput and peak memory per backend, speed-up, and a numpy floor.

For ``scenarios/nichebuster.yaml`` at each iteration count and on each backend
(``sequential``; ``local`` and ``dask`` with ``--workers``, 2 by default) it runs
``simulator.run`` in a fresh process and records the seconds, iterations per second and
the peak resident memory of the client and of its largest child process (a worker;
``resource.getrusage``). From 10^6 iterations on a run keeps summaries, not rows (the
streaming reduction), as ``simulator.run`` does by default.

**Speed-up** is the sequential time over the parallel time at the same count.

**Floor.** :func:`numpy_floor` does only the irreducible work of the same problem, in one
process: for every iteration and asset, draw as many random numbers as the model draws
(one per uncertain input, one success uniform per stage), build the asset's monthly cash
over the horizon (one multiply of a draw by a fixed profile) and discount it (one
matrix-vector product), summing into the portfolio's NPV. ``ratio`` is the backend's time
over the floor's time: how far from the machine's limit the simulator is (for parallel
backends the floor is still one core, so the ideal ratio there is 1 / workers).

The machine may be shared: the numbers are noisy (run it twice and keep the faster).

Usage::

    python benchmarks/suite.py                          # 1e4, 1e5, 1e6; sequential skipped at 1e6
    python benchmarks/suite.py --iterations 10000 --backends sequential local
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "nichebuster.yaml"
FLOOR_CHUNK = 10_000


def problem_size(scenario) -> dict[str, int]:
    """Assets, months and random draws per asset-iteration of a scenario."""
    from simulator.core.draws import distribution_fields

    assets = draws = 0
    for portfolio in scenario.portfolios.values():
        for asset in portfolio.assets:
            assets += 1
            fields = distribution_fields(asset)
            draws += sum(not d.is_constant for d in fields.values())
            stages = asset.phases.model_dump(exclude_none=True)
            draws += len(stages)  # a success uniform a stage
    return {
        "assets": assets,
        "months": scenario.market.horizon_years * 12,
        "draws_per_iteration": draws,
    }


def numpy_floor(iterations: int, size: dict[str, int], seed: int = 0) -> float:
    """Seconds of the irreducible kernel (see the module docstring), one process."""
    rng = np.random.default_rng(seed)
    months, assets = size["months"], size["assets"]
    per_asset = max(1, round(size["draws_per_iteration"] / assets))
    discount = (1 + 0.1) ** (-np.arange(months) / 12)
    profile = np.linspace(-1.0, 1.0, months)
    buffer = np.empty((FLOOR_CHUNK, months))
    t0 = time.perf_counter()
    total = 0.0
    for start in range(0, iterations, FLOOR_CHUNK):
        n = min(FLOOR_CHUNK, iterations - start)
        npv = np.zeros(n)
        cash = buffer[:n]
        for _ in range(assets):
            u = rng.random((n, per_asset))
            np.multiply(u[:, :1], profile, out=cash)  # (n, months): the asset's monthly cash
            npv += cash @ discount
        total += float(npv.sum())
    assert np.isfinite(total)
    return time.perf_counter() - t0


def one_run(iterations: int, backend: str, workers: int) -> dict:
    """Run once in this process and measure (called in a fresh process)."""
    import simulator as sim

    s = sim.load_scenario(SCENARIO).with_(iterations=iterations)
    t0 = time.perf_counter()
    r = sim.run(s, backend=backend, workers=workers)
    seconds = time.perf_counter() - t0
    return {
        "iterations": iterations,
        "backend": backend,
        "workers": 1 if backend == "sequential" else workers,
        "seconds": round(seconds, 2),
        "iterations_per_s": round(iterations / seconds),
        "summaries_only": bool(getattr(r, "summaries_only", False)),
        "client_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


def _in_fresh_process(iterations: int, backend: str, workers: int) -> dict:
    cmd = [sys.executable, __file__, "--one", "--iterations", str(iterations)]
    cmd += ["--backends", backend, "--workers", str(workers)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--backends", nargs="+", default=["sequential", "local", "dask"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--sequential-up-to", type=int, default=100_000, help="skip sequential above this"
    )
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_run(args.iterations[0], args.backends[0], args.workers)))
        return
    import simulator as sim

    size = problem_size(sim.load_scenario(SCENARIO))
    rows = []
    for n in args.iterations:
        floor_s = numpy_floor(n, size)
        seq_s = None
        for backend in args.backends:
            if backend == "sequential" and n > args.sequential_up_to:
                continue
            row = _in_fresh_process(n, backend, args.workers)
            row["floor_s"] = round(floor_s, 3)
            row["ratio_to_floor"] = round(row["seconds"] / floor_s, 1)
            if backend == "sequential":
                seq_s = row["seconds"]
            row["speedup"] = None if seq_s is None else round(seq_s / row["seconds"], 2)
            rows.append(row)
            print(f"  done: {n:,} {backend}", file=sys.stderr, flush=True)
    print(
        f"{SCENARIO.name}: {size['assets']} assets, {size['months']} months, "
        f"{size['draws_per_iteration']} draws per iteration; floor = one-core numpy kernel"
    )
    head = (
        f"{'iterations':>11} {'backend':>10} {'workers':>7} {'seconds':>8} {'iter/s':>8} "
        f"{'speed-up':>8} {'floor s':>8} {'x floor':>8} {'client MiB':>10} {'worker MiB':>10}"
        f" {'rows?':>5}"
    )
    print(head)
    for r in rows:
        print(
            f"{r['iterations']:>11,} {r['backend']:>10} {r['workers']:>7} {r['seconds']:>8.2f} "
            f"{r['iterations_per_s']:>8,} {r['speedup'] or '-':>8} {r['floor_s']:>8.3f} "
            f"{r['ratio_to_floor']:>8} {r['client_peak_rss_mib']:>10,} "
            f"{r['worker_peak_rss_mib']:>10,} {'no' if r['summaries_only'] else 'yes':>5}"
        )
    skipped = [n for n in args.iterations if n > args.sequential_up_to]
    if "sequential" in args.backends and skipped:
        print(f"(sequential skipped at {', '.join(f'{n:,}' for n in skipped)}: too slow here)")
    print(json.dumps({"benchmark": "suite", "scenario": SCENARIO.name, **size, "results": rows}))


if __name__ == "__main__":
    main()
