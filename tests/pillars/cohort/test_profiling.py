"""Shared genomic profiling: the pooled screened stream, the shared screen, bad input."""

import re

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from helpers import asset, scenario_dict

import simulator as sim
from simulator.cli import main
from simulator.pillars.cohort.profiling import shared_weights

SE, SP = 0.9, 0.95


def q(p):
    return p * SE + (1 - p) * (1 - SP)


def covered(name, marker, prevalence, *, n=120, sites=20.0, rate=4.0, cost=2000):
    """A phase-I asset whose phase II enrols ``n`` test-positives for ``marker``."""
    a = asset(name, p=(1.0, 1.0, 1.0, 1.0))
    patients = a["commercial"].pop("patients_per_year")
    a["cohort"] = {
        "biomarker": marker,
        "incidence_per_year": patients,
        "biomarker_prevalence": prevalence,
        "testing": {"initial_rate": 0.2, "mature_rate": 0.78, "sensitivity": SE, "specificity": SP},
    }
    a["phases"]["phase2"] = {
        "cost_musd": 30,
        "p_success": 1.0,
        "trial": {
            "patients": n,
            "sites": sites,
            "screened_per_site_month": rate,
            "enrolment": "biomarker_positive",
            "startup_months": 6,
            "followup_months": 12,
            "screening_cost_usd": cost,
        },
    }
    return a


def panel(*markers, rate=200.0, cost=3000.0, turnaround=1.0):
    return {
        "biomarkers": list(markers),
        "screened_per_month": rate,
        "cost_per_test_usd": cost,
        "turnaround_months": turnaround,
    }


def run(assets, profiling=None, **kw):
    data = scenario_dict({"p": assets}, iterations=kw.pop("iterations", 4), chunk_size=4, **kw)
    if profiling is not None:
        data["portfolios"]["p"]["profiling"] = profiling
    return sim.run(sim.scenario_from_dict(data)).iterations


def test_each_trial_recruits_at_the_pooled_stream_times_its_positive_share():
    # with stream R and shares q_i, trial i recruits n_i / (q_i R) + turnaround months
    assets = [covered("egfr_drug", "egfr", 0.15), covered("alk_drug", "alk", 0.05, n=60)]
    it = run(assets, panel("egfr", "alk", rate=200.0, turnaround=1.5))
    for name, p, n in (("egfr_drug", 0.15, 120), ("alk_drug", 0.05, 60)):
        expected = n / (q(p) * 200.0) + 1.5
        np.testing.assert_allclose(it[f"p.{name}.recruitment_months"], expected, rtol=1e-12)
        launch = 12 + 6 + expected + 12 + 30 + 12  # the stage lasts start-up + it + follow-up
        assert (it[f"p.{name}.launch_month"] == round(launch)).all()


def test_a_one_biomarker_panel_reproduces_per_asset_screening_bit_for_bit():
    # the panel's stream is the trial's sites x rate (20 x 4), its cost the trial's, no delay
    a = covered("drug", "egfr", "uniform(0.05, 0.2)")
    alone = run([a, asset("plain")], iterations=300)
    one = run([a, asset("plain")], panel("egfr", rate=80.0, cost=2000.0, turnaround=0.0),
              iterations=300)  # fmt: skip
    assert list(one.columns) == list(alone.columns)
    for c in alone.columns:
        np.testing.assert_array_equal(one[c].to_numpy(), alone[c].to_numpy(), err_msg=c)


def test_k_covered_trials_pay_one_screen_per_patient_where_single_tests_pay_k():
    k, rate, cost = 3, 150.0, 3000.0
    assets = [covered(f"d{i}", f"m{i}", 0.1) for i in range(k)]  # same windows, same start
    shared = run(assets, panel(*[f"m{i}" for i in range(k)], rate=rate, cost=cost))
    screened = 120 / q(0.1)  # each trial draws these from the stream, in the same months
    one_screen = screened * cost / 1e6  # the patients profiled, each paid once
    total = sum(shared[f"p.d{i}.screening_cost_musd"] for i in range(k))
    np.testing.assert_allclose(total, one_screen, rtol=1e-12)
    np.testing.assert_allclose(shared["p.rd_screening_musd"], one_screen, rtol=1e-12)
    # single tests on the same stream: each trial pays its own test of every patient
    single = [covered(f"d{i}", f"m{i}", 0.1, sites=1.0, rate=rate, cost=cost) for i in range(k)]
    alone = run(single)
    np.testing.assert_allclose(alone["p.rd_screening_musd"], k * one_screen, rtol=1e-12)


def test_shared_weights_split_each_screen_among_the_trials_screening_then():
    # windows [0, 10) and [5, 20): 5 months alone, 5 shared, 10 alone for the second
    w = shared_weights(
        np.array([[0.0, 5.0, 3.0]]), np.array([[10.0, 20.0, 9.0]]), np.array([[True, True, False]])
    )
    np.testing.assert_allclose(w, [[(5 + 5 / 2) / 10, (5 / 2 + 10) / 15, 1.0]])
    # the portfolio pays once for the union: sum_j w_j (b_j - a_j) = |union| = 20
    assert w[0, 0] * 10 + w[0, 1] * 15 == pytest.approx(20.0)


def test_a_trial_that_is_never_reached_does_not_share_the_stream():
    blocked = covered("late", "alk", 0.1)
    blocked["phases"]["phase1"]["p_success"] = 0.0
    it = run([covered("d0", "egfr", 0.1), blocked], panel("egfr", "alk", cost=3000.0))
    np.testing.assert_allclose(it["p.d0.screening_cost_musd"], 120 / q(0.1) * 3000 / 1e6)


def bad(tmp_path, change):
    data = scenario_dict({"p": [covered("d0", "egfr", 0.1)]}, iterations=20, chunk_size=20)
    data["portfolios"]["p"]["profiling"] = panel("egfr")
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [str(path), "--out", str(out), "-q"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and not out.exists()
    assert re.search(r"bad\.yaml:\d+", res.output)
    return res.output


def test_a_panel_naming_an_unknown_biomarker_exits_2_with_file_line_and_field(tmp_path):
    def unknown(data):
        data["portfolios"]["p"]["profiling"]["biomarkers"].append("kras")

    output = bad(tmp_path, unknown)
    assert "profiling.biomarkers" in output and "unknown biomarker 'kras'" in output
    assert "egfr" in output  # what was expected: the portfolio's biomarkers


def test_a_simulated_trial_of_a_covered_asset_keeps_its_own_sites():
    mech = covered("d0", "egfr", 0.1)
    mech["phases"]["phase2"]["design"] = {"type": "fixed"}
    mech["effect"] = {"positive": 0.25}
    alone = run([mech], iterations=50)
    pooled = run([mech], panel("egfr", rate=400.0), iterations=50)
    np.testing.assert_array_equal(pooled["p.npv_musd"], alone["p.npv_musd"])


def test_a_panel_over_an_accelerated_approval_is_refused():
    a = covered("d0", "egfr", 0.1)
    a["regulatory"] = {"accelerated_approval": True}
    d = scenario_dict({"p": [a]})
    d["portfolios"]["p"]["profiling"] = panel("egfr")
    with pytest.raises(sim.ScenarioError, match="accelerated approval"):
        sim.scenario_from_dict(d)


def test_the_readiness_table_pairs_the_panel_against_single_tests():
    from simulator.studies.readiness import present, readiness_table, without

    assets = [covered("d0", "egfr", 0.1), covered("d1", "alk", 0.05), asset("plain")]
    data = scenario_dict({"p": assets, "q": [asset("plain")]}, iterations=40, chunk_size=40)
    data["portfolios"]["p"]["profiling"] = panel("egfr", "alk", rate=400.0, cost=3000.0)
    s = sim.scenario_from_dict(data)
    assert present(s) == {"profiling": ["p.d0", "p.d1"]}
    row = readiness_table(s).set_index("mechanism").loc["profiling"]
    diff = sim.run(s).npv("p") - sim.run(without(s, "profiling")).npv("p")
    assert row["effect_musd"] == pytest.approx(diff.mean())
    assert row["p_changes_npv"] == 1.0  # every future recruits faster and pays less
    # a 400-a-month stream (vs 80 from each trial's sites) shortens each trial
    on, off = sim.run(s).iterations, sim.run(without(s, "profiling")).iterations
    assert (on["p.d0.launch_month"] < off["p.d0.launch_month"]).all()
    assert (on["p.rd_screening_musd"] < off["p.rd_screening_musd"]).all()


def test_the_market_tests_at_the_panels_adoption_where_it_exceeds_the_own_test():
    a = covered("d0", "egfr", 0.1)
    a["cohort"]["testing"].update(initial_rate=0.2, mature_rate=0.2)
    a["cdx"] = {"development_start": "phase1", "development_months": 12, "review_months": 6,
                "per_test_fee_usd": 100}  # fmt: skip
    own = run([a])
    adoption = {"start_month": 0, "initial_rate": 0.6, "mature_rate": 0.6, "ramp_years": 0}
    shared = run([a], dict(panel("egfr", rate=80.0, cost=2000.0, turnaround=0.0),
                           adoption=adoption))  # fmt: skip
    # tau = max(0.2, 0.6): three times the patients found and started
    np.testing.assert_allclose(shared["p.d0.patients_started"], 3 * own["p.d0.patients_started"])
    low = dict(adoption, initial_rate=0.1, mature_rate=0.1)  # below the own test: no change
    same = run([a], dict(panel("egfr", rate=80.0, cost=2000.0, turnaround=0.0), adoption=low))
    np.testing.assert_array_equal(same["p.npv_musd"], own["p.npv_musd"])
