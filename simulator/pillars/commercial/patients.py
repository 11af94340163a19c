"""A launched asset's patients, month by month, inside a chunk: starts, units, revenue.

This module applies :mod:`.therapy` (stock and flow, the waiting pool, false positives)
to one asset's launched iterations. The month's starts are

    s[i, m] = N_i / 12 * D_i * share_i * uptake(m - L_i) * x[i, m]

and ``x`` is what moves in time, in logs:

    log x[i, m] = m/12 log(1 + g)                          cohort growth (incident only)
                + log tau(m - L)                           the testing ramp after launch
                + log u_before * 1[m < CDx approval]       reduced uptake before a late CDx
                + log(share of the indication)[m]          order of entry, outside entrants

(no testing term where an enrichment trial won an all-comer label; for an asset on the
portfolio's profiling panel ``tau`` is at least the panel's adoption:
:mod:`simulator.pillars.cohort.profiling`). The units sold are
patient-years on therapy in the month (``P / 12``) for a chronic therapy, or treatments
for a one-time therapy (for a cell or gene therapy, the plant then decides how many of
those are treated), times the retention after loss of exclusivity and zero outside the
commercial life; revenue is units times the month's net price (:mod:`.flows`), computed
directly, never inferred back from money.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR
from simulator.pillars.cohort.funnel import testing_rate
from simulator.pillars.cohort.profiling import market_testing
from simulator.pillars.cohort.step import eligible_share, tested, true_positive_share_treated
from simulator.pillars.commercial.flows import (
    CommercialDraws,
    log_retention,
    months_since_launch,
    net_price_musd,
    on_market,
    uptake_by_month,
)
from simulator.pillars.commercial.therapy import (
    for_months,
    mean_months_on_therapy,
    on_therapy,
    persistence,
    pool_starts,
    pool_uptake_by_month,
)


@dataclass
class PatientFlows:
    """What one asset's launched rows sell, ``(rows, months)`` arrays."""

    starts: np.ndarray  # patients starting a month, after loss of exclusivity (the demand)
    units: np.ndarray  # patient-years on therapy a month, or treatments (one-time)
    price_musd: np.ndarray  # net price of a unit in the month, USD M
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # (rows,) totals

    @property
    def revenue_musd(self) -> np.ndarray:
        """Units x net price, USD M a month."""
        return self.units * self.price_musd


def empty_flow_columns(asset, n: int) -> dict[str, np.ndarray]:
    """The flows' columns for a chunk in which the asset never launched."""
    cols = {"patients_started": np.zeros(n)}
    if asset.cohort is not None and asset.cohort.prevalent_pool is not None:
        cols["pool_patients_started"] = np.zeros(n)
    return cols


def _shared_log(path, rows, launch, horizon, log_share) -> np.ndarray | None:
    """The log of what moves in time for incident and pool starts alike (see the module
    docstring): testing ramp, late CDx, share of the indication."""
    asset, draws = path.asset, path.draws
    out = None if log_share is None else log_share.copy()
    m = np.arange(horizon)

    def add(term):
        nonlocal out
        out = term if out is None else out + term

    if asset.cohort is not None and asset.cohort.testing is not None:
        t = draws.cohort.testing
        tau = testing_rate(
            np.maximum(m[None, :] - launch[:, None], 0),
            t.initial_rate[rows][:, None],
            t.mature_rate[rows][:, None],
            (t.ramp_years[rows] * MONTHS_PER_YEAR)[:, None],
        )
        tau = market_testing(getattr(path, "panel", None), asset, tau, m[None, :])
        with np.errstate(divide="ignore"):
            log_tau = np.log(tau)
        if path.label_positive_only is not None:  # an all-comer label needs no test
            log_tau = np.where(path.label_positive_only[rows][:, None], log_tau, 0.0)
        add(log_tau)
    if path.cdx is not None and asset.cdx.launch_before_cdx:
        before = m[None, :] < path.cdx.approval_month[rows][:, None]
        before &= tested(path.label_positive_only, len(path.launched))[rows][:, None]
        with np.errstate(divide="ignore"):
            factor = np.log(draws.cdx.uptake_before_cdx[rows])[:, None]
        add(np.where(before, factor, 0.0))
    return out


def _growth_log(path, rows, horizon) -> np.ndarray | None:
    """``m/12 log(1 + g)``: the incidence's growth (None when it does not grow)."""
    cohort = path.asset.cohort
    if cohort is None or (cohort.growth_annual.is_constant and cohort.growth_annual.mean() == 0):
        return None
    growth = path.draws.cohort.growth_annual[rows]
    return np.log1p(growth)[:, None] * (np.arange(horizon) / MONTHS_PER_YEAR)[None, :]


def patient_flows(ctx, path, rows: np.ndarray, d: CommercialDraws, log_share) -> PatientFlows:
    """Starts, units and prices of the launched ``rows`` (see the module docstring);
    ``log_share`` is the log of the asset's share of its indication, ``(rows, months)``,
    or None when it has the indication to itself."""
    asset, horizon = path.asset, ctx.horizon
    launch = path.launch_month[rows]
    since = months_since_launch(launch, horizon)
    live = on_market(d, since)
    k = np.clip(since, 0, horizon - 1)
    shared = _shared_log(path, rows, launch, horizon, log_share)
    rate = d.patients_per_year * d.demand_multiplier * d.peak_share / MONTHS_PER_YEAR
    uptake = uptake_by_month(asset.commercial.uptake_curve, horizon)
    with np.errstate(divide="ignore"):
        log_s = np.log(rate)[:, None] + np.log(uptake)[k]
    growth = _growth_log(path, rows, horizon)
    for term in (growth, shared):
        if term is not None:
            log_s = log_s + term
    starts = np.where(live, np.exp(log_s), 0.0)
    columns = {}
    pool = asset.cohort.prevalent_pool if asset.cohort is not None else None
    if pool is not None:
        extra = _pool(ctx, path, rows, d, since, live, shared)
        starts = starts + extra
        columns["pool_patients_started"] = extra.sum(axis=1)
    keep = np.where(live, np.exp(log_retention(d, since)), 0.0)
    therapy = asset.commercial.therapy
    if therapy is not None and therapy.one_time:
        units = starts * keep
    else:
        units = _patient_years(path, rows, starts, therapy) * keep
    starts = starts * keep
    columns["patients_started"] = starts.sum(axis=1)
    return PatientFlows(starts, units, net_price_musd(d, since), columns)


def _pool(ctx, path, rows, d: CommercialDraws, since, live, shared) -> np.ndarray:
    """Starts from the waiting pool (:func:`.therapy.pool_starts`)."""
    draws = path.draws
    eligible = eligible_share(draws, ctx.n, path.label_positive_only)[rows]
    w = draws.cohort.prevalent_pool.patients[rows] * eligible
    uptake = pool_uptake_by_month(path.asset.commercial.uptake_curve, ctx.horizon)
    capture = (d.demand_multiplier * d.peak_share)[:, None] * uptake[np.clip(since, 0, None)]
    if shared is not None:
        capture = capture * np.exp(shared)
    capture = np.where(live, capture, 0.0)
    mortality = draws.cohort.prevalent_pool.mortality_annual[rows]
    return np.where(live, pool_starts(w, capture, since, mortality), 0.0)


def _patient_years(path, rows, starts: np.ndarray, therapy) -> np.ndarray:
    """Patient-years on therapy a month (``P / 12``) from the month's starts: true
    positives stay their time on therapy (one patient-year each without one), false
    positives until their first assessment (or as long as true positives)."""
    n = len(path.launched)
    tp = true_positive_share_treated(path.draws, n, path.label_positive_only)[rows][:, None]
    chronic = therapy is not None and therapy.time_on_therapy is not None
    assess = therapy.assessment_months if therapy is not None else None
    split = assess is not None and bool(np.any(tp < 1.0))
    stay = starts * tp if split else starts
    if chronic:
        t = therapy.time_on_therapy
        mean = mean_months_on_therapy(t, path.draws.commercial.therapy.time_on_therapy)[rows]
        years = on_therapy(stay, persistence(mean)) / MONTHS_PER_YEAR
    else:  # every start is one patient-year at once
        years = stay
    if split:
        a = path.draws.commercial.therapy.assessment_months[rows]
        false = starts * (1.0 - tp)
        months = for_months(false, a) if chronic else a[:, None] * false
        years = years + months / MONTHS_PER_YEAR
    return years
