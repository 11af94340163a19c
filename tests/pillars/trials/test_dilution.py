"""One assay for trials and market: a trial of test-positives enrols the false positives
too. Oracle: a patient-level simulation of the same trial (screen candidates one by one,
test them, enrol the test-positives 1:1, draw each patient's outcome, compute the
z-statistic), against the engine's mixture ``PPV theta_+ + (1 - PPV) theta_-`` and its
screening ``n / q``."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import asset, make
from scipy import special, stats

import simulator as sim
from simulator.pillars.cohort.funnel import positive_fraction, true_positive_share
from simulator.pillars.trials.designs.fixed import simulate_fixed
from simulator.pillars.trials.information import population_effect

P, SE, SP = 0.1, 0.9, 0.93
THETA_POS, THETA_NEG = 0.5, 0.1
N = 200  # patients enrolled


def patient_level_trials(trials: int, rng: np.random.Generator):
    """Screen candidates one after the other (each with their own biomarker status and
    test result), enrol the first N who test positive, randomise them 1:1, draw each
    patient's outcome; return (z, screened) per trial."""
    candidates = 3 * int(N / positive_fraction(P, SE, SP))  # enough to find N positives
    positive = rng.random((trials, candidates)) < P
    tests_positive = rng.random((trials, candidates)) < np.where(positive, SE, 1.0 - SP)
    order = np.cumsum(tests_positive, axis=1)
    assert np.all(order[:, -1] >= N)
    screened = np.argmax(order >= N, axis=1) + 1.0  # candidates screened to enrol N
    z = np.empty(trials)
    for t in range(trials):
        truth = positive[t][tests_positive[t]][:N]  # the enrolled: truly positive?
        arm = rng.permutation(np.r_[np.ones(N // 2, bool), np.zeros(N // 2, bool)])
        effect = np.where(truth, THETA_POS, THETA_NEG)
        y = rng.standard_normal(N) + np.where(arm, effect, 0.0)
        z[t] = (y[arm].mean() - y[~arm].mean()) / np.sqrt(4.0 / N)  # unit variance, 1:1
    return z, screened


@pytest.fixture(scope="module")
def patient_level():
    return patient_level_trials(4_000, np.random.default_rng(20261125))


def test_the_observed_effect_is_the_mixture_the_false_positives_make(patient_level):
    z, _ = patient_level
    ppv = float(true_positive_share(P, SE, SP))
    mixture = float(population_effect(THETA_POS, THETA_NEG, ppv))
    expected_z = mixture * np.sqrt(N / 4)
    se = z.std(ddof=1) / np.sqrt(z.size)
    assert abs(z.mean() - expected_z) < 4 * se, (z.mean(), expected_z, se)
    # and not the undiluted effect a perfect test would give
    assert abs(z.mean() - THETA_POS * np.sqrt(N / 4)) > 10 * se


def test_the_engines_trial_succeeds_as_often_as_the_patient_level_one(patient_level):
    z, _ = patient_level
    crit = special.ndtri(0.975)
    mixture = population_effect(THETA_POS, THETA_NEG, true_positive_share(P, SE, SP))
    engine = simulate_fixed(np.full(200_000, mixture / 2), N, np.random.default_rng(1))
    p_patients, p_engine = (z >= crit).mean(), engine.success.mean()
    se = np.sqrt(p_engine * (1 - p_engine) / z.size)
    assert abs(p_patients - p_engine) < 4 * se, (p_patients, p_engine)


def test_screening_finds_n_test_positives_in_n_over_q_candidates(patient_level):
    _, screened = patient_level
    q = float(positive_fraction(P, SE, SP))
    # the number screened is negative binomial: mean N / q, sd sqrt(N (1 - q)) / q
    se = np.sqrt(N * (1 - q)) / q / np.sqrt(screened.size)
    assert abs(screened.mean() - N / q) < 4 * se


def mech(specificity: float) -> dict:
    a = asset("m", p=(1.0, 1.0, 1.0, 1.0))
    a["commercial"].pop("patients_per_year")
    a["cohort"] = {
        "incidence_per_year": 20_000,
        "biomarker_prevalence": P,
        "testing": {"initial_rate": 1.0, "mature_rate": 1.0, "sensitivity": SE,
                    "specificity": specificity},
    }  # fmt: skip
    a["phases"]["phase3"] = {
        "cost_musd": 100,
        "p_success": 0.5,
        "trial": {"patients": N, "sites": 20, "screened_per_site_month": 2.0},
        "design": {"type": "fixed"},
    }
    a["effect"] = {"positive": THETA_POS, "negative": THETA_NEG}
    return a


def test_the_engine_dilutes_a_mechanistic_trial_as_the_patient_level_simulation_does(
    patient_level,
):
    z, _ = patient_level
    won = sim.run(make({"p": [mech(SP)]}, iterations=40_000, chunk_size=20_000)).iterations
    rate = won["p.m.launched"].mean()
    crit = stats.norm.isf(0.025)
    p_patients = (z >= crit).mean()
    se = np.sqrt(rate * (1 - rate) / 40_000 + p_patients * (1 - p_patients) / z.size)
    assert abs(rate - p_patients) < 4 * se, (rate, p_patients)
    # the recruitment the engine books is the patient-level screening's
    q = float(positive_fraction(P, SE, SP))
    months = won["p.m.recruitment_months"].iloc[0]
    assert months == pytest.approx(N / q / (20 * 2.0))


def test_a_perfect_test_gives_the_positives_effect_undiluted():
    perfect = copy.deepcopy(mech(1.0))
    won = sim.run(make({"p": [perfect]}, iterations=40_000, chunk_size=20_000)).iterations
    power = stats.norm.cdf(THETA_POS / 2 * np.sqrt(N) - stats.norm.isf(0.025))
    rate = won["p.m.launched"].mean()
    assert abs(rate - power) < 4 * np.sqrt(power * (1 - power) / 40_000)


def test_the_test_strata_mix_back_to_the_all_comer_effect():
    from simulator.pillars.trials.stage import TrialInputs

    rng = np.random.default_rng(5)
    p, se, sp = rng.uniform(0.01, 0.9, 50), rng.uniform(0.6, 1.0, 50), rng.uniform(0.6, 1.0, 50)
    pos, neg = rng.normal(0.3, 0.2, 50), rng.normal(0.05, 0.1, 50)
    t = TrialInputs(None, None, "phase3", pos, neg, p, se, rng, sp)
    q = t.test_positive_share
    mixed = q * t.theta_test_positive + (1 - q) * t.theta_test_negative
    np.testing.assert_allclose(mixed, p * pos + (1 - p) * neg, rtol=1e-12, atol=1e-15)
