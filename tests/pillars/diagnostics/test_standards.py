"""Evolving biomarker standards against closed forms: the change's hazard, the launch
delay of a revalidation study, its failure, its cost and the shift of the eligible share."""

import numpy as np
import pytest
from helpers import asset, make

from simulator.core.timeline import pv_spread
from simulator.engine.chunk import simulate_chunk

LAUNCH, HORIZON = 78, 360


def targeted(**standard):
    a = asset(sales_force_musd_per_year=0, launch_cost_musd=0, exclusivity_years=40)
    a["selection_biomarker"] = True
    if standard:
        a["biomarker_standard"] = standard
    return a


def run(a, n, seed=7):
    s = make({"p": [a]}, iterations=n, chunk_size=n, seed=seed)
    chunk = simulate_chunk(s, 0, keep_monthly=True)
    return chunk.monthly_cash_musd["p"], chunk.columns


def within(share: float, expected: float, n: int) -> bool:
    return abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / n)


def test_share_of_futures_with_a_change_is_one_minus_exp_minus_h_t():
    h, n = 0.04, 20_000
    _, cols = run(targeted(hazard_per_year=h), n)
    expected = 1 - np.exp(-h * HORIZON / 12)  # from the asset's start (month 0) on
    assert within(cols["p.drug.standard_changed"].mean(), expected, n)


def test_a_study_before_launch_delays_it_to_the_study_end():
    h, d, n = 0.1, 12, 20_000
    _, cols = run(targeted(hazard_per_year=h, revalidation_months=d), n)
    launch = cols["p.drug.launch_month"]
    assert launch.min() == LAUNCH
    # E = floor(12 X / h); the launch waits iff LAUNCH - D < E + ... i.e. 79 - D <= 12X/h < 78
    expected = np.exp(-h * (LAUNCH + 1 - d) / 12) - np.exp(-h * LAUNCH / 12)
    assert within((launch > LAUNCH).mean(), expected, n)
    assert launch.max() <= LAUNCH + d


def test_a_failed_study_before_launch_means_no_launch():
    h, n = 0.1, 20_000
    _, cols = run(targeted(hazard_per_year=h, p_revalidation_success=0.0), n)
    assert within(cols["p.drug.launched"].mean(), np.exp(-h * LAUNCH / 12), n)


def test_the_study_costs_its_amount_spread_from_the_change():
    cost, d, n = 12.0, 6, 400
    base, cols0 = run(targeted(), n)
    on, cols = run(
        targeted(
            hazard_per_year=0.05,
            revalidation_cost_musd=cost,
            revalidation_months=d,
            prevalence_factor=1.0,
        ),
        n,
    )
    changed = cols["p.drug.standard_changed"]
    diff = base - on
    for i in np.flatnonzero(changed)[:30]:
        start = np.flatnonzero(np.abs(diff[i]) > 1e-12)[0]
        if start + d <= LAUNCH:  # a study wholly before launch: only its cost moves the cash
            assert diff[i].sum() == pytest.approx(cost)
            np.testing.assert_allclose(diff[i, start : start + d], cost / d)
            npv_gap = cols0["p.npv_musd"][i] - cols["p.npv_musd"][i]
            assert npv_gap == pytest.approx(float(pv_spread(cost, start, d, 0.1, HORIZON)))
    np.testing.assert_array_equal(base[~changed], on[~changed])


def test_the_new_cutoff_scales_the_share_from_the_study_end_after_launch():
    factor, d = 0.7, 3
    base, _ = run(targeted(), 300)
    on, cols = run(
        targeted(hazard_per_year=0.1, revalidation_months=d, prevalence_factor=factor), 300
    )
    m = np.arange(HORIZON)
    checked = 0
    for i in np.flatnonzero(cols["p.drug.standard_changed"]):
        differs = np.flatnonzero(~np.isclose(on[i], base[i], rtol=1e-12, atol=1e-12))
        if differs.size == 0 or differs[0] <= LAUNCH:
            continue
        e = differs[0]
        np.testing.assert_allclose(on[i, m >= e], factor * base[i, m >= e], rtol=1e-12)
        checked += 1
    assert checked > 50


def test_a_failed_study_after_launch_ends_new_starts_from_its_end():
    d = 3
    base, _ = run(targeted(), 300)
    a = targeted(hazard_per_year=0.1, revalidation_months=d, p_revalidation_success=0.0)
    on, cols = run(a, 300)
    checked = 0
    for i in np.flatnonzero(cols["p.drug.launched"] & cols["p.drug.standard_changed"]):
        differs = np.flatnonzero(~np.isclose(on[i], base[i], rtol=1e-12, atol=1e-12))
        if differs.size == 0:  # the change came after the horizon's last month of sales
            continue
        end = differs[0]
        assert end > LAUNCH and np.all(on[i, end:] == 0.0)  # no patients on therapy here
        checked += 1
    assert checked > 50
