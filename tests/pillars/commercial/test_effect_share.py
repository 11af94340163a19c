"""In mechanistic mode the true effect reaches the market: the peak share (capped at 1)
and, under a value ceiling, the QALYs gained scale with the effect over the effect the
asset was designed for."""

import copy

import numpy as np
import pytest
from helpers import asset, make

from simulator.engine.chunk import simulate_chunk


def mech(theta: float, designed_for: float | None, share: float = 0.3, **extra) -> dict:
    """A certain asset whose phase III (fixed, huge) always succeeds at effect ``theta``."""
    a = asset("m", p=(1.0, 1.0, 1.0, 1.0), peak_share=share, **extra)
    a["phases"]["phase3"] = {
        "cost_musd": 100,
        "p_success": 0.5,
        "trial": {"patients": 5_000, "sites": 1_000, "screened_per_site_month": 5.0},
        "design": {"type": "fixed"},
    }
    a["effect"] = {"positive": theta, "designed_for": designed_for}
    return a


def revenue(a: dict) -> np.ndarray:
    chunk = simulate_chunk(make({"p": [a]}, iterations=3, chunk_size=3), 0)
    assert chunk.columns["p.m.launched"].all()
    return chunk.yearly_revenue_musd["p"][0]


def test_twice_the_designed_for_effect_doubles_the_share():
    as_designed = revenue(mech(0.5, 0.5))
    np.testing.assert_allclose(revenue(mech(0.5, 0.25)), 2 * as_designed, rtol=1e-12)
    np.testing.assert_allclose(revenue(mech(0.5, None)), as_designed, rtol=1e-12)  # switched off


def test_the_share_is_capped_at_one():
    np.testing.assert_allclose(
        revenue(mech(0.5, 0.1, share=0.6)), revenue(mech(0.5, 0.5, share=1.0)), rtol=1e-12
    )


def test_the_factor_is_the_true_effect_over_the_designed_for_effect():
    a = mech(0.5, 0.5)
    a["effect"]["positive"] = 0.5
    cols = simulate_chunk(make({"p": [a]}, iterations=3, chunk_size=3), 0).columns
    assert cols["p.m.effect_share_factor"] == pytest.approx(1.0)
    b = copy.deepcopy(a)
    b["effect"]["designed_for"] = 1.0
    assert simulate_chunk(make({"p": [b]}, iterations=3, chunk_size=3), 0).columns[
        "p.m.effect_share_factor"
    ] == pytest.approx(0.5)


def test_under_a_binding_value_ceiling_the_qalys_scale_too():
    # net price 80,000 a patient-year; ceiling 100,000 x 0.4 QALYs = 40,000 binds (half the
    # price). Twice the designed-for effect: twice the QALYs (the ceiling no longer binds)
    # and twice the share, so four times the revenue.
    pricing = {"value_ceiling": {"wtp_per_qaly_usd": 100_000, "qalys_gained": 0.4}}
    as_designed = revenue(dict(mech(0.5, 0.5), pricing=pricing))
    better = revenue(dict(mech(0.5, 0.25), pricing=pricing))
    np.testing.assert_allclose(better, 4 * as_designed, rtol=1e-12)
