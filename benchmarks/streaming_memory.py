"""Peak memory of a summaries-only run as the iteration count grows (flat, or a bug).

Runs a small two-portfolio scenario (one asset each, the test suite's builder) with
``summaries_only=True`` and prints, per iteration count, the time and the peak resident
memory of this process (the client, which merges the summaries) and of its largest child
(a worker), from ``resource.getrusage``. Each count runs in a fresh process so that the
peaks do not carry over.

Usage::

    python benchmarks/streaming_memory.py --iterations 1000000 10000000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def small_scenario(iterations: int, chunk_size: int):
    import simulator as sim

    def asset(name: str, p: float) -> dict:
        return {
            "name": name,
            "start_stage": "phase1",
            "phases": {
                s: {"duration_months": "pert(10, 14, 24)", "cost_musd": c, "p_success": p}
                for s, c in (("phase1", 10), ("phase2", 30), ("phase3", 100), ("review", 20))
            },
            "commercial": {
                "patients_per_year": 10_000,
                "peak_share": "triangular(0.2, 0.3, 0.45)",
                "uptake_curve": [0.5, 1.0],
                "list_price_usd": 100_000,
                "gross_to_net": 0.2,
                "cogs_share": 0.1,
                "selling_share": 0.05,
                "sales_force_musd_per_year": 12,
                "launch_cost_musd": 24,
                "royalty_rate": 0.05,
                "exclusivity_years": 10,
                "erosion_first_year": 0.8,
            },
        }

    return sim.scenario_from_dict(
        {
            "name": "small",
            "simulation": {"iterations": iterations, "seed": 1, "chunk_size": chunk_size},
            "market": {"discount_rate_annual": 0.1, "tax_rate": 0.2, "horizon_years": 20},
            "portfolios": {
                "a": {"assets": [asset("x", 0.6)]},
                "b": {"assets": [asset("y", 0.5)]},
            },
        }
    )


def one(iterations: int, workers: int, chunk_size: int, backend: str) -> dict:
    import simulator as sim

    s = small_scenario(iterations, chunk_size)
    t0 = time.perf_counter()
    r = sim.run(s, backend=backend, workers=workers, summaries_only=True)
    seconds = time.perf_counter() - t0
    row = r.summary().loc["a"]
    return {
        "iterations": iterations,
        "backend": backend,
        "workers": workers,
        "seconds": round(seconds, 1),
        "iterations_per_s": round(iterations / seconds),
        "client_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "npv_mean_a_musd": round(float(row.npv_mean_musd), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=50_000)
    ap.add_argument("--backend", default="local")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.iterations[0], args.workers, args.chunk_size, args.backend)))
        return
    rows = []
    for n in args.iterations:
        cmd = [sys.executable, __file__, "--one", "--iterations", str(n)]
        cmd += ["--workers", str(args.workers), "--chunk-size", str(args.chunk_size)]
        cmd += ["--backend", args.backend]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print(f"{'iterations':>12} {'seconds':>9} {'iter/s':>9} {'client MiB':>11} {'worker MiB':>11}")
    for r in rows:
        print(
            f"{r['iterations']:>12,} {r['seconds']:>9.1f} {r['iterations_per_s']:>9,} "
            f"{r['client_peak_rss_mib']:>11,} {r['worker_peak_rss_mib']:>11,}"
        )
    print(json.dumps({"benchmark": "streaming_memory", "results": rows}))


if __name__ == "__main__":
    main()
