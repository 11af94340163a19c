"""A rerun from ``scenario.resolved.yaml`` is the same run: the same tables, byte for
byte, and a report that cites the same source for every assumption."""

from __future__ import annotations

import pytest

import simulator as sim
from simulator.report.export import resolved_yaml, write_summaries
from simulator.report.sources import asset_families, assumptions, market_assumptions


def _sources(s) -> list[str]:
    out = [row["source"] for row in market_assumptions(s)]
    for p in s.portfolios:
        for _, family in asset_families(s, p):
            out += [row["source"] for row in assumptions(s, p, family)]
    return out


@pytest.mark.slow
def test_rerun_from_the_resolved_scenario_gives_the_same_tables_and_sources(tmp_path):
    s = sim.load_scenario(sim.shipped("nichebuster.yaml")).with_(iterations=120, chunk_size=50)
    first = sim.run(s, backend="sequential")
    resolved = tmp_path / "scenario.resolved.yaml"
    resolved.write_text(resolved_yaml(first), encoding="utf-8")
    again = sim.load_scenario(resolved)
    second = sim.run(again, backend="sequential")
    for run, name in ((first, "a"), (second, "b")):
        (tmp_path / name).mkdir()
        write_summaries(run, tmp_path / name)
    for table in ("summary.csv", "comparison.csv", "cashflows.csv", "plant.csv"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes()
    before, after = _sources(s), _sources(again)
    assert sum(map(bool, before)) > 300  # the shipped scenario cites its numbers
    assert after == before
    assert resolved_yaml(second) == resolved.read_text(encoding="utf-8")  # a fixed point
