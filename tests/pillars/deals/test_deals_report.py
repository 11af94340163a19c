"""A run with deals and a financing block: the summary carries their figures, the report
its deals and financing sections, and a bad financing block exits 2 naming the field."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner
from helpers import asset, scenario_dict, write_yaml

import simulator as sim
from simulator.report.deals import deals_section, financing_section
from simulator.report.page import Context

FIN = {"capital_musd": 200, "reserve_musd": 20,
       "senior": {"share": 0.3, "coupon_annual": 0.05, "maturity_years": 10},
       "equity": {"share": 0.7}}  # fmt: skip


def _scenario(fin=FIN) -> dict:
    a = asset(p=(0.6, 0.5, 0.7, 0.9))
    a["deal"] = {"type": "out_license", "stage": "phase3", "upfront_musd": 40}
    d = scenario_dict({"pf": [a]}, iterations=400, chunk_size=400)
    d["portfolios"]["pf"]["financing"] = fin
    return d


def test_summary_and_report_sections():
    r = sim.run(sim.scenario_from_dict(_scenario()))
    row = r.summary().loc["pf"]
    irr = r.column("pf.irr_annual")
    assert row["irr_defined_share"] == np.isfinite(irr).mean() > 0
    assert row["irr_p50"] == np.nanpercentile(irr, 50)
    assert row["fin_senior_default_prob"] == r.column("pf.fin_senior_default").mean()
    assert row["deal_partner_npv_mean_musd"] == r.column("pf.deal_partner_npv_musd").mean()
    deals = deals_section(r, Context())
    fin = financing_section(r, Context())
    assert "out_license with partner" in deals.body and "pf.drug" in deals.body
    assert "senior debt capacity at 5% default" in fin.body


def test_tranche_shares_not_summing_to_one_exit_2(tmp_path):
    from simulator.cli import main

    bad = dict(FIN, equity={"share": 0.6})
    path = write_yaml(tmp_path / "bad.yaml", _scenario(bad))
    res = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "bad.yaml" in res.output and "portfolios.pf.financing" in res.output
    assert "sum to 0.9" in res.output
    assert not (tmp_path / "o").exists()
