"""The cohort block: the biomarker-defined patient funnel and the test that finds it.

New patients a year = incidence x biomarker prevalence x testing rate(t) x treatable
fraction (the equations are in :mod:`.funnel`). :class:`Testing` is the assay as used in
practice: the share of patients tested ramps from ``initial_rate`` at launch to
``mature_rate`` (EGFR testing in NSCLC rose from 20% to 78.2% after targeted drugs were
approved: Clin Lung Cancer 2023), with the assay's sensitivity and specificity, the same
in the asset's trials and in its market. An all-comer asset has prevalence 1 and no test.
Assets of a portfolio that name the same ``indication`` share its patients, month by
month, by order of entry (:mod:`simulator.pillars.commercial.competition`).

:class:`PrevalentPool` is the stock of diagnosed patients waiting when the therapy
launches (patients a one-time gene or cell therapy was not available for, or the
untreated prevalent patients of a chronic disease): it is drawn down by uptake and by
mortality (:mod:`simulator.pillars.commercial.therapy`). Without it the market is the
incident patients only.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from simulator.core.fields import GrowthRate, Model, Name, NonNegative, Probability, Years
from simulator.core.notation import parse_distribution


class Testing(Model):
    """The biomarker test as used in practice (testing rates: Clin Lung Cancer 2023)."""

    initial_rate: Probability = Field(description="share of patients tested at launch")
    mature_rate: Probability = Field(description="share tested once practice has caught up")
    ramp_years: Years = Field(parse_distribution(3.0), description="launch to mature rate")
    sensitivity: Probability = Field(parse_distribution(1.0))
    specificity: Probability = Field(parse_distribution(1.0))

    @model_validator(mode="after")
    def _better_than_chance(self) -> Testing:
        if self.sensitivity.mean() + self.specificity.mean() <= 1.0:
            raise ValueError("sensitivity + specificity must exceed 1 (a test better than chance)")
        return self


class PrevalentPool(Model):
    """Diagnosed patients waiting at launch, in the units of ``incidence_per_year``
    (patients with the disease, before the treatable share and the test)."""

    patients: NonNegative = Field(description="diagnosed patients alive and waiting at launch")
    mortality_annual: Probability = Field(
        parse_distribution(0.0),
        description="share of the waiting patients who die (or leave the label) in a year",
    )


class Cohort(Model):
    """The biomarker-defined patient funnel (see simulator.pillars.cohort.funnel)."""

    indication: Name | None = Field(
        None, description="assets of a portfolio naming one indication split its patients"
    )
    biomarker: Name | None = Field(
        None, description="the biomarker's name, as a portfolio's profiling panel names it"
    )
    incidence_per_year: NonNegative = Field(description="patients with the disease a year")
    growth_annual: GrowthRate = Field(parse_distribution(0.0))
    biomarker_prevalence: Probability = Field(
        parse_distribution(1.0), description="share biomarker-positive (1: all-comer)"
    )
    treatable_fraction: Probability = Field(parse_distribution(1.0))
    testing: Testing | None = Field(None, description="none: everyone is eligible, no test")
    prevalent_pool: PrevalentPool | None = Field(
        None, description="diagnosed patients waiting at launch (none: incident patients only)"
    )
