"""Test helpers: small scenarios built in Python, so each test states its own inputs."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

import simulator as sim

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

STAGES_FROM_PHASE1 = ("phase1", "phase2", "phase3", "review")


def asset(
    name: str = "drug",
    *,
    p: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0),
    months: tuple[float, ...] = (12, 24, 30, 12),
    cost: tuple[float, ...] = (10, 30, 100, 20),
    **commercial,
) -> dict:
    """A phase-I asset as plain data; commercial fields override simple defaults."""
    com = {
        "patients_per_year": 10_000,
        "peak_share": 0.3,
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
    }
    com.update(commercial)
    return {
        "name": name,
        "start_stage": "phase1",
        "phases": {
            s: {"duration_months": m, "cost_musd": c, "p_success": q}
            for s, m, c, q in zip(STAGES_FROM_PHASE1, months, cost, p, strict=True)
        },
        "commercial": com,
    }


def scenario_dict(
    portfolios: dict[str, list[dict]], *, iterations=1000, seed=7, chunk_size=500, **market
):
    m = {"discount_rate_annual": 0.1, "tax_rate": 0.0, "horizon_years": 30}
    m.update(market)
    return {
        "name": "test",
        "simulation": {"iterations": iterations, "seed": seed, "chunk_size": chunk_size},
        "market": m,
        "portfolios": {k: {"assets": v} for k, v in portfolios.items()},
    }


def make(portfolios: dict[str, list[dict]], **kw) -> sim.Scenario:
    return sim.scenario_from_dict(scenario_dict(portfolios, **kw))


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(copy.deepcopy(data), sort_keys=False))
    return path


def reference_monthly_cash(
    a: dict, horizon_months: int, *, reach: int | None = None
) -> list[float]:
    """Month-by-month cash of a deterministic asset, written plainly and independently of
    the engine: stage costs spread evenly over their months; if the asset passes every
    stage (``reach`` None), revenue from launch, uptake by launch year, erosion after
    exclusivity, variable costs, sales force until exclusivity ends, launch cost over the
    first year. ``reach = s`` stops after stage index ``s`` (it fails there)."""
    cash = [0.0] * horizon_months
    t = 0.0
    stages = list(a["phases"].values())
    last = len(stages) - 1 if reach is None else reach
    for s, st in enumerate(stages):
        start = int(t + 0.5)
        t += st["duration_months"]
        end = int(t + 0.5)
        length = max(end - start, 1)
        if s <= last:
            for m in range(start, start + length):
                if m < horizon_months:
                    cash[m] -= st["cost_musd"] / length
    if reach is not None:
        return cash
    c = a["commercial"]
    launch = int(t + 0.5)
    curve = c.get("uptake_curve", [0.11, 0.31, 0.58, 0.76, 0.89, 1.0])
    excl = round(c["exclusivity_years"] * 12)
    for m in range(launch, horizon_months):
        k = m - launch
        uptake = curve[min(k // 12, len(curve) - 1)]
        keep = 1.0 if k < excl else (1 - c["erosion_first_year"]) ** ((k - excl) / 12)
        price = (
            c["list_price_usd"]
            * (1 - c.get("gross_to_net", 0))
            * (1 + c.get("price_growth_annual", 0)) ** (k // 12)
        )
        patients = c["patients_per_year"] * c["peak_share"] * uptake * keep
        revenue = patients * price / 12 / 1e6
        share = 1 - c.get("cogs_share", 0) - c.get("selling_share", 0) - c.get("royalty_rate", 0)
        cash[m] += revenue * share
        if k < excl:
            cash[m] -= c.get("sales_force_musd_per_year", 0) / 12
        if k < 12:
            cash[m] -= c.get("launch_cost_musd", 0) / 12
    return cash


def reference_npv(cash: list[float], rate_annual: float) -> float:
    v = (1 + rate_annual) ** (-1 / 12)
    return sum(x * v ** (m + 0.5) for m, x in enumerate(cash))
