"""Gates in a run: kill rates in closed form, kills that change nothing else, killed
programmes that stop spending and earn nothing, the no-gates baseline bit for bit, and
bad rules refused."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import integrate, stats

import simulator as sim
from simulator.cli import main
from simulator.studies.gates import gates_study, without_gates

ROOT = Path(__file__).resolve().parents[3]
GATED = ROOT / "scenarios" / "gates.yaml"
N = 600


@pytest.fixture(scope="module")
def runs():
    s = sim.load_scenario(GATED).with_(iterations=N)
    return s, sim.run(s), sim.run(without_gates(s))


def test_baseline_is_the_shipped_scenario_bit_for_bit(runs):
    _, _, baseline = runs
    shipped = sim.load_scenario(ROOT / "scenarios" / "nichebuster.yaml")
    shipped = sim.run(shipped.with_(iterations=N))
    for p in shipped.portfolios:
        np.testing.assert_array_equal(baseline.npv(p), shipped.npv(p))


def test_kill_rate_at_phase1_is_the_closed_form(runs):
    # prevalence ~ beta(10, 190), reading = prevalence + 0.02 e, stop where reading < 0.04:
    # P(stop) = E_p[Phi((0.04 - p) / 0.02)], whatever phase I's outcome
    _, policy, _ = runs
    prior = stats.beta(10, 190)
    p_stop, _ = integrate.quad(lambda p: prior.pdf(p) * stats.norm.cdf((0.04 - p) / 0.02), 0, 1)
    stops, reached = [], []
    for i in (1, 2, 3):
        col = f"nichebuster.onc_kinase_{i}"
        stops.append(policy.column(f"{col}.killed_phase1"))
        reached.append(policy.column(f"input:{col}.phases.phase1.passed").astype(bool))
    stops, reached = np.concatenate(stops), np.concatenate(reached)
    rate = stops[reached].mean()
    se = np.sqrt(p_stop * (1 - p_stop) / reached.sum())
    assert abs(rate - p_stop) < 4 * se
    assert not stops[~reached].any()  # a stage that failed never reaches its gate


def test_a_killed_programme_spends_nothing_later_and_earns_nothing(runs):
    _, policy, baseline = runs
    col = "nichebuster.onc_kinase_1"
    killed = policy.column(f"{col}.killed_phase1").astype(bool) | policy.column(
        f"{col}.killed_phase2"
    ).astype(bool)
    assert killed.any()
    assert not policy.column(f"{col}.launched")[killed].any()
    assert not policy.column(f"{col}.revenue_recognised_musd")[killed].any()
    spent = policy.column(f"{col}.rd_pv_musd")[killed]
    assert np.all(spent <= baseline.column(f"{col}.rd_pv_musd")[killed] + 1e-9)
    assert np.all(spent > 0)  # the sunk cost of the stages before the gate stays


def test_an_iteration_without_kills_is_unchanged(runs):
    s, policy, baseline = runs
    for p, port in s.portfolios.items():
        any_kill = np.zeros(N, dtype=bool)
        for a in port.assets:
            if a.gates is not None:
                for g, _ in a.gates.rules():
                    any_kill |= policy.column(f"{p}.{a.name}.killed_{g}").astype(bool)
        assert (~any_kill).any()
        # equal up to rounding: the launched rows are summed as a matrix of another shape
        same = ~any_kill
        np.testing.assert_allclose(
            policy.npv(p)[same], baseline.npv(p)[same], rtol=1e-12, atol=1e-9
        )
        for a in port.assets:  # and no asset's R&D cost rises where nothing was stopped
            rd = f"{p}.{a.name}.rd_pv_musd"
            assert np.all(policy.column(rd)[same] <= baseline.column(rd)[same] + 1e-9)


def test_study_option_value_is_the_paired_difference(runs):
    s, policy, baseline = runs
    portfolios, assets = gates_study(s)
    row = portfolios.set_index("portfolio").loc["nichebuster"]
    d = policy.npv("nichebuster") - baseline.npv("nichebuster")
    assert row.option_value_musd == pytest.approx(d.mean())
    assert row.option_value_se_musd == pytest.approx(d.std(ddof=1) / np.sqrt(N))
    assert set(assets.asset) >= {"onc_kinase_1", "onc_io_enrich"}
    assert "bb_1" not in set(assets.asset)  # no gates, no row


@pytest.mark.parametrize(
    "rule, message",
    [
        ("peak_share_reading >= 0.1", "signals allowed here: prevalence_reading"),
        ("prevalence_reading >=", "malformed expression"),
        ("__import__('os')", "Call is not allowed"),
    ],
)
def test_bad_rule_exits_2_naming_the_gate_and_signals(tmp_path, rule, message):
    shutil.copytree(ROOT / "scenarios" / "base", tmp_path / "base")  # extends stays inside
    text = (ROOT / "scenarios" / "nichebuster.yaml").read_text()
    (tmp_path / "nichebuster.yaml").write_text(text)
    (tmp_path / "bad.yaml").write_text(
        "name: bad\nextends: [nichebuster.yaml]\ntemplates:\n  targeted_oncology:\n"
        "    gates:\n      readings:\n"
        "        prevalence_reading: {revealed_after: phase1, noise_sd: 0.02}\n"
        f'      phase1: {{continue_if: "{rule}"}}\n'
    )
    out = CliRunner().invoke(main, ["gates", str(tmp_path / "bad.yaml"), "-n", "10"])
    assert out.exit_code == 2, out.output
    assert "gates.phase1.continue_if" in out.output and message in out.output
    assert "Traceback" not in out.output


def test_gates_command_prints_the_tables():
    out = CliRunner().invoke(main, ["gates", str(GATED), "-n", "50"])
    assert out.exit_code == 0, out.output
    assert "option_value_musd" in out.output and "kill_rate_phase1" in out.output


def test_report_section_shows_the_kill_rates(runs):
    from simulator.report.decisions import decisions_section, kill_rates
    from simulator.report.page import Context

    _, policy, baseline = runs
    rates = kill_rates(policy)
    row = rates[(rates.asset == "onc_kinase_1") & (rates.gate == "phase1")].iloc[0]
    assert row.kill_rate == pytest.approx(
        policy.column("nichebuster.onc_kinase_1.killed_phase1").mean()
    )
    assert kill_rates(baseline).empty
    assert decisions_section(baseline, None) is None
    ctx = Context()
    assert "onc_kinase_1" in decisions_section(policy, ctx).body
