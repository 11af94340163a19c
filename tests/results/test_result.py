"""One Result at every size: what a summaries-only run can answer it answers from its
sketches; what needs the rows raises one line that says how to keep them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import asset, make
from matplotlib.figure import Figure

import simulator as sim
from simulator.engine.summaries import MIN_ABS, RELATIVE_ACCURACY
from simulator.report import html as report
from simulator.results.plots import QUANTILE_POINTS
from simulator.results.pricing import pricing_table
from simulator.studies.sensitivity import regression_sensitivity


@pytest.fixture(scope="module")
def both():
    b = asset("b", p=(0.6, 0.4, 0.6, 0.9), peak_share="pert(0.1, 0.3, 0.5)")
    b["modality"] = "autologous_cell_therapy"
    b["commercial"]["cogs_share"] = 0.0
    b["manufacturing"] = {"suites": 1, "batches_per_suite_month": 50, "vein_to_vein_months": 1.0}
    a = asset("a", p=(0.7, 0.5, 0.6, 0.9), list_price_usd="uniform(60000, 140000)")
    s = make({"a": [a], "b": [b]}, iterations=1_000, chunk_size=250)
    return sim.run(s), sim.run(s, summaries_only=True)


def _ax():
    return Figure().subplots()


def test_one_type_that_knows_what_it_kept(both):
    rows, summ = both
    assert type(rows) is type(summ) is sim.Result
    assert rows.has_samples and not summ.has_samples
    assert summ.quantile_relative_accuracy == RELATIVE_ACCURACY
    assert rows.quantile_relative_accuracy == 0
    assert summ.stats("a.npv_musd").mean == pytest.approx(rows.npv("a").mean(), rel=1e-12)


@pytest.mark.parametrize(
    "ask",
    [
        lambda r: r.iterations,
        lambda r: r.column("a.npv_musd"),
        lambda r: r.npv("a"),
        lambda r: r.yearly("cash", "a"),
        lambda r: pricing_table(r),
        lambda r: regression_sensitivity(r, "a - b"),
    ],
    ids=["iterations", "column", "npv", "yearly", "pricing_table", "regression"],
)
def test_what_needs_rows_raises_one_line_saying_how_to_keep_them(both, ask):
    _, summ = both
    with pytest.raises(sim.NoSamplesError) as info:
        ask(summ)
    message = str(info.value)
    assert "\n" not in message
    assert "summaries only" in message
    assert "keep_samples=DIR" in message and "--keep-samples DIR" in message


def test_with_kept_samples_the_error_says_where_they_are(tmp_path):
    s = make({"a": [asset("x")]}, iterations=100, chunk_size=50)
    r = sim.run(s, keep_samples=tmp_path / "parts")
    with pytest.raises(sim.NoSamplesError, match="part-"):
        r.npv("a")
    assert str(tmp_path / "parts") in r.keep_samples


def test_cdf_from_the_sketch_lies_within_its_bound_of_the_exact_quantiles(both):
    rows, summ = both
    ax = summ.plot.npv_cdf(ax=_ax(), portfolios=["a"])
    x = ax.lines[0].get_xdata()
    assert len(x) == QUANTILE_POINTS
    exact = np.sort(rows.npv("a"))
    for i in (0, 100, 500, 999, 1500, 1999):
        q = 100 * (i + 0.5) / QUANTILE_POINTS
        h = q / 100 * (exact.size - 1)
        near = max(abs(exact[math.floor(h)]), abs(exact[math.ceil(h)]))
        assert abs(x[i] - np.percentile(exact, q)) <= RELATIVE_ACCURACY * near + MIN_ABS


def test_histogram_from_the_sketch_is_shares_of_futures_with_the_exact_mean_marked(both):
    rows, summ = both
    ax = summ.plot.npv_distribution(ax=_ax())
    lo, hi = ax.get_xlim()
    for i, p in enumerate(("a", "b")):
        bars = ax.containers[i]
        x = summ.plot._npv_values(p)
        outside = ((x < lo) | (x > hi)).mean()  # counted in the label, not piled in a bin
        assert sum(bar.get_height() for bar in bars) + outside == pytest.approx(1.0, rel=1e-9)
        assert ax.lines[i].get_xdata()[0] == pytest.approx(rows.npv(p).mean(), rel=1e-12)


def test_plant_fan_and_bands_from_summaries(both):
    rows, summ = both
    ax = summ.plot.plant("b", "b", ax=_ax())
    assert ax.get_title().startswith("b (b)")
    np.testing.assert_array_equal(
        summ.plant_bands().launched_share, rows.plant_bands().launched_share
    )


def test_the_report_of_a_summaries_only_run_shows_what_it_can(both):
    _, summ = both
    page = report.render(summ)
    for section in ("headline", "risk", "distributions", "cashflows", "assets", "convergence"):
        assert f'<section id="{section}">' in page
    for section in ("drivers", "launches"):  # they need the rows
        assert f'<section id="{section}">' not in page


def test_the_report_shows_a_table_handed_to_save_and_runs_nothing(both, tmp_path):
    rows, _ = both
    trials = {"trials": __import__("pandas").DataFrame({"design": ["fixed"], "power": [0.8]})}
    with_table = rows.save(tmp_path / "with", tables=trials)
    without = rows.save(tmp_path / "without")
    assert '<section id="trials">' in (with_table / "report.html").read_text(encoding="utf-8")
    assert '<section id="trials">' not in (without / "report.html").read_text(encoding="utf-8")


def test_every_report_chart_is_on_result_plot_with_ax(both):
    from matplotlib.figure import Figure

    rows, _ = both
    offered = dir(rows.plot)
    for name in ("npv_distribution", "npv_cdf", "plant", "paired_difference", "cashflow_fan",
                 "asset_contributions", "expected_launches", "launch_count", "risk_panels",
                 "convergence", "plant_panels", "strip"):  # fmt: skip
        assert name in offered
    ax = Figure().subplots()
    assert rows.plot.paired_difference("a", "b", ax=ax) is ax
    assert rows.plot.strip(ax=Figure().subplots()).get_yticklabels()[0].get_text() == "b"
    with pytest.raises(AttributeError, match="known: "):
        rows.plot.no_such_chart  # noqa: B018
