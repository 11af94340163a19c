"""Same seed and chunk size, same numbers: whatever the backend or worker count."""

import numpy as np
import pandas as pd
from click.testing import CliRunner
from helpers import asset, make

import simulator as sim
from simulator.cli import main
from simulator.engine.chunk import simulate_chunk


def test_sequential_and_two_local_workers_write_identical_iterations_csv(tmp_path):
    args = ["scenarios/nichebuster.yaml", "-n", "3000", "--chunk-size", "500", "-q", "--csv"]
    runner = CliRunner()
    seq = runner.invoke(main, [*args, "--backend", "sequential", "--out", str(tmp_path / "seq")])
    loc = runner.invoke(
        main, [*args, "--backend", "local", "--workers", "2", "--out", str(tmp_path / "loc")]
    )
    assert seq.exit_code == 0 and loc.exit_code == 0, seq.output + loc.output
    for name in ("iterations.csv", "inputs.csv", "iterations.parquet", "inputs.parquet"):
        assert (tmp_path / "seq" / name).read_bytes() == (tmp_path / "loc" / name).read_bytes()
    assert len(pd.read_csv(tmp_path / "seq" / "iterations.csv")) == 3000


def test_a_chunk_is_a_pure_function_of_scenario_and_index():
    s = make(
        {"p": [asset(p=(0.5, 0.5, 0.5, 0.9), peak_share="pert(0.1, 0.3, 0.4)")]},
        iterations=900,
        chunk_size=300,
    )
    first = simulate_chunk(s, 2).columns
    simulate_chunk(s, 0)  # running another chunk in between changes nothing
    again = simulate_chunk(s, 2).columns
    for k in first:
        np.testing.assert_array_equal(first[k], again[k])
    assert first["iteration"][0] == 600


def test_a_different_seed_gives_different_numbers():
    s = make({"p": [asset(p=(0.5, 0.5, 0.5, 0.9))]}, iterations=500)
    a = sim.run(s).npv("p")
    b = sim.run(s.with_(seed=8)).npv("p")
    assert not np.array_equal(a, b)


def test_adding_an_asset_does_not_reshuffle_the_others():
    one = asset("one", p=(0.5, 0.5, 0.5, 0.9), peak_share="pert(0.1, 0.3, 0.4)")
    two = asset("two", p=(0.7, 0.5, 0.5, 0.9))
    before = sim.run(make({"p": [one]}, iterations=500)).iterations
    after = sim.run(make({"p": [two, one]}, iterations=500)).iterations
    np.testing.assert_array_equal(before["p.one.npv_musd"], after["p.one.npv_musd"])
