"""The metrics registry: every summary figure declared once reaches every output.

The extension test: ``npv_per_rd_dollar`` (mean NPV over the mean present value of R&D
spend) is one entry of ``simulator/results/metrics.py``. It is checked against an
independent closed form, and found in ``summary.csv``, the terminal table, the report,
the workbook and a ``--summaries-only`` run.
"""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import asset, make, reference_monthly_cash, reference_npv, scenario_dict, write_yaml

import simulator as sim
from simulator.cli import main
from simulator.report.terminal import format_report
from simulator.results.metrics import PAIR, SUMMARY, rows

RATE, HORIZON = 0.1, 30 * 12
CHEAP = asset("cheap")
DEAR = asset("dear", cost=(20, 60, 200, 40))
LABEL = "NPV per R&D dollar"


def test_npv_per_rd_dollar_is_the_closed_form_of_a_certain_asset():
    """Both assets pass every stage for sure: NPV and R&D present value are the
    month-by-month reference of tests/helpers.py, discounted independently."""
    r = sim.run(make({"p": [CHEAP], "q": [DEAR]}, iterations=40, chunk_size=20))
    for name, a in (("p", CHEAP), ("q", DEAR)):
        npv = reference_npv(reference_monthly_cash(a, HORIZON), RATE)
        rd_pv = -reference_npv(reference_monthly_cash(a, HORIZON, reach=3), RATE)
        assert r.summary().loc[name, "npv_per_rd_dollar"] == pytest.approx(npv / rd_pv, rel=1e-9)
    # the same asset with dearer trials: less value per R&D dollar
    assert r.summary().loc["q", "npv_per_rd_dollar"] < r.summary().loc["p", "npv_per_rd_dollar"]


def test_summary_columns_are_the_declared_metrics_in_order():
    r = sim.run(make({"a": [asset("x", p=(0.6, 0.5, 0.6, 0.9))], "b": [CHEAP]}, iterations=200))
    assert list(r.summary().columns) == [m.name for m in SUMMARY]
    assert list(r.comparison().columns) == ["a", "b", *(m.name for m in PAIR)]
    names = [m.name for m in (*SUMMARY, *PAIR)]
    assert len(names) == len(set(names))
    for _, metrics in rows("table") + rows("risk"):
        assert all(m in SUMMARY for m in metrics)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One ``simulate`` run written to disk, and its terminal output."""
    tmp = tmp_path_factory.mktemp("metric")
    path = write_yaml(
        tmp / "s.yaml",
        scenario_dict(
            {"a": [asset("x", p=(0.7, 0.5, 0.6, 0.9))], "b": [asset("y", p=(0.8, 0.6, 0.7, 0.9))]},
            iterations=600,
            chunk_size=300,
        ),
    )
    out = tmp / "run"
    res = CliRunner().invoke(main, [str(path), "--out", str(out), "-q", "--backend", "sequential"])
    assert res.exit_code == 0, res.output
    return path, out, res.output, sim.run(sim.load_scenario(path))


def _terminal_cells(text: str, label: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if ln.startswith(label))
    return line[len(label) :].split()


def test_the_new_metric_reaches_summary_csv_terminal_report_and_workbook(saved):
    _, out, printed, r = saved
    expected = r.summary()["npv_per_rd_dollar"]
    assert expected.notna().all() and (expected != 0).all()
    csv = pd.read_csv(out / "summary.csv").set_index("portfolio")["npv_per_rd_dollar"]
    np.testing.assert_allclose(csv, expected, rtol=1e-5)
    assert _terminal_cells(printed, LABEL) == [f"{x:.2f}" for x in expected]
    page = (out / "report.html").read_text(encoding="utf-8")
    headline = re.search(r'<section id="headline">.*?</section>', page, re.S).group(0)
    row = re.search(rf"<td>{html.escape(LABEL)}</td>(.*?)</tr>", headline, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", row) == [f"{x:.2f}" for x in expected]
    from simulator.report.excel import column_title

    title = column_title("npv_per_rd_dollar", "Summary")
    book = pd.read_excel(out / "report.xlsx", sheet_name="Summary", header=1)
    np.testing.assert_allclose(book.set_index("portfolio")[title], expected, rtol=1e-12)
    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(out / "report.xlsx")["Summary"]
    header = [c.value for c in ws[2]]
    assert ws.cell(row=3, column=header.index(title) + 1).number_format == "0.00"


def test_the_new_metric_in_a_summaries_only_run(saved, tmp_path):
    path, _, _, rows_run = saved
    out = tmp_path / "summaries"
    args = [str(path), "--summaries-only", "--out", str(out), "-q", "--backend", "sequential"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert json.loads((out / "manifest.json").read_text())["summaries_only"] is True
    expected = rows_run.summary()["npv_per_rd_dollar"]  # exact from sums: no sketch error
    csv = pd.read_csv(out / "summary.csv").set_index("portfolio")["npv_per_rd_dollar"]
    np.testing.assert_allclose(csv, expected, rtol=1e-5)
    assert _terminal_cells(res.output, LABEL) == [f"{x:.2f}" for x in expected]
    streamed = sim.run(sim.load_scenario(path), summaries_only=True).summary()
    np.testing.assert_allclose(streamed["npv_per_rd_dollar"], expected, rtol=1e-12)


def test_rows_without_a_number_anywhere_are_left_out_of_the_table():
    """No CDx and no plant in this scenario: their rows are not printed; the shipped
    scenario has both (tests/test_cli.py)."""
    r = sim.run(make({"a": [CHEAP], "b": [DEAR]}, iterations=40, chunk_size=20))
    text = format_report(r)
    assert "CDx delay" not in text and "CGT treated" not in text
    assert LABEL in text and "NPV mean ± MC error" in text
