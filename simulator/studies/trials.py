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
from simulator.pillars.trials.stage import StageTrial
from simulator.pillars.trials.step import is_mechanistic, simulate_asset_trials, true_effects
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
    for name in ("negative", "negative_ratio"):
        dist = getattr(e, name)
        if dist is not None:
            rng = generator(seed, 0, "trials", asset.name, f"effect.{name}")
            setattr(prior_draws.effect, name, dist.sample(rng, n))
    u = generator(seed, 0, "trials", asset.name, "prior").random(n)
    over_prior = run("prior", *true_effects(asset, prior_draws, u), prior_draws)

    stages = dict(asset.stages())
    # a design that continues an earlier stage's trial (seamless) makes the two one row
    continued = {st.design.continues for st in stages.values() if st.design is not None}
    rows = []
    for name, t in at_mean.items():
        if name in continued:
            continue
        design = stages[name].design
        first = design.continues
        row = {
            "portfolio": pname,
            "asset": asset.name,
            "copies": 1,
            "stage": name if first is None else f"{first}+{name.removeprefix('phase')}",
            "design": design.type,
            "endpoint": e.endpoint,
            "patients_planned": float(getattr(draws.phases, name).trial.patients[0]),
            "effect_prior_mean": pos_mean,
            "benchmark_p_success": stages[name].p_success.mean()
            if stages[name].p_success is not None
            else np.nan,
        }
        if first is not None:
            row["patients_planned"] += float(getattr(draws.phases, first).trial.patients[0])
            p1 = stages[first].p_success
            row["benchmark_p_success"] *= p1.mean() if p1 is not None else np.nan
            row.update(_continued_row(first, name, at_mean, at_null, over_prior))
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


def _continued_row(first: str, name: str, at_mean, at_null, over_prior) -> dict:
    """One row for a trial that runs through two stages (seamless phase II/III): stage 1's
    no-go is its futility stop; power and errors are those of go and final rejection."""
    one, two = at_mean[first], at_mean[name]
    go = one.success
    return {
        "power_at_prior_mean": float((go & two.success).mean()),
        "type1_error": float((at_null[first].success & at_null[name].success).mean()),
        "p_early_efficacy": 0.0,
        "p_early_futility": float((~go).mean()),
        "p_adapted": 0.0,
        "expected_patients": float((one.outcome.patients + two.outcome.patients).mean()),
        "expected_months": float((one.duration_months + go * two.duration_months).mean()),
        "pos_given_entry": float((over_prior[first].success & over_prior[name].success).mean()),
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
