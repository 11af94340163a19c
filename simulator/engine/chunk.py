"""One chunk of Monte Carlo iterations, vectorized: every portfolio, every asset, at once.

``simulate_chunk(scenario, chunk_index)`` is pure, importable and picklable: the same
arguments give the same arrays on any machine, in any process. For each iteration it
draws the market (shared by all portfolios), then for each portfolio and asset:

1. the asset's uncertain inputs (:mod:`.sampling`),
2. its development path (:mod:`simulator.model.development`), with success uniforms
   correlated within risk groups (:mod:`simulator.model.portfolio`),
3. its commercial flows if it launched before the horizon
   (:mod:`simulator.model.commercial`), computed for launched iterations only,

and adds the asset's monthly cash to the portfolio's. Present values are computed per
asset in closed form or by one matrix-vector product; monthly arrays exist only at the
portfolio level, for the cash trough, break-even and yearly cash-flow bands.

Tax is linear: every cash flow, R&D included, is multiplied by ``1 - tax_rate`` (R&D is
deductible against the sponsor's other profits). Out-of-pocket and capitalized R&D costs
are reported before tax, as Paul et al. (2010) report them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.commercial import (
    CommercialDraws,
    contribution_share,
    fixed_cost_spreads,
    revenue_flows,
    uptake_by_month,
)
from ..model.development import StageDraws, simulate_development
from ..model.portfolio import correlated_uniforms
from ..model.timeline import (
    MONTHS_PER_YEAR,
    add_spread,
    discount_factors,
    monthly_factor,
    pv_spread,
)
from ..scenario import Asset, Scenario
from .sampling import distribution_fields, sample_fields
from .seeding import generator

MARKET_FIELDS = ("demand_multiplier", "price_multiplier")


@dataclass
class ChunkResult:
    """Outcomes of one chunk: per-iteration columns and yearly cash per portfolio."""

    chunk_index: int
    columns: dict[str, np.ndarray]
    yearly_cash_musd: dict[str, np.ndarray]  # portfolio -> (n, years), after tax
    yearly_revenue_musd: dict[str, np.ndarray]  # portfolio -> (n, years)
    monthly_cash_musd: dict[str, np.ndarray] | None = None  # only with keep_monthly=True


def chunk_bounds(iterations: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of each chunk's global iteration indices."""
    return [(s, min(s + chunk_size, iterations)) for s in range(0, iterations, chunk_size)]


def simulate_chunk(scenario: Scenario, chunk_index: int, keep_monthly: bool = False) -> ChunkResult:
    """Simulate iterations ``[chunk_index * chunk_size, ...)`` of ``scenario``.

    ``keep_monthly`` also returns each portfolio's monthly after-tax cash, ``(n, months)``
    (for tests and single-iteration traces; too big to keep for a whole run).
    """
    sim, market = scenario.simulation, scenario.market
    start, stop = chunk_bounds(sim.iterations, sim.chunk_size)[chunk_index]
    n = stop - start
    seed = sim.seed
    horizon = market.horizon_years * MONTHS_PER_YEAR
    market_draws = sample_fields(
        {f: getattr(market, f) for f in MARKET_FIELDS}, "market", seed, chunk_index, n
    )
    ctx = _Context(scenario, chunk_index, n, horizon, market_draws)
    columns: dict[str, np.ndarray] = {"iteration": np.arange(start, stop)}
    columns.update(
        {f"market.{k}": v for k, v in market_draws.items() if not getattr(market, k).is_constant}
    )
    yearly_cash, yearly_revenue, monthly = {}, {}, {}
    for pname in scenario.portfolios:
        cols, cash, rev_y = _simulate_portfolio(ctx, pname)
        columns.update(cols)
        yearly_cash[pname] = cash.reshape(n, -1, MONTHS_PER_YEAR).sum(axis=2)
        yearly_revenue[pname] = rev_y
        if keep_monthly:
            monthly[pname] = cash
    return ChunkResult(
        chunk_index, columns, yearly_cash, yearly_revenue, monthly if keep_monthly else None
    )


@dataclass
class _Context:
    scenario: Scenario
    chunk_index: int
    n: int
    horizon: int
    market_draws: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        m = self.scenario.market
        self.discount = discount_factors(m.discount_rate_annual, self.horizon)
        self.v = monthly_factor(m.discount_rate_annual)
        self._factors: dict[tuple[str, str], np.ndarray] = {}

    def group_factor(self, group: str, stage: str) -> np.ndarray:
        """The risk group's standard-normal factor for a stage (shared by its members)."""
        key = (group, stage)
        if key not in self._factors:
            rng = generator(
                self.scenario.simulation.seed, self.chunk_index, "risk_group", group, stage
            )
            self._factors[key] = rng.standard_normal(self.n)
        return self._factors[key]


def _simulate_portfolio(ctx: _Context, pname: str):
    portfolio = ctx.scenario.portfolios[pname]
    n, horizon = ctx.n, ctx.horizon
    tax_keep = 1.0 - ctx.scenario.market.tax_rate
    cost_diff = np.zeros((n, horizon + 1))
    cash = np.zeros((n, horizon))
    revenue_y = np.zeros((n, horizon // MONTHS_PER_YEAR))
    cols: dict[str, np.ndarray] = {}
    npv = np.zeros(n)
    launches = np.zeros(n, dtype=np.int64)
    first_launch = np.full(n, np.inf)
    oop = np.zeros(n)
    capitalized = np.zeros(n)
    for asset in portfolio.assets:
        rho = portfolio.risk_groups[asset.risk_group].correlation if asset.risk_group else 0.0
        fields = distribution_fields(asset)
        draws = sample_fields(fields, asset.name, ctx.scenario.simulation.seed, ctx.chunk_index, n)
        a_npv, launched, launch_month, dev = _simulate_asset(
            ctx, asset, draws, rho, cost_diff, cash, revenue_y
        )
        a_npv *= tax_keep
        prefix = f"{pname}.{asset.name}"
        cols[f"{prefix}.npv_musd"] = a_npv
        cols[f"{prefix}.launched"] = launched
        cols[f"{prefix}.launch_month"] = np.where(launched, launch_month, np.nan)
        cols[f"{prefix}.stages_entered"] = dev.reached.sum(axis=1)
        for path, dist in fields.items():
            if not dist.is_constant:
                cols[f"input:{prefix}.{path}"] = draws[path]
        npv += a_npv
        launches += launched
        first_launch = np.minimum(first_launch, np.where(launched, launch_month, np.inf))
        oop += dev.oop_cost_musd
        capitalized += dev.capitalized_cost_musd
    np.cumsum(cost_diff, axis=1, out=cost_diff)
    cash += cost_diff[:, :horizon]
    cash *= tax_keep
    cumulative = np.cumsum(cash, axis=1, out=cost_diff[:, :horizon])
    trough = np.minimum(cumulative.min(axis=1), 0.0)
    cols[f"{pname}.npv_musd"] = npv
    cols[f"{pname}.launches"] = launches
    cols[f"{pname}.first_launch_month"] = np.where(np.isinf(first_launch), np.nan, first_launch)
    cols[f"{pname}.peak_revenue_musd"] = revenue_y.max(axis=1)
    cols[f"{pname}.cash_trough_musd"] = trough
    cols[f"{pname}.breakeven_month"] = _breakeven_month(cumulative)
    cols[f"{pname}.oop_cost_musd"] = oop
    cols[f"{pname}.capitalized_cost_musd"] = capitalized
    return cols, cash, revenue_y


def _breakeven_month(cumulative: np.ndarray) -> np.ndarray:
    """First month after which cumulative cash stays >= 0 (NaN if it ends below 0).

    A portfolio that never goes below zero breaks even at month 0.
    """
    below = cumulative < 0
    ever = below.any(axis=1)
    last_below = cumulative.shape[1] - 1 - np.argmax(below[:, ::-1], axis=1)
    month = np.where(ever, last_below + 1, 0).astype(float)
    month[cumulative[:, -1] < 0] = np.nan
    return month


def _simulate_asset(ctx: _Context, asset: Asset, draws, rho, cost_diff, cash, revenue_y):
    n, horizon = ctx.n, ctx.horizon
    market = ctx.scenario.market
    seed = ctx.scenario.simulation.seed
    stages = []
    for name, _stage in asset.stages():
        eps = generator(seed, ctx.chunk_index, "success", asset.name, name).standard_normal(n)
        factor = ctx.group_factor(asset.risk_group, name) if asset.risk_group else None
        stages.append(
            StageDraws(
                duration_months=draws[f"phases.{name}.duration_months"],
                cost_musd=draws[f"phases.{name}.cost_musd"],
                p_success=draws[f"phases.{name}.p_success"],
                u=correlated_uniforms(eps, factor, rho),
            )
        )
    dev = simulate_development(
        draws["start_month"],
        stages,
        discount_rate_annual=market.discount_rate_annual,
        capitalization_rate_annual=market.capitalization_rate_annual,
        horizon=horizon,
        cost_diff=cost_diff,
    )
    launched = dev.launched(horizon)
    launch_month = dev.launch_month
    npv = dev.pv_cost_musd.copy()
    rows = np.flatnonzero(launched)
    if rows.size:
        npv[rows] += _launch(
            ctx, asset, draws, rows, launch_month[rows], cash, revenue_y, cost_diff
        )
    return npv, launched, launch_month, dev


def _launch(
    ctx: _Context, asset: Asset, draws, rows, launch, cash, revenue_y, cost_diff
) -> np.ndarray:
    """Commercial flows of the launched rows: adds them to the portfolio's monthly arrays
    (fixed costs to the difference array ``cost_diff``) and returns their present value
    before tax."""
    horizon = ctx.horizon
    c = "commercial."
    life = draws.get(f"{c}commercial_life_years")
    life_months = (
        np.full(rows.size, horizon) if life is None else np.round(life[rows] * MONTHS_PER_YEAR)
    )
    d = CommercialDraws(
        patients_per_year=draws[f"{c}patients_per_year"][rows],
        peak_share=draws[f"{c}peak_share"][rows],
        list_price_usd=draws[f"{c}list_price_usd"][rows],
        gross_to_net=draws[f"{c}gross_to_net"][rows],
        price_growth_annual=draws[f"{c}price_growth_annual"][rows],
        cogs_share=draws[f"{c}cogs_share"][rows],
        selling_share=draws[f"{c}selling_share"][rows],
        sales_force_musd_per_year=draws[f"{c}sales_force_musd_per_year"][rows],
        launch_cost_musd=draws[f"{c}launch_cost_musd"][rows],
        royalty_rate=draws[f"{c}royalty_rate"][rows],
        exclusivity_months=np.round(draws[f"{c}exclusivity_years"][rows] * MONTHS_PER_YEAR),
        erosion_first_year=draws[f"{c}erosion_first_year"][rows],
        life_months=life_months,
        demand_multiplier=ctx.market_draws["demand_multiplier"][rows],
        price_multiplier=ctx.market_draws["price_multiplier"][rows],
    )
    revenue_m = revenue_flows(
        d, uptake_by_month(asset.commercial.uptake_curve, horizon), launch, horizon
    )
    share = contribution_share(d)
    pv = share * (revenue_m @ ctx.discount)
    rate = ctx.scenario.market.discount_rate_annual
    for amount, offset, length in fixed_cost_spreads(d):
        pv -= pv_spread(amount, launch + offset, length, rate, horizon)
        add_spread(cost_diff, rows, -amount, launch + offset, length)
    revenue_y[rows] += revenue_m.reshape(rows.size, -1, MONTHS_PER_YEAR).sum(axis=2)
    revenue_m *= share[:, None]
    cash[rows] += revenue_m
    return pv
