"""Adaptive designs against exact probabilities, patient-level simulation and published facts.

Every design is simulated 10^6 times at zero effect: its type I error must not exceed
alpha by more than 3 Monte Carlo standard errors (and where the design spends alpha
exactly, it must equal alpha within them). Power is checked against an independent exact
computation (numerical integration or the multivariate normal CDF), or, for enrichment,
against a patient-level simulation that computes the statistics from simulated patients.
Seeds are fixed, so the tests are deterministic.
"""

from dataclasses import replace

import numpy as np
import pytest
from scipy import integrate, stats

from simulator.pillars.trials import (
    EnrichmentRule,
    PromisingZone,
    design_group_sequential,
    drift_per_patient,
    fixed_sample_size,
    information_per_patient,
    population_effect,
    power_at,
    simulate_enrichment,
    simulate_fixed,
    simulate_gsd,
    simulate_seamless,
    simulate_ssr,
    two_stage_bounds,
    untargeted_sample_size_ratio,
)

N = 10**6
ALPHA = 0.025
SE_ALPHA = np.sqrt(ALPHA * (1 - ALPHA) / N)


def _within(rate: float, p: float, n: int, k: float = 3.0) -> bool:
    return abs(rate - p) <= k * np.sqrt(p * (1.0 - p) / n)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# ----------------------------------------------------------------- type I error, 10^6 trials


def test_fixed_type_one_error_and_closed_form_power():
    assert _within(simulate_fixed(np.zeros(N), 300, rng(1)).success.mean(), ALPHA, N)
    delta = 0.15
    power = stats.norm.cdf(delta * np.sqrt(300) - stats.norm.isf(ALPHA))
    assert _within(simulate_fixed(np.full(N, delta), 300, rng(2)).success.mean(), power, N)


@pytest.mark.parametrize(
    "design",
    [
        PromisingZone(),  # OBF interim efficacy, no futility
        PromisingZone(interim_efficacy=None, cp_min=0.2, cp_target=0.9, max_increase=3.0),
        PromisingZone(interim_fraction=0.3, interim_efficacy="pocock", futility_cp=0.05),
    ],
)
def test_promising_zone_keeps_alpha(design):
    out = simulate_ssr(design, np.zeros(N), 400, rng(3))
    assert out.success.mean() <= ALPHA + 3 * SE_ALPHA
    if design.futility_cp is None:  # nothing stops the trial short: alpha exactly
        assert _within(out.success.mean(), ALPHA, N)
    assert out.adapted.any()  # the sample size really was increased in some trials


@pytest.mark.parametrize("intersection", ["simes", "bonferroni"])
@pytest.mark.parametrize(
    ("d_pos", "d_neg", "which"),
    [
        (0.0, 0.0, "any"),  # global null
        (0.0, 0.15, "S"),  # H_S true, negatives benefit: S must not be claimed
        (0.1, -0.1 * 0.4 / 0.6, "F"),  # H_F true (p = 0.4), positives benefit
    ],
)
def test_enrichment_controls_the_familywise_error(intersection, d_pos, d_neg, which):
    rule = EnrichmentRule(intersection=intersection)
    out = simulate_enrichment(rule, np.full(N, d_pos), d_neg, 400, 0.4, rng(4), 0.05)
    if which == "any":
        wrong = out.success
    elif which == "S":  # the claim "works in positives (only)" is wrong
        wrong = out.success & out.label_positive_only
    else:  # the claim "works in all-comers" is wrong
        wrong = out.success & ~out.label_positive_only
    assert wrong.mean() <= ALPHA + 3 * SE_ALPHA


@pytest.mark.parametrize(("arms", "go_z"), [(1, None), (3, 0.0), (4, None)])
def test_seamless_keeps_alpha_with_dose_selection(arms, go_z):
    out = simulate_seamless(np.zeros(N), 200, 300, rng(5), arms=arms, go_z=go_z)
    assert out.success.mean() <= ALPHA + 3 * SE_ALPHA
    if arms == 1 and go_z is None:  # no selection, no stop: the combination test is exact
        assert _within(out.success.mean(), ALPHA, N)


def test_without_the_selection_adjustment_alpha_would_be_exceeded():
    """The Bonferroni step is needed: selecting the best of 4 doses and testing it as if
    it had been the only one inflates the type I error well beyond alpha."""
    r = rng(6)
    per_arm = 200 / 5
    e = r.standard_normal((5, N))
    z1 = ((e[1:] - e[0]) / np.sqrt(2)).max(axis=0)
    w1 = np.sqrt(2 * per_arm / (2 * per_arm + 300))
    naive = w1 * z1 + np.sqrt(1 - w1**2) * r.standard_normal(N) >= stats.norm.isf(ALPHA)
    assert naive.mean() > ALPHA + 10 * SE_ALPHA


# ----------------------------------------------------------------- power, exactly


def _gsd():
    return design_group_sequential(
        alpha=ALPHA, power=0.9, spending="obf", futility="hsd", info_fractions=(0.5, 0.75, 1.0)
    )


def test_group_sequential_power_from_sample_size_and_effect():
    d = _gsd()
    n, delta = 500.0, 0.13
    out = simulate_gsd(d, np.full(N, delta), n, rng(7))
    assert _within(out.success.mean(), power_at(d, delta * np.sqrt(n)), N)
    np.testing.assert_allclose(np.unique(out.patients), n * d.info_fractions)


def _ssr_power_exact(design: PromisingZone, delta: float, n: float) -> tuple[float, float]:
    """Power and expected patients by integrating over the interim z (rule rewritten here)."""
    t1 = design.interim_fraction
    b1, b2 = two_stage_bounds(t1, design.alpha, design.interim_efficacy, design.gamma)
    n1, n2 = t1 * n, (1 - t1) * n
    w1, w2 = np.sqrt(t1), np.sqrt(1 - t1)

    def stage2(z1: float) -> float:
        trend = z1 / np.sqrt(n1)
        need = (b2 - w1 * z1) / w2
        cp = stats.norm.cdf(trend * np.sqrt(n2) - need)
        if design.cp_min <= cp < design.cp_target:
            m = ((need + stats.norm.ppf(design.cp_target)) / trend) ** 2
            return min(max(m, n2), design.max_increase * n - n1)
        return n2

    def cp_planned(z1):
        return stats.norm.cdf(z1 / np.sqrt(n1) * np.sqrt(n2) - (b2 - w1 * z1) / w2)

    def continues(z1):
        fut = design.futility_cp is not None and cp_planned(z1) < design.futility_cp
        return z1 < b1 and not fut

    def density(z1):
        return stats.norm.pdf(z1 - delta * np.sqrt(n1))

    def win(z1):
        if z1 >= b1:
            return density(z1)
        if not continues(z1):
            return 0.0
        m = stage2(z1)
        return density(z1) * stats.norm.cdf(delta * np.sqrt(m) - (b2 - w1 * z1) / w2)

    def patients(z1):
        return density(z1) * (n1 + (stage2(z1) if continues(z1) else 0.0))

    lo, hi = delta * np.sqrt(n1) - 9, delta * np.sqrt(n1) + 9
    pts = [x for x in np.linspace(lo, hi, 4001)]
    power = integrate.trapezoid([win(x) for x in pts], pts)
    mean_n = integrate.trapezoid([patients(x) for x in pts], pts)
    return power, mean_n


@pytest.mark.parametrize(
    "design",
    [PromisingZone(), PromisingZone(interim_fraction=0.4, futility_cp=0.1, max_increase=1.5)],
)
def test_promising_zone_power_and_sample_size_match_integration(design):
    n, delta = 400.0, 0.11
    out = simulate_ssr(design, np.full(N, delta), n, rng(8))
    power, mean_n = _ssr_power_exact(design, delta, n)
    assert _within(out.success.mean(), power, N)
    se_n = out.patients.std() / np.sqrt(N)
    assert abs(out.patients.mean() - mean_n) <= 3 * se_n + 0.05
    # the increase buys power over the planned two-look design
    plain = replace(design, max_increase=1.0)  # the same design, never increased
    assert power > _ssr_power_exact(plain, delta, n)[0] + 0.01


def test_seamless_power_matches_integration_and_the_go_rate_the_mvn_cdf():
    delta, n1, n2, go_z = 0.12, 180.0, 300.0, 0.5
    out = simulate_seamless(np.full(N, delta), n1, n2, rng(9), arms=1, go_z=go_z)
    w1 = np.sqrt(n1 / (n1 + n2))
    w2 = np.sqrt(1 - w1**2)
    crit = stats.norm.isf(ALPHA)

    def f(z1):
        return stats.norm.pdf(z1 - delta * np.sqrt(n1)) * stats.norm.cdf(
            delta * np.sqrt(n2) - (crit - w1 * z1) / w2
        )

    power = integrate.quad(f, go_z, delta * np.sqrt(n1) + 12)[0]
    assert _within(out.success.mean(), power, N)
    # two doses sharing a control: P(go) = 1 - P(both z < go_z), correlation 1/2
    two = simulate_seamless(np.full(N, delta), n1, n2, rng(10), arms=2, go_z=go_z)
    mean = delta * np.sqrt(2 * n1 / 3)
    no_go = stats.multivariate_normal([mean, mean], [[1, 0.5], [0.5, 1]]).cdf([go_z, go_z])
    assert _within((two.stage == 2).mean(), 1 - no_go, N)
    assert np.all(two.patients == np.where(two.stage == 2, n1 + n2, n1))


def _patient_level_enrichment(rule, theta_pos, theta_neg, n, p, n_trials, seed):
    """Simulate patients (continuous endpoint, SD 1, 1:1) and compute everything from them."""
    r = rng(seed)
    n1 = int(rule.interim_fraction * n) // 2  # patients per arm in stage 1
    n2 = int(n - 2 * n1) // 2
    crit = stats.norm.isf(rule.alpha)
    w1, w2 = np.sqrt(rule.interim_fraction), np.sqrt(1 - rule.interim_fraction)
    n1p = round(p * n1)  # positives per arm (the model splits strata at p n)
    n1m = n1 - n1p
    n2p = round(p * n2)

    def z(diff_mean, per_arm):
        return diff_mean / np.sqrt(2 / per_arm)

    def arm_means(theta, per_arm):  # difference of arm means
        treat = r.normal(theta, 1 / np.sqrt(per_arm), n_trials)
        ctrl = r.normal(0.0, 1 / np.sqrt(per_arm), n_trials)
        return treat - ctrl

    d1p, d1m = arm_means(theta_pos, n1p), arm_means(theta_neg, n1m)
    z1s = z(d1p, n1p)
    z1f = z(p * d1p + (1 - p) * d1m, 1 / (p**2 / n1p + (1 - p) ** 2 / n1m))
    enriched = d1m < 0.0  # enrich_below = 0 on the effect scale
    d2p_all, d2m = arm_means(theta_pos, n2p), arm_means(theta_neg, n2 - n2p)
    z2f = z(p * d2p_all + (1 - p) * d2m, 1 / (p**2 / n2p + (1 - p) ** 2 / (n2 - n2p)))
    z2s = np.where(enriched, z(arm_means(theta_pos, n2), n2), z(d2p_all, n2p))
    pv = stats.norm.sf

    def simes(a, b):
        return np.minimum(2 * np.minimum(a, b), np.maximum(a, b))

    def comb(a, b):
        return w1 * stats.norm.isf(a) + w2 * stats.norm.isf(b) >= crit

    p2fs = np.where(enriched, pv(z2s), simes(pv(z2f), pv(z2s)))
    fs = comb(simes(pv(z1f), pv(z1s)), p2fs)
    rs = fs & comb(pv(z1s), pv(z2s))
    rf = fs & ~enriched & comb(pv(z1f), pv(z2f))
    return (rs | rf), enriched, (rs | rf) & ~rf


def test_enrichment_matches_a_patient_level_simulation():
    rule, n, p = EnrichmentRule(), 400, 0.4
    theta_pos, theta_neg = 0.35, 0.05
    m = 200_000
    win_pl, enr_pl, lab_pl = _patient_level_enrichment(rule, theta_pos, theta_neg, n, p, m, 11)
    out = simulate_enrichment(
        rule, np.full(m, theta_pos / 2), theta_neg / 2, n, p, rng(12), enrich_below=0.0
    )
    pairs = [(out.success, win_pl), (out.adapted, enr_pl), (out.label_positive_only, lab_pl)]
    for ours, theirs in pairs:
        q = 0.5 * (ours.mean() + theirs.mean())
        se = np.sqrt(2 * q * (1 - q) / m)
        assert abs(ours.mean() - theirs.mean()) <= 4 * se
    assert np.all(out.patients == n)
    np.testing.assert_allclose(out.enriched_patients, np.where(out.adapted, n / 2, 0.0))


def test_enrichment_trades_label_for_power_when_negatives_do_not_benefit():
    rule = EnrichmentRule()
    delta = np.full(N // 4, 0.175)
    enrich = simulate_enrichment(rule, delta, 0.0, 400, 0.3, rng(13), 0.0)
    never = simulate_enrichment(rule, delta, 0.0, 400, 0.3, rng(13), -np.inf)
    assert enrich.success.mean() > never.success.mean() + 0.05
    assert enrich.label_positive_only[enrich.success].mean() > 0.5
    assert not never.adapted.any()


# ----------------------------------------------------------------- sample sizes


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5, 0.8])
def test_untargeted_design_needs_one_over_p_squared_patients(p):
    """Simon & Maitournam (2004): effect only in positives (prevalence p); for the same
    power an untargeted fixed design needs 1/p^2 times the targeted design's patients."""
    theta = 0.3
    targeted = fixed_sample_size(theta, ALPHA, 0.9)
    untargeted = fixed_sample_size(float(population_effect(theta, 0.0, p)), ALPHA, 0.9)
    assert untargeted / targeted == pytest.approx(1 / p**2, rel=1e-12)
    assert untargeted_sample_size_ratio(p) == pytest.approx(1 / p**2, rel=1e-12)
    # and both designs really have the power: simulate them
    m = 400_000
    d_t = drift_per_patient(theta, 1.0)
    d_u = drift_per_patient(population_effect(theta, 0.0, p), 1.0)
    assert _within(simulate_fixed(np.full(m, d_t), targeted, rng(14)).success.mean(), 0.9, m)
    assert _within(simulate_fixed(np.full(m, d_u), untargeted, rng(15)).success.mean(), 0.9, m)


def test_information_per_patient():
    np.testing.assert_allclose(information_per_patient("continuous", [0.1, 0.5]), 1.0)
    # binary: difference 0.1 over control 0.3, pbar = 0.35
    assert information_per_patient("binary", 0.1, control_rate=0.3) == pytest.approx(
        1 / (0.35 * 0.65)
    )
    # time to event: Schoenfeld, information = events / 4, i.e. event_fraction per patient
    assert information_per_patient("time_to_event", 0.3, event_fraction=0.6) == 0.6
    with pytest.raises(ValueError):
        information_per_patient("binary", 0.1)
    with pytest.raises(ValueError):
        information_per_patient("ordinal", 0.1)
    # a fixed binary trial sized by the classical formula has its power
    n = fixed_sample_size(0.1, ALPHA, 0.8, float(information_per_patient("binary", 0.1, 0.3)))
    classical = (stats.norm.isf(ALPHA) + stats.norm.ppf(0.8)) ** 2 * 2 * 2 * 0.35 * 0.65 / 0.01
    assert n == pytest.approx(classical)
