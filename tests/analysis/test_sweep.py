"""Sweeps: a grid of variants on common random numbers, through one executor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import asset, make

import simulator as sim
from simulator.cli import main
from simulator.engine import run_chunks
from simulator.engine.runner import run_variants
from simulator.results.metrics import paired_difference
from simulator.studies.sweep import grid, parse_vary, plot_heatmap, sweep


def _scenario(iterations: int = 600):
    a = asset("a", p=(0.7, 0.5, 0.6, 0.9), list_price_usd="uniform(60000, 140000)")
    b = asset("b", p=(0.6, 0.4, 0.6, 0.9), peak_share="pert(0.1, 0.3, 0.5)")
    return make({"a": [a], "b": [b]}, iterations=iterations, chunk_size=250)


def test_parse_vary_reads_values_as_yaml_and_rejects_bad_text():
    assert parse_vary("market.tax_rate=0.1,0.2") == ("market.tax_rate", [0.1, 0.2])
    assert parse_vary('x.y="pert(1, 2, 3)",4') == ("x.y", ["pert(1, 2, 3)", 4])
    for bad in ("market.tax_rate", "=1,2", "market.tax_rate=", "a=[1,"):
        with pytest.raises(ValueError):
            parse_vary(bad)


def test_grid_is_every_combination_last_path_fastest():
    g = grid({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(g) == 6
    assert g[0] == {"a": 1, "b": "x"} and g[1] == {"a": 1, "b": "y"} and g[-1] == {"a": 2, "b": "z"}


def test_every_variant_equals_its_own_run_and_the_base_cell_reproduces_the_base():
    s = _scenario()
    base = sim.run(s)
    rate = s.market.discount_rate_annual
    varies = {
        "market.discount_rate_annual": [0.05, rate],
        "portfolios.a.assets.a.commercial.peak_share": [0.2, 0.3, 0.4],  # 0.3 is the base
    }
    table = sweep(s, varies)
    rate_path, share_path = varies
    assert len(table) == 6
    assert list(table.columns[:2]) == list(varies)
    cell = table[(table[rate_path] == rate) & (table[share_path] == 0.3)]
    assert len(cell) == 1
    expected = paired_difference(base.npv("a"), base.npv("b"))
    for k in ("diff_mean_musd", "diff_mcse_musd", "prob_a_beats_b"):
        assert cell.iloc[0][k] == expected[k]  # exactly: the same random numbers
    assert cell.iloc[0]["mean_b_musd"] == float(np.mean(base.npv("b")))
    # portfolio b does not depend on a's peak share: identical in every cell of a row
    for _, rows in table.groupby(rate_path):
        assert rows["mean_b_musd"].nunique() == 1
    # a higher peak share never lowers the mean difference (same futures, more revenue)
    for _, rows in table.groupby(rate_path):
        assert rows["diff_mean_musd"].is_monotonic_increasing


def test_run_variants_matches_run_chunks_on_each_variant():
    s = _scenario(iterations=400)
    variants = [s, s.with_({"market.tax_rate": 0.2})]
    outs = run_variants(variants)
    for v, out in zip(variants, outs, strict=True):
        ref = run_chunks(v, backend="sequential")
        assert out.columns.keys() == ref.columns.keys()
        for k in ref.columns:
            np.testing.assert_array_equal(out.columns[k], ref.columns[k])
        for p in v.portfolios:
            np.testing.assert_array_equal(out.yearly_cash_musd[p], ref.yearly_cash_musd[p])


def test_heatmap_has_one_cell_per_grid_point():
    from matplotlib.figure import Figure

    table = sweep(
        _scenario(iterations=200),
        {"market.discount_rate_annual": [0.05, 0.1], "market.tax_rate": [0.0, 0.1, 0.2]},
    )
    for value in ("diff_mean_musd", "prob_a_beats_b"):
        ax = plot_heatmap(table, value=value, ax=Figure().subplots())
        image = ax.get_images()[0].get_array()
        assert image.shape == (2, 3)
        assert np.isfinite(image).all()
        assert len(ax.texts) == 6
        assert "market.tax_rate" in ax.get_xlabel()


def test_one_varied_path_is_drawn_as_a_line_with_its_mc_band():
    from matplotlib.figure import Figure

    table = sweep(_scenario(iterations=200), {"market.tax_rate": [0.0, 0.1, 0.2]})
    ax = plot_heatmap(table, ax=Figure().subplots())
    assert ax.get_images() == []  # no one-column heatmap
    line = next(ln for ln in ax.lines if len(ln.get_xdata()) == 3)
    np.testing.assert_array_equal(line.get_xdata(), [0.0, 0.1, 0.2])
    np.testing.assert_array_equal(line.get_ydata(), table["diff_mean_musd"])
    assert "market.tax_rate" in ax.get_xlabel()


def test_cli_sweep_writes_the_grid_table_and_heatmaps(tmp_path):
    path = tmp_path / "s.yaml"
    import yaml
    from helpers import scenario_dict

    a = asset("a", p=(0.7, 0.5, 0.6, 0.9), list_price_usd="uniform(60000, 140000)")
    b = asset("b", p=(0.6, 0.4, 0.6, 0.9))
    path.write_text(yaml.safe_dump(scenario_dict({"a": [a], "b": [b]}, iterations=200)))
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "-q", "--backend", "sequential"]
    args += ["--vary", "market.discount_rate_annual=0.05,0.1", "--vary", "market.tax_rate=0,0.2"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "P(a > b)" in res.output
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "scenario.resolved.yaml",
        "sweep.csv",
        "sweep_diff_heatmap.png",
        "sweep_prob_heatmap.png",
    ]
    import hashlib
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == sim.load_scenario(path).simulation.seed
    assert manifest["code_fingerprint"] and manifest["command"]
    for name, digest in manifest["file_sha256"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert sim.load_scenario(out / "scenario.resolved.yaml").name == manifest["scenario"]
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 4
    assert {"market.discount_rate_annual", "market.tax_rate", "prob_a_beats_b"} <= set(table)


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("market.discount_rat=0.1,0.2", "--vary: market.discount_rat: unknown key"),
        ("market.tax_rate=0.1,abc", "--vary: market.tax_rate: Input should be a valid number"),
        ("market.tax_rate=0.1,1.5", "--vary: market.tax_rate:"),
        ("market.tax_rate", "--vary: expected dotted.path=v1,v2"),
    ],
)
def test_cli_sweep_bad_vary_exits_2_and_writes_nothing(tmp_path, vary, message):
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["sweep", "scenarios/nichebuster.yaml", "-n", "10", "--vary", vary, "--out", str(out)]
    )
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == []
