"""Promising-zone sample-size re-estimation: its type I error over 10^6 null trials, and
its power and expected patients against a numerical integration over the interim z.

Seeds are fixed, so the tests are deterministic.
"""

from dataclasses import replace

import numpy as np
import pytest
from scipy import integrate, stats

from simulator.pillars.trials.designs.ssr import PromisingZone, simulate_ssr, two_stage_bounds

N = 10**6
ALPHA = 0.025
SE_ALPHA = np.sqrt(ALPHA * (1 - ALPHA) / N)


def _within(rate: float, p: float, n: int, k: float = 3.0) -> bool:
    return abs(rate - p) <= k * np.sqrt(p * (1.0 - p) / n)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


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
