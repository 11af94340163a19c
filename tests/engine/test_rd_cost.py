"""Complete R&D cost: every kind of spend counted once, each a column of its own.

Oracles: a deterministic asset with a trial and a CDx spends exactly its stage costs, its
screening (screened x fee), the CDx's development cost and the partner's upfront and
milestone, capitalized to launch as Paul et al. (2010) capitalize a stage; on the shipped
scenario the four kinds sum to the total iteration by iteration (to 1e-9) and the total
present value of R&D is what the NPV per R&D dollar divides by.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make

import simulator as sim
from simulator.engine.chunk import RD_KINDS, simulate_chunk
from tests.pillars.cohort.test_cohorts_and_cdx import trial_asset

CDX = {
    "development_start": "phase3",
    "development_months": 24,
    "development_cost_musd": 15,
    "review_months": 6,
    "partner_upfront_musd": 2,
    "partner_milestone_musd": 5,
}


def test_a_deterministic_asset_with_a_cdx_spends_each_kind_exactly():
    # phase II enrols 120 test-positives (false positives among them: one assay model), so
    # it screens 120 / (0.1 x 0.9 + 0.9 x 0.05) candidates at $2,000
    a = trial_asset(0.1)
    a["cdx"] = CDX
    s = make({"p": [a]}, iterations=2, chunk_size=2, cost_of_capital_annual=0.11)
    cols = simulate_chunk(s, 0).columns
    screening = 120 / (0.1 * 0.9 + 0.9 * 0.05) * 2000 / 1e6
    assert cols["p.rd_screening_musd"][0] == pytest.approx(screening)
    assert cols["p.rd_drug_musd"][0] == pytest.approx(10 + 30 + 100 + 20)
    assert cols["p.rd_cdx_musd"][0] == 15
    assert cols["p.rd_milestones_musd"][0] == 7
    total = sum(cols[f"p.rd_{k}_musd"][0] for k in RD_KINDS)
    assert cols["p.oop_cost_musd"][0] == pytest.approx(total, abs=1e-12)
    # capitalized: the CDx starts with phase III; launch = its approval (phase III and
    # review take 30 + 12 months, the CDx 24 + 6): months from each payment's middle
    launch = cols["p.drug.launch_month"][0]
    start = launch - 42
    grow = np.log1p(0.11) / 12

    def cap(amount, mid):
        return amount * np.exp(grow * (launch - mid))

    approval = start + 30  # the CDx's approval, before the drug's: its milestone
    cdx = cap(15, start + 12) + cap(2, start + 0.5) + cap(5, approval + 0.5)
    drug_only = simulate_chunk(
        make({"p": [trial_asset(0.1)]}, iterations=2, chunk_size=2, cost_of_capital_annual=0.11),
        0,
    ).columns["p.capitalized_cost_musd"][0]
    assert cols["p.capitalized_cost_musd"][0] == pytest.approx(drug_only + cdx, rel=1e-12)


@pytest.mark.slow
def test_the_breakdown_sums_to_the_total_in_every_iteration_of_the_shipped_scenario():
    s = sim.load_scenario("scenarios/nichebuster.yaml").with_(iterations=2000)
    r = sim.run(s, backend="sequential")
    it = r.iterations
    for p in s.portfolios:
        parts = sum(it[f"{p}.rd_{k}_musd"] for k in RD_KINDS)
        np.testing.assert_allclose(parts, it[f"{p}.oop_cost_musd"], rtol=0, atol=1e-9)
        assert (it[[f"{p}.rd_{k}_musd" for k in RD_KINDS]] >= 0).all().all()
    summary = r.summary()
    nb = summary.loc["nichebuster"]
    kinds = sum(nb[f"rd_{k}_per_launch_musd"] for k in RD_KINDS)
    assert kinds == pytest.approx(nb.oop_cost_per_launch_musd, rel=1e-12)
    assert nb.rd_cdx_per_launch_musd > 0 and nb.rd_milestones_per_launch_musd > 0
    assert nb.npv_per_rd_dollar == pytest.approx(nb.npv_mean_musd / nb.rd_pv_mean_musd)
