"""The simulator against published figures (the validation targets of *Published figures for
defaults and validation*)."""

import math

import pandas as pd
import pytest
from click.testing import CliRunner

import simulator as sim
from simulator.cli import main


@pytest.mark.slow
def test_paul_2010_cost_per_launch_through_the_command_line(tmp_path):
    """Paul et al. 2010: $873M out-of-pocket and $1,778M capitalized (11%) per launch,
    recomputed exactly from unrounded WIP as 873.0 and 1,778.4. Tolerance 1%: the
    scenario's 2,000,000 iterations give a Monte Carlo error of about 0.35% on the ratio."""
    out = tmp_path / "paul"
    res = CliRunner().invoke(main, ["scenarios/validation/paul2010.yaml", "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    row = pd.read_csv(out / "summary.csv").iloc[0]
    assert row.oop_cost_per_launch_musd == pytest.approx(873.0, rel=0.01)
    assert row.capitalized_cost_per_launch_musd == pytest.approx(1778.4, rel=0.01)


def test_paul_2010_wip_per_launch():
    """WIP per launch at each stage = 1 / P(launch | entered the stage): 24.3, 19.4, 14.6,
    12.4, 8.6, 4.6, 1.6, 1.1 (unrounded inputs). Checked on the would-be stage counts."""
    s = sim.load_scenario("scenarios/validation/paul2010.yaml").with_(iterations=400_000)
    r = sim.run(s, backend="local", workers=2)
    launches = r.iterations["paul_nme.launches"].sum()
    entered = r.iterations["paul_nme.nme.stages_entered"].to_numpy()
    wip = [(entered > i).sum() / launches for i in range(8)]
    published = [24.3, 19.4, 14.6, 12.4, 8.6, 4.6, 1.6, 1.1]
    # Monte Carlo error of the ratio is about 1/sqrt(launches) = 0.8% relative here
    assert wip == pytest.approx(published, rel=0.03)


PUBLISHED_LOA = {  # BIO 2006-2015, likelihood of approval from phase I
    "all_drugs": 0.096,
    "selection_biomarker": 0.259,
    "no_biomarker": 0.084,
    "rare_disease": 0.253,
    "oncology": 0.051,
}


@pytest.fixture(scope="module")
def bio_result():
    return sim.run(
        sim.load_scenario("scenarios/validation/bio2016.yaml"), backend="local", workers=2
    )


@pytest.mark.parametrize("category", list(PUBLISHED_LOA))
def test_bio_2006_2015_likelihood_of_approval(bio_result, category):
    """Simulated approval frequency vs the published LOA: within 3 Monte Carlo standard
    errors of the product of the (rounded) phase rates, and within 1 percentage point of
    the published LOA (the rates are published rounded: 76x46x76x94 = 25.0% vs 25.9%)."""
    launched = bio_result.iterations[f"{category}.launches"]
    freq = launched.mean()
    phases = bio_result.scenario.portfolios[category].assets[0].phases
    product = math.prod(
        getattr(phases, s).p_success.mean() for s in ("phase1", "phase2", "phase3", "review")
    )
    se = math.sqrt(product * (1 - product) / len(launched))
    assert abs(freq - product) < 3 * se
    assert abs(freq - PUBLISHED_LOA[category]) < 0.01
