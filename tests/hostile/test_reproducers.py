"""Every reproducer of issue 13, against a copy of the shipped scenarios: exit 2 with no
traceback and nothing new on disk, or, where the input is valid, a run whose summaries
are finite (NaN only where a figure is undefined)."""

from __future__ import annotations

import shutil

import pytest

from hostile.common import SCENARIOS, assert_ran, assert_refused, invoke, snapshot

T = "templates."
GSD = "portfolios.nichebuster.assets.onc_kinase_gsd.phases."
ENRICH = "portfolios.nichebuster.assets.onc_io_enrich.phases.phase3.design."


def _laughs() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    return "name: x\n" + "\n".join(lines) + "\n"


def _set(path: str, value: str) -> list[str]:
    return ["--set", f"{path}={value}"]


NEVER = [a for t in ("all_comer_primary_care", "targeted_oncology", "rare_disease_biologic",
                     "autologous_car_t", "aav_gene_therapy")
         for a in _set(f"{T}{t}.phases.phase1.p_success", "0")]  # fmt: skip

# (id, the probe file's text or None for the shipped scenario, CLI arguments, fragments)
REFUSED = [
    ("1 control character", "name: x\x01\n", [], ["code 0x01"]),
    ("1 extends a non-text file", "name: x\nextends: blob.bin\n", [], ["not a UTF-8 text file"]),
    ("1 recursive alias", "name: x\na: &a [*a]\n", [], ["recursive alias"]),
    ("1 nesting 5,000 deep", "name: x\nd: " + "[" * 5000 + "]" * 5000 + "\n", [], ["nest more"]),
    ("1 billion laughs", _laughs(), [], ["expands to more than"]),
    ("2 count: 10000000", None, _set("portfolios.nichebuster.assets[0].count", "10000000"), ["count"]),
    ("3 cost_per_batch_musd: .inf", None, _set(f"{T}autologous_car_t.manufacturing.cost_per_batch_musd", ".inf"), ["finite"]),
    ("3 fixed_cost_per_suite_year_musd: .inf", None, _set(f"{T}autologous_car_t.manufacturing.fixed_cost_per_suite_year_musd", ".inf"), ["finite"]),
    ("3 capex_per_suite_musd: .inf", None, _set(f"{T}autologous_car_t.manufacturing.expansion.capex_per_suite_musd", ".inf"), ["finite"]),
    ("3 logistics_per_shipment_musd: .inf", None, _set(f"{T}autologous_car_t.manufacturing.logistics_per_shipment_musd", ".inf"), ["finite"]),
    ("3 lead_months: .inf", None, _set(f"{T}autologous_car_t.manufacturing.expansion.lead_months", ".inf"), ["finite"]),
    ("3 ira.small_molecule_years: .inf", None, _set("market.ira.small_molecule_years", ".inf"), ["finite"]),
    ("3 ira.biologic_years: .inf", None, _set("market.ira.biologic_years", ".inf"), ["finite"]),
    ("3 futility_gamma: .nan", None, _set(f"{GSD}phase3.design.futility_gamma", ".nan"), ["finite"]),
    ("3 NaN in info_fractions", None, _set(f"{GSD}phase3.design.info_fractions", "[0.5, .nan, 1.0]"), ["finite"]),
    ("3 go_z: .nan", None, _set(f"{GSD}phase2.design.go_z", ".nan"), ["finite"]),
    ("3 enrich_below: .nan", None, _set(f"{ENRICH}enrich_below", ".nan"), ["finite"]),
    ("3 discount_rate_annual: .nan", None, _set("market.discount_rate_annual", ".nan"), ["expected a finite number, got nan"]),
    ("4 a trial at 0 sites", None, _set(f"{T}targeted_oncology.phases.phase3.trial.sites", "0"), ["never enrols"]),
    ("4 0 screened per site", None, _set(f"{T}targeted_oncology.phases.phase3.trial.screened_per_site_month", "0"), ["never enrols"]),
    ("4 duration_months: 1.0e+300", None, _set(f"{T}all_comer_primary_care.phases.phase1.duration_months", "1.0e+300"), ["magnitude"]),
    ("4 a price of 1e308", None, _set(f"{T}all_comer_primary_care.commercial.list_price_usd", "1.0e+308"), ["magnitude"]),
    ("4 an incidence of 1e308", None, _set(f"{T}targeted_oncology.cohort.incidence_per_year", "1.0e+308"), ["magnitude"]),
    ("5 missing scheduler file", None, ["--scheduler", "nowhere.json"], ["no Dask scheduler file"]),
    ("5 a 300-character scenario name", None, _set("name", "a" * 300), ["at most 100 characters"]),
    ("7 extends ../../../../etc/passwd", "name: x\nextends: " + "../" * 40 + "etc/passwd\n", [], ["is outside"]),
    ("7 extends an absolute path", "name: x\nextends: /etc/passwd\n", [], ["is outside"]),
    ("8 --set market..tax_rate=0.2", None, _set("market..tax_rate", "0.2"), ["empty name"]),
    ("8 --out file/sub", None, ["--out", "afile/sub"], ["afile is a file, not a folder"]),
]  # fmt: skip

VALID = [
    ("4 biomarker prevalence 0", _set(f"{T}targeted_oncology.cohort.biomarker_prevalence", "0")),
    (
        "4 biomarker prevalence 0, a test without false positives",
        _set(f"{T}targeted_oncology.cohort.biomarker_prevalence", "0")
        + _set(f"{T}targeted_oncology.cohort.testing.specificity", "1"),
    ),
    (
        "4 biomarker prevalence 1e-9",
        _set(f"{T}targeted_oncology.cohort.biomarker_prevalence", "1.0e-9"),
    ),
    ("4 nothing launches", NEVER),
]


def _probe(tmp_path, text):
    work = tmp_path / "work"
    shutil.copytree(SCENARIOS, work / "scenarios")
    (work / "afile").write_text("x")
    (work / "scenarios" / "blob.bin").write_bytes(bytes(range(256)) * 4)
    if text is None:
        return work, work / "scenarios" / "nichebuster.yaml"
    (work / "scenarios" / "probe.yaml").write_text(text)
    return work, work / "scenarios" / "probe.yaml"


@pytest.mark.parametrize(
    ("case", "text", "args", "fragments"), REFUSED, ids=[c[0] for c in REFUSED]
)
def test_reproducer_is_refused(tmp_path, case, text, args, fragments):
    work, scenario = _probe(tmp_path, text)
    before = snapshot(tmp_path)
    backend = [] if "--scheduler" in args else ["--backend", "sequential"]
    res = invoke([scenario, "-n", "200", *backend, "-q", *args], work)
    assert_refused(res, tmp_path, before, *fragments)


@pytest.mark.slow
def test_unreachable_scheduler_leaves_nothing(tmp_path):
    work, scenario = _probe(tmp_path, None)
    before = snapshot(tmp_path)
    res = invoke([scenario, "-n", "200", "-q", "--scheduler", "tcp://127.0.0.1:9"], work)
    assert_refused(res, tmp_path, before, "cannot reach the Dask scheduler")


@pytest.mark.slow
@pytest.mark.parametrize(("case", "args"), VALID, ids=[c[0] for c in VALID])
def test_valid_reproducer_runs_to_finite_summaries(tmp_path, case, args):
    work, scenario = _probe(tmp_path, None)
    out = work / "out"
    full = case != "4 biomarker prevalence 1e-9"  # the report, plots and workbook too
    more = [] if full else ["--summaries-only"]
    args = [scenario, "-n", "200", "--backend", "sequential", "-q", "--out", out, *more, *args]
    res = invoke(args, work)
    summary = assert_ran(res, out).set_index("portfolio")
    assert (out / "report.html").is_file() == full
    if case == "4 nothing launches":
        assert (summary["launches_mean"] == 0).all()
        assert "never succeeds" in res.output
    if case == "4 biomarker prevalence 0":  # the test's false positives are all it finds
        assert "is a false positive" in res.output and "never recruits" not in res.output
    if case == "4 biomarker prevalence 0, a test without false positives":  # q = 0
        assert "never recruits" in res.output
        for asset in ("onc_kinase_1", "onc_kinase_2", "onc_kinase_3"):
            assert f"nichebuster.{asset}: nobody tests biomarker-positive" in res.output
    if case == "4 biomarker prevalence 1e-9":  # recruitment takes centuries: finite costs
        assert summary["capitalized_cost_per_launch_musd"].notna().all()
