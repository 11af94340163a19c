"""Mixes of asset templates: slots simulated once, recombined into every mix under a budget.

A *mix* is a count per template: ``{targeted_oncology: 6, rare_disease_biologic: 3}``.
Rather than simulate every mix, :func:`slot_scenario` builds one portfolio holding
``max_count`` *slots* of each template, ``<template>_1 ... <template>_K``, and runs it
once. A slot of template ``T`` is the scenario's first asset entry that uses ``T`` (its
start month, risk group and overrides kept; a template no portfolio uses is taken as it
is), so the frontier runs a template the way the scenario runs it. Every draw of an asset
is named by the asset (:mod:`simulator.core.seeding`), so slot ``T_k`` draws exactly what
the ``k``-th copy of ``T`` draws in a full run of any mix, and the slots of a risk group
keep its copula: they were simulated together.

A mix's NPV in each iteration is then the sum of its slots' NPV columns,

    NPV_mix[i] = sum_T sum_{k <= c_T} NPV_{T_k}[i],

summed in the order the engine sums a portfolio's assets, so where no asset changes
another (no shared ``cohort.indication``, no annual budget) it is the full run's NPV bit
for bit. Expected R&D spend is linear too: the mix's mean spend is the sum of its slots'
means, exactly. :func:`enumerate_mixes` walks every count vector with ``0 <= c_T <= K``
whose expected spend is within the budget (depth first, pruning a prefix that is already
over it) and evaluates each mix's distribution: mean, SD, CVaR5 (mean of the worst
``ceil(0.05 n)`` futures), VaR5 (the 5th percentile), P(loss), P(no launch).

:func:`pareto` keeps the mixes no other mix beats on both the mean NPV and the downside
(a higher CVaR5, or a lower P(loss) or P(no launch)).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.results.metrics import TAIL
from simulator.scenario import Scenario, scenario_from_dict

#: Downside measures: metric column and whether larger is better.
MEASURES: dict[str, tuple[str, bool]] = {
    "cvar05": ("cvar05_musd", True),
    "prob_loss": ("prob_loss", False),
    "prob_no_launch": ("prob_no_launch", False),
}
SLOTS = "slots"  # the slot scenario's one portfolio


class FrontierError(ValueError):
    """A frontier that cannot be computed as asked (what to change is in the message)."""


def slot_name(template: str, k: int) -> str:
    """The ``k``-th copy (from 1) of ``template`` in a slot run and in a mix's full run."""
    return f"{template}_{k}"


def slot_entries(scenario: Scenario, templates: Sequence[str]) -> dict[str, tuple[dict, dict]]:
    """``template -> (entry, risk groups)``: how each slot of a template is written (see
    the module docstring); ``risk groups`` holds the definition of the one it joins."""
    raw = scenario._raw
    known = list(raw.get("templates") or {})
    if not templates:
        raise FrontierError(f"no template to combine; the scenario's templates: {', '.join(known)}")
    unknown = [t for t in templates if t not in known]
    if unknown:
        raise FrontierError(
            f"unknown template {unknown[0]!r}; the scenario's templates: "
            f"{', '.join(known) or 'none (add a templates: section)'}"
        )
    out = {}
    for t in templates:
        entry, groups = {"template": t}, {}
        for pf in (raw.get("portfolios") or {}).values():
            first = next((e for e in pf.get("assets", []) if e.get("template") == t), None)
            if first is not None:
                entry = {
                    k: copy.deepcopy(v) for k, v in first.items() if k not in ("name", "count")
                }
                group = entry.get("risk_group")
                if group is not None:
                    groups = {group: copy.deepcopy(pf["risk_groups"][group])}
                break
        out[t] = (entry, groups)
    return out


def mix_portfolio(entries: dict[str, tuple[dict, dict]], counts: dict[str, int], **extra) -> dict:
    """A portfolio (plain data) holding ``counts[T]`` copies of each template, named as
    the slots are; ``extra`` adds portfolio fields (a ``budget``)."""
    assets, groups = [], {}
    for t, (entry, group) in entries.items():
        for k in range(1, counts.get(t, 0) + 1):
            assets.append({**copy.deepcopy(entry), "name": slot_name(t, k)})
            if k == 1:
                groups.update(copy.deepcopy(group))
    return {"assets": assets, "risk_groups": groups, **extra}


def with_portfolios(scenario: Scenario, portfolios: dict[str, dict]) -> Scenario:
    """``scenario``'s templates, market and simulation with these portfolios only."""
    raw = copy.deepcopy(scenario._raw)
    raw["portfolios"] = portfolios
    raw.pop("compare", None)
    return scenario_from_dict(raw, origin=scenario._origin)


def slot_scenario(scenario: Scenario, entries: dict[str, tuple[dict, dict]], k: int) -> Scenario:
    """One portfolio of ``k`` slots of each template (see the module docstring)."""
    return with_portfolios(scenario, {SLOTS: mix_portfolio(entries, dict.fromkeys(entries, k))})


@dataclass(frozen=True)
class Slots:
    """A slot run's per-asset columns, per template: ``(K, n)`` arrays and ``(K,)`` means."""

    templates: tuple[str, ...]
    npv: dict[str, np.ndarray]
    launched: dict[str, np.ndarray]
    spend_oop: dict[str, np.ndarray]
    spend_pv: dict[str, np.ndarray]

    @classmethod
    def from_columns(cls, columns: dict, templates: Sequence[str], k: int) -> Slots:
        def stack(t: str, outcome: str) -> np.ndarray:
            return np.stack(
                [columns[f"{SLOTS}.{slot_name(t, j)}.{outcome}"] for j in range(1, k + 1)]
            )

        return cls(
            tuple(templates),
            {t: stack(t, "npv_musd") for t in templates},
            {t: stack(t, "launched").astype(np.int16) for t in templates},
            {t: stack(t, "oop_cost_musd").mean(axis=1) for t in templates},
            {t: stack(t, "rd_pv_musd").mean(axis=1) for t in templates},
        )


def block_metrics(npv: np.ndarray, launches: np.ndarray) -> dict[str, np.ndarray]:
    """The distribution of each row of ``npv`` (mixes x iterations) and of its launches."""
    m, n = npv.shape
    k = max(1, math.ceil(TAIL * n))
    pos = TAIL * (n - 1)  # np.percentile's linear interpolation
    lo, hi = math.floor(pos), math.ceil(pos)
    part = np.partition(npv, sorted({lo, hi, k - 1}), axis=1)
    frac = pos - lo
    return {
        "npv_mean_musd": npv.mean(axis=1),
        "npv_sd_musd": npv.std(axis=1, ddof=1) if n > 1 else np.full(m, np.nan),
        "cvar05_musd": part[:, :k].mean(axis=1),
        "var05_musd": part[:, lo] + frac * (part[:, hi] - part[:, lo]),
        "prob_loss": (npv < 0).mean(axis=1),
        "prob_no_launch": (launches == 0).mean(axis=1),
        "launches_mean": launches.mean(axis=1),
    }


def enumerate_mixes(
    slots: Slots, budget_musd: float, basis: str, max_mixes: int = 2_000_000
) -> list[dict]:
    """Every mix within the budget on ``basis`` (``"oop"`` or ``"pv"``), with its
    distribution (see the module docstring): a list of row dicts."""
    spend = slots.spend_oop if basis == "oop" else slots.spend_pv
    other = slots.spend_pv if basis == "oop" else slots.spend_oop
    templates = slots.templates
    n = next(iter(slots.npv.values())).shape[1]
    rows: list[dict] = []
    limit = budget_musd * (1 + 1e-12)

    def walk(depth: int, counts: tuple, npv, launches, used: float, used_other: float):
        t = templates[depth]
        vectors, launch_vectors, fits = [npv], [launches], [(used, used_other)]
        for j in range(spend[t].size):
            if used + spend[t][j] > limit:
                break
            used, used_other = used + spend[t][j], used_other + other[t][j]
            npv, launches = npv + slots.npv[t][j], launches + slots.launched[t][j]
            vectors.append(npv)
            launch_vectors.append(launches)
            fits.append((used, used_other))
        if depth + 1 < len(templates):
            for c, (v, lv, (u, uo)) in enumerate(zip(vectors, launch_vectors, fits, strict=True)):
                walk(depth + 1, (*counts, c), v, lv, u, uo)
            return
        if len(rows) + len(vectors) > max_mixes:
            raise FrontierError(
                f"more than {max_mixes:,} mixes fit the budget: lower --max-count, "
                "combine fewer templates or lower the budget"
            )
        stats = block_metrics(np.stack(vectors), np.stack(launch_vectors))
        for c, (u, uo) in enumerate(fits):
            row = dict(zip(templates, (*counts, c), strict=True))
            row["spend_oop_musd" if basis == "oop" else "spend_pv_musd"] = u
            row["spend_pv_musd" if basis == "oop" else "spend_oop_musd"] = uo
            row.update({key: float(v[c]) for key, v in stats.items()})
            rows.append(row)

    walk(0, (), np.zeros(n), np.zeros(n, dtype=np.int16), 0.0, 0.0)
    return rows


def recombined(slots: Slots, counts: dict[str, int]) -> np.ndarray:
    """A mix's NPV per iteration from the slots, summed as the engine sums a portfolio."""
    n = next(iter(slots.npv.values())).shape[1]
    out = np.zeros(n)
    for t in slots.templates:
        for j in range(counts.get(t, 0)):
            out = out + slots.npv[t][j]
    return out


def pareto(mean: np.ndarray, downside: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Boolean mask of the mixes no other mix beats on both the mean and the downside
    (``higher_is_better``: the downside's sense). Of exact duplicates one is kept."""
    d = np.asarray(downside, dtype=float) * (1.0 if higher_is_better else -1.0)
    order = np.lexsort((-d, -np.asarray(mean, dtype=float)))
    keep = np.zeros(len(order), dtype=bool)
    best = -math.inf
    for i in order:
        if d[i] > best:
            keep[i] = True
            best = d[i]
    return keep
