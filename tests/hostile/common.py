"""What every hostile-input test asserts, in one place.

A run of the command line ends in one of two ways, and nothing else is acceptable:

- **refused**: exit status 2, a message that starts with ``error:``, no traceback, and
  nothing new on disk (no output folder, no empty ``runs/``, no staging folder);
- **ran**: exit status 0 and every summary figure finite, or NaN only where the figure is
  undefined by construction (:func:`undefined_reason`), with no warning of numpy's on the
  way (``RuntimeWarning`` is an error inside :func:`invoke`).
"""

from __future__ import annotations

import math
import os
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner, Result

from simulator.cli import main
from simulator.results.metrics import DEAL_METRICS

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

#: A small valid scenario every class of test edits: two portfolios; a biomarker-selected
#: template whose trials recruit from its cohort, stamped out twice with count; a cell
#: therapy with its plant; a mechanistic asset with a group-sequential trial; an enrichment
#: trial; an all-comer asset; the IRA.
SMALL = """\
name: small
simulation: {iterations: 40, chunk_size: 20, seed: 11}
market:
  discount_rate_annual: 0.1
  tax_rate: 0.2
  horizon_years: 20
  ira: {probability: 0.5, price_cut: 0.2, small_molecule_years: 9, biologic_years: 13}
templates:
  onc:
    start_stage: phase2
    phases:
      phase2:
        cost_musd: 20
        p_success: 0.5
        trial: {patients: 100, sites: 20, screened_per_site_month: 3, startup_months: 3,
                followup_months: 6, screening_cost_usd: 1000}
      phase3: {duration_months: "pert(20, 30, 40)", cost_musd: 80, p_success: 0.6}
      review: {duration_months: 12, cost_musd: 10, p_success: 0.9}
    cohort:
      incidence_per_year: 20000
      biomarker_prevalence: beta(a=10, b=90)
      treatable_fraction: 0.6
      testing: {initial_rate: 0.3, mature_rate: 0.8, ramp_years: 3,
                sensitivity: 0.95, specificity: 0.98}
    commercial:
      peak_share: 0.3
      list_price_usd: 100000
      exclusivity_years: 10
portfolios:
  niche:
    assets:
      - {template: onc, name: onc, count: 2}
      - name: cart
        modality: autologous_cell_therapy
        start_stage: phase3
        phases:
          phase3: {duration_months: 24, cost_musd: 60, p_success: 0.6}
          review: {duration_months: 10, cost_musd: 20, p_success: 0.85}
        commercial: {patients_per_year: 3000, peak_share: 0.3, list_price_usd: 400000,
                     exclusivity_years: 12}
        pricing: {price_basis: one_time}
        manufacturing:
          suites: 1
          batches_per_suite_month: 20
          expansion: {backlog_threshold: 40, lead_months: 18, max_suites: 3,
                      capex_per_suite_musd: 30}
          cost_per_batch_musd: 0.15
      - name: gsd
        start_stage: phase3
        effect: {endpoint: continuous, positive: "normal(0.3, 0.1)"}
        phases:
          phase3:
            cost_musd: 50
            trial: {patients: 200, sites: 20, screened_per_site_month: 3}
            design: {type: group_sequential, info_fractions: [0.5, 1.0], futility: hsd,
                     futility_gamma: -2}
          review: {duration_months: 10, cost_musd: 20, p_success: 0.9}
        cohort: {incidence_per_year: 20000, biomarker_prevalence: 0.2}
        commercial: {peak_share: 0.3, list_price_usd: 100000, exclusivity_years: 10}
      - name: enrich
        start_stage: phase3
        effect: {endpoint: continuous, positive: 0.3, negative: 0.05}
        phases:
          phase3:
            cost_musd: 50
            trial: {patients: 300, enrolment: all_comers, sites: 20, screened_per_site_month: 5}
            design: {type: enrichment, interim_fraction: 0.5, enrich_below: 0.1}
          review: {duration_months: 10, cost_musd: 20, p_success: 0.9}
        cohort: {incidence_per_year: 20000, biomarker_prevalence: 0.3}
        commercial: {peak_share: 0.3, list_price_usd: 100000, exclusivity_years: 10}
  big:
    assets:
      - name: big1
        start_stage: phase3
        phases:
          phase3: {duration_months: 30, cost_musd: 150, p_success: 0.55}
          review: {duration_months: 12, cost_musd: 40, p_success: 0.83}
        commercial:
          patients_per_year: 100000
          peak_share: 0.05
          list_price_usd: 30000
          exclusivity_years: 10
"""


def snapshot(folder: Path) -> set[str]:
    """Every path under ``folder`` (hidden ones too), relative to it."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@contextmanager
def inside(folder: Path):
    """Run with ``folder`` as the working directory (where a default ``runs/`` would go)."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def invoke(args: list[str], folder: Path) -> Result:
    """``simulate ARGS`` in ``folder``, numpy's RuntimeWarnings raised as errors."""
    with inside(folder), warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return CliRunner().invoke(main, [str(a) for a in args])


def crashed(res: Result) -> str | None:
    """How the command failed other than by a clean exit, if it did."""
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        return f"{type(res.exception).__name__}: {res.exception}"
    if "Traceback" in res.output:
        return "a traceback in the output"
    return None


def assert_refused(res: Result, folder: Path, before: set[str], *fragments: str) -> str:
    """Exit 2, a one-line reason, no traceback, nothing new under ``folder``."""
    assert crashed(res) is None, crashed(res) + "\n" + res.output
    assert res.exit_code == 2, f"exit {res.exit_code}:\n{res.output}"
    assert "error:" in res.output.lower(), res.output
    for fragment in fragments:
        assert fragment in res.output, f"{fragment!r} not in:\n{res.output}"
    new = snapshot(folder) - before
    assert not new, f"left behind: {sorted(new)}"
    return res.output


def assert_ran(res: Result, out: Path) -> pd.DataFrame:
    """Exit 0 and finite summaries (NaN only where undefined) in ``out``."""
    assert crashed(res) is None, crashed(res) + "\n" + res.output
    assert res.exit_code == 0, f"exit {res.exit_code}:\n{res.output}"
    summary = pd.read_csv(out / "summary.csv")
    for name in ("summary.csv", "comparison.csv", "cashflows.csv"):
        if name == "comparison.csv" and not (out / name).read_text().strip():
            continue  # one portfolio: no pair to compare (the file is empty)
        table = pd.read_csv(out / name).select_dtypes("number")
        assert not np.isinf(table.to_numpy()).any(), f"an infinite value in {name}"
    assert np.isfinite(summary["npv_mean_musd"]).all()
    return summary


#: Summary figures that are undefined by construction, and when.
UNDEFINED = {
    "npv_mcse_musd": "one iteration",
    "npv_sd_musd": "one iteration",
    "first_launch_years_mean_if_any": "no launch",
    "breakeven_years_median_if_any": "never breaks even",
    "oop_cost_per_launch_musd": "no approval",
    "capitalized_cost_per_launch_musd": "no approval",
    **{
        f"rd_{k}_per_launch_musd": "no approval" for k in ("drug", "cdx", "screening", "milestones")
    },
    "npv_per_rd_dollar": "no R&D spend",
    "cdx_delay_mean_months": "no launch with a CDx",
    "launches_delayed_by_cdx_share": "no launch",
    "cgt_patients_treated_mean": "no plant",
    "cgt_patients_lost_waiting_mean": "no plant",
    "cgt_capex_mean_musd": "no plant",
    "cgt_plant_build_mean_musd": "no plant",
    "budget_delay_mean_months": "no annual budget",
    # IRR, deals and financing: NaN where the run has none (their columns are absent)
    **{m.name: "no deal or financing" for m in DEAL_METRICS},
}


_DEAL_COLUMNS = ("irr_annual", "deal_partner_npv_musd", "deal_to_sponsor_pv_musd", "fin_equity_irr")


def undefined_reason(result, portfolio: str, metric: str) -> str | None:
    """Why ``metric`` of ``portfolio`` is undefined in ``result`` (None: it is not)."""
    it = result.iterations
    col = lambda name: it[f"{portfolio}.{name}"]  # noqa: E731
    reason = UNDEFINED.get(metric)
    holds = {
        "one iteration": len(it) == 1,
        "no launch": not np.isfinite(col("first_launch_month")).any()
        if metric.startswith("first")
        else col("launches").sum() == 0,
        "never breaks even": not np.isfinite(col("breakeven_month")).any(),
        "no approval": col("approvals").sum() == 0,
        "no R&D spend": col("rd_pv_musd").mean() <= 0,
        "no launch with a CDx": col("cdx_launches").sum() == 0,
        "no annual budget": f"{portfolio}.budget_delay_months" not in it,
        "no deal or financing": not any(
            c.startswith(f"{portfolio}.") and c.endswith(_DEAL_COLUMNS) for c in it
        ),
        "no plant": not result.plant_assets()
        or portfolio not in {p for p, _ in result.plant_assets()},
    }
    return reason if reason is not None and holds[reason] else None


def assert_defined(result) -> None:
    """Every summary and comparison figure finite, or NaN exactly where it is undefined."""
    summary = result.summary()
    for portfolio in summary.index:
        for metric, value in summary.loc[portfolio].items():
            if not isinstance(value, int | float | np.number):
                continue
            why = undefined_reason(result, portfolio, metric)
            assert math.isfinite(value) or (math.isnan(value) and why), (
                f"{portfolio}.{metric} = {value}"
            )
    comparison = result.comparison().select_dtypes("number")
    one = len(result.iterations) == 1
    for metric, values in comparison.items():
        ok = np.isfinite(values) | (
            np.isnan(values) & one & metric.endswith(("sd_musd", "mcse_musd"))
        )
        assert ok.all(), f"comparison {metric} = {values.tolist()}"
