"""A cell therapy's plant inside the Monte Carlo: demand in, treated patients and cash out.

Closed forms on a deterministic asset (every stage succeeds, fixed inputs): with ample
capacity and no losses the plant treats every referral one vein-to-vein time later, so
the cash is the plant-less asset's cash shifted by that time; with no suite it treats
nobody; the plant's costs are what the queue started and held. The two fidelities agree.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import asset, make, reference_monthly_cash

import simulator as sim
from simulator.engine.chunk import simulate_chunk

PATIENTS = 2400  # a year at peak: 200 a month
PRICE = 400_000


def _drug(manufacturing: dict | None = None, **commercial) -> dict:
    com = dict(
        patients_per_year=PATIENTS,
        peak_share=1.0,
        uptake_curve=[1.0],
        list_price_usd=PRICE,
        gross_to_net=0.0,
        cogs_share=0.0,
        selling_share=0.0,
        royalty_rate=0.0,
        sales_force_musd_per_year=0.0,
        launch_cost_musd=0.0,
        exclusivity_years=12,
        erosion_first_year=0.2,
    )
    com.update(commercial)
    a = asset("cart", cost=(0, 0, 0, 0), **com)
    if manufacturing is not None:
        a["modality"] = "autologous_cell_therapy"
        plant = dict(
            suites=1,
            batches_per_suite_month=10_000,
            vein_to_vein_months=1.0,
            qc_failure_prob=0.0,
            remanufacture_prob=0.0,
            cold_chain_loss_prob=0.0,
            dropout_hazard_monthly=0.0,
        )
        plant.update(manufacturing)
        a["manufacturing"] = plant
    return a


def _run(a: dict, iterations: int = 4000, **kw):
    return sim.run(make({"p": [a]}, iterations=iterations, chunk_size=2000, **kw))


def test_ample_capacity_treats_every_referral_one_vein_to_vein_time_later():
    horizon = 30 * 12
    demand = np.array(reference_monthly_cash(_drug(), horizon)) / (PRICE / 1e6)
    r = _run(_drug({}))
    treated = r.column("p.cart.patients_treated")
    referred = r.column("p.cart.patients_referred")
    # Poisson referrals: mean = the demand; the last month's are still in the plant
    expected = demand[:-1].sum()
    se = np.sqrt(expected / len(treated))
    assert abs(treated.mean() - expected) < 4 * se
    assert np.all(referred - treated == np.round(referred - treated))
    assert np.all((referred - treated >= 0) & (referred - treated <= referred.max()))
    assert np.all(r.column("p.cart.patients_lost_waiting") == 0)
    assert np.all(r.column("p.cart.mean_wait_months") == 0)
    # the NPV is the plant-less cash, one month later (closed form, mid-month discounting)
    v = 1.1 ** (-1 / 12)
    cash = demand * PRICE / 1e6
    shifted = sum(cash[m] * v ** (m + 1.5) for m in range(horizon - 1))
    npv = r.npv("p")
    assert abs(npv.mean() - shifted) < 4 * npv.std() / np.sqrt(len(npv))


def test_without_a_suite_nobody_is_treated_and_the_queue_only_grows():
    r = _run(_drug({"suites": 0, "fixed_cost_per_suite_year_musd": 12.0}), iterations=500)
    assert np.all(r.column("p.cart.patients_treated") == 0)
    assert np.all(r.npv("p") == 0.0)  # no R&D cost, no revenue, no suite to pay for
    backlog = r._out.yearly_series["p.cart.backlog"]
    launched_years = backlog[:, 7:]
    assert np.all(np.diff(launched_years, axis=1) >= 0)


def test_plant_costs_are_what_the_queue_started_and_held():
    plant = {"cost_per_batch_musd": 0.1, "fixed_cost_per_suite_year_musd": 24.0, "suites": 2}
    with_costs = _run(_drug(plant), iterations=1000)
    without = _run(_drug({"suites": 2}), iterations=1000)
    # same seed, same queue: the difference is exactly the discounted costs
    chunk = simulate_chunk(make({"p": [_drug(plant)]}, iterations=1000, chunk_size=2000), 0)
    launch = int(chunk.columns["p.cart.launch_month"][0])
    v = 1.1 ** (-1 / 12)
    months = np.arange(launch, 360)
    upkeep = (2 * 24.0 / 12 * v ** (months + 0.5)).sum()
    diff = without.npv("p") - with_costs.npv("p")
    batches = with_costs.column("p.cart.patients_referred")  # every referral gets a slot
    assert np.all(diff > upkeep)  # upkeep plus 0.1 per batch, each discounted
    assert np.all(diff < upkeep + 0.1 * batches + 1e-9)
    assert np.allclose(
        with_costs.column("p.cart.patients_treated"), without.column("p.cart.patients_treated")
    )


def test_a_tight_plant_loses_patients_and_value_and_expansion_wins_some_back():
    tight = {"batches_per_suite_month": 150, "dropout_hazard_monthly": 0.1}
    grow = dict(tight, expansion={"backlog_threshold": 50, "max_suites": 3, "lead_months": 18,
                                  "capex_per_suite_musd": 50.0})  # fmt: skip
    ample, small, bigger = (_run(_drug(m), iterations=1000) for m in ({}, tight, grow))
    treated = [x.column("p.cart.patients_treated").mean() for x in (ample, small, bigger)]
    assert treated[1] < treated[2] < treated[0]
    npv = [x.npv("p").mean() for x in (ample, small, bigger)]
    assert npv[1] < npv[2] < npv[0]
    assert small.column("p.cart.patients_lost_waiting").mean() > 1000
    assert np.all(bigger.column("p.cart.capex_musd") == 100.0)  # two suites added, each 50
    # while demand (200 a month) exceeds the 150 slots, the plant runs full: 1,800 a year
    treated_yearly = small._out.yearly_series["p.cart.treated"]
    assert np.nanmax(treated_yearly) <= 1800
    assert np.nanmedian(np.nanmax(treated_yearly, axis=1)) > 0.98 * 1800
    # after loss of exclusivity demand erodes below capacity, so the average is lower
    assert 0.5 < np.nanmean(small.column("p.cart.utilization")) < 0.95


@pytest.mark.slow
def test_event_fidelity_agrees_with_the_fast_path():
    """Same inputs through SimPy (per patient) and the monthly queue: the means agree
    within 4 standard errors plus 2% (the monthly grid serves a referral in its arrival
    month without the few days' wait the event model sees; see model.manufacturing)."""
    # a tenth of the usual demand (20 referrals a month for 15 slots) keeps SimPy quick
    tight = {"batches_per_suite_month": 15, "dropout_hazard_monthly": 0.1,
             "qc_failure_prob": 0.05, "remanufacture_prob": 0.5}  # fmt: skip
    small = {"patients_per_year": PATIENTS // 10}
    fast = _run(_drug(tight, **small), iterations=150)
    event = _run(_drug(dict(tight, fidelity="event"), **small), iterations=150)
    for col in ("patients_treated", "patients_lost_waiting"):
        a, b = fast.column(f"p.cart.{col}"), event.column(f"p.cart.{col}")
        se = np.hypot(a.std(), b.std()) / np.sqrt(len(a))
        assert abs(a.mean() - b.mean()) < 4 * se + 0.02 * a.mean(), col


def test_portfolio_totals_bands_and_files(tmp_path):
    """The summary's CGT figures are the sums of the assets' columns; the yearly bands
    start at launch; plant.csv and the fan chart are written."""
    expansion = {"backlog_threshold": 50, "max_suites": 3, "capex_per_suite_musd": 50.0}
    grow = {"batches_per_suite_month": 150, "dropout_hazard_monthly": 0.1, "expansion": expansion}
    a, b = _drug(grow), _drug({"suites": 2})
    b["name"] = "cart2"
    r = _run(a | {}, iterations=300)
    two = sim.run(make({"p": [a, b], "q": [asset("x")]}, iterations=300, chunk_size=2000))
    s = two.summary()
    for total, col in (("cgt_patients_treated_mean", "patients_treated"),
                       ("cgt_patients_lost_waiting_mean", "patients_lost_waiting"),
                       ("cgt_capex_mean_musd", "capex_musd")):  # fmt: skip
        expected = (two.column(f"p.cart.{col}") + two.column(f"p.cart2.{col}")).mean()
        assert s.loc["p", total] == pytest.approx(expected)
        assert np.isnan(s.loc["q", total])
    # the same asset alone gives the same plant numbers (its streams are named by it)
    assert np.array_equal(
        r.column("p.cart.patients_treated"), two.column("p.cart.patients_treated")
    )
    bands = two.plant_bands()
    launch_year = (
        int(two.column("p.cart.launch_month")[0]) // 12
    )  # fixed durations: one launch month
    backlog = bands[(bands.asset == "cart") & (bands.measure == "backlog")]
    assert backlog.launched_share.iloc[:launch_year].eq(0).all()
    assert backlog.launched_share.iloc[launch_year + 1 :].eq(1).all()
    assert backlog.p50.iloc[:launch_year].isna().all()
    out = two.save(tmp_path / "run")
    assert {"plant.csv", "plant_p.cart.png", "plant_p.cart2.png"} <= {p.name for p in out.iterdir()}


@pytest.mark.slow
def test_the_fidelity_switch_runs_every_plant_event_by_event():
    """simulation.fidelity (the --fidelity option) overrides each block's own: the event
    path's numbers equal a scenario whose block says fidelity: event."""
    small = {"patients_per_year": PATIENTS // 40}
    tight = {"batches_per_suite_month": 4, "dropout_hazard_monthly": 0.1}
    by_block = _run(_drug(dict(tight, fidelity="event"), **small), iterations=40)
    s = make({"p": [_drug(tight, **small)]}, iterations=40, chunk_size=2000)
    switched = sim.run(s.with_({"simulation.fidelity": "event"}))
    fast = sim.run(s)
    col = "p.cart.patients_treated"
    assert np.array_equal(by_block.column(col), switched.column(col))
    assert not np.array_equal(fast.column(col), switched.column(col))


def test_a_contract_manufacturer_at_our_own_price_is_just_more_slots():
    """Same capacity, same cost per batch, no suite upkeep: a plant of 150 own slots plus
    50 contract slots gives exactly the numbers of a plant of 200 own slots (the queue's
    draws are the same); at a higher contract price the NPV falls by exactly the premium
    on the contract batches, discounted."""
    base = {"dropout_hazard_monthly": 0.1, "cost_per_batch_musd": 0.1}
    own = _run(_drug(dict(base, batches_per_suite_month=200)), iterations=300)
    contract = {"slots_per_month": 50, "cost_per_batch_musd": 0.1}
    mixed = _run(_drug(dict(base, batches_per_suite_month=150, contract=contract)), iterations=300)
    for col in ("patients_treated", "patients_lost_waiting", "mean_wait_months"):
        assert np.array_equal(own.column(f"p.cart.{col}"), mixed.column(f"p.cart.{col}"))
    np.testing.assert_allclose(own.npv("p"), mixed.npv("p"), rtol=1e-12)  # cost split, rounding
    assert mixed.column("p.cart.contract_batches").mean() > 100
    dear = dict(contract, cost_per_batch_musd=0.3)
    pricier = _run(_drug(dict(base, batches_per_suite_month=150, contract=dear)), iterations=300)
    premium = mixed.npv("p") - pricier.npv("p")
    assert np.all(premium > 0)
    assert np.all(premium <= 0.2 * mixed.column("p.cart.contract_batches") + 1e-9)
