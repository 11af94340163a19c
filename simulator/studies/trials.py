"""Operating characteristics of a scenario's mechanistic trials: the table a trial
statistician checks before trusting the portfolio numbers.

For every asset with a design (copies made by ``count`` collapse into one row per stage)
and every such stage, ``trials`` simulated trials at three settings, all other inputs at
their means (patients, sites, prevalence, follow-up, ...):

- at the **prior mean** of the true effect: power (for a phase II go/no-go, the chance of
  a go), early stops for efficacy and for futility, expected patients and months, and
  the share of trials that adapted (sample size increased, or enriched);
- at **zero effect** in every stratum: the type I error (for a go/no-go, the false-go
  rate);
- over the **prior**: the probability of success given the stage is entered,
  ``pos_given_entry`` (for a phase III after a mechanistic phase II, conditional on
  its go: the phase-transition probability this asset's benchmark ``p_success`` stands
  for, shown beside it).

A seamless phase II/III is one trial and one row (``phase2+3``): its power and type I
error are those of go *and* final rejection; an early futility stop is a no-go; its
benchmark is phase II's ``p_success`` times phase III's.
Monte Carlo standard errors are at most ``0.5 / sqrt(trials)`` (0.0011 at 200,000).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.core.draws import at_means
from simulator.core.seeding import generator
from simulator.pillars.trials.step import StageTrial, is_mechanistic, simulate_asset_trials
from simulator.scenario import Asset, Scenario

COLUMNS = [
    "portfolio",
    "asset",
    "copies",
    "stage",
    "design",
    "endpoint",
    "patients_planned",
    "effect_prior_mean",
    "power_at_prior_mean",
    "type1_error",
    "p_early_efficacy",
    "p_early_futility",
    "p_adapted",
    "expected_patients",
    "expected_months",
    "pos_given_entry",
    "benchmark_p_success",
]


def operating_characteristics(
    scenario: Scenario, trials: int = 200_000, seed: int | None = None
) -> pd.DataFrame:
    """A row per mechanistic stage of each distinct asset (see the module docstring).

    Parameters
    ----------
    scenario
        A loaded scenario.
    trials
        Simulated trials per setting and row.
    seed
        Root seed (default: the scenario's).
    """
    seed = scenario.simulation.seed if seed is None else seed
    rows: list[dict] = []
    seen: dict[str, list[dict]] = {}
    for pname, pf in scenario.portfolios.items():
        for asset in pf.assets:
            if not is_mechanistic(asset):
                continue
            key = _trial_key(asset)
            if key in seen:
                for r in seen[key]:
                    r["copies"] += 1
                continue
            new = _asset_rows(pname, asset, trials, seed)
            seen[key] = new
            rows.extend(new)
    return pd.DataFrame(rows, columns=COLUMNS)


def _trial_key(asset: Asset) -> str:
    """What the trials of an asset depend on (not its name, start or market)."""
    return asset.model_dump_json(include={"effect", "phases", "cohort", "regulatory"})


def _asset_rows(pname: str, asset: Asset, n: int, seed: int) -> list[dict]:
    e = asset.effect
    draws = at_means(asset, n)
    pos_mean = e.positive.mean()
    if e.negative is not None:
        neg_mean = e.negative.mean()
    elif e.negative_ratio is not None:
        neg_mean = e.negative_ratio.mean() * pos_mean
    else:
        neg_mean = 0.0

    def run(setting: str, pos, neg, d=draws):
        return simulate_asset_trials(
            asset, d, pos, neg, lambda s: generator(seed, 0, "trials", asset.name, setting, s)
        )

    at_mean = run("mean", np.full(n, pos_mean), np.full(n, neg_mean))
    at_null = run("null", np.zeros(n), np.zeros(n))
    prior_draws = at_means(asset, n)
    for path in ("effect.negative", "effect.negative_ratio"):
        dist = getattr(e, path.split(".")[1])
        if dist is not None:
            prior_draws[path] = dist.sample(generator(seed, 0, "trials", asset.name, path), n)
    u = generator(seed, 0, "trials", asset.name, "prior").random(n)
    pos = np.asarray(e.positive.ppf(u), dtype=np.float64) * np.ones(n)
    if e.negative is not None:
        neg = prior_draws["effect.negative"]
    elif e.negative_ratio is not None:
        neg = prior_draws["effect.negative_ratio"] * pos
    else:
        neg = np.zeros(n)
    over_prior = run("prior", pos, neg, prior_draws)

    stages = dict(asset.stages())
    seamless = stages["phase3"].design is not None and stages["phase3"].design.type == "seamless"
    rows = []
    for name, t in at_mean.items():
        if seamless and name == "phase2":
            continue
        design = stages[name].design
        row = {
            "portfolio": pname,
            "asset": asset.name,
            "copies": 1,
            "stage": "phase2+3" if seamless and name == "phase3" else name,
            "design": design.type,
            "endpoint": e.endpoint,
            "patients_planned": float(draws[f"phases.{name}.trial.patients"][0]),
            "effect_prior_mean": pos_mean,
            "benchmark_p_success": stages[name].p_success.mean()
            if stages[name].p_success is not None
            else np.nan,
        }
        if seamless:
            row["patients_planned"] += float(draws["phases.phase2.trial.patients"][0])
            p2 = stages["phase2"].p_success
            row["benchmark_p_success"] *= p2.mean() if p2 is not None else np.nan
            row.update(_seamless_row(at_mean, at_null, over_prior))
        else:
            row.update(_stage_row(t, at_null[name]))
            entered = np.ones(n, dtype=bool)
            if name == "phase3" and "phase2" in over_prior:
                entered = over_prior["phase2"].success
            row["pos_given_entry"] = _share(over_prior[name].success, entered)
        rows.append(row)
    return rows


def _share(x: np.ndarray, where: np.ndarray) -> float:
    return float(x[where].mean()) if where.any() else float("nan")


def _stage_row(t: StageTrial, null: StageTrial) -> dict:
    o = t.outcome
    return {
        "power_at_prior_mean": float(o.success.mean()),
        "type1_error": float(null.outcome.success.mean()),
        "p_early_efficacy": float(o.early_efficacy.mean()),
        "p_early_futility": float(o.early_futility.mean()),
        "p_adapted": float(o.adapted.mean()),
        "expected_patients": float(o.patients.mean()),
        "expected_months": float(t.duration_months.mean()),
    }


def _seamless_row(at_mean, at_null, over_prior) -> dict:
    two, three = at_mean["phase2"], at_mean["phase3"]
    go = two.success
    return {
        "power_at_prior_mean": float((go & three.success).mean()),
        "type1_error": float((at_null["phase2"].success & at_null["phase3"].success).mean()),
        "p_early_efficacy": 0.0,
        "p_early_futility": float((~go).mean()),
        "p_adapted": 0.0,
        "expected_patients": float((two.outcome.patients + three.outcome.patients).mean()),
        "expected_months": float((two.duration_months + go * three.duration_months).mean()),
        "pos_given_entry": float(
            (over_prior["phase2"].success & over_prior["phase3"].success).mean()
        ),
    }


def format_operating_characteristics(table: pd.DataFrame, trials: int) -> str:
    """The table as the command line prints it."""
    if table.empty:
        return "no asset has a trial design (mechanistic mode): nothing to show"
    shown = pd.DataFrame(
        {
            "asset": [
                a if c == 1 else f"{a} (x{c})"
                for a, c in zip(table.asset, table.copies, strict=True)
            ],
            "stage": table.stage,
            "design": table.design,
            "N plan": table.patients_planned.round().astype(int),
            "theta": table.effect_prior_mean.map(lambda x: f"{x:.2f}"),
            "power": table.power_at_prior_mean.map(_pct),
            "type I": table.type1_error.map(lambda x: f"{100 * x:.2f}%"),
            "stop eff": table.p_early_efficacy.map(_pct),
            "stop fut": table.p_early_futility.map(_pct),
            "adapted": table.p_adapted.map(_pct),
            "E[N]": table.expected_patients.round().astype(int),
            "E[months]": table.expected_months.map(lambda x: f"{x:.1f}"),
            "PoS": table.pos_given_entry.map(_pct),
            "bench p": table.benchmark_p_success.map(lambda x: "-" if np.isnan(x) else f"{x:.2f}"),
        }
    )
    se = 0.5 / np.sqrt(trials)
    head = (
        f"Operating characteristics: {trials:,} simulated trials per setting, other inputs at "
        f"their means; Monte Carlo error <= {100 * se:.2f} points.\n"
        "power, stops, adapted, E[N], E[months]: at the prior mean of the effect (theta); "
        "type I: at zero effect;\nPoS: success over the prior given the stage is entered "
        "(after a mechanistic phase II's go); bench p: the stage's benchmark p_success.\n"
    )
    return head + "\n" + shown.to_string(index=False)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"
