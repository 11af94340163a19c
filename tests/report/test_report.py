"""report.html and report.xlsx: every section a run calls for, self-contained, the same
numbers as the CSV files; MC standard errors agree with their exact formulas."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import numpy as np
import pandas as pd
import pytest
from helpers import asset, make

import simulator as sim
from simulator.report import html as report
from simulator.report.excel import column_title
from simulator.report.page import header
from simulator.report.sources import source_of
from simulator.results.convergence import mcse_batch, mcse_mean

ALWAYS = [
    "answer",
    "headline",
    "question",
    "assumptions",
    "distributions",
    "risk",
    "cashflows",
    "assets",
    "launches",
    "drivers",
    "convergence",
    "provenance",
]


def _two_portfolios(iterations: int = 400, cgt: bool = False):
    a = asset("a", p=(0.7, 0.5, 0.6, 0.9), list_price_usd="uniform(60000, 140000)")
    b = asset("b", p=(0.6, 0.4, 0.6, 0.9), peak_share="pert(0.1, 0.3, 0.5)")
    if cgt:
        b["modality"] = "autologous_cell_therapy"
        b["commercial"]["cogs_share"] = 0.0  # the plant carries the cost of goods
        b["manufacturing"] = {
            "suites": 1,
            "batches_per_suite_month": 50,
            "vein_to_vein_months": 1.0,
            "qc_failure_prob": 0.05,
        }
    return make({"a": [a], "b": [b]}, iterations=iterations, chunk_size=200)


def _section_ids(page: str) -> list[str]:
    return re.findall(r'<section id="([a-z_]+)">', page)


def _images(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', page)]


def test_page_has_every_section_and_only_embedded_images():
    r = sim.run(_two_portfolios())
    page = report.render(r, {"seed": 7, "input_sha256": "abc123"})
    assert _section_ids(page) == ALWAYS
    images = _images(page)
    # the answer's strip; densities, CDF, difference; risk; two fans; assets; two launch
    # charts; three tornadoes (difference and each portfolio); convergence
    assert len(images) == 1 + 3 + 1 + 2 + 1 + 2 + 3 + 1
    assert all(img.startswith(b"\x89PNG\r\n\x1a\n") for img in images)
    assert page.count("<img") == len(images)
    for remote in ("http://", "https://", "<script", "<link"):
        assert remote not in page
    assert "abc123" in page
    c = r.compare("a", "b")
    assert f"{c.prob_a_beats_b:.1%}" in page  # the headline verdict states P(a > b)
    assert c.dtype == float and c.attrs == {"a": "a", "b": "b"}  # rounds, stacks in a table


def test_verdict_sentence_says_both_when_mean_and_share_disagree():
    from simulator.report.executive import verdict_sentence

    c = {"diff_mean_musd": -95.0, "diff_mcse_musd": 6.0, "prob_a_beats_b": 0.528,
         "prob_a_beats_b_mcse": 0.0035}  # fmt: skip
    text = verdict_sentence("niche", "block", c)
    assert text == (
        "block is worth 95 ± 6 USD M more than niche on average, "
        "but niche is ahead in 52.8% ± 0.4% of futures"
    )
    agree = verdict_sentence("niche", "block", {**c, "prob_a_beats_b": 0.3})
    assert agree.endswith("on average and ahead in 70.0% ± 0.4% of futures")


def test_tables_have_readable_headers_rounded_numbers_and_no_index_column():
    df = pd.DataFrame({"power_musd": [1234567.891], "prob_success": [0.44738], "n": [3]})
    out = report.table_html(df)
    assert "<th>power (USD M)</th>" in out and "<th>P(success)</th>" in out
    assert "1,234,568" in out and "0.447" in out and "0.44738" not in out
    assert ">index<" not in out and out.startswith("<div class='scroll'>")


def test_cgt_section_appears_only_with_a_plant():
    r = sim.run(_two_portfolios(iterations=200, cgt=True))
    section = report.manufacturing(r, report.Context())
    assert section is not None and section.figures == 1
    assert len(_images(section.body)) == 1
    treated = float(np.mean(r.column("b.b.patients_treated")))
    assert f"{treated:,.0f}" in section.body or f"{treated:.3g}" in section.body
    assert report.manufacturing(sim.run(_two_portfolios(iterations=200)), report.Context()) is None


def test_trial_section_hook_shows_a_provided_table():
    given = {"trials": pd.DataFrame({"design": ["OBF 2 looks"], "power": [0.873]})}
    r = sim.run(_two_portfolios(iterations=200))
    section = report.trials(r, report.Context(tables=given))
    assert section is not None and section.id == "trials"
    assert "OBF 2 looks" in section.body and "0.873" in section.body
    assert report.trials(r, report.Context()) is None
    assert report.SECTIONS.index(report.trials) < report.SECTIONS.index(report.convergence)


def test_assumption_sources_come_from_the_yaml_comments():
    s = sim.load_scenario("scenarios/nichebuster.yaml")
    assert "EvaluatePharma" in source_of(
        s, "blockbuster_small", "bb_cardio", "commercial.list_price_usd"
    )
    assert "Wouters" in source_of(s, None, None, "discount_rate_annual")
    # a count copy finds its entry's template; an entry override finds its own comment
    assert "Grabowski" in source_of(
        s, "nichebuster", "onc_kinase_3", "commercial.erosion_first_year"
    )
    assert "biologic erosion" in source_of(
        s, "nichebuster", "onc_adc_2", "commercial.erosion_first_year"
    )


def test_batch_mcse_of_a_mean_agrees_with_the_exact_formula():
    x = np.random.default_rng(3).normal(10.0, 4.0, 40_000)
    exact = mcse_mean(x)
    assert exact == pytest.approx(4.0 / 200, rel=0.02)
    assert mcse_batch(x, np.mean, batches=40) == pytest.approx(exact, rel=0.35)
    assert np.isnan(mcse_batch(x[:10], np.mean))


def test_workbook_charts_each_portfolios_npv_histogram_from_its_table(tmp_path):
    import openpyxl

    from simulator.report.excel import HISTOGRAM_BINS, npv_histogram, write_excel

    r = sim.run(_two_portfolios(), backend="sequential")
    table, _ = npv_histogram(r)
    lo = min(np.percentile(r.npv(p), 0.5) for p in "ab")  # the report's range
    hi = max(np.percentile(r.npv(p), 99.5) for p in "ab")
    assert len(table) == HISTOGRAM_BINS
    assert table["bin_from_musd"].iloc[0] == pytest.approx(lo)
    assert table["bin_to_musd"].iloc[-1] == pytest.approx(hi)
    np.testing.assert_allclose(np.diff(table["bin_mid_musd"]), (hi - lo) / HISTOGRAM_BINS)
    for p in "ab":  # a share of futures per bin: the bins hold all but the tails
        x = r.npv(p)
        inside = ((x >= lo) & (x <= hi)).mean()
        assert table[f"{p} share of futures"].sum() == pytest.approx(inside)
    book = openpyxl.load_workbook(write_excel(r, tmp_path / "report.xlsx"))
    ws = book["NPV distribution"]
    assert ws["A1"].value.startswith("Share of each portfolio's 400 futures")
    (chart,) = ws._charts
    assert type(chart).__name__ == "BarChart" and chart.type == "col"
    rows = f"$3:${HISTOGRAM_BINS + 2}"
    refs = [(s.tx.v, s.cat.numRef.f, s.val.numRef.f) for s in chart.series]
    assert refs == [
        (p, f"'NPV distribution'!$C{rows.replace(':', ':$C')}",
         f"'NPV distribution'!${col}{rows.replace(':', f':${col}')}")
        for p, col in (("a", "D"), ("b", "E"))
    ]  # fmt: skip
    assert [ws.cell(2, j).value for j in (4, 5)] == [f"{p} share of futures" for p in "ab"]
    shares = [ws.cell(i, 4).value for i in range(3, HISTOGRAM_BINS + 3)]
    np.testing.assert_allclose(shares, table["a share of futures"], rtol=1e-12)


def test_saved_run_holds_report_and_workbook_with_summary_numbers(tmp_path):
    r = sim.run(_two_portfolios())
    out = r.save(tmp_path / "run")
    assert (out / "report.html").is_file()
    summary = pd.read_csv(out / "summary.csv")
    book = pd.read_excel(out / "report.xlsx", sheet_name=None, header=1)
    assert list(book) == [
        "Summary", "Comparison", "MC error", "Iterations", "Cash flows", "NPV distribution",
        "Inputs", "Provenance",
    ]  # fmt: skip
    xs = book["Summary"]
    assert list(xs.columns) == [column_title(c, "Summary") for c in summary.columns]
    assert "NPV mean (USD M)" in xs.columns and "P(loss) (%)" in xs.columns
    for col in summary.columns:
        got = xs[column_title(col, "Summary")]
        if col == "portfolio":
            assert list(got) == list(summary[col])
        else:
            np.testing.assert_allclose(got, summary[col], rtol=1e-12, equal_nan=True)
    comparison = pd.read_csv(out / "comparison.csv")
    np.testing.assert_allclose(
        book["Comparison"][column_title("prob_a_beats_b", "Comparison")],
        comparison["prob_a_beats_b"],
        rtol=1e-12,
    )
    it = book["Iterations"]
    assert len(it) == 400
    np.testing.assert_allclose(it["a - b.npv_musd"], r.npv("a") - r.npv("b"), rtol=1e-12)
    # every iteration is on the sheet, so its mean is Summary's mean
    assert it[header("a.npv_musd")].mean() == pytest.approx(
        summary.set_index("portfolio").loc["a", "npv_mean_musd"], rel=1e-9
    )
    bands = book["Cash flows"]
    assert len(bands) == len(pd.read_csv(out / "cashflows.csv"))
    for name, sheet in book.items():  # every money column holds numbers, not text
        for col in sheet.columns:
            if "USD M" in str(col) and name != "Provenance":
                assert pd.api.types.is_numeric_dtype(sheet[col]), (name, col)
    inputs = book["Inputs"].set_index("field")
    assert inputs.loc["market.discount_rate_annual", "number"] == (
        r.scenario.market.discount_rate_annual
    )
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(out / "report.xlsx")
    ws = wb["Summary"]
    assert ws.freeze_panes == "B3"
    assert "discounted at" in ws["A1"].value
    assert "UNDISCOUNTED" in wb["Cash flows"]["A1"].value
    assert "every one of the 400 iterations" in wb["Iterations"]["A1"].value
    titles = [c.value for c in ws[2]]
    col = titles.index(column_title("npv_mean_musd", "Summary")) + 1
    assert ws.cell(row=3, column=col).number_format == "#,##0.0"
    col = titles.index(column_title("prob_loss", "Summary")) + 1
    assert ws.cell(row=3, column=col).number_format == "0.0%"
    manifest = json.loads((out / "manifest.json").read_text())
    prov = book["Provenance"].set_index("item")["value"]
    for key in ("seed", "chunk_size", "input_sha256", "code_fingerprint", "created_utc"):
        assert prov[key] == str(manifest[key])
    assert prov["versions.matplotlib"] == manifest["versions"]["matplotlib"]
    for name, digest in manifest["file_sha256"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_iterations_sheet_says_in_its_first_row_when_it_holds_only_the_first_rows(tmp_path):
    from simulator.report import excel

    r = sim.run(_two_portfolios())
    path = excel.write_excel(r, tmp_path / "r.xlsx")
    openpyxl = pytest.importorskip("openpyxl")
    assert "every one of the 400" in openpyxl.load_workbook(path)["Iterations"]["A1"].value
    small = excel.portfolio_iterations(r, rows=100)
    notes = excel._notes(r, 400, len(small))
    assert notes["Iterations"].startswith("Per iteration: the FIRST 100 of 400 iterations only")


def test_one_certain_portfolio_gets_a_report_without_comparison_or_drivers(tmp_path):
    r = sim.run(make({"only": [asset("a")]}, iterations=50))
    out = r.save(tmp_path / "run")
    page = (out / "report.html").read_text(encoding="utf-8")
    ids = _section_ids(page)
    assert "drivers" not in ids  # nothing is uncertain: no input to rank
    assert [i for i in ALWAYS if i != "drivers"] == ids
    assert "worth more than" not in page  # no pair to compare
    assert pd.read_excel(out / "report.xlsx", sheet_name="Summary", header=1)[
        "portfolio"
    ].tolist() == ["only"]
