"""The readiness study (each mechanism on and off, same futures) and bad readiness input."""

import re

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from helpers import asset, make, scenario_dict

import simulator as sim
from simulator.cli import main
from simulator.studies.readiness import present, readiness_table, without


def readied(name="drug"):
    a = asset(name, exclusivity_years=40)
    a["selection_biomarker"] = True
    a["biomarker_standard"] = {
        "hazard_per_year": 0.05,
        "revalidation_cost_musd": 5,
        "revalidation_months": 6,
    }
    a["surveillance"] = {
        "signal_hazard_per_year": 0.05,
        "p_withdrawal": 0.3,
        "rems_usd_per_patient_year": 500,
    }
    a["evidence"] = {
        "reassessment": {"after_years": 4, "p_keep_price": 0.4, "price_cut_share": 0.3},
        "rwe": {"cost_musd_per_year": 2, "years": 4, "p_keep_price": 0.8},
    }
    return a


def test_without_a_mechanism_is_the_scenario_without_its_block():
    s = make({"p": [readied()], "q": [asset("plain")]}, iterations=200, chunk_size=200)
    assert present(s) == {
        m: ["p.drug"] for m in ("biomarker_standard", "surveillance", "reassessment", "rwe")
    }
    bare = asset("drug", exclusivity_years=40)
    bare["selection_biomarker"] = True
    ref = sim.run(make({"p": [bare], "q": [asset("plain")]}, iterations=200, chunk_size=200))
    off = s
    for m in ("biomarker_standard", "surveillance", "reassessment", "rwe"):
        off = without(off, m)
    assert present(off) == {}
    np.testing.assert_array_equal(sim.run(off).npv("p"), ref.npv("p"))


def test_table_reports_the_paired_effect_of_each_mechanism():
    s = make({"p": [readied()], "q": [asset("plain")]}, iterations=400, chunk_size=200)
    table = readiness_table(s)
    assert list(table["mechanism"]) == ["biomarker_standard", "surveillance", "reassessment", "rwe"]
    assert set(table["portfolio"]) == {"p"}  # q uses none
    base = sim.run(s).npv("p")
    for r in table.itertuples():
        diff = base - sim.run(without(s, r.mechanism)).npv("p")
        assert r.effect_musd == pytest.approx(diff.mean())
        assert r.effect_se_musd == pytest.approx(diff.std(ddof=1) / np.sqrt(diff.size))
    streamed = readiness_table(s, summaries_only=True)  # paired chunk by chunk, flat memory
    for c in ("npv_with_musd", "npv_without_musd", "effect_musd", "effect_se_musd"):
        np.testing.assert_allclose(streamed[c], table[c], rtol=1e-9)
    for c in ("p_raises_npv", "p_changes_npv"):
        np.testing.assert_array_equal(streamed[c], table[c])
    by = table.set_index("mechanism")
    assert by.loc["surveillance", "effect_musd"] < 0  # costs and a withdrawal risk
    assert by.loc["reassessment", "effect_musd"] < 0  # a price cut risk


def test_readiness_command_writes_its_table(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_dict({"p": [readied()]}, iterations=60, chunk_size=60)))
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["readiness", str(path), "--out", str(out), "--backend", "sequential"]
    )
    assert res.exit_code == 0, res.output
    table = (out / "readiness.csv").read_text()
    assert table.count("\n") == 5 and "rwe" in res.output
    assert "<table>" in (out / "readiness.html").read_text()


BAD = [
    ("surveillance", "signal_hazard_per_year", 13, "at most 1 a month"),
    ("biomarker_standard", "hazard_per_year", 24, "at most 1 a month"),
    ("surveillance", "p_restriction", 0.9, "p_withdrawal + p_restriction"),
]


@pytest.mark.parametrize(("block", "field", "value", "fragment"), BAD)
def test_bad_readiness_input_exits_2_naming_file_line_and_field(
    tmp_path, block, field, value, fragment
):
    data = scenario_dict({"p": [readied()]}, iterations=20, chunk_size=20)
    data["portfolios"]["p"]["assets"][0][block][field] = value
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [str(path), "--out", str(out), "-q"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and fragment in res.output
    assert re.search(r"bad\.yaml:\d+", res.output) and f"{block}" in res.output
    if block != "surveillance" or field != "p_restriction":
        assert f"{block}.{field}" in res.output
    assert not out.exists()


def test_follow_up_on_a_small_molecule_is_refused(tmp_path):
    a = asset()
    a["surveillance"] = {"long_term_follow_up": {"usd_per_patient_year": 1000}}
    with pytest.raises(sim.ScenarioError, match="cell and gene therapies"):
        make({"p": [a]})


def test_without_logistics_the_plant_runs_its_own_numbers():
    from pillars.manufacturing.test_step import _drug

    fresh = _drug({"logistics": {"product": "fresh", "transit_loss_prob": 0.2}})
    own = _drug({})
    s = make({"p": [fresh]}, iterations=200, chunk_size=200)
    assert present(s) == {"logistics": ["p.cart"]}
    off = without(s, "logistics")
    assert present(off) == {}
    ref = sim.run(make({"p": [own]}, iterations=200, chunk_size=200))
    np.testing.assert_array_equal(sim.run(off).npv("p"), ref.npv("p"))
    table = readiness_table(s)
    assert list(table["mechanism"]) == ["logistics"]
    assert table["effect_musd"].iloc[0] < 0  # 20% of the shipments lost, nothing saved


def test_without_the_priority_policy_slots_go_first_come_first_served():
    from pillars.manufacturing.test_step import _drug

    rule = {"policy": "progression_risk", "high_risk_share": 0.3, "hazard_ratio": 5}
    tight = {"fidelity": "event", "batches_per_suite_month": 4, "dropout_hazard_monthly": 0.2}
    few = dict(iterations=12, chunk_size=12)
    s = make({"p": [_drug({**tight, "allocation": rule}, patients_per_year=60)]}, **few)
    assert present(s) == {"allocation": ["p.cart"]}
    fcfs = _drug({**tight, "allocation": {**rule, "policy": "first_come_first_served"}},
                 patients_per_year=60)  # fmt: skip
    ref = make({"p": [fcfs]}, iterations=12, chunk_size=12)
    assert present(ref) == {}  # FCFS is the baseline, not a mechanism
    off = without(s, "allocation")
    np.testing.assert_array_equal(sim.run(off).npv("p"), sim.run(ref).npv("p"))
    assert not np.array_equal(sim.run(s).npv("p"), sim.run(ref).npv("p"))  # the policy acts
