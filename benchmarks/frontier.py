"""Benchmark (printed, not asserted): ``simulate frontier`` on the shipped templates.

Five templates, 0-12 copies each (13^5 = 371,293 count vectors), one budget: the
nichebuster's (its budget block's cap). Prints the time to simulate the slots and today's
portfolios, to evaluate every mix within the budget (and mixes a second), and to confirm
the Pareto mixes in full; then the Pareto set and where today's portfolios sit.

    python benchmarks/frontier.py [--iterations 20000] [--confirm all|none|N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import simulator as sim
from simulator.cli.frontier import format_frontier
from simulator.studies.frontier import frontier

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--confirm", default="all")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    confirm = {"all": True, "none": False}.get(args.confirm) or int(args.confirm)
    s = sim.load_scenario(ROOT / "scenarios" / "nichebuster.yaml")
    s = s.with_(iterations=args.iterations)
    t0 = time.perf_counter()
    table = frontier(
        s, "nichebuster", max_count=12, confirm=confirm, backend="local", workers=args.workers
    )
    total = time.perf_counter() - t0
    sec = table.attrs["seconds"]
    print(format_frontier(table, s))
    print(
        f"\nbenchmark: {args.iterations:,} iterations per mix, {len(table):,} of 13^5 = 371,293 "
        f"mixes within the budget; simulate {sec['simulate']:.1f} s, evaluate "
        f"{sec['evaluate']:.2f} s ({table.attrs['mixes_per_second']:,.0f} mixes/s), confirm "
        f"{sec['confirm']:.1f} s; total {total:.1f} s on {args.workers} workers"
    )


if __name__ == "__main__":
    main()
