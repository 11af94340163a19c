"""One chunk of Monte Carlo iterations, vectorized: every portfolio, every asset, at once.

``simulate_chunk(scenario, chunk_index)`` is pure, importable and picklable: the same
arguments give the same arrays on any machine, in any process. For each iteration it
draws the market (shared by all portfolios), then for each portfolio and asset:

1. the asset's uncertain inputs (:mod:`.sampling`),
2. its development path (:mod:`simulator.pillars.development.stages`), with success uniforms
   correlated within risk groups (:mod:`simulator.core.copula`),
3. once every asset is developed, its share of its indication month by month
   (:mod:`simulator.pillars.commercial.competition`) and its commercial flows if it
   launched before the horizon (:mod:`simulator.pillars.commercial.patients`), computed
   for launched iterations only,

and adds the asset's monthly cash to the portfolio's. Present values are computed per
asset in closed form or by one matrix-vector product; monthly arrays exist only at the
portfolio level, for the cash trough, break-even and yearly cash-flow bands.

The portfolio is the taxpayer (:mod:`simulator.pillars.finance`): its monthly pre-tax
cash is taxed as a consolidated company (losses offset other profits at once: the cash
times ``1 - tax_rate``, plus any orphan credit and depreciation timing) or a standalone
one (losses carried forward). Each asset's NPV column is its pre-tax present value times
``1 - tax_rate``; the portfolio's NPV adds its ``tax_adjustment_musd``. Out-of-pocket and
capitalized R&D costs are reported before tax, as Paul et al. (2010) report them, and
complete: the drug's stages, CDx development, trial screening and the CDx partner's
upfront and milestone, each also a column of its own (``rd_drug_musd``, ``rd_cdx_musd``,
``rd_screening_musd``, ``rd_milestones_musd``, which sum to ``oop_cost_musd``).

An asset under a ``deal`` keeps its own cash while it is walked, and only the sponsor's
side of it reaches the portfolio (:mod:`.deal_path`); a portfolio's IRR and its financing
overlay are computed on its after-tax monthly cash at the end, when the scenario asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.core.draws import Draws, distribution_fields, sample
from simulator.core.seeding import generator
from simulator.core.timeline import MONTHS_PER_YEAR, discount_factors
from simulator.engine.asset_path import AssetPath, commercialize, develop_all
from simulator.engine.deal_path import DEAL_TOTALS, portfolio_columns
from simulator.engine.deal_path import settle as settle_deal
from simulator.pillars.commercial.competition import indication_shares
from simulator.pillars.finance.step import TaxBook
from simulator.scenario import Scenario

MARKET_FIELDS = ("demand_multiplier", "price_multiplier")
# out-of-pocket R&D by kind: drug stages (screening excluded), CDx development, trial
# screening, deals (the CDx partner's upfront and milestone)
RD_KINDS = ("drug", "cdx", "screening", "milestones")
# per-asset plant outcomes summed over a portfolio's cell and gene therapies
PLANT_TOTALS = ("patients_treated", "patients_lost_waiting", "capex_musd", "plant_build_musd")


@dataclass
class ChunkResult:
    """Outcomes of one chunk: per-iteration columns and yearly cash per portfolio."""

    chunk_index: int
    columns: dict[str, np.ndarray]
    yearly_cash_musd: dict[str, np.ndarray]  # portfolio -> (n, years), after tax
    yearly_revenue_musd: dict[str, np.ndarray]  # portfolio -> (n, years)
    monthly_cash_musd: dict[str, np.ndarray] | None = None  # only with keep_monthly=True
    # "<portfolio>.<asset>.<series>" -> (n, years), NaN where the asset did not launch:
    # plant backlog and suites at each year end, patients treated in each year
    yearly_series: dict[str, np.ndarray] = field(default_factory=dict)
    # portfolio -> each asset's path through the chunk (only with keep_paths=True, for traces)
    paths: dict[str, list[AssetPath]] | None = None


def chunk_bounds(iterations: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of each chunk's global iteration indices."""
    return [(s, min(s + chunk_size, iterations)) for s in range(0, iterations, chunk_size)]


def simulate_chunk(
    scenario: Scenario, chunk_index: int, keep_monthly: bool = False, keep_paths: bool = False
) -> ChunkResult:
    """Simulate iterations ``[chunk_index * chunk_size, ...)`` of ``scenario``.

    ``keep_monthly`` also returns each portfolio's monthly after-tax cash, ``(n, months)``,
    and ``keep_paths`` every asset's :class:`AssetPath` (for tests and single-iteration
    traces; too big to keep for a whole run).
    """
    sim, market = scenario.simulation, scenario.market
    start, stop = chunk_bounds(sim.iterations, sim.chunk_size)[chunk_index]
    n = stop - start
    seed = sim.seed
    horizon = market.horizon_years * MONTHS_PER_YEAR
    market_draws = sample(market, "market", seed, chunk_index, n)
    ctx = _Context(scenario, chunk_index, n, horizon, market_draws)
    columns: dict[str, np.ndarray] = {"iteration": np.arange(start, stop)}
    columns.update(
        {
            f"market.{k}": getattr(market_draws, k)
            for k in MARKET_FIELDS
            if not getattr(market, k).is_constant
        }
    )
    yearly_cash, yearly_revenue, monthly, series, paths = {}, {}, {}, {}, {}
    for pname in scenario.portfolios:
        cols, cash, rev_y, paths[pname] = _simulate_portfolio(ctx, pname, series)
        columns.update(cols)
        yearly_cash[pname] = cash.reshape(n, -1, MONTHS_PER_YEAR).sum(axis=2)
        yearly_revenue[pname] = rev_y
        if keep_monthly:
            monthly[pname] = cash
    return ChunkResult(
        chunk_index,
        columns,
        yearly_cash,
        yearly_revenue,
        monthly if keep_monthly else None,
        series,
        paths if keep_paths else None,
    )


@dataclass
class _Context:
    scenario: Scenario
    chunk_index: int
    n: int
    horizon: int
    market_draws: Draws

    def __post_init__(self) -> None:
        m = self.scenario.market
        self.discount = discount_factors(m.discount_rate_annual, self.horizon)
        self._factors: dict[tuple[str, str], np.ndarray] = {}
        self.ira_applies: np.ndarray | None = None  # the IRA switch, drawn when first needed

    def generator(self, stream: str, *names: str) -> np.random.Generator:
        """The chunk's generator for one purpose (see :mod:`simulator.core.seeding`)."""
        return generator(self.scenario.simulation.seed, self.chunk_index, stream, *names)

    def group_factor(self, group: str, stage: str) -> np.ndarray:
        """The risk group's standard-normal factor for a stage (shared by its members)."""
        key = (group, stage)
        if key not in self._factors:
            rng = generator(
                self.scenario.simulation.seed, self.chunk_index, "risk_group", group, stage
            )
            self._factors[key] = rng.standard_normal(self.n)
        return self._factors[key]


def _simulate_portfolio(ctx: _Context, pname: str, series: dict[str, np.ndarray]):
    portfolio = ctx.scenario.portfolios[pname]
    n, horizon = ctx.n, ctx.horizon
    market = ctx.scenario.market
    tax_keep = 1.0 - market.tax_rate
    book = TaxBook(market.tax, market.tax_rate, n, horizon)
    cost_diff = np.zeros((n, horizon + 1))
    cash = np.zeros((n, horizon))
    revenue_y = np.zeros((n, horizon // MONTHS_PER_YEAR))
    cols: dict[str, np.ndarray] = {}
    # pass 1: development (under the portfolio's annual budget, if any), regulatory path, CDx
    seed = ctx.scenario.simulation.seed
    draws = [sample(a, a.name, seed, ctx.chunk_index, n) for a in portfolio.assets]
    paths = develop_all(ctx, portfolio, draws, cost_diff)
    for asset, d, path in zip(portfolio.assets, draws, paths, strict=True):
        book.add_qualified(asset, path.dev)
        prefix = f"{pname}.{asset.name}"
        uncertain = {f for f, dist in distribution_fields(asset).items() if not dist.is_constant}
        for field_path, values in d.flat():  # after develop: the effects actually used
            if field_path in uncertain:
                cols[f"input:{prefix}.{field_path}"] = values
        for stage in uncertain_stages(asset):  # stage outcomes are inputs too (drivers)
            cols[f"input:{prefix}.phases.{stage}.passed"] = path.passed[stage]
    # pass 2: revenue, with shared indications split month by month among the assets on
    # the market (every asset's launch is known now) and outside entrants
    shares = indication_shares(ctx, paths)
    npv = np.zeros(n)
    launches = np.zeros(n, dtype=np.int64)
    approvals = np.zeros(n, dtype=np.int64)
    first_launch = np.full(n, np.inf)
    rd = {k: np.zeros(n) for k in RD_KINDS}  # out-of-pocket R&D by kind
    rd_pv = np.zeros(n)
    capitalized = np.zeros(n)
    cdx_delay_sum = np.zeros(n)
    cdx_launches = np.zeros(n, dtype=np.int64)
    cdx_delayed = np.zeros(n, dtype=np.int64)
    budget_delay = np.zeros(n)
    pretax_pv = np.zeros(n)
    plant_totals = {k: np.zeros(n) for k in PLANT_TOTALS} if portfolio.has_plants() else {}
    deal_totals: dict[str, np.ndarray] = {}
    for path, share in zip(paths, shares, strict=True):
        rd_pv -= path.pv_musd  # pass 1 booked R&D and CDx spend only (negative)
        own = path.own  # an asset under a deal: its own arrays, then the sponsor's side
        arrays = (cash, revenue_y, cost_diff) if own is None else (own.cash, own.revenue_y,
                                                                   own.diff)  # fmt: skip
        a_pretax = path.pv_musd + commercialize(ctx, path, share, *arrays)
        if path.build is not None:  # not R&D: the plant built at risk before approval
            a_pretax = a_pretax + path.build.pv_musd
            book.add_capex_spread(*path.build.capex)
        if own is not None:
            a_pretax, deal_cols = settle_deal(ctx, path, cash, revenue_y, tax_keep)
            path.outputs.update(deal_cols)
            for k in DEAL_TOTALS:
                deal_totals[k] = deal_totals.get(k, 0.0) + deal_cols[k]
        pretax_pv += a_pretax
        a_npv = a_pretax * tax_keep
        if path.plant is not None:
            book.add_capex(path.plant_rows, path.plant.capex_musd)
        launched, launch_month = path.launched, path.launch_month
        prefix = f"{pname}.{path.asset.name}"
        cols[f"{prefix}.npv_musd"] = a_npv
        cols[f"{prefix}.launched"] = launched
        cols[f"{prefix}.launch_month"] = np.where(launched, launch_month, np.nan)
        cols[f"{prefix}.stages_entered"] = path.dev.reached.sum(axis=1)
        cols[f"{prefix}.oop_cost_musd"] = sum(_asset_rd(path).values())  # for the frontier
        cols[f"{prefix}.rd_pv_musd"] = -path.pv_musd
        cols.update({f"{prefix}.{k}": v for k, v in path.outputs.items()})
        if path.asset.manufacturing is not None:
            series.update(_plant_series(path, prefix, n, horizon // MONTHS_PER_YEAR))
            for k, total in plant_totals.items():
                total += path.outputs[k]
        npv += a_npv
        launches += launched
        approvals += path.dev.approved
        first_launch = np.minimum(first_launch, np.where(launched, launch_month, np.inf))
        for kind, amount in _asset_rd(path).items():
            rd[kind] += amount
        if "budget_delay_months" in path.outputs:
            budget_delay += path.outputs["budget_delay_months"]
        capitalized += path.dev.capitalized_cost_musd
        if path.cdx is not None:
            capitalized += path.cdx.capitalized_musd
        if path.cdx is not None:
            cdx_delay_sum += np.where(launched, path.cdx.delay_to_launch_months, 0.0)
            cdx_launches += launched
            cdx_delayed += launched & (path.cdx.delay_to_launch_months > 0)
    np.cumsum(cost_diff, axis=1, out=cost_diff)
    cash += cost_diff[:, :horizon]
    adjustment, tax_columns = book.settle(cash, pretax_pv, ctx.discount)  # cash after tax
    if adjustment is not None:
        npv += adjustment
    cumulative = np.cumsum(cash, axis=1, out=cost_diff[:, :horizon])
    trough = np.minimum(cumulative.min(axis=1), 0.0)
    cols[f"{pname}.npv_musd"] = npv
    cols[f"{pname}.launches"] = launches
    cols[f"{pname}.approvals"] = approvals
    cols[f"{pname}.first_launch_month"] = np.where(np.isinf(first_launch), np.nan, first_launch)
    cols[f"{pname}.peak_revenue_musd"] = revenue_y.max(axis=1)
    cols[f"{pname}.cash_trough_musd"] = trough
    cols[f"{pname}.breakeven_month"] = _breakeven_month(cumulative)
    cols[f"{pname}.oop_cost_musd"] = rd["drug"] + rd["cdx"] + rd["screening"] + rd["milestones"]
    cols.update({f"{pname}.rd_{k}_musd": v for k, v in rd.items()})
    cols[f"{pname}.capitalized_cost_musd"] = capitalized
    cols[f"{pname}.rd_pv_musd"] = rd_pv
    cols.update({f"{pname}.{k}": v for k, v in tax_columns.items()})
    cols[f"{pname}.cdx_launches"] = cdx_launches
    cols[f"{pname}.cdx_delayed_launches"] = cdx_delayed
    cols[f"{pname}.cdx_delay_months_sum"] = cdx_delay_sum
    cols.update({f"{pname}.cgt_{k}": v for k, v in plant_totals.items()})
    cols.update({f"{pname}.{k}": v for k, v in deal_totals.items()})
    extra = portfolio_columns(ctx.scenario, portfolio, cash)  # IRR, financing overlay
    cols.update({f"{pname}.{k}": v for k, v in extra.items()})
    if portfolio.budget is not None and portfolio.budget.annual_rd_musd is not None:
        cols[f"{pname}.budget_delay_months"] = budget_delay  # summed over the assets
    return cols, cash, revenue_y, paths


def uncertain_stages(asset) -> list[str]:
    """The asset's stages whose outcome varies: a trial design, or ``0 < p_success < 1``
    (decided from the scenario, so every chunk has the same columns)."""
    out = []
    for name, stage in asset.stages():
        p = stage.p_success
        if stage.design is not None or not (p.is_constant and p.mean() in (0.0, 1.0)):
            out.append(name)
    return out


def _asset_rd(path: AssetPath) -> dict[str, np.ndarray]:
    """One asset's out-of-pocket R&D by kind (drug, CDx, screening, milestones)."""
    screening = path.dev.screening_oop_musd
    zero = np.zeros_like(screening)
    cdx = path.cdx
    return {
        "drug": path.dev.oop_cost_musd - screening,
        "cdx": zero if cdx is None else cdx.development_oop_musd,
        "screening": screening,
        "milestones": zero if cdx is None else cdx.deals_oop_musd,
    }


def _plant_series(path, prefix: str, n: int, years: int) -> dict[str, np.ndarray]:
    """Year-end backlog and suites, and patients treated a year, of a CGT asset's plant
    (NaN in the years that end before the asset's launch, and where it never launched)."""
    out = {f"{prefix}.{k}": np.full((n, years), np.nan) for k in ("backlog", "suites", "treated")}
    if path.plant is not None:
        o, rows = path.plant.outcome, path.plant_rows
        year_end = np.arange(MONTHS_PER_YEAR - 1, years * MONTHS_PER_YEAR, MONTHS_PER_YEAR)
        before = year_end[None, :] < path.launch_month[rows][:, None]
        for key, values in (
            ("backlog", o.backlog[:, year_end]),
            ("suites", o.suites[:, year_end]),
            ("treated", o.treated_per_year),
        ):
            out[f"{prefix}.{key}"][rows] = np.where(before, np.nan, values)
    return out


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
