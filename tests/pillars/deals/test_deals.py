"""Deals: zero-sum transfers, payments only where their event happens, tiered royalties,
an out-licence that leaves the sponsor no cost after it, bad deal input."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import asset, make, scenario_dict, write_yaml

from simulator.engine.chunk import simulate_chunk
from simulator.pillars.deals.block import RoyaltyTier
from simulator.pillars.deals.royalties import tiered_royalty

RATE = 0.1


def _columns(deal: dict | None, p=(0.6, 0.5, 0.7, 0.9), n=4000, **kw):
    a = asset(p=p, **kw)
    if deal is not None:
        a["deal"] = deal
    s = make({"pf": [a]}, iterations=n, chunk_size=n, discount_rate_annual=RATE, tax_rate=0.2)
    return simulate_chunk(s, 0, keep_monthly=True)


OUT = {
    "type": "out_license",
    "stage": "phase3",
    "upfront_musd": 50,
    "milestones": [
        {"event": "success", "stage": "phase3", "amount_musd": 80},
        {"event": "sales", "sales_musd": 200, "amount_musd": 40},
    ],
    "royalty_tiers": [{"above_musd": 0, "rate": 0.08}, {"above_musd": 300, "rate": 0.12}],
}


@pytest.mark.parametrize(
    "deal",
    [
        OUT,
        {
            "type": "in_license",
            "upfront_musd": 20,
            "milestones": [{"event": "launch", "amount_musd": 30}],
            "royalty_tiers": [{"above_musd": 0, "rate": 0.05}],
        },
        {
            "type": "co_development",
            "partner_share": 0.4,
            "opt_out_stage": "phase3",
            "royalty_tiers": [{"above_musd": 0, "rate": 0.03}],
        },
    ],
)
def test_transfers_are_zero_sum_and_the_standalone_npv_is_the_deal_free_one(deal):
    free = _columns(None).columns
    dealt = _columns(deal).columns
    a = "pf.drug"
    sponsor, partner = dealt[f"{a}.npv_musd"], dealt[f"{a}.deal_partner_npv_musd"]
    np.testing.assert_allclose(
        sponsor + partner, dealt[f"{a}.deal_standalone_npv_musd"], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(
        dealt[f"{a}.deal_standalone_npv_musd"], free[f"{a}.npv_musd"], rtol=0, atol=1e-9
    )
    # the portfolio holds the sponsor's side: its NPV moves by exactly the partner's value
    np.testing.assert_allclose(free["pf.npv_musd"] - dealt["pf.npv_musd"], partner, atol=1e-9)


def test_a_milestone_on_phase3_success_is_paid_only_where_phase3_passes():
    """E[PV] = amount x P(reach and pass phase III) x discount at the month it ends."""
    deal = {
        "type": "in_license",
        "milestones": [{"event": "success", "stage": "phase3", "amount_musd": 100}],
    }
    p = (0.6, 0.5, 0.7, 0.9)
    cols = _columns(deal, p=p).columns
    paid = -cols["pf.drug.deal_to_sponsor_pv_musd"] / 0.8  # after tax at 20%
    end = 12 + 24 + 30  # phase III ends at month 66 (fixed durations)
    at = (1 + RATE) ** (-(end + 0.5) / 12)  # paid in month 66, mid-month convention
    passed = cols["pf.drug.launched"] | (cols["pf.drug.stages_entered"] == 4)
    np.testing.assert_allclose(paid[passed], 100 * at, rtol=1e-12)  # per iteration
    assert np.all(paid[~passed] == 0)
    expected = 100 * p[0] * p[1] * p[2] * at
    se = paid.std() / np.sqrt(paid.size)
    assert abs(paid.mean() - expected) < 4 * se


def test_out_licensing_leaves_the_sponsor_no_cost_after_the_deal():
    out = _columns(OUT)
    sponsor_cash = out.monthly_cash_musd["pf"]  # the portfolio is this one asset's sponsor
    phase3_start = 12 + 24
    assert sponsor_cash[:, phase3_start:].min() >= 0.0
    assert sponsor_cash[:, :phase3_start].min() < 0.0  # it paid phases I and II


def test_tiered_royalties_on_a_known_sales_path():
    tiers = [
        RoyaltyTier(above_musd=0, rate=0.1),
        RoyaltyTier(above_musd=500, rate=0.15),
        RoyaltyTier(above_musd=1000, rate=0.2),
    ]
    sales = np.array([[0.0, 300.0, 800.0, 1500.0]])
    hand = [0.0, 30.0, 50 + 0.15 * 300, 50 + 75 + 0.2 * 500]
    np.testing.assert_allclose(tiered_royalty(sales, tiers)[0], hand, rtol=0, atol=1e-12)


def test_without_a_deal_block_nothing_changes():
    a, b = _columns(None, n=500).columns, _columns(None, n=500).columns
    assert not any(k.startswith("pf.drug.deal_") for k in a)
    assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


@pytest.mark.parametrize(
    "deal, field",
    [
        (
            {
                "type": "in_license",
                "milestones": [{"event": "success", "stage": "preclinical", "amount_musd": 1}],
            },
            "milestones[0].stage",
        ),
        (
            {
                "type": "in_license",
                "royalty_tiers": [
                    {"above_musd": 500, "rate": 0.1},
                    {"above_musd": 100, "rate": 0.2},
                ],
            },
            "out of order",
        ),
        ({"type": "barter"}, "unknown deal type"),
    ],
)
def test_bad_deals_exit_2_naming_the_field(tmp_path, deal, field):
    from simulator.cli.app import main

    a = asset()
    a["deal"] = deal
    path = write_yaml(tmp_path / "bad.yaml", scenario_dict({"pf": [a]}))
    res = CliRunner().invoke(main, [str(path), "--iterations", "10", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "bad.yaml" in res.output and "deal" in res.output and field in res.output
    assert not (tmp_path / "o").exists()


def _cdx_asset(upfront: float, milestone: float, deal: dict | None) -> dict:
    a = asset(p=(0.7, 0.5, 0.6, 0.9))
    a["selection_biomarker"] = True
    a["cdx"] = {"development_start": "phase2", "development_months": "uniform(12, 30)",
                "review_months": 6, "delay_probability": 0.3, "delay_months": 9,
                "failure_probability": 0.2, "partner_upfront_musd": upfront,
                "partner_milestone_musd": milestone}  # fmt: skip
    if deal is not None:
        a["deal"] = deal
    return a


def test_the_cdx_partner_terms_are_the_same_numbers_as_a_diagnostics_partner_deal():
    """Today's CDx partner upfront and milestone, written as a ``diagnostics_partner`` deal
    (upfront at CDx start, milestone on ``cdx_approval``), give the sponsor the same NPV
    in every iteration (the CDx path stays the default; this proves the mechanism can say
    the same thing)."""
    deal = {"type": "diagnostics_partner", "upfront_musd": 15,
            "milestones": [{"event": "cdx_approval", "amount_musd": 25}]}  # fmt: skip
    old = make({"pf": [_cdx_asset(15, 25, None)]}, iterations=3000, chunk_size=3000)
    new = make({"pf": [_cdx_asset(0, 0, deal)]}, iterations=3000, chunk_size=3000)
    a, b = simulate_chunk(old, 0).columns, simulate_chunk(new, 0).columns
    assert 0 < a["pf.drug.launched"].mean() < 1  # some iterations pay the milestone, some not
    np.testing.assert_allclose(b["pf.npv_musd"], a["pf.npv_musd"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(b["pf.drug.deal_to_sponsor_pv_musd"],
                               a["pf.drug.npv_musd"] - b["pf.drug.deal_standalone_npv_musd"],
                               rtol=0, atol=1e-9)  # fmt: skip
