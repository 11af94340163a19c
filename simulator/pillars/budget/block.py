"""The portfolio's R&D budget: a cap on expected spend, and an optional annual budget.

A portfolio committee sets two kinds of R&D budget:

- **a cap on expected R&D spend** (``expected_rd_musd``), the money the committee plans to
  put into the portfolio over its life, on one ``basis``: out of pocket (``oop``: the
  stages' costs as spent, undiscounted, as Paul et al. 2010 count them) or present value
  (``pv``: R&D and CDx spend discounted at the market's rate). It is a planning figure,
  compared with the run's mean spend (the summary's *R&D budget used*), and it bounds the
  mixes ``simulate frontier`` enumerates (:mod:`simulator.studies.frontier`). It changes
  nothing inside an iteration;
- **an annual R&D budget** (``annual_rd_musd``), enforced in every iteration
  (:mod:`.schedule`): a stage starts only if the spend the portfolio has committed in each
  calendar year it spans, plus its own, stays within the budget; otherwise it waits,
  month by month, and the wait is the asset's ``budget_delay_months``. Stages ready in
  the same month are served by ``priority``: ``listed`` (the order of the portfolio's
  assets; the only rule so far).

Either may be left out; a portfolio without a ``budget`` block runs as before, bit for bit.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from simulator.core.fields import Float, Model

Basis = Literal["oop", "pv"]
Priority = Literal["listed"]

#: The per-portfolio outcome column each basis reads (a mean over iterations).
SPEND_COLUMN: dict[str, str] = {"oop": "oop_cost_musd", "pv": "rd_pv_musd"}


class Budget(Model):
    """A portfolio's R&D budget (see the module docstring)."""

    expected_rd_musd: Float | None = Field(
        None, gt=0.0, description="cap on the portfolio's expected R&D spend (USD millions)"
    )
    basis: Basis = Field(
        "oop", description="what the cap counts: oop (out of pocket) or pv (present value)"
    )
    annual_rd_musd: Float | None = Field(
        None,
        gt=0.0,
        description="R&D spend allowed in each calendar year of the scenario; stage starts "
        "wait while a year's committed spend would exceed it",
    )
    priority: Priority = Field(
        "listed", description="which waiting stage starts first: listed (portfolio order)"
    )
