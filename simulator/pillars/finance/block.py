"""How the sponsor is taxed, as a scenario writes it (``market.tax``; the rate is
``market.tax_rate``).

- ``mode: consolidated`` (the default): the programmes belong to a company with other
  profits, so a loss is offset against them at once: every month's cash is taxed at the
  rate, a loss earning an immediate credit (a large pharma running the portfolio);
- ``mode: standalone``: the portfolio is the company (a biotech): losses are carried
  forward without expiry and used against later profits, optionally limited to
  ``loss_limit_share`` of each year's taxable income (the US rule for losses arising
  after 2017: 80%, 26 U.S.C. s.172(a)(2) as amended by the Tax Cuts and Jobs Act 2017);
  nothing is refunded;
- ``orphan_credit_rate``: the orphan-drug credit on qualified clinical testing expenses of
  assets with an orphan designation (``regulatory.orphan_indications`` >= 1): 25% in the
  US since 2018 (26 U.S.C. s.45C(a) as amended by the Tax Cuts and Jobs Act 2017; 50%
  before), with the deduction of those expenses reduced by the credit (s.280C(b));
- ``capex_depreciation_years``: plant capex (suites built before launch, suites added
  later) is deducted straight-line over this life instead of when it is paid (0: when it
  is paid).

The equations are in :mod:`simulator.pillars.finance.tax`. Not in the reference table of
published figures: the statutes are cited by section.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from simulator.core.fields import Float, Model


class Tax(Model):
    """The sponsor's tax position (see simulator.pillars.finance.tax)."""

    mode: Literal["consolidated", "standalone"] = Field(
        "consolidated",
        description="consolidated: losses offset other profits at once; standalone: losses "
        "are carried forward and used against later profits",
    )
    loss_limit_share: Float | None = Field(
        None,
        gt=0.0,
        le=1.0,
        description="standalone: carried-forward losses offset at most this share of a year's "
        "taxable income (US since 2018: 0.8); none: no limit",
    )
    orphan_credit_rate: Float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="credit on the clinical trial spend of orphan-designated assets (US: 0.25)",
    )
    capex_depreciation_years: Float = Field(
        0.0, ge=0.0, le=60.0, description="straight-line life of plant capex (0: expensed)"
    )
