"""A summaries-only run gives the numbers of the row-keeping run: exact ones equal,
approximate ones within their stated bounds; and the same for every backend."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers import SCENARIOS, asset, make

import simulator as sim
from simulator.engine.summaries import MIN_ABS, RELATIVE_ACCURACY
from simulator.results.metrics import APPROXIMATE_COLUMNS


@pytest.fixture(scope="module")
def scenario() -> sim.Scenario:
    return make(
        {
            "a": [asset("x", p=(0.6, 0.5, 0.6, 0.9)), asset("z", p=(0.7, 0.4, 0.6, 0.9))],
            "b": [asset("y", p=(0.8, 0.6, 0.7, 0.9))],
        },
        iterations=3_000,
        chunk_size=700,
        tax_rate=0.2,
    )


@pytest.fixture(scope="module")
def both(scenario):
    return sim.run(scenario), sim.run(scenario, summaries_only=True)


def _bound(x: np.ndarray, q: float) -> float:
    """The stated error bound of a sketch percentile of ``x``."""
    x = np.sort(x[np.isfinite(x)])
    h = q / 100 * (x.size - 1)
    return RELATIVE_ACCURACY * max(abs(x[math.floor(h)]), abs(x[math.ceil(h)])) + MIN_ABS


def test_summary_exact_columns_equal_and_quantiles_within_bounds(both):
    rows, summ = both
    a, b = rows.summary(), summ.summary()
    assert list(b.columns) == list(a.columns) and list(b.index) == list(a.index)
    exact = [c for c in a.columns if c not in APPROXIMATE_COLUMNS]
    pd.testing.assert_frame_equal(b[exact], a[exact], rtol=1e-12, check_dtype=False)
    for p in a.index:
        npv = rows.npv(p)
        for q in (5, 10, 50, 90, 95):
            col = f"npv_p{q:02d}_musd"
            assert abs(b.loc[p, col] - a.loc[p, col]) <= _bound(npv, q) * (1 + 1e-9)
        k = math.ceil(0.05 * npv.size)
        var = np.sort(npv)[k - 1]
        assert (
            abs(b.loc[p, "cvar05_musd"] - a.loc[p, "cvar05_musd"])
            <= 2 * RELATIVE_ACCURACY * abs(var) + MIN_ABS
        )
        trough = rows.column(f"{p}.cash_trough_musd")
        assert abs(b.loc[p, "cash_trough_p05_musd"] - a.loc[p, "cash_trough_p05_musd"]) <= _bound(
            trough, 5
        ) * (1 + 1e-9)


def test_paired_comparison_from_per_iteration_differences(both):
    rows, summ = both
    a, b = rows.compare("a", "b"), summ.compare("a", "b")
    for col in ("diff_mean_musd", "diff_mcse_musd", "diff_sd_musd", "prob_a_beats_b_mcse"):
        assert b[col] == pytest.approx(a[col], rel=1e-12)
    assert b["prob_a_beats_b"] == a["prob_a_beats_b"]
    d = rows.npv("a") - rows.npv("b")
    for q in (10, 50, 90):
        assert abs(b[f"diff_p{q}_musd"] - a[f"diff_p{q}_musd"]) <= _bound(d, q) * (1 + 1e-9)


def test_cashflow_bands(both):
    rows, summ = both
    a, b = rows.cashflow_bands(), summ.cashflow_bands()
    pd.testing.assert_frame_equal(
        b[["portfolio", "measure", "year"]], a[["portfolio", "measure", "year"]]
    )
    np.testing.assert_allclose(b.mean_musd, a.mean_musd, rtol=1e-12, atol=1e-9)
    kind = {"net_cash": "cash", "revenue": "revenue"}
    for i, row in b.iterrows():
        x = rows.yearly(kind[row.measure], row.portfolio)[:, row.year - 1]
        for q in (10, 50, 90):
            col = f"p{q}_musd"
            assert abs(row[col] - a.loc[i, col]) <= _bound(x, q) * (1 + 1e-9)


def test_every_chunk_column_is_summarized(both):
    rows, summ = both
    for name in rows.column_names:
        values = rows.column(name)
        if name == "iteration":
            continue
        s = summ.stats(name)
        assert s.n == values.size
        assert s.mean == pytest.approx(np.nanmean(values.astype(float)), rel=1e-12, abs=1e-12)


def test_summaries_are_bit_identical_across_local_workers(scenario):
    one = sim.run(scenario, summaries_only=True).summary()
    two = sim.run(scenario, backend="local", workers=2, summaries_only=True).summary()
    pd.testing.assert_frame_equal(one, two, check_exact=True)


def test_keep_samples_writes_the_rows_as_parquet_parts(scenario, tmp_path, both):
    rows, _ = both
    r = sim.run(scenario, keep_samples=tmp_path / "samples")
    assert r.summaries_only
    parts = sorted((tmp_path / "samples").glob("part-*.parquet"))
    assert len(parts) == math.ceil(3_000 / 700)
    table = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(table, rows.iterations, check_exact=True)
    with pytest.raises(AttributeError, match="summaries only"):
        _ = r.iterations


def test_save_writes_summary_files_atomically(both, tmp_path):
    _, summ = both
    out = summ.save(tmp_path / "run")
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "cashflows.csv",
        "comparison.csv",
        "manifest.json",
        "scenario.resolved.yaml",
        "summary.csv",
    ]
    back = pd.read_csv(out / "summary.csv").set_index("portfolio")
    assert back.loc["a", "iterations"] == 3_000


def test_streaming_threshold_switches_automatically(monkeypatch):
    import simulator

    monkeypatch.setattr(simulator, "STREAMING_THRESHOLD", 500)
    s = sim.load_scenario(SCENARIOS / "nichebuster.yaml").with_(iterations=500, chunk_size=250)
    big, small = sim.run(s), sim.run(s.with_(iterations=499))
    assert isinstance(big, sim.SummaryResult)
    assert isinstance(small, sim.Result)
    assert big.summaries_only and not big.has_samples  # one type; what it kept differs
    assert small.has_samples and not small.summaries_only


def test_shipped_scenario_with_plants(tmp_path):
    s = sim.load_scenario(SCENARIOS / "nichebuster.yaml").with_(iterations=600, chunk_size=200)
    rows, summ = sim.run(s), sim.run(s, summaries_only=True)
    a, b = rows.summary(), summ.summary()
    assert list(b.columns) == list(a.columns)
    exact = [c for c in a.columns if c not in APPROXIMATE_COLUMNS]
    pd.testing.assert_frame_equal(b[exact], a[exact], rtol=1e-12, check_dtype=False)
    pa_, pb = rows.plant_bands(), summ.plant_bands()
    assert not pa_.empty and list(pb.columns) == list(pa_.columns)
    np.testing.assert_array_equal(pb.launched_share, pa_.launched_share)
    np.testing.assert_allclose(pb["mean"], pa_["mean"], rtol=1e-12, atol=1e-9)
    for i, row in pb.iterrows():
        x = rows.yearly("series", f"{row.portfolio}.{row.asset}.{row.measure}")[:, row.year - 1]
        if not np.isfinite(x).any():
            assert np.isnan(row.p50) and np.isnan(pa_.loc[i, "p50"])
            continue
        for q in (10, 50, 90):
            assert abs(row[f"p{q}"] - pa_.loc[i, f"p{q}"]) <= _bound(x, q) * (1 + 1e-9)
    assert (summ.save(tmp_path / "run") / "plant.csv").is_file()
