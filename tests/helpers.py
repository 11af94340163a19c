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
