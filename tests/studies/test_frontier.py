"""The efficient frontier: the Pareto set of independent normal programmes equals the
analytic one; recombined mixes equal their full runs bit for bit where nothing interacts;
where programmes share an indication the reported recombination error is the measured one;
bad requests say what to change."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import asset, reference_monthly_cash, reference_npv, scenario_dict, write_yaml
from scipy import stats

import simulator as sim
from simulator.cli import main
from simulator.studies.frontier import frontier
from simulator.studies.mixes import FrontierError, pareto

RATE, HORIZON = 0.1, 360
#: three programme types whose NPV is exactly normal: every stage succeeds, costs are
#: fixed, and NPV is linear in patients a year ~ normal(mean, sd) (truncated at 0, 8+ SDs
#: away). (patients mean, patients sd, phase I-III and review costs, sales force a year);
#: NPVs come out near mean / sd 21 / 8 (steady), 17 / 68 (bold), 35 / 52 (middling);
#: five mixes are on the analytic frontier, and every dominance among the 26 mixes within
#: the budget holds by 13+ USD M on the mean or the CVaR (10+ Monte Carlo errors).
KINDS = {
    "steady": (2_080, 125, (10, 20, 40, 10), 12),
    "bold": (10_130, 1_061, (10, 30, 90, 10), 150),
    "middling": (5_100, 808, (10, 20, 60, 10), 60),
}


def _template(mean: float, sd: float, cost, sales_force) -> dict:
    a = asset(
        "x",
        cost=cost,
        patients_per_year=f"normal({mean}, {sd}, low=0)",
        sales_force_musd_per_year=sales_force,
    )
    a.pop("name")
    return a


def _moments(mean: float, sd: float, cost, sales_force) -> tuple[float, float]:
    """Mean and SD of the NPV, from the independent month-by-month reference: NPV is
    linear in patients, so NPV(mean) and NPV(mean + sd) - NPV(mean) are its moments."""

    def npv(patients):
        a = asset("x", cost=cost, patients_per_year=patients, sales_force_musd_per_year=sales_force)
        return reference_npv(reference_monthly_cash(a, HORIZON), RATE)

    return npv(mean), npv(mean + sd) - npv(mean)


def _decision_margin(mean: np.ndarray, cvar: np.ndarray) -> float:
    """The least amount by which any mix's status (dominated or not) holds: a Pareto mix
    beats every other on one of the two by at least this; a dominated one is beaten on
    both by at least this by some other mix."""
    margins = []
    for i in range(mean.size):
        j = np.arange(mean.size) != i
        beats = np.maximum(mean[i] - mean[j], cvar[i] - cvar[j]).min()
        beaten = np.minimum(mean[j] - mean[i], cvar[j] - cvar[i]).max()
        margins.append(beats if beats > 0 else beaten)
    return float(min(margins))


def _scenario(iterations=20_000, **extra_templates):
    data = scenario_dict(
        {"today": [{"template": "steady", "name": "s1"}]}, iterations=iterations, chunk_size=10_000
    )
    data["templates"] = {k: _template(*v) for k, v in KINDS.items()} | extra_templates
    return sim.scenario_from_dict(data)


def test_the_pareto_set_of_independent_normal_programmes_is_the_analytic_one():
    budget, k = 400.0, 4
    f = frontier(_scenario(), budget, max_count=k, confirm=False)
    z = stats.norm.ppf(0.05)
    moments = {t: _moments(*v) for t, v in KINDS.items()}
    spend = {t: sum(v[2]) for t, v in KINDS.items()}
    mixes, means, cvars = [], [], []
    for counts in itertools.product(range(k + 1), repeat=len(KINDS)):
        c = dict(zip(KINDS, counts, strict=True))
        if sum(c[t] * spend[t] for t in KINDS) > budget:
            continue
        mu = sum(c[t] * moments[t][0] for t in KINDS)
        sd = math.sqrt(sum(c[t] * moments[t][1] ** 2 for t in KINDS))
        mixes.append(counts)
        means.append(mu)
        cvars.append(mu - sd * stats.norm.pdf(z) / 0.05)  # CVaR5 of a normal
    on = pareto(np.array(means), np.array(cvars), True)
    analytic = {m for m, o in zip(mixes, on, strict=True) if o}
    # well posed: whether a mix is dominated never hinges on less than 10 USD M (the Monte
    # Carlo error of a mean or a CVaR here is about 1)
    assert _decision_margin(np.array(means), np.array(cvars)) > 10
    got = {tuple(int(r[t]) for t in KINDS) for _, r in f[f["pareto"]].iterrows()}
    assert len(f) == len(mixes)  # every mix within the budget, no other
    assert 3 < len(analytic) < len(mixes) / 2  # a real trade-off, not everything
    assert got == analytic
    # the simulated means are the analytic ones within Monte Carlo error
    row = f.set_index(list(KINDS)).loc[(1, 1, 1)]
    mu = sum(m for m, _ in moments.values())
    sd = math.sqrt(sum(s**2 for _, s in moments.values()))
    assert abs(row["npv_mean_musd"] - mu) < 4 * sd / math.sqrt(20_000)


def test_recombined_mixes_equal_their_full_runs_where_nothing_interacts():
    # the orphan credit is booked on the portfolio's tax (a portfolio-level adjustment, so
    # an interaction the recombination reports): switched off, nothing interacts
    s = sim.load_scenario(
        "scenarios/nichebuster.yaml", {"market.tax.orphan_credit_rate": 0.0}
    ).with_(iterations=400, chunk_size=200)
    f = frontier(
        s,
        "nichebuster",  # the nichebuster's budget
        templates=["rare_disease_biologic", "all_comer_primary_care", "targeted_oncology"],
        max_count=3,
        confirm="every",  # every mix, not only the Pareto set (which may be the empty mix)
    )
    confirmed = f[f["full_npv_mean_musd"].notna()]
    assert len(confirmed) >= 3
    assert (confirmed["recombination_max_abs_musd"] == 0).all()  # bit for bit, every iteration
    assert (confirmed["recombination_error_mean_musd"] == 0).all()
    assert (confirmed["recombination_error_cvar05"] == 0).all()
    # the spend of a mix is the sum of its programmes' expected spends
    one = f.set_index(["rare_disease_biologic", "all_comer_primary_care", "targeted_oncology"])
    assert one.loc[(2, 1, 0), "spend_oop_musd"] > one.loc[(1, 1, 0), "spend_oop_musd"] > 0


def test_with_a_shared_indication_the_reported_error_is_the_measured_one():
    s = sim.load_scenario(
        "scenarios/nichebuster.yaml",
        {"templates.targeted_oncology.cohort.indication": "nsclc_egfr"},
    ).with_(iterations=600, chunk_size=300)
    f = frontier(s, "nichebuster", templates=["targeted_oncology"], max_count=4, confirm="every")
    confirmed = f[f["full_npv_mean_musd"].notna()]
    assert (confirmed["targeted_oncology"] >= 2).any()
    for _, row in confirmed.iterrows():
        c = int(row["targeted_oncology"])
        entries = [
            {
                "template": "targeted_oncology",
                "name": f"targeted_oncology_{k}",
                "risk_group": "kinase_platform",
                "start_month": "uniform(0, 24)",
            }
            for k in range(1, c + 1)
        ]
        full = s.with_(
            {
                "portfolios": {
                    "mine": {
                        "assets": entries,
                        "risk_groups": {"kinase_platform": {"correlation": 0.3}},
                    }
                },
                "compare": None,
            }
        )
        measured = sim.run(full).npv("mine").mean()
        assert row["recombination_error_mean_musd"] == pytest.approx(
            row["npv_mean_musd"] - measured, abs=1e-9
        )
        # the slots split the indication among all four of them, a mix among its own: the
        # recombination is wrong wherever a mix holds fewer than all the slots
        if 0 < c < 4:
            assert row["recombination_error_mean_musd"] != 0


def test_a_budget_no_mix_fits_says_what_to_change():
    with pytest.raises(FrontierError, match="raise --budget to at least"):
        frontier(_scenario(iterations=50), 5.0, max_count=2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget", "5"], "no mix fits a budget of 5.0 USD M"),
        (
            ["--budget", "400", "--templates", "steady,nope"],
            "unknown template 'nope'; the scenario's templates: steady, bold, middling",
        ),
        (["--budget", "lots"], "expected USD millions or a portfolio's name, got 'lots'"),
        (["--budget", "-3"], "expected a positive amount"),
        (
            ["--budget", "400", "--confirm", "some"],
            "--confirm: expected all, none or a whole number",
        ),
    ],
)
def test_bad_frontier_requests_exit_2_with_what_to_change(tmp_path, args, message):
    data = scenario_dict({"today": [{"template": "steady", "name": "s1"}]}, iterations=50)
    data["templates"] = {k: _template(*v) for k, v in KINDS.items()}
    path = write_yaml(tmp_path / "s.yaml", data)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        [
            "frontier",
            str(path),
            *args,
            "--max-count",
            "2",
            "--backend",
            "sequential",
            "-q",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_the_frontier_command_writes_its_table_chart_and_report(tmp_path):
    data = scenario_dict(
        {"today": [{"template": "steady", "name": "s1", "count": 2}]},
        iterations=300,
        chunk_size=300,
    )
    data["templates"] = {k: _template(*v) for k, v in KINDS.items()}
    path = write_yaml(tmp_path / "s.yaml", data)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        [
            "frontier",
            str(path),
            "--budget",
            "today",
            "--max-count",
            "3",
            "--backend",
            "sequential",
            "-q",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir()} == {
        "frontier.csv", "frontier.png", "report.html", "manifest.json", "scenario.resolved.yaml"
    }  # fmt: skip
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="frontier"' in page and "Where today" in page
    assert "today: spend 160" in res.output  # 2 x (10 + 20 + 40 + 10), every stage succeeds


def test_the_cli_offers_the_measures_the_study_knows():
    from simulator.cli.frontier import MEASURES as OFFERED
    from simulator.studies.mixes import MEASURES

    assert tuple(MEASURES) == OFFERED
