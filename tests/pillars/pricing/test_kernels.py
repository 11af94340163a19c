"""Payment kernels, the value ceiling and IRA against closed forms and per-patient draws.

The kernels are expectations; the oracles are (a) the closed forms in the docstrings of
the contract modules (simulator.pillars.pricing.contracts) and (b) independent simulations
of individual patients (who responds, when the response is lost), compared within Monte
Carlo error.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.core.timeline import monthly_factor
from simulator.pillars.pricing.contracts import annuity, outcome_based, warranty
from simulator.pillars.pricing.contracts.annuity import annuity_pv_factor
from simulator.pillars.pricing.kernels import convolve_months, positive_predictive_value
from simulator.pillars.pricing.policy import ceiling_factor, ira_multiplier


def _one(x: float) -> np.ndarray:
    return np.array([x])


def _kernel_pv(w: np.ndarray, rate: float) -> np.ndarray:
    """PV at treatment of a kernel, month j discounted by v**j."""
    return w @ monthly_factor(rate) ** np.arange(w.shape[1])


@pytest.mark.parametrize("k,h,r,u,q", [(5, 0.1, 0.105, 0.0, 1.0), (4, 0.3, 0.08, 0.25, 0.8)])
def test_annuity_kernel_pv_is_the_closed_form(k, h, r, u, q):
    w, _ = annuity.payment_kernels(
        response_probability=_one(q), payments=k, upfront_share=_one(u),
        response_loss_hazard_annual=_one(h),
    )  # fmt: skip
    # sum_i exp(-h i) (1 + r)^-i written out by hand for the first case
    if (k, u, q) == (5, 0.0, 1.0):
        by_hand = sum(np.exp(-h * i) / (1 + r) ** i for i in range(5)) / 5
        assert annuity_pv_factor(k, h, r) == pytest.approx(by_hand, rel=1e-12)
    assert _kernel_pv(w, r)[0] == pytest.approx(annuity_pv_factor(k, h, r, u, q), rel=1e-12)


def test_annuity_closed_form_matches_patients_losing_response_at_random():
    """Each patient responds with probability q and keeps the response for an exponential
    time of rate h; instalment i (year i) is paid if the response lasts past year i."""
    rng = np.random.default_rng(1)
    k, h, r, u, q, n = 5, 0.2, 0.105, 0.1, 0.85, 200_000
    responds = rng.random(n) < q
    lasts_years = rng.exponential(1 / h, n)
    i = np.arange(k)
    paid = responds[:, None] & (lasts_years[:, None] > i[None, :])
    pv = u + (1 - u) / k * (paid * (1 + r) ** -i.astype(float)).sum(axis=1)
    se = pv.std() / np.sqrt(n)
    assert abs(pv.mean() - annuity_pv_factor(k, h, r, u, q)) < 4 * se


def test_outcome_based_pays_q_times_price_and_warranty_refunds_failures():
    rng = np.random.default_rng(2)
    q, s, n = 0.62, 1.0, 100_000
    w, t = outcome_based.payment_kernels(
        response_probability=_one(q), assessment_months=1,
        nonresponder_refund_share=_one(s),
    )  # fmt: skip
    paid = (rng.random(n) < q).astype(float)  # patients: pay only for responders
    assert abs(paid.mean() - w.sum()) < 4 * paid.std() / np.sqrt(n)
    assert w[0, 0] == 0.0 and w[0, 1] == pytest.approx(q)  # paid at the assessment
    assert t.sum() == pytest.approx(1 / 12)  # every patient tracked for one month
    # warranty: refund s if no response, or if the response is lost within W years
    h, W, s = 0.15, 3.0, 0.5
    w, _ = warranty.payment_kernels(
        response_probability=_one(q), refund_share=_one(s),
        response_loss_hazard_annual=_one(h), warranty_months=36,
    )  # fmt: skip
    refund = s * ((1 - q) + q * (1 - np.exp(-h * W)))
    assert w.sum() == pytest.approx(1 - refund, rel=1e-12)


def test_annuity_tracking_is_the_response_survival_until_the_last_instalment():
    q, h, k = 0.9, 0.2, 5
    _, t = annuity.payment_kernels(
        response_probability=_one(q), payments=k, response_loss_hazard_annual=_one(h)
    )
    exact = q * (1 - np.exp(-h * (k - 1))) / h  # integral of q exp(-h t) over 0 .. k-1 years
    # a left Riemann sum of a decreasing function: above the integral by < q / 12
    assert exact <= t.sum() <= exact + q / 12


def test_convolution_matches_numpy_row_by_row():
    rng = np.random.default_rng(3)
    values, kernel = rng.random((4, 50)), rng.random((4, 13)) * (rng.random((4, 13)) < 0.5)
    out = convolve_months(values, kernel)
    for i in range(4):
        np.testing.assert_allclose(out[i], np.convolve(values[i], kernel[i])[:50], rtol=1e-12)


def test_ppv_and_ira_multiplier():
    # 10% prevalence, 90% sensitivity, 95% specificity: 0.09 / (0.09 + 0.045) = 2/3
    assert positive_predictive_value(0.1, 0.9, 0.95) == pytest.approx(2 / 3)
    k = np.arange(200)[None, :].repeat(2, axis=0)
    m = ira_multiplier(k, np.array([108, 108]), np.array([150, 150]), np.array([0.4, 0.4]),
                       np.array([True, False]))  # fmt: skip
    assert np.all(m[0, 108:150] == 0.6) and m[0, :108].min() == 1 and m[0, 150:].min() == 1
    assert np.all(m[1] == 1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 10), st.floats(0.0, 2.0), st.floats(0.0, 2.0), st.floats(0.0, 1.0),
    st.floats(0.0, 1.0), st.floats(0.0, 0.3),
)  # fmt: skip
def test_a_higher_hazard_never_raises_annuity_payments(k, h1, dh, u, q, r):
    def kernel(h):
        return annuity.payment_kernels(
            response_probability=_one(q), payments=k, upfront_share=_one(u),
            response_loss_hazard_annual=_one(h),
        )[0]  # fmt: skip

    lo, hi = kernel(h1 + dh), kernel(h1)
    assert np.all(lo <= hi + 1e-15)  # month by month, so also in total and in PV
    assert _kernel_pv(lo, r)[0] <= _kernel_pv(hi, r)[0] + 1e-12


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.0, 5e6), st.floats(0.0, 3e5), st.floats(0.0, 3e5), st.floats(0.0, 20.0),
    st.floats(0.0, 1e6),
)  # fmt: skip
def test_a_lower_wtp_never_raises_the_capped_price(price, wtp_lo, dw, qalys, offsets):
    def capped(wtp):
        return price * ceiling_factor(_one(price), _one(wtp), _one(qalys), _one(offsets))[0]

    assert capped(wtp_lo) <= capped(wtp_lo + dw) * (1 + 1e-12)
    assert capped(wtp_lo) <= price * (1 + 1e-12)
    assert capped(wtp_lo) == pytest.approx(min(price, wtp_lo * qalys + offsets), rel=1e-9)
