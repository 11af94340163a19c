"""The studies that rerun a scenario per success-rate table, and the calibration table.

Oracles: a table variant holds exactly the other table's rates (or keeps the asset's own
where that table lacks the category, and an explicit p_success); the variant of the
scenario's own table is the scenario itself, so its row reproduces the run; the
calibration table of a template with sure stages gives LOA 1 and cost per launch equal to
the sum of its stage costs, and of a risky one the closed form sum C_s reach_s / LOA
within Monte Carlo error; the report shows the tax mode, the line by table and the
appendix when they are handed in.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import asset, scenario_dict

import simulator as sim
from simulator.pillars.development.benchmarks import lookup
from simulator.report import html as report
from simulator.studies.benchmark_sets import by_benchmark_table, named_tables, table_variant
from simulator.studies.calibration import calibration_table


def _named(rates: str, **kw) -> dict:
    a = asset(**kw)
    for stage in a["phases"].values():
        stage.pop("p_success")
    a["phases"]["success_rates"] = rates
    return a


def _scenario(iterations=2000):
    data = scenario_dict(
        {"niche": [{"template": "onc", "name": "onc"}, {"template": "rare", "name": "rare"}],
         "block": [{"template": "pc", "name": "pc"}]},
        iterations=iterations, chunk_size=1000,
    )  # fmt: skip
    data["templates"] = {
        "onc": _named("bio_2011_2020/oncology"),
        "rare": _named("bio_2011_2020/rare_disease"),
        "pc": _named("bio_2011_2020/chronic_high_prevalence", peak_share=0.5),
    }
    return sim.scenario_from_dict(data)


def test_a_variant_holds_the_other_tables_rates_and_keeps_what_it_lacks():
    s = _scenario()
    assert named_tables(s) == ["bio_2011_2020"]
    v, kept = table_variant(s, "wong_2019")
    onc, rare = v.portfolios["niche"].assets
    for stage, p in lookup("wong_2019/oncology").by_stage().items():
        assert getattr(onc.phases, stage).p_success.mean() == p
    for stage, p in lookup("bio_2011_2020/rare_disease").by_stage().items():
        assert getattr(rare.phases, stage).p_success.mean() == p  # wong_2019 has no rare
    assert any("rare" in k for k in kept) and any("pc" in k for k in kept)


def test_the_row_of_the_runs_own_table_is_the_run():
    s = _scenario(iterations=600)
    r = sim.run(s)
    t = by_benchmark_table(s, ["bio_2011_2020", "bio_2006_2015"], result=r)
    assert t.loc["bio_2011_2020", "this_run"] and not t.loc["bio_2006_2015", "this_run"]
    assert t.loc["bio_2011_2020", "niche.npv_mean_musd"] == pytest.approx(r.npv("niche").mean())
    again = by_benchmark_table(s, ["bio_2011_2020"])  # rerun: the same numbers
    assert again.loc["bio_2011_2020", "niche-block.diff_mean_musd"] == pytest.approx(
        t.loc["bio_2011_2020", "niche-block.diff_mean_musd"], rel=1e-12
    )
    # the older table's higher success rates raise the portfolio's mean NPV here
    niche = t["niche.npv_mean_musd"]
    assert niche["bio_2006_2015"] > niche["bio_2011_2020"]


def test_calibration_of_sure_and_risky_templates():
    s = _scenario(iterations=20_000)
    data = s._raw
    data["templates"]["sure"] = asset()  # p = 1 everywhere: cost 10 + 30 + 100 + 20
    t = calibration_table(sim.scenario_from_dict(data))
    sure = t.loc["sure"]
    assert sure.loa == 1.0 and sure.oop_per_launch_musd == pytest.approx(160.0)
    onc = t.loc["onc"]
    p = lookup("bio_2011_2020/oncology").by_stage()
    reach = np.cumprod([1.0, p["phase1"], p["phase2"], p["phase3"]])
    expected = (reach * np.array([10, 30, 100, 20])).sum() / math.prod(p.values())
    assert abs(onc.oop_per_launch_musd - expected) < 3 * onc.oop_mcse_musd
    assert abs(onc.loa - 0.053) < 3 * onc.loa_mcse
    assert onc.loa_published == 0.053 and "x" in onc.gap


def test_the_report_says_which_tax_mode_ran_and_shows_the_line_and_the_appendix():
    s = _scenario(iterations=400)
    standalone = s.with_({"market.tax": {"mode": "standalone", "loss_limit_share": 0.8},
                          "market.tax_rate": 0.21})  # fmt: skip
    r = sim.run(standalone)
    tables = {
        "benchmark_tables": by_benchmark_table(standalone, ["bio_2011_2020"], result=r),
        "calibration": calibration_table(standalone, iterations=400),
    }
    page = report.render(r, tables=tables)
    assert "standalone: losses carried forward" in page and "80%" in page
    assert "niche - block by success-rate table" in page
    assert '<section id="calibration">' in page and "DiMasi" in page
    assert '<section id="calibration">' not in report.render(r)
