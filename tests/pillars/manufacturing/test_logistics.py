"""Logistics options of a cell or gene therapy: fresh vs cryopreserved product.

Closed forms: over a run with S shipments, transit losses are S x p in expectation and the
shipping cost is S x cost exactly; the mean slot-to-infusion delay is the vein-to-vein
time. The fast path and the SimPy model agree on each option at the tolerances of
test_des.py (4 standard errors plus the stated allowance for the monthly grid).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from helpers import asset, scenario_dict
from pillars.manufacturing.test_des import assert_agree, compare
from pillars.manufacturing.test_step import _drug, _run

from simulator.cli import main
from simulator.pillars.manufacturing.block import (
    DAYS_PER_MONTH,
    LOGISTICS_DEFAULTS,
    Manufacturing,
)
from simulator.pillars.manufacturing.des import run_cell_therapy
from simulator.pillars.manufacturing.outcome import manufacturing_cost_musd
from simulator.pillars.manufacturing.queue import draw_arrivals, simulate_capacity_fast
from simulator.pillars.manufacturing.step import process_for

AMPLE = dict(suites=1, batches_per_suite_month=1000, qc_failure_prob=0.0,
             remanufacture_prob=0.0, dropout_hazard_monthly=0.0)  # fmt: skip


def plant(product: str | None, **block) -> Manufacturing:
    logistics = None if product is None else {"product": product}
    return Manufacturing(**{**AMPLE, **block, "logistics": logistics})


@pytest.mark.parametrize("product", list(LOGISTICS_DEFAULTS))
def test_the_option_sets_the_three_numbers_of_the_process(product):
    cost, loss, days = LOGISTICS_DEFAULTS[product]
    p = process_for(plant(product, cold_chain_loss_prob=0.5, logistics_per_shipment_musd=9.0))
    assert (p.logistics_per_shipment_musd, p.cold_chain_loss_prob) == (cost, loss)
    assert p.manufacturing_months == pytest.approx(days / DAYS_PER_MONTH)
    assert p.manufacturing_months == pytest.approx(days / 30.4375)


def test_without_the_block_the_plant_keeps_its_own_numbers_and_overrides_win():
    p = process_for(plant(None, cold_chain_loss_prob=0.07, logistics_per_shipment_musd=0.2,
                          vein_to_vein_months=1.3))  # fmt: skip
    assert (p.cold_chain_loss_prob, p.logistics_per_shipment_musd, p.manufacturing_months) == (
        0.07, 0.2, 1.3,
    )  # fmt: skip
    m = Manufacturing(
        **AMPLE,
        logistics={
            "product": "fresh",
            "transit_loss_prob": 0.2,
            "cost_per_shipment_musd": 0.5,
            "vein_to_vein_days": 0,
        },
    )
    q = process_for(m)
    assert (q.cold_chain_loss_prob, q.logistics_per_shipment_musd, q.manufacturing_months) == (
        0.2, 0.5, 0.0,
    )  # fmt: skip


@pytest.mark.parametrize("product", list(LOGISTICS_DEFAULTS))
def test_transit_losses_and_shipping_cost_are_shipments_times_p_and_cost(product):
    cost, loss, _ = LOGISTICS_DEFAULTS[product]
    process = process_for(plant(product))
    rng = np.random.default_rng(7)
    out = simulate_capacity_fast(draw_arrivals(np.full(60, 20.0), 2000, rng), process, rng)
    shipments = out.shipments.sum(axis=1)
    lost = out.lost_after_failure_or_transit.sum(axis=1)  # no QC failures: transit only
    assert shipments.sum() > 0.9 * 20 * 60 * 2000
    # E[lost | shipments] = shipments x p: the residual has mean 0
    residual = lost - loss * shipments
    se = residual.std(ddof=1) / math.sqrt(residual.size)
    assert abs(residual.mean()) < 4 * se, (residual.mean(), se)
    assert lost.mean() == pytest.approx(loss * shipments.mean(), rel=0.05)
    # the plant's only cost here is shipping: exactly shipments x cost, month by month
    np.testing.assert_allclose(manufacturing_cost_musd(out, process), out.shipments * cost)
    # the SimPy model: the same closed form over its patients
    ev = [run_cell_therapy(np.full(60, 20.0), process, rng, 60) for _ in range(40)]
    ev_ship = np.array([c.counts["shipments"].sum() for c in ev])
    ev_lost = np.array([c.counts["lost_after_failure_or_transit"].sum() for c in ev])
    residual = ev_lost - loss * ev_ship
    se = math.sqrt(loss * (1 - loss) * ev_ship.mean() / ev_ship.size)
    assert abs(residual.mean()) < 4 * se, (residual.mean(), se)


@pytest.mark.parametrize("product", list(LOGISTICS_DEFAULTS))
def test_the_mean_slot_to_infusion_delay_is_the_vein_to_vein_time(product):
    m = Manufacturing(**AMPLE, logistics={"product": product, "transit_loss_prob": 0.0})
    process = process_for(m)
    v = process.manufacturing_months
    assert v == pytest.approx(LOGISTICS_DEFAULTS[product][2] / DAYS_PER_MONTH)
    months = 6
    rate = np.zeros(months)
    rate[0] = 50.0
    arrivals = np.zeros((4000, months), dtype=np.int64)
    arrivals[:, 0] = 50
    rng = np.random.default_rng(3)
    fast = simulate_capacity_fast(arrivals, process, rng)
    # transit losses off: every referral of month 0 is treated, on average v months later
    treated_month = (fast.treated * np.arange(months)).sum() / fast.treated.sum()
    assert fast.treated.sum() == arrivals.sum()
    assert treated_month == pytest.approx(v, abs=0.01)
    # SimPy: a referral at U ~ U(0, 1) is infused at U + v, in month floor(U + v), mean v
    runs = [run_cell_therapy(rate, process, rng, months) for _ in range(100)]
    treated = np.sum([c.counts["treated"] for c in runs], axis=0)
    mean = (treated * np.arange(months)).sum() / treated.sum()
    assert abs(mean - v) < 4 * math.sqrt(0.25 / treated.sum()), (mean, v)


PRODUCT_REGIMES = {
    # near capacity (6 slots for 5 referrals, losses as in test_des.py), each product's numbers
    product: (
        process_for(
            plant(
                product,
                batches_per_suite_month=6,
                qc_failure_prob=0.05,
                remanufacture_prob=0.5,
                dropout_hazard_monthly=0.05,
                vein_to_vein_log_sd=0.2,
            )
        ),
        5.0,
    )
    for product in LOGISTICS_DEFAULTS
}


@pytest.mark.slow
@pytest.mark.parametrize("product", list(PRODUCT_REGIMES))
def test_fast_path_agrees_with_event_model_for_each_product(product):
    process, rate = PRODUCT_REGIMES[product]
    assert process.cold_chain_loss_prob == LOGISTICS_DEFAULTS[product][1]
    result = compare(process, rate, months=60)
    assert_agree(result, referrals_per_year=12 * rate)


def test_a_transit_loss_cuts_the_treated_patients_of_a_run():
    """A fresh product with a 50% transit loss treats half the patients of a lossless one."""
    base = _run(_drug({}), iterations=300)
    fresh = _run(_drug({"logistics": {"product": "fresh", "transit_loss_prob": 0.5}}), 300)
    t0 = base.column("p.cart.patients_treated")
    t1 = fresh.column("p.cart.patients_treated")
    assert t0.sum() > 1000
    assert t1.sum() / t0.sum() == pytest.approx(0.5, abs=0.02)
    assert fresh.npv("p").mean() < base.npv("p").mean()


@pytest.mark.parametrize(
    "value, fragment",
    [({"product": "frozen"}, "fresh"), ({"product": "fresh", "transit_loss_prob": 1.5}, "1")],
)
def test_bad_logistics_exits_2_naming_file_line_and_field(tmp_path, value, fragment):
    a = asset("cart", cogs_share=0.0)
    a["modality"] = "autologous_cell_therapy"
    a["manufacturing"] = {"suites": 1, "logistics": value}
    data = scenario_dict({"p": [a]}, iterations=20, chunk_size=20)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [str(path), "--out", str(out), "-q"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and fragment in res.output
    assert re.search(r"bad\.yaml:\d+", res.output) and "manufacturing.logistics" in res.output
    assert not out.exists()
