"""Broken scenarios: each must stop with exit status 2, name the file, the line and the
field, say what was expected, print no traceback and leave no output behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main

BASE = """\
# a small valid scenario
name: tiny
extends: shared.yaml
simulation:
  iterations: 50
  chunk_size: 25
templates:
  onc:
    start_stage: phase2
    phases:
      phase2: {duration_months: 24, cost_musd: 30, p_success: 0.5}
      phase3:
        duration_months: "pert(20, 30, 40)"
        cost_musd: 80
        p_success: 0.6
      review: {duration_months: 12, cost_musd: 10, p_success: 0.9}
    commercial:
      patients_per_year: 5000
      peak_share: 0.3
      list_price_usd: 100000
      exclusivity_years: 10
portfolios:
  niche:
    risk_groups:
      platform: {correlation: 0.3}
    assets:
      - {template: onc, name: onc, count: 2, risk_group: platform}
  big:
    assets:
      - template: onc
        name: big1
        commercial:
          patients_per_year: 100000
          peak_share: 0.05
"""

SHARED = """\
market:
  discount_rate_annual: 0.1
  tax_rate: 0.2
"""


def edit(old: str, new: str):
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


# (id, change to BASE, extra CLI args, fragments the message must contain, line expected)
CASES = [
    (
        "wrong type",
        edit("iterations: 50", "iterations: fifty"),
        [],
        ["simulation.iterations", "integer"],
        5,
    ),
    (
        "unknown key",
        edit("  chunk_size: 25", "  chunk_size: 25\n  seeed: 3"),
        [],
        ["seeed", "did you mean 'seed'"],
        7,
    ),
    (
        "negative duration",
        edit("duration_months: 24", "duration_months: -24"),
        [],
        ["templates.onc.phases.phase2.duration_months", ">= 0"],
        11,
    ),
    (
        "probability above 1",
        edit("p_success: 0.5", "p_success: 1.5"),
        [],
        ["phase2.p_success", "probability"],
        11,
    ),
    (
        "bad distribution parameters",
        edit('"pert(20, 30, 40)"', '"pert(40, 30, 20)"'),
        [],
        ["phase3.duration_months", "low <= mode <= high"],
        13,
    ),
    (
        "unknown distribution",
        edit('"pert(20, 30, 40)"', '"weibull(2, 3)"'),
        [],
        ["phase3.duration_months", "unknown distribution"],
        13,
    ),
    (
        "unbounded distribution for a duration",
        edit('"pert(20, 30, 40)"', '"normal(30, 5)"'),
        [],
        ["duration_months", "truncate"],
        13,
    ),
    (
        "unquoted distribution in a flow mapping",
        edit("phase2: {duration_months: 24,", "phase2: {duration_months: pert(1, 2, 3),"),
        [],
        ["must be quoted"],
        11,
    ),
    (
        "missing extends file",
        edit("extends: shared.yaml", "extends: nowhere.yaml"),
        [],
        ["extends", "nowhere.yaml", "not found"],
        3,
    ),
    (
        "extends is not a file name",
        edit("extends: shared.yaml", "extends: {a: 1}"),
        [],
        ["extends", "file name"],
        3,
    ),
    ("malformed YAML", edit("  iterations: 50", "  iterations: [50"), [], ["malformed YAML"], None),
    ("tab indentation", edit("  iterations: 50", "\titerations: 50"), [], ["malformed YAML"], None),
    (
        "duplicate key",
        edit("  chunk_size: 25", "  chunk_size: 25\n  chunk_size: 30"),
        [],
        ["duplicate key", "simulation.chunk_size"],
        7,
    ),
    (
        "unknown template",
        edit("template: onc, name: onc", "template: onk, name: onc"),
        [],
        ["template", "unknown template 'onk'", "known: onc"],
        27,
    ),
    ("count not a whole number", edit("count: 2", "count: 2.5"), [], ["count", "whole number"], 27),
    ("count zero", edit("count: 2", "count: 0"), [], ["count", ">= 1"], 27),
    (
        "unknown risk group",
        edit("risk_group: platform}", "risk_group: platfrom}"),
        [],
        ["risk_group", "platfrom"],
        None,
    ),
    (
        "correlation of 1",
        edit("correlation: 0.3", "correlation: 1.0"),
        [],
        ["risk_groups.platform.correlation", "less than 1"],
        25,
    ),
    (
        "missing required field",
        edit("      list_price_usd: 100000\n", ""),
        [],
        ["list_price_usd", "required field is missing"],
        None,
    ),
    (
        "missing phase for start stage",
        edit("start_stage: phase2", "start_stage: phase1"),
        [],
        ["phase1", "missing"],
        None,
    ),
    (
        "unknown stage name",
        edit("      review: {", "      reveiw: {"),
        [],
        ["reveiw", "unknown key"],
        16,
    ),
    (
        "unknown modality",
        edit("start_stage: phase2", "start_stage: phase2\n    modality: pill"),
        [],
        ["modality", "small_molecule"],
        10,
    ),
    (
        "empty portfolios",
        edit("portfolios:\n  niche:", "portfolios: {}\nunused:\n  niche:"),
        [],
        ["unknown key 'unused'"],
        None,
    ),
    (
        "bad asset name",
        edit("name: big1", "name: big 1"),
        [],
        ["portfolios.big.assets[0].name", "letters"],
        31,
    ),
    (
        "duplicate asset names",
        edit(
            "count: 2, risk_group: platform}",
            "count: 2, risk_group: platform}\n      - {template: onc, name: onc_1}",
        ),
        [],
        ["portfolios.niche.assets[1].name", "unique"],
        28,
    ),
    (
        "negative price",
        edit("list_price_usd: 100000", "list_price_usd: -5"),
        [],
        ["list_price_usd", ">= 0"],
        20,
    ),
    (
        "uptake share above 1",
        edit(
            "      exclusivity_years: 10\n",
            "      exclusivity_years: 10\n      uptake_curve: [0.5, 1.2]\n",
        ),
        [],
        ["uptake_curve", "less than or equal to 1"],
        None,
    ),
    (
        "discount rate of 150%",
        edit("simulation:", "market: {discount_rate_annual: 1.5}\nsimulation:"),
        [],
        ["market.discount_rate_annual", "less than 1"],
        4,
    ),
    ("top level is a list", lambda t: "- a\n- b\n", [], ["expected a mapping"], 1),
    ("empty file", lambda t: "", [], ["empty"], None),
    (
        "unknown portfolio in --set",
        None,
        ["--set", "portfolios.nicche.market=1"],
        ["unknown portfolio 'nicche'", "known: niche, big"],
        None,
    ),
    ("--set without '='", None, ["--set", "market.tax_rate"], ["dotted.path=value"], None),
    (
        "--set bad value",
        None,
        ["--set", "market.tax_rate=lots"],
        ["market.tax_rate", "number"],
        None,
    ),
    (
        "--set index out of range",
        None,
        ["--set", "portfolios.niche.assets[5].name=x"],
        ["out of range"],
        None,
    ),
    (
        "--set unknown asset name",
        None,
        ["--set", "portfolios.niche.assets.zzz.name=x"],
        ["no item named 'zzz'"],
        None,
    ),
    (
        "compare names an unknown portfolio",
        edit("portfolios:", "compare: [[niche, bigg]]\nportfolios:"),
        [],
        ["compare[0][1]", "bigg"],
        22,
    ),
]

CASES += [
    (
        "boolean where a number belongs",
        edit("iterations: 50", "iterations: yes"),
        [],
        ["simulation.iterations", "expected a number"],
        5,
    ),
    (
        "compare a portfolio with itself",
        edit("portfolios:", "compare: [[niche, niche]]\nportfolios:"),
        [],
        ["compare[0]", "itself"],
        22,
    ),
]


CGT = edit(
    "        name: big1\n",
    "        name: big1\n        modality: autologous_cell_therapy\n"
    "        manufacturing: {suites: 1, batches_per_suite_month: 2}\n",
)
CASES += [
    (
        "manufacturing for a small molecule",
        edit("        name: big1\n", "        name: big1\n        manufacturing: {suites: 2}\n"),
        [],
        ["manufacturing is for cell and gene therapies", "small_molecule"],
        30,
    ),
    (
        "autologous product with several doses a batch",
        lambda t: CGT(t).replace("batches_per_suite_month: 2}", "doses_per_batch: 4}"),
        [],
        ["one batch per patient", "doses_per_batch must be 1"],
        30,
    ),
    (
        "cost of goods twice: plant and cogs_share",
        lambda t: CGT(t).replace("peak_share: 0.05", "peak_share: 0.05\n          cogs_share: 0.2"),
        [],
        ["cost of goods comes from the plant", "cogs_share"],
        30,
    ),
    (
        "expansion below the suites online",
        lambda t: CGT(t).replace(
            "{suites: 1,", "{suites: 3, expansion: {backlog_threshold: 5, max_suites: 2},"
        ),
        [],
        ["expansion.max_suites (2) must be >= suites (3)"],
        33,
    ),
    (
        "contract manufacturer without slots",
        lambda t: CGT(t).replace(
            "{suites: 1,", "{contract: {slots_per_month: 0, cost_per_batch_musd: 0.3}, suites: 1,"
        ),
        [],
        ["manufacturing.contract.slots_per_month", "greater than or equal to 1"],
        33,
    ),
    (
        "unknown fidelity",
        lambda t: CGT(t).replace("{suites: 1,", "{fidelity: exact, suites: 1,"),
        [],
        ["manufacturing.fidelity", "'fast' or 'event'"],
        33,
    ),
]


def _priced(pricing: str):
    return edit("        name: big1\n", f"        name: big1\n        pricing: {pricing}\n")


def MECH(design: str = "{type: fixed}", effect: str = "{positive: 0.3}", trial: str = ""):
    """The template's phase III in mechanistic mode: a trial, a design, an effect."""
    trial = trial or "{patients: 300, sites: 10, screened_per_site_month: 2}"

    def apply(text: str) -> str:
        text = edit(
            '        duration_months: "pert(20, 30, 40)"\n',
            f"        trial: {trial}\n        design: {design}\n",
        )(text)
        return (
            text
            if effect is None
            else edit(
                "    start_stage: phase2\n", f"    start_stage: phase2\n    effect: {effect}\n"
            )(text)
        )

    return apply


CASES += [
    (
        "annuity for an annual therapy",
        _priced("{contract: {type: annuity, payments: 5}}"),
        [],
        ["pricing", "set price_basis: one_time"],
        32,
    ),
    (
        "unknown contract type",
        _priced("{contract: {type: lease}}"),
        [],
        ["pricing.contract.type", "annuity"],
        32,
    ),
    (
        "response probability above 1",
        _priced("{contract: {type: outcome_based, response_probability: 1.2}}"),
        [],
        ["pricing.contract.response_probability", "probability"],
        32,
    ),
    (
        "warranty without a window",
        _priced("{price_basis: one_time, contract: {type: warranty}}"),
        [],
        ["pricing.contract", "warranty_years > 0"],
        32,
    ),
    (
        "manufactured therapy priced per patient-year",
        lambda t: _priced("{price_basis: annual}")(CGT(t)),
        [],
        ["assets[0]", "manufactured asset's pricing needs price_basis: one_time"],
        30,
    ),
    (
        "IRA without a price cut",
        edit("portfolios:", "market:\n  ira: {probability: 0.5}\nportfolios:"),
        [],
        ["market.ira.price_cut"],
        23,
    ),
]

CASES += [
    (
        "design without an effect",
        MECH(effect=None),
        [],
        [
            "portfolios.niche.assets[0]",
            "has a design (mechanistic mode) but the asset has no effect block",
        ],
        28,
    ),
    (
        "unknown design type",
        MECH("{type: bayesian}"),
        [],
        ["phase3.design", "bayesian", "group_sequential"],
        15,
    ),
    (
        "stage with neither p_success nor a design",
        edit(
            "phase2: {duration_months: 24, cost_musd: 30, p_success: 0.5}",
            "phase2: {duration_months: 24, cost_musd: 30}",
        ),
        [],
        ["templates.onc.phases.phase2", "p_success (benchmark mode) or a design"],
        11,
    ),
    (
        "enrichment in a biomarker-positive trial",
        MECH("{type: enrichment}"),
        [],
        ["enrichment trial starts in all-comers", "enrolment to all_comers"],
        29,
    ),
    (
        "promising zone upside down",
        MECH("{type: ssr, cp_min: 0.9, cp_target: 0.5}"),
        [],
        ["phase3.design", "cp_min (0.9) must be below cp_target (0.5)"],
        15,
    ),
    (
        "binary endpoint without a control rate",
        MECH(effect="{endpoint: binary, positive: 0.1}"),
        [],
        ["templates.onc.effect", "control_rate"],
        10,
    ),
    (
        "looks that do not end at full information",
        MECH("{type: group_sequential, info_fractions: [0.5, 0.9]}"),
        [],
        ["phase3.design", "info_fractions must increase strictly within (0, 1] and end at 1"],
        15,
    ),
]


CASES += [
    (
        "negative time on therapy",
        edit(
            "      exclusivity_years: 10\n",
            "      exclusivity_years: 10\n      therapy: {time_on_therapy: {mean_months: -3}}\n",
        ),
        [],
        ["templates.onc.commercial.therapy.time_on_therapy.mean_months", ">= 0"],
        22,
    ),
    (
        "a patent filed after launch",
        edit("      exclusivity_years: 10\n", "      exclusivity: {patent_filed_month: 500}\n"),
        [],
        [
            "commercial.exclusivity.patent_filed_month may be 500, after the earliest launch (month 56)"
        ],
        27,
    ),
    (
        "an order-of-entry curve that does not start at 1",
        edit(
            "      exclusivity_years: 10\n",
            "      exclusivity_years: 10\n      competition: {order_of_entry_shares: [0.8, 0.5]}\n",
        ),
        [],
        ["templates.onc.commercial.competition.order_of_entry_shares", "start at 1, got 0.8"],
        22,
    ),
    (
        "exclusivity on the calendar and from launch",
        edit(
            "      exclusivity_years: 10\n", "      exclusivity_years: 10\n      exclusivity: {}\n"
        ),
        [],
        ["templates.onc.commercial", "not both"],
        None,
    ),
]


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "shared.yaml").write_text(SHARED)
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    return path


def test_the_base_scenario_is_valid(tmp_path):
    path = _write(tmp_path, BASE)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [str(path), "--out", str(out), "--backend", "sequential", "-q"])
    assert res.exit_code == 0, res.output
    assert (out / "summary.csv").is_file()


@pytest.mark.parametrize(
    ("case", "change", "args", "fragments", "line"), CASES, ids=[c[0] for c in CASES]
)
def test_broken_scenario(tmp_path, case, change, args, fragments, line):
    text = change(BASE) if change else BASE
    path = _write(tmp_path, text)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, [str(path), *args, "--out", str(out), "--backend", "sequential", "-q"]
    )
    message = res.output
    assert res.exit_code == 2, message
    assert "Traceback" not in message
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    if line is not None:
        assert re.search(rf"\.yaml:{line}\b", message), f"line {line} not in:\n{message}"
    if not args:  # a file problem names the file
        assert ".yaml" in message
    assert not out.exists()
    assert not list(tmp_path.glob(".out.partial-*"))


def test_at_least_thirty_kinds():
    assert len(CASES) >= 30


def test_error_in_an_extended_file_names_that_file(tmp_path):
    path = _write(tmp_path, BASE)
    (tmp_path / "shared.yaml").write_text(SHARED.replace("tax_rate: 0.2", "tax_rate: -0.2"))
    res = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 2
    assert re.search(
        r"shared\.yaml:3: market\.tax_rate: .*greater than or equal to 0", res.output
    ), res.output


def test_unwritable_output_is_refused_before_the_run(tmp_path):
    path = _write(tmp_path, BASE)
    (tmp_path / "afile").write_text("x")
    res = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "afile" / "sub"), "-q"])
    assert res.exit_code == 2 and "cannot write the outputs" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize(
    "word, command", [("trails", "trials"), ("sweeep", "sweep"), ("gate", "gates")]
)
def test_a_mistyped_command_is_named_with_the_command_meant(word, command):
    res = CliRunner().invoke(main, [word, "scenarios/nichebuster.yaml"])
    assert res.exit_code == 2
    assert f"No such command '{word}'. Did you mean '{command}'?" in res.output
    assert "Traceback" not in res.output


def test_a_scenario_file_is_still_run_and_a_far_word_read_as_one(tmp_path):
    # a missing file far from every command is read as the scenario (the default command)
    res = CliRunner().invoke(main, ["xyz"])
    assert res.exit_code == 2
    assert "No such command" not in res.output and "file not found" in res.output
    # an existing file named like a command is a scenario, not a typo
    with CliRunner().isolated_filesystem(temp_dir=tmp_path):
        Path("trails").write_text("name: [unclosed\n")
        res = CliRunner().invoke(main, ["trails"])
    assert res.exit_code == 2 and "No such command" not in res.output
