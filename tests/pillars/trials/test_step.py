"""Mechanistic mode in the engine: simulated trials decide success, length, cost and label.

Oracles: closed-form power (continuous, binary, time-to-event), the exact group-sequential
power, the recruitment formula, the positive fraction of the cohort funnel, the copula's
correlation; and the benchmark mode that a design's removal must restore.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import asset, make
from scipy import stats

import simulator as sim
from simulator.pillars.trials import design_group_sequential, fixed_sample_size, power_at
from simulator.studies.trials import operating_characteristics

Z = stats.norm.isf(0.025)
TRIAL = {"sites": 20, "screened_per_site_month": 2.0, "startup_months": 6, "followup_months": 6}


def mech_asset(name="m", *, theta=0.25, patients=400, design=None, enrolment="all_comers", **eff):
    """A phase-I asset whose earlier stages always succeed and whose phase III is simulated."""
    a = asset(name, p=(1.0, 1.0, 1.0, 1.0))
    a["phases"]["phase3"] = {
        "cost_musd": 100,
        "p_success": 0.5,
        "trial": dict(TRIAL, patients=patients, enrolment=enrolment),
        "design": design or {"type": "fixed"},
    }
    a["effect"] = {"positive": theta, **eff}
    return a


def phase3_success(a: dict, iterations=40_000, **kw) -> np.ndarray:
    r = sim.run(make({"p": [a]}, iterations=iterations, chunk_size=10_000, **kw))
    return r.iterations[f"p.{a['name']}.launched"].to_numpy()


def _within(rate, p, n, k=3.0):
    return abs(rate - p) <= k * np.sqrt(p * (1 - p) / n)


def test_calibrated_to_a_power_the_success_share_is_that_power():
    theta = 0.25
    n = fixed_sample_size(theta, 0.025, 0.8)  # 502.3 patients for 80% power
    won = phase3_success(mech_asset(theta=theta, patients=n))
    assert _within(won.mean(), 0.8, won.size)


@pytest.mark.parametrize(
    ("effect", "power"),
    [
        ({"theta": 0.2}, stats.norm.cdf(0.2 * np.sqrt(300 / 4) - Z)),
        (
            {"theta": 0.12, "endpoint": "binary", "control_rate": 0.3},
            stats.norm.cdf(0.12 * np.sqrt(300 / (4 * 0.36 * 0.64)) - Z),
        ),
        (
            {"theta": -np.log(0.7), "endpoint": "time_to_event", "event_fraction": 0.6},
            stats.norm.cdf(-np.log(0.7) * np.sqrt(300 * 0.6 / 4) - Z),
        ),
    ],
)
def test_fixed_effect_and_fixed_design_give_the_closed_form_power(effect, power):
    won = phase3_success(mech_asset(patients=300, **effect))
    assert _within(won.mean(), power, won.size)


def test_group_sequential_power_stops_and_shorter_trials():
    design = {"type": "group_sequential", "info_fractions": [0.5, 0.75, 1.0], "futility": "hsd"}
    a = mech_asset(theta=0.2, patients=500, design=design)
    r = sim.run(make({"p": [a]}, iterations=40_000, chunk_size=10_000))
    it = r.iterations
    gsd = design_group_sequential(
        alpha=0.025, power=0.9, futility="hsd", info_fractions=(0.5, 0.75, 1.0)
    )
    assert _within(it["p.m.launched"].mean(), power_at(gsd, 0.2 * np.sqrt(500 / 4)), len(it))
    look = it["p.m.phase3_stopped_look"].to_numpy()
    patients = it["p.m.phase3_patients"].to_numpy()
    np.testing.assert_allclose(patients, 500 * np.array([0.5, 0.75, 1.0])[look.astype(int) - 1])
    # recruitment follows the patients enrolled: all-comers, 20 sites x 2 a month
    np.testing.assert_allclose(it["p.m.recruitment_months"], patients / 40)
    assert (look == 1).mean() > 0.1  # early stops happen, and save months
    # cost scales with the patients enrolled; an early stop saves money and time
    early, full = look == 1, look == 3
    assert it["p.m.npv_musd"][early & ~it["p.m.launched"]].mean() > (
        it["p.m.npv_musd"][full & ~it["p.m.launched"]].mean()
    )


def test_phase_two_and_three_see_the_same_true_effect():
    a = mech_asset(theta="normal(0.2, 0.25)", patients=300)
    a["phases"]["phase2"] = {
        "cost_musd": 20,
        "p_success": 0.5,
        "trial": dict(TRIAL, patients=100, enrolment="all_comers"),
        "design": {"type": "fixed", "go_z": 1.2816},
    }
    r = sim.run(make({"p": [a]}, iterations=40_000, chunk_size=10_000))
    it = r.iterations
    went = it["p.m.stages_entered"] >= 3  # entered phase III: phase II said go
    p3 = it["p.m.launched"][went].mean()
    # unconditional phase III success, had every trial run, is lower: phase II selects
    theta = it["input:p.m.effect.positive"].to_numpy()
    uncond = stats.norm.cdf(theta * np.sqrt(300 / 4) - Z).mean()
    assert p3 > uncond + 0.05
    assert 0.0 < went.mean() < 1.0


def test_benchmark_mode_returns_when_the_design_is_removed():
    a = mech_asset()
    bench = copy.deepcopy(a)
    bench["phases"]["phase3"]["design"] = None
    won = phase3_success(bench, iterations=20_000)
    assert _within(won.mean(), 0.5, won.size)  # p_success decides again


def _enrichment_asset(label_draw: str = "normal(0.3, 0.2)"):
    a = mech_asset(
        theta=label_draw,
        patients=400,
        design={"type": "enrichment", "enrich_below": 0.1},
        negative_ratio="uniform(0, 1)",
    )
    del a["commercial"]["patients_per_year"]
    a["cohort"] = {
        "incidence_per_year": 10_000,
        "biomarker_prevalence": 0.3,
        "treatable_fraction": 0.5,
        "testing": {"initial_rate": 1.0, "mature_rate": 1.0, "sensitivity": 0.9},
    }
    return a


def test_enrichment_narrows_label_market_and_recruitment():
    a = _enrichment_asset()
    r = sim.run(make({"p": [a]}, iterations=20_000, chunk_size=10_000))
    it = r.iterations
    won = it["p.m.launched"].to_numpy()
    label = it["p.m.label_positive_only"].to_numpy()
    assert np.isnan(label[~won]).all() and not np.isnan(label[won]).any()
    pos = label[won] == 1.0
    assert 0.1 < pos.mean() < 0.9  # both labels happen
    eligible = it["p.m.eligible_patients_mature"].to_numpy()[won]
    np.testing.assert_allclose(eligible[pos], 10_000 * 0.5 * 0.3 * 0.9)  # test-positive only
    np.testing.assert_allclose(eligible[~pos], 10_000 * 0.5)  # everyone treatable
    # a positive-only label earns less than an all-comer one
    npv = it["p.m.npv_musd"].to_numpy()[won]
    assert npv[pos].mean() < npv[~pos].mean()
    # stage 2 in positives only screens 1 / (p se) candidates per patient
    months = it["p.m.recruitment_months"].to_numpy()[won]
    assert set(np.round(np.unique(months), 6)) <= {
        round(400 / 40, 6),
        round((200 + 200 / 0.27) / 40, 6),
    }


def test_effects_of_a_risk_group_are_correlated():
    rho = 0.5
    members = [mech_asset(f"m{i}", theta="normal(0, 1)") for i in (1, 2)]
    for m in members:
        m["risk_group"] = "g"
    s = sim.scenario_from_dict(
        {
            "name": "t",
            "simulation": {"iterations": 40_000, "chunk_size": 10_000, "seed": 3},
            "portfolios": {"p": {"assets": members, "risk_groups": {"g": {"correlation": rho}}}},
        }
    )
    it = sim.run(s).iterations
    corr = np.corrcoef(it["input:p.m1.effect.positive"], it["input:p.m2.effect.positive"])[0, 1]
    assert corr == pytest.approx(rho, abs=0.02)


def test_seamless_phase_two_patients_count_and_no_second_start_up():
    a = mech_asset(theta=0.3, patients=200, design={"type": "seamless", "arms": 2, "go_z": 0.0})
    a["phases"]["phase2"] = {
        "cost_musd": 20,
        "p_success": 0.5,
        "trial": dict(TRIAL, patients=90, enrolment="all_comers"),
    }
    r = sim.run(make({"p": [a]}, iterations=10_000, chunk_size=10_000))
    it = r.iterations
    went = it["p.m.stages_entered"] >= 3
    np.testing.assert_allclose(it["p.m.phase2_patients"], 90)
    np.testing.assert_allclose(it["p.m.phase3_patients"][went], 200)
    # recruitment: 90 then, after a go, 200 patients at 40 a month
    np.testing.assert_allclose(it["p.m.recruitment_months"], np.where(went, 290, 90) / 40)
    path_len = it["p.m.launch_month"][it["p.m.launched"]]
    # phase I 12 + phase II (6 + 2.25 + 6) + phase III (5 + 6, no start-up) + review 12
    expected = 12 + (6 + 90 / 40 + 6) + (200 / 40 + 6) + 12
    assert np.all(np.abs(path_len - expected) <= 1.0)


def test_operating_characteristics_table():
    design = {"type": "group_sequential", "looks": 3, "futility": "obf"}
    a = mech_asset(theta=0.2, patients=500, design=design)
    s = make({"p": [a, {**mech_asset("n"), "name": "n"}]}, iterations=10)
    t = operating_characteristics(s, trials=100_000)
    assert list(t.stage) == ["phase3", "phase3"] and list(t.design) == ["group_sequential", "fixed"]
    g = t.iloc[0]
    d = design_group_sequential(alpha=0.025, power=0.9, futility="obf")
    se = 0.5 / np.sqrt(100_000)
    assert abs(g.power_at_prior_mean - power_at(d, 0.2 * np.sqrt(500 / 4))) <= 3 * se
    assert g.type1_error <= 0.025 + 3 * se
    assert g.expected_patients < 500 and g.p_early_efficacy > 0 and g.p_early_futility > 0
    assert g.expected_months == pytest.approx(6 + g.expected_patients / 40 + 6, rel=1e-9)
    assert g.benchmark_p_success == 0.5
