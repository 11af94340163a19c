"""The launch plant built at risk before approval: what it costs, and that it is lost.

Oracles (closed forms on the helper's stages, phase III months 36-66 and review 66-78, so
the expected approval is month 78): a build starting 24 months before approval pays its
capex evenly over months 54-78 and the suites' fixed cost from 54 to launch; an asset
that fails phase III (at month 66) has paid half the capex and 12 months of upkeep, all
lost; one that fails phase II (at month 36) before the build starts pays nothing.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from simulator.core.timeline import pv_spread
from tests.pillars.pricing.test_payments import _cgt, _run

BUILD = {"months_before_approval": 24, "capex_per_suite_musd": 30.0}


def _plant(build: dict | None, p=(1.0, 1.0, 1.0, 1.0)) -> dict:
    a = _cgt({"price_basis": "one_time"}, plant=True)
    a["manufacturing"].update(suites=2, fixed_cost_per_suite_year_musd=8.0)
    if build is not None:
        a["manufacturing"]["build"] = build
    for stage, q in zip(("phase1", "phase2", "phase3", "review"), p, strict=True):
        a["phases"][stage]["p_success"] = q
    return a


def test_a_launched_asset_pays_the_build_from_24_months_before_approval():
    with_build = _run({"p": [_plant(BUILD)]}, 2)
    without = _run({"p": [_plant(None)]}, 2)
    capex = pv_spread(np.array([60.0]), np.array([54]), np.array([24]), 0.1, 360)[0]
    fixed = pv_spread(np.array([16.0 * 2]), np.array([54]), np.array([24]), 0.1, 360)[0]
    np.testing.assert_allclose(without.npv("p") - with_build.npv("p"), capex + fixed, rtol=1e-10)
    np.testing.assert_allclose(with_build.column("p.gt.plant_build_musd"), 60.0 + 32.0)
    np.testing.assert_array_equal(with_build.column("p.gt.plant_build_lost_musd"), 0.0)


@pytest.mark.parametrize(("p", "spent"), [((1, 1, 0, 1), 30.0 + 16.0), ((1, 0, 1, 1), 0.0)])
def test_a_failed_asset_loses_what_it_spent_and_cancels_the_rest(p, spent):
    r = _run({"p": [_plant(BUILD, p)]}, 2)
    np.testing.assert_allclose(r.column("p.gt.plant_build_musd"), spent)
    np.testing.assert_allclose(r.column("p.gt.plant_build_lost_musd"), spent)
    none = _run({"p": [_plant(None, p)]}, 2)
    assert np.all(r.npv("p") <= none.npv("p") + 1e-12)
    if spent == 0:
        np.testing.assert_array_equal(r.npv("p"), none.npv("p"))


def test_building_earlier_never_costs_less():
    early = copy.deepcopy(BUILD)
    early["months_before_approval"] = 36
    a, b = _run({"p": [_plant(BUILD)]}, 2), _run({"p": [_plant(early)]}, 2)
    assert np.all(b.npv("p") < a.npv("p"))
