"""Throughput of the CGT manufacturing queue: vectorized monthly path vs SimPy event path.

One asset: 10 years, 20 referrals a month, 2 suites of 12 slots a month, one-month
vein-to-vein time, 5% QC failure (half re-made), 1% cold-chain loss, dropout hazard 0.1
per month, one more suite (up to 4) when more than 30 patients wait. Prints a table and
one JSON line. Target (DESIGN.md section 6): fast path >= 50x the SimPy path per
iteration.

Usage: ``python benchmarks/cgt_fast_vs_event.py [--fast-iterations N] [--event-iterations M]``
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from simulator.pillars.manufacturing.des import simulate_capacity_event
from simulator.pillars.manufacturing.queue import (
    CellTherapyProcess,
    draw_arrivals,
    simulate_capacity_fast,
)

MONTHS = 120
RATE_PER_MONTH = 20.0
PROCESS = CellTherapyProcess(
    initial_suites=2,
    batches_per_suite_month=12,
    manufacturing_months=1.0,
    qc_failure_prob=0.05,
    remanufacture_prob=0.5,
    cold_chain_loss_prob=0.01,
    dropout_hazard_monthly=0.1,
    expansion_backlog_threshold=30,
    expansion_lead_months=12,
    max_suites=4,
    capex_per_suite_musd=25.0,
)


def time_fast(n_iterations: int, seed: int) -> tuple[float, np.ndarray]:
    """Seconds for the fast path (arrivals drawn inside the timing) and treated per run."""
    rng = np.random.default_rng(seed)
    rate = np.full(MONTHS, RATE_PER_MONTH)
    start = time.perf_counter()
    outcome = simulate_capacity_fast(draw_arrivals(rate, n_iterations, rng), PROCESS, rng)
    return time.perf_counter() - start, outcome.treated.sum(axis=1)


def time_event(n_iterations: int, seed: int) -> tuple[float, np.ndarray, int]:
    """Seconds for the SimPy path, treated per run and patients referred."""
    rng = np.random.default_rng(seed)
    rate = np.full(MONTHS, RATE_PER_MONTH)
    treated, patients = [], 0
    start = time.perf_counter()
    for _ in range(n_iterations):
        outcome = simulate_capacity_event(rate, PROCESS, rng, MONTHS)
        treated.append(outcome.treated.sum())
        patients += int(outcome.referred.sum())
    return time.perf_counter() - start, np.array(treated), patients


def mean_and_se(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(values.size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-iterations", type=int, default=20_000)
    parser.add_argument("--event-iterations", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    time_fast(200, args.seed)  # warm up
    fast_s, fast_runs = time_fast(args.fast_iterations, args.seed)
    event_s, event_runs, patients = time_event(args.event_iterations, args.seed + 1)
    fast_ips = args.fast_iterations / fast_s
    event_ips = args.event_iterations / event_s
    rows = [
        ("fast", args.fast_iterations, fast_s, fast_ips, *mean_and_se(fast_runs)),
        ("simpy", args.event_iterations, event_s, event_ips, *mean_and_se(event_runs)),
    ]
    print(f"{'path':<7}{'iterations':>11}{'seconds':>9}{'iter/s':>10}{'treated (mean +- se)':>23}")
    for name, runs, seconds, ips, mean, se in rows:
        print(f"{name:<7}{runs:>11}{seconds:>9.2f}{ips:>10.1f}{mean:>15.1f} +- {se:<4.1f}")
    print(
        f"speedup (fast/simpy per iteration): {fast_ips / event_ips:.0f}x; "
        f"simpy patients/s: {patients / event_s:,.0f}"
    )
    result = {
        "months": MONTHS,
        "referrals_per_month": RATE_PER_MONTH,
        "fast_iterations_per_s": round(fast_ips, 1),
        "event_iterations_per_s": round(event_ips, 2),
        "speedup": round(fast_ips / event_ips, 1),
        "event_patients_per_s": round(patients / event_s),
        "fast_mean_treated": round(rows[0][4], 1),
        "fast_mean_treated_se": round(rows[0][5], 2),
        "event_mean_treated": round(rows[1][4], 1),
        "event_mean_treated_se": round(rows[1][5], 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
