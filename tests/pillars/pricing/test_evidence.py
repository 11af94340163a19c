"""A price reassessment and a real-world evidence programme against closed forms."""

import numpy as np
import pytest
from helpers import asset, make

from simulator.core.timeline import discount_factors, pv_spread
from simulator.engine.chunk import simulate_chunk

LAUNCH, HORIZON = 78, 360


def priced(evidence=None):
    a = asset(sales_force_musd_per_year=0, launch_cost_musd=0, exclusivity_years=40)
    if evidence is not None:
        a["evidence"] = evidence
    return a


def run(a, n=1, seed=7):
    s = make({"p": [a]}, iterations=n, chunk_size=n, seed=seed)
    chunk = simulate_chunk(s, 0, keep_monthly=True)
    return chunk.monthly_cash_musd["p"], chunk.columns


REASSESS = {"after_years": 4, "p_keep_price": 0.4, "price_cut_share": 0.3}


def test_a_price_not_kept_is_cut_from_the_reassessment_month():
    base, _ = run(priced())
    on, _ = run(priced({"reassessment": dict(REASSESS, p_keep_price=0.0)}))
    reset = LAUNCH + 48
    np.testing.assert_array_equal(on[0, :reset], base[0, :reset])
    np.testing.assert_allclose(on[0, reset:], 0.7 * base[0, reset:], rtol=1e-12)


def test_rwe_moves_expected_npv_by_the_closed_form():
    n, p, p_rwe, cut = 20_000, 0.4, 0.75, 0.3
    _, cols0 = run(priced({"reassessment": REASSESS}), n)
    rwe = {"cost_musd_per_year": 0, "years": 5, "p_keep_price": p_rwe}
    _, cols = run(priced({"reassessment": REASSESS, "rwe": rwe}), n)
    plain, _ = run(priced())
    after = LAUNCH + 48
    pv_after = plain[0, after:] @ discount_factors(0.1, HORIZON)[after:]
    diff = cols["p.npv_musd"] - cols0["p.npv_musd"]
    # paired: the same uniform decides with and without RWE, so each future gains 0 or c x PV
    gained = diff > 1e-9
    np.testing.assert_allclose(diff[gained], cut * pv_after, rtol=1e-9)
    assert np.all(np.abs(diff[~gained]) < 1e-9)
    expected = (p_rwe - p) * cut * pv_after
    se = diff.std(ddof=1) / np.sqrt(n)
    assert abs(diff.mean() - expected) < 4 * se, (diff.mean(), expected, se)


def test_rwe_costs_its_yearly_amount_for_its_years():
    cost, years = 4.0, 3
    base, cols0 = run(priced({"reassessment": REASSESS}))
    rwe = {"cost_musd_per_year": cost, "years": years}
    on, cols = run(priced({"reassessment": REASSESS, "rwe": rwe}))
    diff = base[0] - on[0]
    np.testing.assert_allclose(diff[LAUNCH : LAUNCH + 36], cost / 12)
    assert diff.sum() == pytest.approx(cost * years)
    gap = cols0["p.npv_musd"][0] - cols["p.npv_musd"][0]
    assert gap == pytest.approx(float(pv_spread(cost * years, LAUNCH, 36, 0.1, HORIZON)))


def test_a_label_expansion_raises_new_patients_from_its_month():
    base, _ = run(priced())
    x = {"after_years": 3, "probability": 1.0, "share_gain": 0.25}
    on, _ = run(priced({"rwe": {"cost_musd_per_year": 0, "years": 5, "label_expansion": x}}))
    month = LAUNCH + 36
    np.testing.assert_array_equal(on[0, :month], base[0, :month])
    np.testing.assert_allclose(on[0, month:], 1.25 * base[0, month:], rtol=1e-12)
