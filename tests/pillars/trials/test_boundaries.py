"""Group-sequential boundaries against published designs, scipy, and invariants.

Sources of the numbers (each test says which it uses):
- [rpact-summary] rpact design summary for typeOfDesign="asOF", kMax=3, alpha=0.025
  (one-sided): efficacy z 3.710, 2.511, 1.993; cumulative alpha 0.0001, 0.0060, 0.0250.
- [rpact-tests] rpact unit tests, tests/testthat/test-f_design_group_sequential.R
  (rpact-com/rpact, revision 6492, 2022-08-15); rpact checks them to 1e-7.
- [gsDesign] gsDesign technical manual, "Applying the default group sequential design"
  (https://keaven.github.io/gsd-tech-manual/default.html), print(gsDesign()): k=3,
  alpha=0.025, beta=0.1, HSD(-4) alpha spending, non-binding HSD(-2) beta spending.
- [J&T] Jennison & Turnbull (2000), Group Sequential Methods, Tables 2.1 (Pocock C_P),
  2.2 (Pocock R_P), 2.3 (O'Brien-Fleming C_B), 2.4 (O'Brien-Fleming R_B); two-sided
  alpha = 0.05, which equals one-sided 0.025 to the 3 decimals printed.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator.pillars.trials.boundaries import (
    _solve_inflation_factor,
    design_exit_probabilities,
    design_group_sequential,
    expected_sample_size,
    fixed_design_drift,
    power_at,
)
from simulator.pillars.trials.integration import (
    efficacy_bounds_from_spending,
    exit_probabilities,
    futility_bounds_from_spending,
)
from simulator.pillars.trials.spending import pocock_spending

THIRDS = (1 / 3, 2 / 3, 1.0)


# ----------------------------------------------------------------- published boundaries


def test_ld_obrien_fleming_k3_matches_rpact_summary():
    d = design_group_sequential(k=3, alpha=0.025, power=0.9, spending="obf")
    np.testing.assert_allclose(d.efficacy_z, [3.710, 2.511, 1.993], atol=1e-3)  # [rpact-summary]
    np.testing.assert_allclose(np.round(d.cumulative_alpha, 4), [0.0001, 0.0060, 0.0250])


def test_classical_obrien_fleming_k3():
    d = design_group_sequential(k=3, alpha=0.025, spending="obf_classical")
    # [J&T] Table 2.3: C_B(3, 0.05) = 2.004, bounds C_B sqrt(K/k).
    np.testing.assert_allclose(d.efficacy_z, 2.004 * np.sqrt(3 / np.arange(1, 4)), atol=1e-3)
    # [rpact-tests] "x0", getDesignInverseNormal() defaults (typeOfDesign "OF", K=3, 0.025).
    np.testing.assert_allclose(d.efficacy_z, [3.4710914, 2.4544323, 2.0040356], atol=1e-6)
    np.testing.assert_allclose(d.cumulative_alpha, [0.00025917372, 0.0071600594, 0.025], atol=1e-8)


@pytest.mark.parametrize(
    ("k", "c_pocock", "c_obf"),  # [J&T] Tables 2.1 and 2.3, alpha = 0.05 two-sided
    [(2, 2.178, 1.977), (3, 2.289, 2.004), (4, 2.361, 2.024), (5, 2.413, 2.040)],
)
def test_classical_constants(k, c_pocock, c_obf):
    pocock = design_group_sequential(k=k, alpha=0.025, spending="pocock_classical")
    obf = design_group_sequential(k=k, alpha=0.025, spending="obf_classical")
    np.testing.assert_allclose(pocock.efficacy_z, c_pocock, atol=1e-3)
    assert obf.efficacy_z[-1] == pytest.approx(c_obf, abs=1e-3)


def test_pocock_type_spending_matches_rpact():
    # [rpact-tests] "x6b": asP, alpha=0.025, informationRates=c(0.4, 0.7).
    t = [0.4, 0.7]
    bounds = efficacy_bounds_from_spending(t, pocock_spending(t, 0.025))
    np.testing.assert_allclose(bounds, [2.223875, 2.3050796], atol=1e-6)
    # [rpact-tests] "x6a": asP, alpha=0.13, informationRates=c(0.35, 0.7, 1), non-binding
    # user beta spending c(0.01, 0.05, 0.3): efficacy bounds ignore futility.
    d = design_group_sequential(
        alpha=0.13, power=0.7, spending="pocock", info_fractions=[0.35, 0.7, 1]
    )
    np.testing.assert_allclose(d.efficacy_z, [1.5446617, 1.4828682, 1.4620058], atol=1e-6)
    cum_beta = np.array([0.01, 0.05, 0.3])
    infl = _solve_inflation_factor(d.info_fractions, d.efficacy_z, cum_beta, 0.13, 0.7, 32)
    drift = fixed_design_drift(0.13, 0.7) * np.sqrt(infl)
    fut, power = futility_bounds_from_spending(d.info_fractions, d.efficacy_z, cum_beta, drift)
    np.testing.assert_allclose(fut[:2], [-1.2557044, -0.16828659], atol=1e-6)
    up, _ = exit_probabilities(d.info_fractions, d.efficacy_z, fut, drift)
    np.testing.assert_allclose(np.cumsum(up), [0.31774348, 0.5598179, 0.7], atol=1e-6)
    assert power == pytest.approx(0.7, abs=1e-9)


def test_hsd_linear_spending_matches_rpact():
    # [rpact-tests] "x1"/"y1": asHSD gammaA=0, alpha=0.03, beta=0.14, t=(0.2, 0.4, 1).
    d = design_group_sequential(
        alpha=0.03, power=0.86, spending="hsd", gamma=0.0, info_fractions=[0.2, 0.4, 1]
    )
    np.testing.assert_allclose(d.efficacy_z, [2.5121443, 2.4228747, 2.0280392], atol=1e-6)
    assert d.inflation_factor == pytest.approx(1.0788327, abs=1e-6)
    assert expected_sample_size(d, d.drift_design) == pytest.approx(0.83081135, abs=1e-6)
    assert expected_sample_size(d, d.drift_design / 2) == pytest.approx(1.0142116, abs=1e-6)
    assert expected_sample_size(d, 0.0) == pytest.approx(1.0697705, abs=1e-6)


def test_hsd_with_hsd_futility_matches_rpact():
    # [rpact-tests] "x2"/"y2": asHSD gammaA=-1, bsHSD gammaB=-2, alpha=0.07, beta=0.14,
    # t=(0.2, 0.4, 1), non-binding futility.
    d = design_group_sequential(
        alpha=0.07,
        power=0.86,
        spending="hsd",
        gamma=-1.0,
        futility="hsd",
        futility_gamma=-2.0,
        info_fractions=[0.2, 0.4, 1],
    )
    np.testing.assert_allclose(d.efficacy_z, [2.364813, 2.1928805, 1.5660474], atol=1e-6)
    np.testing.assert_allclose(d.futility_z[:2], [-1.1063623, -0.35992439], atol=1e-6)
    assert d.futility_z[-1] == d.efficacy_z[-1]
    assert d.inflation_factor == pytest.approx(1.0869177, abs=1e-6)
    up, _ = design_exit_probabilities(d, d.drift_design)
    np.testing.assert_allclose(np.cumsum(up), [0.12038953, 0.32895265, 0.86], atol=1e-6)
    assert expected_sample_size(d, d.drift_design) == pytest.approx(0.82636428, abs=1e-6)
    assert expected_sample_size(d, d.drift_design / 2) == pytest.approx(0.916142, abs=1e-6)
    assert expected_sample_size(d, 0.0) == pytest.approx(0.79471657, abs=1e-6)


def test_hsd_stagewise_probabilities_match_rpact():
    # [rpact-tests] "x1"/"y1" and "x2"/"y2": cumulative alpha and beta spent, and the
    # per-look rejection and futility probabilities at the design alternative.
    x1 = design_group_sequential(
        alpha=0.03, power=0.86, spending="hsd", gamma=0.0, info_fractions=[0.2, 0.4, 1]
    )
    np.testing.assert_allclose(x1.cumulative_alpha, [0.006, 0.012, 0.03], atol=1e-9)
    up, _ = design_exit_probabilities(x1, x1.drift_design)
    np.testing.assert_allclose(up, [0.12783451, 0.21271713, 0.51944835], atol=1e-6)
    x2 = design_group_sequential(
        alpha=0.07,
        power=0.86,
        spending="hsd",
        gamma=-1.0,
        futility="hsd",
        futility_gamma=-2.0,
        info_fractions=[0.2, 0.4, 1],
    )
    np.testing.assert_allclose(x2.cumulative_alpha, [0.0090195874, 0.020036136, 0.07], atol=1e-8)
    np.testing.assert_allclose(x2.cumulative_beta, [0.010777094, 0.026854629, 0.14], atol=1e-8)
    up, lo = design_exit_probabilities(x2, x2.drift_design)
    np.testing.assert_allclose(up, [0.12038953, 0.20856311, 0.53104735], atol=1e-6)
    np.testing.assert_allclose(lo[:2], [0.010777094, 0.016077535], atol=1e-6)
    # rpact's nFixed and shift: (z_{1-a} + z_{1-b})^2 and nFixed x inflation factor
    assert fixed_design_drift(0.07, 0.86) ** 2 == pytest.approx(6.5337002, abs=1e-6)
    assert x2.drift_design**2 == pytest.approx(7.1015942, abs=1e-5)


def test_gsdesign_default_design():
    # [gsDesign] print(gsDesign()).
    d = design_group_sequential(
        k=3, alpha=0.025, power=0.9, spending="hsd", gamma=-4, futility="hsd", futility_gamma=-2
    )
    np.testing.assert_allclose(np.round(d.efficacy_z, 2), [3.01, 2.55, 2.00])
    np.testing.assert_allclose(np.round(d.futility_z, 2), [-0.24, 0.94, 2.00])
    assert round(d.inflation_factor, 3) == 1.070  # sample size ratio 0.357, 0.713, 1.070
    np.testing.assert_allclose(
        np.round(d.inflation_factor * d.info_fractions, 3), [0.357, 0.713, 1.070]
    )
    assert d.drift_design / np.sqrt(d.inflation_factor) == pytest.approx(3.2415, abs=5e-5)
    h0_up, h0_lo = design_exit_probabilities(d, 0.0)
    h1_up, h1_lo = design_exit_probabilities(d, d.drift_design)
    np.testing.assert_allclose(np.round(h0_up, 4), [0.0013, 0.0049, 0.0171])
    np.testing.assert_allclose(np.round(h0_lo, 4), [0.4057, 0.4290, 0.1420])
    np.testing.assert_allclose(np.round(h1_up, 4), [0.1412, 0.4403, 0.3185])
    np.testing.assert_allclose(np.round(h1_lo, 4), [0.0148, 0.0289, 0.0563])
    assert round(expected_sample_size(d, 0.0), 4) == 0.6249
    assert round(expected_sample_size(d, d.drift_design), 4) == 0.7913
    assert expected_sample_size(d, 0.0, n_fixed=400) == pytest.approx(400 * 0.6249, abs=0.05)


# ----------------------------------------------------------------- inflation factors

# [J&T] Table 2.2 (Pocock R_P) and Table 2.4 (O'Brien-Fleming R_B), alpha = 0.05 two-sided.
JT_INFLATION = {
    ("pocock_classical", 0.8): [1.110, 1.166, 1.202, 1.229],
    ("pocock_classical", 0.9): [1.100, 1.151, 1.183, 1.207],
    ("obf_classical", 0.8): [1.008, 1.017, 1.024, 1.028],
    ("obf_classical", 0.9): [1.007, 1.016, 1.022, 1.026],
}


@pytest.mark.parametrize(("spending", "power"), list(JT_INFLATION))
def test_inflation_factors_match_jennison_turnbull(spending, power):
    got = [
        design_group_sequential(k=k, power=power, spending=spending).inflation_factor
        for k in (2, 3, 4, 5)
    ]
    np.testing.assert_allclose(got, JT_INFLATION[(spending, power)], atol=6e-4)


def test_single_look_is_the_fixed_design():
    d = design_group_sequential(k=1, alpha=0.025, power=0.9)
    assert d.efficacy_z[0] == pytest.approx(stats.norm.isf(0.025), abs=1e-9)
    assert d.inflation_factor == pytest.approx(1.0, abs=1e-9)


# ----------------------------------------------------------------- independent check


def _mvn_exit_probabilities(t, a, b, drift):
    """First-crossing probabilities from the multivariate normal CDF (corr sqrt(t_i/t_j))."""
    t = np.asarray(t)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    mean = drift * np.sqrt(t)
    a, b = np.clip(a, -12, 12), np.clip(b, -12, 12)  # finite limits keep scipy's QMC quiet
    up, lo = [], []
    for k in range(t.size):
        mvn = stats.multivariate_normal(
            mean[: k + 1], cov[: k + 1, : k + 1], abseps=1e-8, releps=1e-8, maxpts=10**6
        )
        up.append(mvn.cdf(np.r_[b[:k], 12.0], lower_limit=np.r_[a[:k], b[k]]))
        lo.append(mvn.cdf(np.r_[b[:k], a[k]], lower_limit=np.r_[a[:k], -12.0]))
    return np.array(up), np.array(lo)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"k": 3, "spending": "obf"},
        {"k": 4, "spending": "pocock", "futility": "obf", "info_fractions": [0.2, 0.5, 0.6, 1.0]},
        {"k": 3, "spending": "hsd", "gamma": -4, "futility": "hsd", "futility_gamma": -2},
    ],
)
def test_crossing_probabilities_agree_with_multivariate_normal(kwargs):
    d = design_group_sequential(alpha=0.025, power=0.9, **kwargs)
    a = d.futility_z if d.futility_z is not None else np.full(d.k, -np.inf)
    for drift in (0.0, 0.5 * d.drift_design, d.drift_design):
        up, lo = design_exit_probabilities(d, drift)
        mvn_up, mvn_lo = _mvn_exit_probabilities(d.info_fractions, a, d.efficacy_z, drift)
        np.testing.assert_allclose(up, mvn_up, atol=1e-5)
        np.testing.assert_allclose(lo[:-1], mvn_lo[:-1], atol=1e-5)
    # type I error with the (non-binding) futility bounds ignored is exactly alpha
    none = np.full(d.k, -np.inf)
    np.testing.assert_allclose(
        _mvn_exit_probabilities(d.info_fractions, none, d.efficacy_z, 0.0)[0].sum(),
        0.025,
        atol=1e-5,
    )


# ----------------------------------------------------------------- the beta-spending trap


def test_aggressive_futility_does_not_fool_the_inflation_solver():
    # HSD(+2) futility spends beta early; for R above the answer the futility bound meets
    # the efficacy bound at look 2, after which a_K = b_K holds trivially for every R.
    d = design_group_sequential(
        k=3, alpha=0.025, power=0.9, spending="obf", futility="hsd", futility_gamma=2.0
    )
    t, b, cum_beta = d.info_fractions, d.efficacy_z, d.cumulative_beta
    fixed = fixed_design_drift(0.025, 0.9)
    met, met_power = futility_bounds_from_spending(t, b, cum_beta, fixed * np.sqrt(3.0))
    assert met[1] == b[1] and met[2] == b[2]  # the trap: bounds meet early, last ones equal
    assert met_power > 0.9  # but the power test rejects R = 3
    # the answer: interim bounds apart, last bounds coincide, power exactly on target
    assert np.all(d.futility_z[:-1] < b[:-1] - 0.1)
    assert d.futility_z[-1] == b[-1]
    assert power_at(d, d.drift_design) == pytest.approx(0.9, abs=1e-9)
    up, _ = _mvn_exit_probabilities(t, d.futility_z, b, d.drift_design)
    assert up.sum() == pytest.approx(0.9, abs=1e-5)
    # the beta spent per look is the beta-spending function's
    _, lo = design_exit_probabilities(d, d.drift_design)
    np.testing.assert_allclose(np.cumsum(lo), cum_beta, atol=1e-8)
    # whatever the starting bracket, the solver lands on the same root
    for r_hi in (1.01, 3.0, 50.0):
        assert _solve_inflation_factor(t, b, cum_beta, 0.025, 0.9, 32, r_hi=r_hi) == pytest.approx(
            d.inflation_factor, abs=1e-8
        )


def test_power_exceeds_target_above_the_root_including_where_bounds_meet():
    # Pocock-type futility with low power: the bounds meet at an interim look for large R.
    d = design_group_sequential(k=4, alpha=0.025, power=0.6, spending="pocock", futility="pocock")
    fixed = fixed_design_drift(0.025, 0.6)
    met = 0
    for infl in np.linspace(d.inflation_factor, 6.0, 25)[1:]:
        fut, power = futility_bounds_from_spending(
            d.info_fractions, d.efficacy_z, d.cumulative_beta, fixed * np.sqrt(infl)
        )
        assert power > 0.6
        met += bool(np.any(fut[:-1] == d.efficacy_z[:-1]))
    assert met > 0
    for infl in np.linspace(1.0, d.inflation_factor, 25)[:-1]:
        fut, power = futility_bounds_from_spending(
            d.info_fractions, d.efficacy_z, d.cumulative_beta, fixed * np.sqrt(infl)
        )
        assert power < 0.6


# ----------------------------------------------------------------- design object


def test_design_is_cached_and_read_only():
    d1 = design_group_sequential(k=3, spending="obf", futility="obf")
    d2 = design_group_sequential(k=3, spending="obf", futility="obf", info_fractions=THIRDS)
    assert d1 is d2
    with pytest.raises(ValueError):
        d1.efficacy_z[0] = 0.0
    with pytest.raises(AttributeError):
        d1.alpha = 0.05  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"info_fractions": [0.5, 0.9]},
        {"info_fractions": [0.6, 0.5, 1.0]},
        {"alpha": 0.6},
        {"power": 0.01},
        {"spending": "kd"},
        {"futility": "obf_classical"},
        {"k": 0},
    ],
)
def test_invalid_designs_are_rejected(kwargs):
    with pytest.raises(ValueError):
        design_group_sequential(**kwargs)


# ----------------------------------------------------------------- properties

fractions = (
    st.lists(st.floats(0.05, 0.95), min_size=1, max_size=4, unique=True)
    .map(lambda xs: (*sorted(round(x, 3) for x in xs), 1.0))
    .filter(lambda t: min(np.diff((0.0, *t))) >= 0.02)
)


@settings(max_examples=15, deadline=None, database=None)
@given(k=st.integers(2, 6), alpha=st.floats(0.005, 0.1), classical=st.booleans())
def test_obrien_fleming_bounds_decrease(k, alpha, classical):
    d = design_group_sequential(k=k, alpha=alpha, spending="obf_classical" if classical else "obf")
    assert np.all(np.diff(d.efficacy_z) < 0.0)


@settings(max_examples=15, deadline=None, database=None)
@given(
    t=fractions,
    spending=st.sampled_from(["obf", "pocock", "hsd", "pocock_classical"]),
    alpha=st.floats(0.005, 0.1),
)
def test_cumulative_alpha_is_spent_exactly(t, spending, alpha):
    d = design_group_sequential(alpha=alpha, spending=spending, gamma=1.0, info_fractions=t)
    assert np.all(np.diff(d.cumulative_alpha) >= 0.0)
    assert d.cumulative_alpha[-1] == pytest.approx(alpha, rel=1e-7)
    up, _ = design_exit_probabilities(d, 0.0, obey_futility=False)
    np.testing.assert_allclose(np.cumsum(up), d.cumulative_alpha, rtol=1e-6, atol=1e-10)


@settings(max_examples=10, deadline=None, database=None)
@given(
    t=fractions,
    futility=st.sampled_from([None, "obf", "pocock", "hsd"]),
    start=st.floats(-2.0, 4.0),
    steps=st.lists(st.floats(0.05, 1.0), min_size=1, max_size=4),
)
def test_power_increases_with_drift(t, futility, start, steps):
    d = design_group_sequential(alpha=0.025, power=0.8, futility=futility, info_fractions=t)
    powers = [power_at(d, x) for x in start + np.cumsum([0.0, *steps])]
    assert np.all(np.diff(powers) > 0.0)
    assert power_at(d, d.drift_design) == pytest.approx(0.8, abs=1e-7)
