"""``simulate voi``: the forward value from paired go and stop runs, EVPI and EVSI on a
scenario, and study files refused with file, line and field."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import asset, make

import simulator as sim
from simulator.cli import main
from simulator.core.errors import ScenarioError
from simulator.studies.voi import forward_values, voi_study
from simulator.studies.voi_file import Study, load_study

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "scenarios" / "nichebuster.yaml"
STUDY = ROOT / "scenarios" / "studies" / "biomarker_study.yaml"


def _study(**kw) -> Study:
    data = {
        "name": "s",
        "decision": {"portfolio": "a", "asset": "x", "gate": "phase2"},
        "study": {"kind": "reading", "input": "commercial.peak_share", "noise_sd": 0.0},
    }
    data.update(kw)
    return Study.model_validate(data)


@pytest.fixture(scope="module")
def share_only():
    # one asset whose only uncertainty after phase II is its peak share (phase III and
    # review succeed half the time): V is linear in the share where phase III succeeds
    x = asset("x", p=(0.8, 0.6, 0.5, 1.0), peak_share="uniform(0.01, 0.2)")
    return make({"a": [x]}, iterations=3000, chunk_size=1000)


def test_forward_value_is_zero_where_the_gate_is_not_reached(share_only):
    go, stop, v, reached = forward_values(share_only, "a", "x", "phase2")
    passed = [go.column(f"input:a.x.phases.{s}.passed").astype(bool) for s in ("phase1", "phase2")]
    np.testing.assert_array_equal(reached, passed[0] & passed[1])
    assert np.all(v[~reached] == 0.0)
    assert not stop.column("a.x.launched")[reached].any()
    np.testing.assert_array_equal(go.npv("a"), sim.run(share_only).npv("a"))  # as written


def test_study_reading_the_only_uncertainty_perfectly_is_worth_its_evppi(share_only):
    inputs, table = voi_study(share_only, _study(), bootstrap=40)
    row = table.iloc[0]
    by_input = inputs.set_index("input").evppi_musd
    assert row.evsi_gross_musd == pytest.approx(row.evppi_input_musd, rel=1e-9)
    assert row.evppi_input_musd == by_input["commercial.peak_share"] > 0
    # the phase III outcome is the other uncertainty: everything known is worth more
    assert row.evpi_musd > row.evppi_input_musd + 3 * row.evpi_se_musd
    assert by_input["phases.phase1.passed"] == 0.0  # constant where the gate is reached
    assert row.evsi_net_musd == row.evsi_gross_musd  # no cost, no delay


@pytest.mark.parametrize("p3, phase3_cost", [(0.5, 100.0), (0.4, 400.0)])
def test_evppi_of_a_stage_outcome_that_decides_the_value_is_its_closed_form(p3, phase3_cost):
    # everything is fixed but the stage outcomes: after phase II, V is V_s where phase III
    # succeeds (probability p3) and V_f < 0 where it fails, so knowing the outcome is
    # knowing everything (EVPPI = EVPI) and is worth, per future,
    # P(reach) [p3 max(V_s, 0) + (1 - p3) max(V_f, 0) - max(E[V], 0)]: the failures' cost
    # saved where going pays on average (p3 0.5), the successes' value where it does not
    x = asset("x", p=(0.8, 0.6, p3, 1.0), cost=(10, 30, phase3_cost, 20))
    s = make({"a": [x]}, iterations=3000, chunk_size=1000)
    go, _, v, reached = forward_values(s, "a", "x", "phase2")
    passed = go.column("input:a.x.phases.phase3.passed").astype(bool)
    v_s, v_f = np.unique(v[reached & passed]), np.unique(v[reached & ~passed])
    assert v_s.size == v_f.size == 1 and v_f[0] < 0 < v_s[0]  # two values given the gate
    share = (reached & passed).mean() / reached.mean()  # p3 among the reaching futures
    mean = share * v_s[0] + (1 - share) * v_f[0]
    assert (mean > 0) == (p3 == 0.5)
    exact = reached.mean() * (share * v_s[0] - max(mean, 0.0))
    outcome = {"kind": "reading", "input": "phases.phase3.passed", "noise_sd": 0.0}
    inputs, table = voi_study(s, _study(study=outcome), bootstrap=20)
    by_input = inputs.set_index("input").evppi_musd
    assert by_input["phases.phase3.passed"] == pytest.approx(exact, rel=1e-9)
    assert table.iloc[0].evsi_gross_musd == pytest.approx(exact, rel=1e-9)  # read exactly
    assert by_input["EVPI (everything known)"] == pytest.approx(exact, rel=1e-9)
    assert exact > 5.0
    assert by_input["phases.phase2.passed"] == 0.0  # constant where the gate is reached


def test_noise_cost_and_delay_lower_the_value(share_only):
    perfect = voi_study(share_only, _study(), bootstrap=20)[1].iloc[0]
    noisy = _study(study={"kind": "reading", "input": "commercial.peak_share", "noise_sd": 0.1})
    noisy = voi_study(share_only, noisy, bootstrap=20)[1].iloc[0]
    assert 0 <= noisy.evsi_gross_musd < perfect.evsi_gross_musd
    paid = voi_study(share_only, _study(cost_musd=10, delay_months=12), bootstrap=20)[1].iloc[0]
    rate = share_only.market.discount_rate_annual
    assert paid.delay_loss_musd == pytest.approx(
        (1 - (1 + rate) ** -1) * (paid.evsi_gross_musd + max(paid.forward_value_musd, 0)),
        rel=1e-9,
    )
    # phase I (12 months) and phase II (24) end at month 36: the cost is discounted from there
    assert paid.cost_musd == pytest.approx(10 * paid.p_reach_gate * (1 + rate) ** -3, rel=0.02)


def test_shipped_study_file_on_the_shipped_scenario():
    study = load_study(STUDY)
    inputs, table = voi_study(sim.load_scenario(SHIPPED), study, iterations=300, bootstrap=20)
    row = table.iloc[0]
    assert row.reads == "cohort.biomarker_prevalence" and 0 < row.p_reach_gate < 1
    assert row.evsi_gross_musd >= 0 and row.cost_musd > 0 and row.delay_loss_musd >= 0
    assert inputs.input.iloc[0].startswith("EVPI")


def _bad(tmp_path, text):
    f = tmp_path / "study.yaml"
    f.write_text(text)
    return f


GOOD = """name: s
decision: {portfolio: nichebuster, asset: onc_kinase_1, gate: phase2}
study:
  kind: biomarker_validation
  patients: 400
cost_musd: 2
"""


@pytest.mark.parametrize(
    "old, new, where, message",
    [
        ("patients: 400", "patients: 0", "study.yaml:5: study.patients", "greater than or equal"),
        ("  patients: 400\n", "", "study.yaml:3: study", "patients or as noise_sd"),
        (
            "kind: biomarker_validation",
            "kind: survey",
            "study.yaml:4: study.kind",
            "one of: biomarker",
        ),
        ("gate: phase2", "gate: phase9", "study.yaml:2: decision", "one of target_to_hit"),
        ("cost_musd: 2", "cost_usd: 2", "study.yaml:6: cost_usd", "unknown key"),
        ("onc_kinase_1", "onc_kinase_9", "study.yaml:2: decision.asset", "known: onc_kinase_1"),
        (
            "kind: biomarker_validation\n  patients: 400",
            "kind: larger_phase2\n  patients: 400",
            "study.yaml:4: study.kind",
            "no effect block",
        ),
    ],
)
def test_a_bad_study_file_exits_2_naming_file_line_and_field(tmp_path, old, new, where, message):
    assert old in GOOD
    f = _bad(tmp_path, GOOD.replace(old, new))
    out = CliRunner().invoke(main, ["voi", str(SHIPPED), "--study", str(f), "-n", "10"])
    assert out.exit_code == 2, out.output
    assert where in out.output and message in out.output, out.output
    assert "Traceback" not in out.output


def test_an_input_the_asset_does_not_sample_is_refused_at_its_field(share_only):
    study = _study(study={"kind": "reading", "input": "commercial.price", "noise_sd": 0.1})
    with pytest.raises(ScenarioError, match=r"samples no 'commercial.price'.*peak_share"):
        voi_study(share_only.with_(iterations=20), study, bootstrap=2)


def test_voi_command_prints_the_tables(tmp_path):
    shutil.copy(STUDY, tmp_path / "study.yaml")
    out = CliRunner().invoke(main, ["voi", str(SHIPPED), "--study", str(tmp_path / "study.yaml"),
                                    "-n", "60", "--format", "json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert '"evsi_net_musd"' in out.output and '"evppi_musd"' in out.output
