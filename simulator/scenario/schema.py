"""The typed shape of a scenario: what may be written in the YAML and what each field means.

A scenario is a question: *which of these portfolios is worth more, and how risky is
each?* It has four parts:

- ``simulation``: how many Monte Carlo iterations, which seed, how big a chunk;
- ``market``: what every portfolio shares: discount rate, tax, the horizon, and market
  draws that hit all portfolios alike in one iteration (common random numbers);
- ``templates``: reusable asset descriptions (``extends`` and ``template`` merge them);
- ``portfolios``: named lists of assets, with risk groups whose members fail together.

Units are in the field names: ``_months``, ``_years``, ``_musd`` (USD millions),
``_usd`` (US dollars), ``_annual`` (a yearly rate), ``_share``/``p_`` (a fraction in
[0, 1]). Any numeric input can be a distribution (:mod:`simulator.core.distributions`); the few that
cannot (rates that define the time value of money, counts) are plain numbers.

The skeleton is composed of the pillars' blocks: an :class:`Asset` holds its stages
(:mod:`simulator.pillars.development`), cohort, companion diagnostic, commercial model,
plant, pricing and true effect, each defined with its equations in its pillar; this
module only composes them and checks what spans blocks (the stages an asset needs, a
plant only for cell and gene therapies, a CDx that starts inside the asset's path).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from simulator.core.fields import (
    Float,
    Int,
    Model,
    Months,
    Name,
    NonNegative,
    Rate,
)
from simulator.core.limits import MAX_ITERATIONS
from simulator.core.notation import parse_distribution
from simulator.pillars.budget.block import Budget
from simulator.pillars.cohort.block import Cohort
from simulator.pillars.cohort.profiling import Profiling
from simulator.pillars.commercial.block import Commercial, check_commercial
from simulator.pillars.deals.block import DealBlock, check_deal
from simulator.pillars.deals.financing import Financing
from simulator.pillars.decisions.block import Gates, check_gates
from simulator.pillars.development.block import STAGES, Phases, Regulatory, Stage, StageName
from simulator.pillars.diagnostics.block import CompanionDiagnostic
from simulator.pillars.diagnostics.standards import BiomarkerStandard
from simulator.pillars.finance.block import Tax
from simulator.pillars.manufacturing.block import CGT_MODALITIES, Manufacturing
from simulator.pillars.pricing.block import IraNegotiation, Pricing
from simulator.pillars.pricing.evidence import Evidence
from simulator.pillars.surveillance.block import Surveillance
from simulator.pillars.trials.block import Effect, check_designs

Modality = Literal[
    "small_molecule",
    "biologic",
    "gene_therapy",
    "autologous_cell_therapy",
    "allogeneic_cell_therapy",
]


def _whole(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError(f"expected a number, got {v!r}")
    return v


def _seed(v: int) -> int:
    if not 0 <= v < 2**128:
        raise ValueError("expected a whole number >= 0 and below 2^128")
    return v


#: A root seed: any whole number >= 0 below 2^128 (numpy's SeedSequence takes it whole).
Seed = Annotated[int, BeforeValidator(_whole), AfterValidator(_seed)]


class Simulation(Model):
    iterations: Annotated[int, BeforeValidator(_whole)] = Field(
        10_000, ge=1, description="Monte Carlo iterations"
    )
    seed: Seed = Field(20_261_125, description="root seed of every random stream")
    chunk_size: Int = Field(
        10_000,
        ge=1,
        le=1_000_000,
        description="iterations per chunk (part of the result's identity)",
    )
    fidelity: Literal["fast", "event"] | None = Field(
        None,
        description="override every manufacturing block's fidelity (fast: monthly queue; "
        "event: SimPy, patient by patient); none: each asset's own",
    )
    irr: bool = Field(False, description="each portfolio's IRR per iteration (monthly cash)")

    @field_validator("iterations")
    @classmethod
    def _at_most(cls, n: int) -> int:
        if n > MAX_ITERATIONS:
            shown = f"{n:,}" if n < 10**15 else f"about 10^{len(str(n)) - 1}"
            raise ValueError(
                f"expected at most {MAX_ITERATIONS:,} iterations in one run, got {shown}: 10^8 "
                "take about five hours on two cores and put the Monte Carlo error of a mean "
                "at 10^-4 of its standard deviation; for more, run again with another seed "
                "and pool the runs, or run on a Dask cluster (--scheduler)"
            )
        return n


class Market(Model):
    # Rates are conventions of the valuation, fixed for a run (core.fields.Rate says why).
    discount_rate_annual: Rate = Field(
        0.10, ge=0.0, lt=1.0, description="annual discount rate, applied monthly"
    )
    cost_of_capital_annual: Rate | None = Field(
        None,
        ge=0.0,
        lt=1.0,
        description="rate that capitalizes R&D cost to launch (Paul et al. 2010); "
        "defaults to the discount rate",
    )
    tax_rate: Rate = Field(0.0, ge=0.0, lt=1.0, description="corporate tax rate")
    tax: Tax = Field(
        default_factory=Tax,
        description="consolidated or standalone, orphan credit, depreciation (pillars.finance)",
    )
    horizon_years: Int = Field(30, ge=1, le=60, description="length of the monthly grid")
    dollar_year: Int | None = Field(
        None, ge=1900, le=2100, description="the year of the dollars of every money input"
    )
    demand_multiplier: NonNegative = Field(
        parse_distribution(1.0), description="market-wide demand shock shared by all portfolios"
    )
    price_multiplier: NonNegative = Field(
        parse_distribution(1.0), description="market-wide price shock shared by all portfolios"
    )
    ira: IraNegotiation | None = Field(
        None, description="US IRA price negotiation, switched on or off once per iteration"
    )

    @property
    def capitalization_rate_annual(self) -> float:
        if self.cost_of_capital_annual is None:
            return self.discount_rate_annual
        return self.cost_of_capital_annual


class Asset(Model):
    name: Name
    description: str = ""
    modality: Modality = "small_molecule"
    selection_biomarker: bool = Field(False, description="patients are selected by a biomarker")
    start_stage: StageName = "phase1"
    start_month: Months = Field(parse_distribution(0.0), description="month the asset starts")
    risk_group: Name | None = Field(None, description="assets of one group fail together")
    phases: Phases
    commercial: Commercial
    cohort: Cohort | None = None
    cdx: CompanionDiagnostic | None = None
    regulatory: Regulatory = Field(default_factory=Regulatory)
    manufacturing: Manufacturing | None = Field(
        None, description="capacity-limited plant of a cell or gene therapy"
    )
    pricing: Pricing | None = Field(
        None, description="price basis, value ceiling, budget cap, contract, IRA exemption"
    )
    effect: Effect | None = Field(
        None, description="mechanistic mode: the true effect that stages with a design estimate"
    )
    gates: Gates | None = Field(None, description="decisions: stop the programme at gates")
    deal: DealBlock | None = Field(None, description="a licensing or partner deal on the asset")
    # the readiness gaps (simulator.engine.readiness): each OFF when absent
    biomarker_standard: BiomarkerStandard | None = Field(
        None, description="a hazard that the biomarker's definition or cutoff changes"
    )
    surveillance: Surveillance | None = Field(
        None, description="safety signals after launch, REMS, long-term follow-up"
    )
    evidence: Evidence | None = Field(
        None, description="a price reassessment after launch and a real-world evidence programme"
    )

    @model_validator(mode="after")
    def _stages_present(self) -> Asset:
        needed = STAGES[STAGES.index(self.start_stage) :]
        missing = [s for s in needed if getattr(self.phases, s) is None]
        if missing:
            raise ValueError(
                f"an asset that starts in {self.start_stage} needs phases "
                f"{', '.join(needed)}; missing: {', '.join(missing)}"
            )
        if (self.cohort is None) == (self.commercial.patients_per_year is None):
            raise ValueError(
                "give either commercial.patients_per_year or a cohort (not both, not neither)"
            )
        if self.regulatory.accelerated_approval and self.start_stage in ("phase3", "review"):
            raise ValueError("accelerated approval needs an asset that starts before phase3")
        if self.cdx is not None and STAGES.index(self.cdx.development_start) < STAGES.index(
            self.start_stage
        ):
            raise ValueError(
                f"cdx.development_start {self.cdx.development_start} is before the asset's "
                f"start_stage {self.start_stage}"
            )
        self._check_manufacturing()
        pricing = self.pricing
        if (
            pricing is not None
            and self.manufacturing is not None
            and (pricing.price_basis != "one_time")
        ):
            raise ValueError(
                "the plant treats each patient once: a manufactured asset's pricing "
                "needs price_basis: one_time (list_price_usd per treatment)"
            )
        check_designs(self)
        check_commercial(self)
        check_gates(self)
        check_deal(self)
        self._check_readiness()
        return self

    def _check_readiness(self) -> None:
        if self.biomarker_standard is not None and not self.selection_biomarker:
            raise ValueError("biomarker_standard needs an asset with selection_biomarker: true")
        s = self.surveillance
        follow_up = s is not None and s.long_term_follow_up is not None
        if follow_up and self.modality not in CGT_MODALITIES:
            raise ValueError(
                "surveillance.long_term_follow_up is for cell and gene therapies "
                f"({', '.join(CGT_MODALITIES)}), not a {self.modality}"
            )

    def _check_manufacturing(self) -> None:
        m = self.manufacturing
        if m is None:
            return
        if self.modality not in CGT_MODALITIES:
            raise ValueError(
                f"manufacturing is for cell and gene therapies ({', '.join(CGT_MODALITIES)}); "
                f"a {self.modality} has no capacity limit: its cost of goods is "
                "commercial.cogs_share. Remove manufacturing or change the modality"
            )
        if self.modality == "autologous_cell_therapy" and m.doses_per_batch != 1:
            raise ValueError(
                "an autologous cell therapy makes one batch per patient: "
                f"manufacturing.doses_per_batch must be 1, got {m.doses_per_batch}"
            )
        cogs = self.commercial.cogs_share
        if not (cogs.is_constant and cogs.mean() == 0.0):
            raise ValueError(
                "with a manufacturing block the cost of goods comes from the plant (batches, "
                "suites, shipping): set commercial.cogs_share to 0 or remove it"
            )

    def stages(self) -> list[tuple[str, Stage]]:
        """The stages this asset goes through, in order."""
        needed = STAGES[STAGES.index(self.start_stage) :]
        return [(s, getattr(self.phases, s)) for s in needed]


class RiskGroup(Model):
    correlation: Float = Field(
        ge=0.0,
        lt=1.0,
        description="correlation of the latent success variables of two members in the same stage",
    )
    description: str = ""


class Portfolio(Model):
    description: str = ""
    assets: list[Asset] = Field(min_length=1)
    risk_groups: dict[Name, RiskGroup] = Field(default_factory=dict)
    budget: Budget | None = Field(
        None, description="R&D budget: a cap on expected spend, an optional annual budget"
    )
    financing: Financing | None = Field(
        None, description="a megafund overlay: debt tranches and equity fund the portfolio"
    )
    profiling: Profiling | None = Field(
        None, description="a shared multi-gene panel the portfolio's trials recruit from"
    )

    def asset(self, name: str) -> Asset:
        """The asset called ``name`` (after ``count`` expansion: ``onc_kinase_2``)."""
        for a in self.assets:
            if a.name == name:
                return a
        raise KeyError(f"no asset {name!r}; known: {', '.join(a.name for a in self.assets)}")

    def has_plants(self) -> bool:
        """Whether any asset is a cell or gene therapy with a capacity-limited plant."""
        return any(a.manufacturing is not None for a in self.assets)


class Scenario(Model):
    """A validated scenario. Load one with :func:`simulator.load_scenario`."""

    name: Name
    description: str = ""
    simulation: Simulation = Field(default_factory=Simulation)
    market: Market = Field(default_factory=Market)
    portfolios: dict[Name, Portfolio] = Field(min_length=1)
    compare: list[tuple[Name, Name]] | None = Field(
        None, description="pairs (a, b) to compare as a - b; default: every pair in order"
    )

    _raw: dict = PrivateAttr(default_factory=dict)
    _origin: str = PrivateAttr(default="<python>")
    _locs: dict = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _fidelity_fits_allocation(self) -> Scenario:
        if self.simulation.fidelity != "fast":
            return self
        for p in self.portfolios.values():
            for a in p.assets:
                if a.manufacturing is not None and a.manufacturing.allocation is not None:
                    raise ValueError(
                        f"simulation.fidelity: fast, but {a.name}'s manufacturing.allocation "
                        "runs in the SimPy model only (fidelity: event)"
                    )
        return self

    def __repr__(self) -> str:
        """One line: name, portfolios with their asset counts, iterations, seed (the whole
        validated tree is ``model_dump()``)."""
        sim = self.simulation
        pf = ", ".join(f"{p}: {len(v.assets)} assets" for p, v in self.portfolios.items())
        return (
            f"<Scenario {self.name!r} ({pf}); {sim.iterations:,} iterations, seed {sim.seed}, "
            f"chunk size {sim.chunk_size:,}>"
        )

    __str__ = __repr__

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython / Jupyter
        printer.text(repr(self))

    def pairs(self) -> list[tuple[str, str]]:
        """Portfolio pairs to compare, as (a, b) meaning a - b."""
        if self.compare is not None:
            return [tuple(p) for p in self.compare]
        names = list(self.portfolios)
        return [(names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))]

    def with_(self, overrides: dict[str, Any] | None = None, **simulation: Any) -> Scenario:
        """A copy with changes, e.g. ``s.with_({"market.discount_rate_annual": 0.08})``.

        Keys are dotted paths as on the command line (``--set``); list items are picked by
        index (``assets[0]``) or by asset name (``assets.onc_egfr``). Keyword arguments set
        ``simulation`` fields: ``s.with_(iterations=2000, seed=7)``.
        """
        sets = dict(overrides or {})
        sets.update({f"simulation.{k}": v for k, v in simulation.items()})
        return Scenario._apply_overrides(self, sets)

    # Set by simulator.scenario.loader (which builds on this module) when it is imported, as
    # simulator.scenario always does: overriding means re-validating through the loader.
    _apply_overrides: ClassVar[Callable[[Scenario, dict[str, Any]], Scenario]]
