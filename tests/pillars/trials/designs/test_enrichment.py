"""Adaptive enrichment: the familywise error of its closed test over 10^6 null trials (each
hypothesis true in turn), and its power, enrichment and label against a patient-level
simulation that computes the statistics from simulated patients.

Seeds are fixed, so the tests are deterministic.
"""

import numpy as np
import pytest
from scipy import stats

from simulator.pillars.trials.designs.enrichment import EnrichmentRule, simulate_enrichment

N = 10**6
ALPHA = 0.025
SE_ALPHA = np.sqrt(ALPHA * (1 - ALPHA) / N)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


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
