"""Iteration *i* is one future whatever the run length: the first iterations of a short
run against those of a longer one, same seed and chunk size.

Holds for every draw taken as one vector per generator (sampled inputs, the market,
stage outcomes, risk-group factors), for draws of several values per iteration taken
together (``simulator.core.seeding.iteration_major``: the mechanistic trials, the
companion diagnostic's delay and failure, outside competitors' entries, the evidence
block's two uniforms, a biomarker standard's change and a safety signal), and for the
cell and gene therapy plants' fast queue, which gives each iteration its own generator
(named by its row in the chunk) and runs the iterations one after the other. The
nichebuster is compared column by column (its plants included) and by portfolio NPV;
the readiness scenario, which adds safety signals, biomarker standard changes and the
evidence block to it, likewise.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulator as sim
from simulator.engine.chunk import simulate_chunk

SHORT, LONG = 100, 300


@pytest.fixture(scope="module")
def short_and_long():
    s = sim.load_scenario(sim.shipped("nichebuster.yaml"))
    return (
        simulate_chunk(s.with_(iterations=SHORT), 0).columns,
        simulate_chunk(s.with_(iterations=LONG), 0).columns,
    )


@pytest.mark.slow
@pytest.mark.parametrize("portfolio", ["blockbuster", "blockbuster_small"])
def test_iteration_i_is_the_same_future_in_a_longer_run(short_and_long, portfolio):
    short, long = short_and_long
    np.testing.assert_array_equal(long["iteration"][:SHORT], short["iteration"])
    inputs = [k for k in short if k.startswith(f"input:{portfolio}.")]
    assert inputs  # the sampled inputs are compared too
    for k in inputs:
        np.testing.assert_array_equal(long[k][:SHORT], short[k], err_msg=k)
    # NPVs: equal up to the last bits of sums whose blocking depends on the array length
    np.testing.assert_allclose(
        long[f"{portfolio}.npv_musd"][:SHORT], short[f"{portfolio}.npv_musd"], rtol=1e-12
    )


PLANT_ASSETS = ("car_t", "aav_gene")  # the nichebuster's cell and gene therapy plants


@pytest.mark.slow
def test_nichebuster_outside_the_plants_is_the_same_future_in_a_longer_run(short_and_long):
    short, long = short_and_long
    own = [
        k
        for k in short
        if k.startswith("nichebuster.")
        and k.count(".") == 2
        and k.split(".")[1] not in PLANT_ASSETS
    ]
    trials = [k for k in own if k.endswith(("_stopped_look", "_patients", "label_positive_only"))]
    assert len(trials) >= 8  # the mechanistic trials' own columns are among them
    assert any(k.endswith("cdx_delay_months") for k in own)
    inputs = [k for k in short if k.startswith("input:nichebuster.")]
    for k in inputs + [k for k in own if not k.endswith("npv_musd")]:
        np.testing.assert_array_equal(long[k][:SHORT], short[k], err_msg=k)
    for k in own:
        if k.endswith("npv_musd"):
            np.testing.assert_allclose(long[k][:SHORT], short[k], rtol=1e-12, err_msg=k)


PLANT_COLUMNS = (
    "patients_referred",
    "patients_treated",
    "patients_lost_waiting",
    "manufacturing_failures",
    "mean_wait_months",
    "utilization",
    "capex_musd",
    "contract_batches",
    "suites_at_horizon",
)


@pytest.mark.slow
def test_nichebuster_iteration_i_is_the_same_future_in_a_longer_run(short_and_long):
    short, long = short_and_long
    plant = [f"nichebuster.{a}.{c}" for a in PLANT_ASSETS for c in PLANT_COLUMNS]
    assert set(plant) <= set(short)
    own = [k for k in short if k.split(".")[:2] in (["nichebuster", a] for a in PLANT_ASSETS)]
    for k in own:  # every column of the plant assets, the plant's included
        if k.endswith("npv_musd"):
            np.testing.assert_allclose(long[k][:SHORT], short[k], rtol=1e-12, err_msg=k)
        else:
            np.testing.assert_array_equal(long[k][:SHORT], short[k], err_msg=k)
    assert min(np.nansum(short[f"nichebuster.{a}.patients_treated"]) for a in PLANT_ASSETS) > 0
    np.testing.assert_allclose(
        long["nichebuster.npv_musd"][:SHORT], short["nichebuster.npv_musd"], rtol=1e-12
    )


@pytest.mark.slow
def test_readiness_gaps_are_the_same_future_in_a_longer_run():
    s = sim.load_scenario(sim.shipped("readiness.yaml"))
    short = simulate_chunk(s.with_(iterations=SHORT), 0).columns
    long = simulate_chunk(s.with_(iterations=LONG), 0).columns
    drawn = ("safety_signal_month", "safety_withdrawn", "standard_changed")
    for suffix in drawn:  # the readiness draws are there, and some fire in 100 futures
        assert any(k.endswith(suffix) and np.nansum(short[k]) > 0 for k in short), suffix
    assert set(short) == set(long)
    for k in short:  # present values: up to the last bits of length-blocked sums
        if k.endswith("pv_musd"):
            np.testing.assert_allclose(long[k][:SHORT], short[k], rtol=1e-12, err_msg=k)
        else:
            np.testing.assert_array_equal(long[k][:SHORT], short[k], err_msg=k)
