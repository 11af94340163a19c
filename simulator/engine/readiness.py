"""The readiness gaps on an asset's path: where each pillar's mechanism joins the chunk.

Each mechanism is OFF when its block is absent: it then draws nothing and changes no
number. With its block:

1. pass 1, after the CDx (:func:`on_launch`): a biomarker standard's change
   (:mod:`simulator.pillars.diagnostics.standards`) may delay or prevent the launch, and
   its revalidation study costs money;
2. pass 2, before the patients (:func:`log_share`): what moves the asset's share of its
   indication from a month on: the new cutoff (or a failed revalidation), a safety
   signal's restriction or withdrawal (:mod:`simulator.pillars.surveillance`), an RWE
   label expansion (:mod:`simulator.pillars.pricing.evidence`);
3. pass 2, on the flows (:func:`on_flows`): a withdrawal stops the units (and, after a
   cell or gene therapy's plant, its treatments: :func:`stopped`), a price reassessment
   cuts the net price from its month;
4. pass 2, on the units made (:func:`costs`): REMS or registry and long-term follow-up
   per patient, the RWE programme's cost.

This module holds no formulas: it passes arrays between the pillars' functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.pillars.diagnostics.standards import StandardChange, standard_change
from simulator.pillars.diagnostics.standards import standard_columns as _standard_columns
from simulator.pillars.pricing.evidence import EvidenceTerms, evidence_terms, rwe_cost
from simulator.pillars.surveillance.step import (
    SafetySignal,
    follow_up_cost_musd,
    rems_cost_musd,
    safety_signal,
    signal_columns,
)


@dataclass
class Readiness:
    """What the readiness mechanisms decided for one asset (None: the block is absent)."""

    standard: StandardChange | None = None
    signal: SafetySignal | None = None
    evidence: EvidenceTerms | None = None


def has_any(asset) -> bool:
    """Whether the asset has a readiness block."""
    return any(
        getattr(asset, b) is not None for b in ("biomarker_standard", "surveillance", "evidence")
    )


def on_launch(ctx, asset, draws, dev, launch, pv, cost_diff, outputs):
    """Pass 1: a biomarker standard's change. Returns ``(launch, pv, Readiness)``."""
    state = Readiness()
    if asset.biomarker_standard is not None:
        rng = ctx.generator("standards", asset.name)
        rate = ctx.scenario.market.discount_rate_annual
        change = standard_change(
            rng, asset.biomarker_standard, draws, dev, rate, ctx.horizon, cost_diff
        )
        launch, pv = change.launch(launch), pv + change.pv_cost_musd
        outputs.update(_standard_columns(change, dev.approved))
        state.standard = change
    return launch, pv, state


def log_share(ctx, path, rows: np.ndarray, log_share):
    """Pass 2: the asset's log share of its indication with every readiness term added."""
    asset, state, horizon = path.asset, path.readiness, ctx.horizon
    if state is None:
        return log_share
    terms = []
    if state.standard is not None:
        terms.append(state.standard.log_share(rows, horizon))
    if asset.surveillance is not None:
        rng = ctx.generator("surveillance", asset.name)
        state.signal = safety_signal(
            rng, asset.surveillance, path.draws.surveillance, path.launch_month
        )
        path.outputs.update(signal_columns(state.signal, path.launched, horizon))
        terms.append(state.signal.log_share(rows, horizon))
    if asset.evidence is not None:
        rng = ctx.generator("evidence", asset.name)
        launch = path.launch_month[rows]
        state.evidence = evidence_terms(
            rng, asset.evidence, path.draws.evidence, ctx.n, rows, launch
        )
        terms.append(state.evidence.log_share(horizon))
    for term in terms:
        log_share = term if log_share is None else log_share + term
    return log_share


def on_flows(ctx, path, rows: np.ndarray, flows) -> None:
    """Pass 2: a withdrawal stops the units; a reassessment cuts the net price."""
    state = path.readiness
    if state is None:
        return
    flows.units = stopped(ctx, path, rows, flows.units)
    if state.evidence is not None and path.asset.evidence.reassessment is not None:
        flows.price_musd = flows.price_musd * state.evidence.price_factor(ctx.horizon)


def stopped(ctx, path, rows: np.ndarray, units: np.ndarray) -> np.ndarray:
    """``units`` with every month from a withdrawal on set to 0 (a plant's output too)."""
    state = path.readiness
    if state is None or state.signal is None:
        return units
    after = np.arange(ctx.horizon)[None, :] >= state.signal.stop_month()[rows][:, None]
    return np.where(after, 0.0, units)


def costs(ctx, path, rows: np.ndarray, units: np.ndarray, cash, cost_diff) -> np.ndarray:
    """Pass 2: REMS, follow-up and RWE costs of the launched ``rows``; adds them to the
    monthly ``cash`` (or ``cost_diff``) and returns their present value (negative)."""
    asset = path.asset
    pv = np.zeros(rows.size)
    s = asset.surveillance
    if s is not None:
        d = path.draws.surveillance
        monthly = rems_cost_musd(units, d.rems_usd_per_patient_year[rows])
        if s.long_term_follow_up is not None:
            per_year = d.long_term_follow_up.usd_per_patient_year[rows]
            monthly = monthly + follow_up_cost_musd(units, s.long_term_follow_up.years, per_year)
        pv -= monthly @ ctx.discount
        cash[rows] -= monthly
        column = np.zeros(ctx.n)
        column[rows] = monthly.sum(axis=1)
        path.outputs["surveillance_cost_musd"] = column
    if asset.evidence is not None and asset.evidence.rwe is not None:
        rate = ctx.scenario.market.discount_rate_annual
        launch = path.launch_month[rows]
        pv += rwe_cost(
            asset.evidence, path.draws.evidence, rows, launch, rate, ctx.horizon, cost_diff
        )
    return pv


def empty_columns(asset, n: int) -> dict:
    """The readiness columns of a chunk in which the asset never launched."""
    cols = {}
    if asset.surveillance is not None:
        for k in ("safety_signal", "safety_withdrawn", "safety_restricted"):
            cols[k] = np.zeros(n, dtype=bool)
        cols["safety_signal_month"] = np.full(n, np.nan)
        cols["surveillance_cost_musd"] = np.zeros(n)
    return cols
