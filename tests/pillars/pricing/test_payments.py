"""Pricing inside the Monte Carlo: contracts, value ceiling, budget cap and IRA.

Oracles: with a plain list contract the numbers are the foundation model's, bit for bit;
an annuity's NPV is the list NPV times the closed-form annuity factor (averaged over the
uncertain hazard by quadrature); an outcome-based contract earns q x price per treated
patient (q net of false positives); the paired invariants hold iteration by iteration.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import asset, make
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import simulator as sim
from simulator.engine.chunk import simulate_chunk
from simulator.pillars.pricing.contracts.annuity import annuity_pv_factor
from simulator.studies.contract_impact import contract_impact, pricing_table

PRICE = 400_000


def _cgt(pricing: dict | None = None, plant: bool = False, **commercial) -> dict:
    """A one-time therapy that surely launches; no costs, so NPV = PV of cash received."""
    com = dict(
        patients_per_year=600, peak_share=1.0, uptake_curve=[1.0], list_price_usd=PRICE,
        gross_to_net=0.0, cogs_share=0.0, selling_share=0.0, royalty_rate=0.0,
        sales_force_musd_per_year=0.0, launch_cost_musd=0.0, exclusivity_years=12,
        erosion_first_year=0.2, commercial_life_years=5,
    )  # fmt: skip
    com.update(commercial)
    a = asset("gt", cost=(0, 0, 0, 0), **com)
    if plant:
        a["modality"] = "gene_therapy"
        a["manufacturing"] = dict(
            suites=1, batches_per_suite_month=10_000, vein_to_vein_months=1.0,
            qc_failure_prob=0.0, remanufacture_prob=0.0, cold_chain_loss_prob=0.0,
        )  # fmt: skip
    if pricing is not None:
        a["pricing"] = pricing
    return a


def _run(assets: dict, iterations: int = 400, **market):
    return sim.run(make(assets, iterations=iterations, chunk_size=200, **market))


def test_a_list_contract_gives_the_foundation_numbers_bit_for_bit():
    uncertain = dict(peak_share="pert(0.1, 0.3, 0.4)", gross_to_net="uniform(0.1, 0.3)")
    plain = asset("x", p=(0.6, 0.5, 0.6, 0.9), **uncertain)
    priced = copy.deepcopy(plain)
    priced["pricing"] = {"contract": {"type": "list"}}
    outcome = copy.deepcopy(plain)
    outcome["pricing"] = {"contract": {"type": "outcome_based", "response_probability": 0.5}}
    cgt, cgt_priced = _cgt(plant=True), _cgt({"price_basis": "one_time"}, plant=True)
    a = make({"p": [plain], "c": [cgt]}, iterations=600, chunk_size=300)
    b = make({"p": [priced], "c": [cgt_priced]}, iterations=600, chunk_size=300)
    for chunk in (0, 1):
        ca, cb = simulate_chunk(a, chunk, True), simulate_chunk(b, chunk, True)
        for p in ("p", "c"):
            np.testing.assert_array_equal(ca.monthly_cash_musd[p], cb.monthly_cash_musd[p])
            np.testing.assert_array_equal(ca.yearly_revenue_musd[p], cb.yearly_revenue_musd[p])
            np.testing.assert_array_equal(ca.columns[f"{p}.npv_musd"], cb.columns[f"{p}.npv_musd"])
    # ... and an outcome contract set back to list (as contract_impact does) is the same
    back = make({"p": [outcome]}, iterations=1000, chunk_size=200).with_(
        {"portfolios.p.assets[0].pricing.contract.type": "list"}
    )
    assert back.portfolios["p"].assets[0].pricing.contract.type == "list"
    np.testing.assert_array_equal(sim.run(back).npv("p"), _run({"p": [plain]}, 1000).npv("p"))


def test_annuity_npv_is_the_list_npv_times_the_closed_form_factor():
    """h ~ uniform(0.05, 0.45) per iteration: E[NPV] = NPV_list x E_h[factor(h)] (quad)."""
    k, r = 5, 0.1
    contract = {
        "type": "annuity",
        "payments": k,
        "response_loss_hazard_annual": "uniform(0.05, 0.45)",
    }
    listed = _run({"p": [_cgt({"price_basis": "one_time"})]}).npv("p")
    annuity = _run({"p": [_cgt({"price_basis": "one_time", "contract": contract})]}).npv("p")
    assert np.all(listed == listed[0])  # deterministic: one launch, five years of sales
    mean_factor = integrate.quad(lambda h: annuity_pv_factor(k, h, r), 0.05, 0.45)[0] / 0.4
    se = annuity.std() / np.sqrt(len(annuity))
    assert abs(annuity.mean() - listed[0] * mean_factor) < 4 * se
    # per iteration it is exact: the factor at that iteration's hazard
    r_ = _run({"p": [_cgt({"price_basis": "one_time", "contract": contract})]})
    h = r_.column("input:p.gt.pricing.contract.response_loss_hazard_annual")
    expected = listed[0] * np.array([annuity_pv_factor(k, x, r) for x in h])
    np.testing.assert_allclose(annuity, expected, rtol=1e-9)


def test_outcome_based_earns_q_times_price_per_treated_patient_false_positives_excluded():
    """Through the plant: recognised revenue = q x PPV x price x treated, exactly per
    iteration; the mean share paid matches E[q] x PPV within Monte Carlo error."""
    a = _cgt({"price_basis": "one_time",
              "contract": {"type": "outcome_based", "response_probability": "uniform(0.4, 0.8)",
                           "assessment_months": 1}}, plant=True)  # fmt: skip
    del a["commercial"]["patients_per_year"]
    prevalence, se_, sp = 0.2, 0.95, 0.98
    a["cohort"] = {"incidence_per_year": 3000, "biomarker_prevalence": prevalence,
                   "testing": {"initial_rate": 1.0, "mature_rate": 1.0, "sensitivity": se_,
                               "specificity": sp}}  # fmt: skip
    ppv = prevalence * se_ / (prevalence * se_ + (1 - prevalence) * (1 - sp))
    r = _run({"p": [a]})
    q = r.column("input:p.gt.pricing.contract.response_probability")
    treated = r.column("p.gt.patients_treated")
    recognised = r.column("p.gt.revenue_recognised_musd")
    np.testing.assert_allclose(recognised, q * ppv * PRICE / 1e6 * treated, rtol=1e-9)
    np.testing.assert_allclose(r.column("p.gt.units_sold"), treated, rtol=1e-9)
    share = recognised / (PRICE / 1e6 * treated)
    assert abs(share.mean() - 0.6 * ppv) < 4 * share.std() / np.sqrt(len(share))
    # paid one month after treatment: everything treated was assessed inside the horizon
    np.testing.assert_allclose(r.column("p.gt.cash_received_musd"), recognised, rtol=1e-9)
    forgone = r.column("p.gt.payments_forgone_musd")
    np.testing.assert_allclose(forgone, (1 - q * ppv) * PRICE / 1e6 * treated, rtol=1e-9)


def test_cash_lags_recognition_and_instalments_past_the_horizon_never_arrive():
    contract = {"type": "annuity", "payments": 5, "tracking_usd_per_patient_year": 2000}
    long_life = _cgt({"price_basis": "one_time", "contract": contract}, commercial_life_years=40)
    r = _run({"p": [long_life]}, iterations=50)
    recognised = r.column("p.gt.revenue_recognised_musd")
    received = r.column("p.gt.cash_received_musd")
    # h = 0, q = 1: recognised = all sales; the last 4 years' later instalments are lost
    assert np.all(received < recognised)
    assert np.all(r.column("p.gt.payments_forgone_musd") == pytest.approx(0.0, abs=1e-9))
    assert np.all(r.column("p.gt.tracking_cost_musd") > 0)
    assert np.all(r.column("p.gt.revenue_at_risk_share") == 1.0)


def test_budget_cap_bounds_yearly_spend_and_ira_spares_orphans_and_late_biologics():
    capped = _cgt({"price_basis": "one_time", "budget_cap_musd_per_year": 100.0})
    r = _run({"p": [capped]}, iterations=20)
    assert r._out.yearly_revenue_musd["p"].max() <= 100.0 + 1e-9
    # 600 patients x $400,000 = $240M a year against a $100M cap, for 5 years
    np.testing.assert_allclose(r.column("p.gt.budget_cap_rebate_musd"), (240 - 100) * 5)
    ira = {"price_cut": 0.4, "probability": 0.5}
    small = asset("sm", exclusivity_years=12)
    orphan = dict(asset("orphan", exclusivity_years=12), regulatory={"orphan_indications": 1})
    biologic = dict(asset("bio", exclusivity_years=12), modality="biologic")
    r = _run({"a": [small, orphan, biologic], "b": [asset("sm", exclusivity_years=12)]},
             iterations=400, ira=ira)  # fmt: skip
    cut = r.column("a.sm.ira_cut_musd")
    assert 0.4 < (cut > 0).mean() < 0.6  # the switch is on in about half the iterations
    np.testing.assert_array_equal(cut > 0, r.column("b.sm.ira_cut_musd") > 0)  # shared draw
    assert np.all(r.column("a.orphan.ira_cut_musd") == 0)
    assert np.all(r.column("a.bio.ira_cut_musd") == 0)  # year 13 comes after exclusivity
    # certain policy: 40% of years 9-12 revenue (10,000 x 0.3 x $80,000 net = $240M a year)
    r = _run({"a": [small]}, iterations=10, ira={"price_cut": 0.4})
    np.testing.assert_allclose(r.column("a.sm.ira_cut_musd"), 0.4 * 240 * 3, rtol=1e-9)


def test_value_ceiling_sets_the_net_price():
    ceiling = {"wtp_per_qaly_usd": 150_000, "qalys_gained": 2.0, "cost_offsets_usd": 20_000}
    priced = _cgt({"price_basis": "one_time", "value_ceiling": ceiling}, gross_to_net=0.1)
    r = _run({"p": [priced]}, iterations=20)
    # net 360,000 at list; the ceiling 150,000 x 2 + 20,000 = 320,000 binds
    np.testing.assert_allclose(r.column("p.gt.net_price_realised_usd"), 320_000, rtol=1e-9)
    # rebates are the gross-to-net share of the list price: 10% of 400,000 per unit
    units = r.column("p.gt.units_sold")
    np.testing.assert_allclose(units, 600 * 5, rtol=1e-9)
    np.testing.assert_allclose(r.column("p.gt.rebates_musd"), 0.04 * units, rtol=1e-9)


def _small_molecule() -> dict:
    return asset("sm", p=(0.8, 0.6, 0.7, 0.9), peak_share="pert(0.1, 0.3, 0.4)",
                 exclusivity_years="uniform(8, 14)", gross_to_net="uniform(0.1, 0.4)")  # fmt: skip


@settings(max_examples=12, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(5.0, 13.0))
def test_ira_on_never_raises_a_small_molecules_npv(cut, probability, years):
    ira = {"price_cut": cut, "probability": probability, "small_molecule_years": years}
    off = _run({"p": [_small_molecule()]}, iterations=60).npv("p")
    on = _run({"p": [_small_molecule()]}, iterations=60, ira=ira).npv("p")
    assert np.all(on <= off + 1e-9)


@settings(max_examples=12, deadline=None)
@given(st.floats(0.0, 2.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 0.8))
def test_a_higher_hazard_never_raises_annuity_revenue_in_the_engine(h, dh, u, q_low):
    def received(hazard):
        c = {"type": "annuity", "payments": 5, "upfront_share": u,
             "response_probability": {"dist": "uniform", "low": q_low, "high": q_low + 0.2},
             "response_loss_hazard_annual": hazard}  # fmt: skip
        r = _run({"p": [_cgt({"price_basis": "one_time", "contract": c})]}, iterations=40)
        return r.column("p.gt.cash_received_musd"), r.npv("p")

    (cash_hi, npv_hi), (cash_lo, npv_lo) = received(h), received(h + dh)
    assert np.all(cash_lo <= cash_hi + 1e-9) and np.all(npv_lo <= npv_hi + 1e-9)


def test_contract_impact_is_the_paired_difference_against_plain_list_price():
    contract = {"type": "annuity", "payments": 5, "response_loss_hazard_annual": 0.2}
    gt = _cgt({"price_basis": "one_time", "contract": contract})
    s = make({"p": [gt], "q": [asset("x", p=(0.6, 0.5, 0.6, 0.9))]}, iterations=200,
             chunk_size=200)  # fmt: skip
    impact = contract_impact(s)
    assert impact.loc["q", "diff_mean_musd"] == 0.0  # no contract: nothing changes
    listed = _run({"p": [_cgt({"price_basis": "one_time"})]}, iterations=200).npv("p")
    factor = annuity_pv_factor(5, 0.2, 0.1)  # deterministic asset, no costs
    assert impact.loc["p", "npv_list_mean_musd"] == listed.mean()
    assert impact.loc["p", "diff_mean_musd"] == pytest.approx(listed[0] * (factor - 1), rel=1e-9)
    table = pricing_table(sim.run(s)).set_index("asset")
    assert list(table.index) == ["gt"]  # only priced assets have a row
    # expected share paid: (1 + e^-0.2 + ... + e^-0.8) / 5 of the $400,000 price
    share = np.exp(-0.2 * np.arange(5)).mean()
    assert table.loc["gt", "net_price_realised_usd"] == pytest.approx(PRICE * share, rel=1e-9)


@settings(max_examples=10, deadline=None)
@given(st.floats(0.0, 3e5), st.floats(0.0, 3e5))
def test_a_lower_wtp_never_raises_the_price_or_npv_in_the_engine(wtp, dw):
    def run(w):
        vc = {"wtp_per_qaly_usd": w, "qalys_gained": "uniform(0.5, 3)"}
        r = _run({"p": [_cgt({"price_basis": "one_time", "value_ceiling": vc})]}, iterations=40)
        return r.column("p.gt.net_price_realised_usd"), r.npv("p")

    (price_lo, npv_lo), (price_hi, npv_hi) = run(wtp), run(wtp + dw)
    assert np.all(price_lo <= price_hi * (1 + 1e-12) + 1e-9)
    assert np.all(npv_lo <= npv_hi + 1e-9)


def test_warranty_refunds_failures_within_the_window():
    """Refund share s of the price for a non-responder (1 - q) and for a responder who
    loses the response within W years (q (1 - exp(-h W))): recognised = value x
    (1 - s ((1 - q) + q (1 - exp(-h W))))."""
    q, h, s, W = 0.8, 0.1, 0.5, 2.0
    c = {"type": "warranty", "response_probability": q, "response_loss_hazard_annual": h,
         "warranty_refund_share": s, "warranty_years": W, "assessment_months": 3}  # fmt: skip
    r = _run({"p": [_cgt({"price_basis": "one_time", "contract": c})]}, iterations=10)
    value = 600 * 5 * PRICE / 1e6
    keep = 1 - s * ((1 - q) + q * (1 - np.exp(-h * W)))
    np.testing.assert_allclose(r.column("p.gt.revenue_recognised_musd"), value * keep, rtol=1e-9)
    np.testing.assert_allclose(r.column("p.gt.cash_received_musd"), value * keep, rtol=1e-9)
    assert np.all(r.column("p.gt.revenue_at_risk_share") == s)
