"""Post-market surveillance against closed forms: the signal's hazard, a restriction and a
withdrawal applied from the signal's month, REMS and long-term follow-up costs."""

import numpy as np
import pytest
from helpers import asset, make

from simulator.core.timeline import discount_factors
from simulator.engine.chunk import simulate_chunk
from simulator.pillars.surveillance.step import follow_up_cost_musd

LAUNCH, HORIZON = 78, 360  # the helper asset launches in month 12 + 24 + 30 + 12


def plain(**surveillance):
    """A deterministic asset whose cash after launch is its revenue margin only."""
    a = asset(sales_force_musd_per_year=0, launch_cost_musd=0, exclusivity_years=40)
    if surveillance:
        a["surveillance"] = surveillance
    return a


def monthly(a, n=1, rate=0.1, seed=7):
    s = make({"p": [a]}, iterations=n, chunk_size=n, discount_rate_annual=rate, seed=seed)
    chunk = simulate_chunk(s, 0, keep_monthly=True)
    return chunk.monthly_cash_musd["p"], chunk.columns


def test_share_of_futures_with_a_signal_is_one_minus_exp_minus_h_t():
    h = 0.08
    _, cols = monthly(plain(signal_hazard_per_year=h), n=20_000)
    seen = cols["p.drug.safety_signal"]
    expected = 1 - np.exp(-h * (HORIZON - LAUNCH) / 12)  # from launch to the horizon
    se = np.sqrt(expected * (1 - expected) / seen.size)
    assert abs(seen.mean() - expected) < 4 * se, (seen.mean(), expected)


@pytest.mark.parametrize("cut", [0.25, 0.6])
def test_a_restriction_cuts_the_share_from_the_signal_month(cut):
    base, _ = monthly(plain(), n=200)
    on, cols = monthly(
        plain(signal_hazard_per_year=0.3, p_restriction=1.0, restriction_share_cut=cut), n=200
    )
    m = np.arange(HORIZON)
    hit = np.flatnonzero(cols["p.drug.safety_restricted"])
    assert hit.size > 100
    for i in hit[:20]:
        # the first month the cash differs is the signal month; from there on it is (1 - cut)
        differs = np.flatnonzero(~np.isclose(on[i], base[i], rtol=1e-12, atol=1e-12))
        e = differs[0]
        assert e >= LAUNCH
        np.testing.assert_allclose(on[i, m >= e], (1 - cut) * base[i, m >= e], rtol=1e-12)
        np.testing.assert_array_equal(on[i, m < e], base[i, m < e])


def test_a_withdrawal_stops_sales_and_patients_on_therapy():
    a = plain(signal_hazard_per_year=0.3, p_withdrawal=1.0)
    a["commercial"]["therapy"] = {"time_on_therapy": {"mean_months": 24}}
    on, cols = monthly(a, n=100)
    for i in np.flatnonzero(cols["p.drug.safety_withdrawn"])[:20]:
        after = np.flatnonzero(on[i] != 0)
        stop = after[-1] + 1
        assert stop < HORIZON and np.all(on[i, stop:] == 0)
        assert np.all(on[i, LAUNCH:stop] > 0)


def test_an_empty_block_changes_nothing():
    base, cols0 = monthly(plain(), n=50)
    on, cols1 = monthly(plain(signal_hazard_per_year=0.0), n=50)
    np.testing.assert_array_equal(base, on)
    np.testing.assert_array_equal(cols0["p.npv_musd"], cols1["p.npv_musd"])


def gene_therapy(**ltfu):
    a = plain(long_term_follow_up=ltfu) if ltfu else plain()
    a["modality"] = "gene_therapy"
    a["commercial"].update(therapy={"one_time": True}, list_price_usd=1_000_000, cogs_share=0.0)
    return a


@pytest.mark.parametrize("rate", [0.0, 0.1])
def test_follow_up_cost_is_treated_times_years_times_cost_discounted(rate):
    years, usd = 15, 10_000
    base, _ = monthly(gene_therapy(), rate=rate)
    on, cols = monthly(gene_therapy(years=years, usd_per_patient_year=usd), rate=rate)
    c = gene_therapy()["commercial"]
    margin = c["list_price_usd"] * (1 - c["gross_to_net"]) * (1 - 0.05 - 0.05) / 1e6
    treated = base[0] / margin  # patients treated a month (cash = treated x margin)
    treated[:LAUNCH] = 0.0
    length = years * 12
    expected = np.zeros(HORIZON)  # each treated patient costs usd/12 for 12 x years months
    for j in range(HORIZON):
        expected[j + 1 : j + 1 + length] += treated[j] * usd / 12 / 1e6
    np.testing.assert_allclose(base[0] - on[0], expected, rtol=1e-9, atol=1e-12)
    disc = discount_factors(rate, HORIZON)
    np.testing.assert_allclose(
        cols["p.npv_musd"][0] - monthly(gene_therapy(), rate=rate)[1]["p.npv_musd"][0],
        -expected @ disc,
        rtol=1e-9,
    )
    # within the horizon every patient treated by month H - 12 Y - 1 is followed Y years
    full = treated[: HORIZON - length].sum() * years * usd / 1e6
    partial = sum(
        treated[j] * (HORIZON - 1 - j) / 12 * usd / 1e6 for j in range(HORIZON - length, HORIZON)
    )
    assert cols["p.drug.surveillance_cost_musd"][0] == pytest.approx(full + partial, rel=1e-9)


def test_follow_up_of_one_patient_in_closed_form():
    treated = np.zeros((1, 100))
    treated[0, 10] = 1.0
    cost = follow_up_cost_musd(treated, 5, 12e6)  # 1 USD M a month for 60 months
    assert cost.sum() == pytest.approx(60.0)
    assert np.flatnonzero(cost[0]).tolist() == list(range(11, 71))
    v = 1.1 ** (-1 / 12)
    pv = sum(v ** (10 + k + 0.5) for k in range(1, 61))
    assert cost[0] @ discount_factors(0.1, 100) == pytest.approx(pv)


def test_rems_costs_per_patient_year_on_therapy():
    usd = 2_000
    base, cols0 = monthly(plain())
    on, cols = monthly(plain(rems_usd_per_patient_year=usd))
    patient_years = cols0["p.drug.patients_started"][0]  # no therapy block: one year each
    assert cols["p.drug.surveillance_cost_musd"][0] == pytest.approx(patient_years * usd / 1e6)
    assert (base[0] - on[0]).sum() == pytest.approx(patient_years * usd / 1e6)


def test_a_withdrawal_stops_a_cell_therapys_paid_treatments_after_its_plant():
    a = gene_therapy()
    a["modality"] = "autologous_cell_therapy"
    a["manufacturing"] = dict(
        suites=1,
        batches_per_suite_month=50,
        vein_to_vein_months=1.0,
        qc_failure_prob=0.0,
        remanufacture_prob=0.0,
        cold_chain_loss_prob=0.0,
        dropout_hazard_monthly=0.0,
    )  # 50 treatments a month for 250 referrals: the backlog grows for years
    a["surveillance"] = {"signal_hazard_per_year": 0.3, "p_withdrawal": 1.0}
    s = make({"p": [a]}, iterations=200, chunk_size=200)
    chunk = simulate_chunk(s, 0)
    month = chunk.columns["p.drug.safety_signal_month"]
    revenue = chunk.yearly_revenue_musd["p"]
    checked = 0
    for i in np.flatnonzero(chunk.columns["p.drug.safety_withdrawn"]):
        year = int(month[i]) // 12
        if year >= revenue.shape[1] - 1 or month[i] < LAUNCH + 24:
            continue
        # the backlog would still be treated for years; nothing is paid after the signal
        assert revenue[i, year + 1 :].sum() == 0 and revenue[i, year - 1] > 0
        checked += 1
    assert checked > 50
