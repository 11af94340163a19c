"""``simulate trace``: one iteration's story must be the run's iteration, not a lookalike."""

from __future__ import annotations

import re

import numpy as np
import pytest
from click.testing import CliRunner

import simulator as sim
from simulator.cli import main
from simulator.studies.trace import trace_iteration

SCENARIO = "scenarios/nichebuster.yaml"


@pytest.fixture(scope="module")
def run():
    s = sim.load_scenario(SCENARIO).with_(iterations=600, chunk_size=250)
    return s, sim.run(s)


def _launches(trace, portfolio):
    p = next(p for p in trace.portfolios if p.name == portfolio)
    return {e.asset: e.month for e in p.events if e.text == "launches"}, p


def test_the_story_is_the_runs_iteration(run):
    """Iterations in the second and third chunks: NPVs, launches and the stages entered
    in the story equal the run's per-iteration columns."""
    s, r = run
    it = r.iterations
    for k in (260, 599):
        trace = trace_iteration(s, k)
        assert len(trace.portfolios) == len(s.portfolios)
        for pname in s.portfolios:
            launches, story = _launches(trace, pname)
            assert story.npv_musd == pytest.approx(it.loc[k, f"{pname}.npv_musd"], abs=1e-9)
            for a in s.portfolios[pname].assets:
                col = f"{pname}.{a.name}."
                assert story.asset_npv_musd[a.name] == pytest.approx(it.loc[k, col + "npv_musd"])
                if it.loc[k, col + "launched"]:
                    assert launches[a.name] == it.loc[k, col + "launch_month"]
                else:
                    assert a.name not in launches
                starts = [e for e in story.events if e.asset == a.name and "starts " in e.text]
                assert len(starts) == it.loc[k, col + "stages_entered"]


def test_a_cgt_plant_replays_its_event_path_exactly():
    """With event fidelity in the run, the replayed plant treats exactly the run's
    patients (same demand, same generator), so the story's count is the run's."""
    assets = "portfolios.nichebuster.assets."
    s = sim.load_scenario(SCENARIO).with_(
        {
            "simulation.iterations": 40,
            "simulation.fidelity": "event",
            # a tenth of the patients keeps SimPy quick
            assets + "car_t.cohort.incidence_per_year": 800,
            assets + "aav_gene.cohort.incidence_per_year": 50,
        }
    )
    r = sim.run(s)
    launched = np.flatnonzero(r.column("nichebuster.car_t.launched"))
    assert launched.size > 0
    k = int(launched[0])
    trace = trace_iteration(s, k, "nichebuster")
    events = [e for e in trace.portfolios[0].events if e.asset == "car_t"]
    (note,) = [e.text for e in events if "event fidelity" in e.text]
    treated = int(re.search(r"([\d,]+) treated", note).group(1).replace(",", ""))
    assert treated == r.column("nichebuster.car_t.patients_treated")[k]
    years = [e for e in events if "plant:" in e.text]
    assert years and all(e.month >= r.column("nichebuster.car_t.launch_month")[k] for e in years)


def test_the_command_prints_a_timeline_and_refuses_bad_choices():
    runner = CliRunner()
    ok = runner.invoke(main, ["trace", SCENARIO, "--iteration", "3", "--portfolio", "nichebuster"])
    assert ok.exit_code == 0, ok.output
    assert "nichebuster: iteration 3" in ok.output and "starts phase1" in ok.output
    assert "== blockbuster" not in ok.output
    for args, words in (
        (["--iteration", "20000"], "past the scenario's last iteration"),
        (["--portfolio", "nope"], "choose one of: blockbuster, nichebuster, blockbuster_small"),
    ):
        bad = runner.invoke(main, ["trace", SCENARIO, *args])
        assert bad.exit_code == 2 and words in bad.output
        assert "Traceback" not in bad.output


def test_trace_tells_what_a_simulated_trial_did():
    s = sim.load_scenario("scenarios/nichebuster.yaml").with_(iterations=50)
    texts = [
        e.text
        for k in range(10)
        for st in trace_iteration(s, k, portfolio="nichebuster").portfolios
        for e in st.events
    ]
    assert any("group_sequential; true effect in positives" in t for t in texts)
    assert any("phase2 trial (seamless, stage 1" in t for t in texts)
