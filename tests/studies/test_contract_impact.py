"""Contract impact on runs that keep their rows and on streaming runs that keep none.

Oracles: the streaming path (the two variants paired chunk by chunk on the workers) gives
the row-keeping path's means, Monte Carlo errors and win shares to rounding and its
percentiles within the sketches' stated relative accuracy; on a one-asset annuity whose
response hazard is uncertain, the mean difference is the list NPV times (E[annuity factor]
- 1) within Monte Carlo error, at 10^6 iterations in flat memory.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import asset, make
from scipy import integrate

from simulator.engine.summaries import RELATIVE_ACCURACY
from simulator.pillars.pricing.contracts.annuity import annuity_pv_factor
from simulator.studies.contract_impact import contract_impact

PRICE = 400_000


def _scenario(iterations: int, chunk_size: int, other: bool = True):
    com = dict(
        patients_per_year=600, peak_share=1.0, uptake_curve=[1.0], list_price_usd=PRICE,
        gross_to_net=0.0, cogs_share=0.0, selling_share=0.0, royalty_rate=0.0,
        sales_force_musd_per_year=0.0, launch_cost_musd=0.0, exclusivity_years=12,
        erosion_first_year=0.2, commercial_life_years=5,
    )  # fmt: skip
    gt = asset("gt", months=(1, 1, 1, 1), cost=(0, 0, 0, 0), **com)
    gt["pricing"] = {
        "price_basis": "one_time",
        "contract": {
            "type": "annuity",
            "payments": 5,
            "response_loss_hazard_annual": "uniform(0.05, 0.35)",
        },
    }
    portfolios = {"p": [gt]}
    if other:
        portfolios["q"] = [asset("x", p=(0.6, 0.5, 0.6, 0.9))]
    # 10 years: launch at month 4, five years of treatments, the last instalment four years on
    return make(portfolios, iterations=iterations, chunk_size=chunk_size, horizon_years=10)


def test_streaming_pairs_match_the_row_keeping_pairs():
    s = _scenario(iterations=4_000, chunk_size=1_000)
    rows = contract_impact(s)
    streamed = contract_impact(s, summaries_only=True)
    assert list(streamed.index) == list(rows.index) and list(streamed.columns) == list(rows.columns)
    exact = [c for c in rows.columns if not c.startswith("diff_p")]
    for c in exact:
        np.testing.assert_allclose(streamed[c], rows[c], rtol=1e-12, atol=1e-12, err_msg=c)
    for c in ("diff_p10_musd", "diff_p50_musd", "diff_p90_musd"):
        bound = 2 * RELATIVE_ACCURACY * np.abs(rows[c]) + 1e-9
        assert np.all(np.abs(streamed[c] - rows[c]) <= bound), c
    assert rows.loc["q", "diff_mean_musd"] == 0.0  # no contract: nothing changes


@pytest.mark.slow
def test_contract_impact_runs_on_a_million_iterations_in_flat_memory():
    n = 1_000_000
    s = _scenario(iterations=n, chunk_size=50_000, other=False)
    impact = contract_impact(s)  # 10^6 iterations: streaming by default
    listed = impact.loc["p", "npv_list_mean_musd"]
    # E[annuity factor] over the uniform hazard, by quadrature
    mean_factor = integrate.quad(lambda h: annuity_pv_factor(5, h, 0.1), 0.05, 0.35)[0] / 0.3
    expected = listed * (mean_factor - 1)
    got, mcse = impact.loc["p", "diff_mean_musd"], impact.loc["p", "diff_mcse_musd"]
    assert math.isfinite(mcse) and mcse > 0
    assert abs(got - expected) <= 4 * mcse + 1e-9 * abs(expected)
    assert impact.loc["p", "prob_contracts_beat_list"] == 0.0  # instalments never add value
