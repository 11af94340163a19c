"""Evidence after launch: a price reassessment, and a real-world evidence (RWE) programme.

Payers reassess a price once outcomes data exist (HTA re-appraisals, managed-entry
agreements that end after a fixed period, conditional reimbursement). The
``evidence.reassessment`` block puts one reassessment ``N = after_years`` after launch
``L``: the price is kept with probability ``p_keep``, otherwise cut by ``c =
price_cut_share`` from month ``R = L + 12 N`` on. It happens with or without RWE.

An optional ``evidence.rwe`` programme costs ``cost_musd_per_year`` for ``years`` years
from launch, and buys named effects:

- a higher probability of keeping the price, ``p_keep -> p_keep_rwe``. One uniform ``u``
  per iteration decides (kept if ``u < p``), the same with and without RWE, so the paired
  difference is exact: the expected net price after ``R`` rises by ``(p_rwe - p) c`` of
  the list net price, and the expected revenue by ``(p_rwe - p) c x revenue after R``
  (revenue before ``R`` does not move);
- a label expansion with probability ``q`` after ``M`` years: new patients x ``(1 + g)``
  from month ``L + 12 M`` on.

Not modelled: cheaper outcome tracking and faster settlement of outcome-based contracts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field, model_validator

from simulator.core.fields import Float, Model, NonNegative, Probability
from simulator.core.seeding import iteration_major
from simulator.core.timeline import MONTHS_PER_YEAR, add_spread, pv_spread


class Reassessment(Model):
    """One price reassessment ``after_years`` after launch (see the module docstring)."""

    after_years: Float = Field(ge=0.0, le=30.0, description="years of outcomes data before it")
    p_keep_price: Probability = Field(description="without an RWE programme")
    price_cut_share: Probability = Field(description="cut of the net price if not kept")


class LabelExpansion(Model):
    after_years: Float = Field(ge=0.0, le=30.0, description="years of RWE after launch")
    probability: Probability
    share_gain: NonNegative = Field(description="new patients x (1 + gain) after it")


class RealWorldEvidence(Model):
    """An RWE programme from launch (see the module docstring)."""

    cost_musd_per_year: NonNegative
    years: Float = Field(gt=0.0, le=30.0)
    p_keep_price: Probability | None = Field(None, description="at the reassessment, with RWE")
    label_expansion: LabelExpansion | None = None


class Evidence(Model):
    reassessment: Reassessment | None = None
    rwe: RealWorldEvidence | None = None

    @model_validator(mode="after")
    def _check(self) -> Evidence:
        if self.rwe is not None and self.rwe.p_keep_price is not None and self.reassessment is None:
            raise ValueError(
                "rwe.p_keep_price needs a reassessment block (when the price is reset)"
            )
        return self


@dataclass(frozen=True)
class EvidenceTerms:
    """Per launched row: the reassessment and the label expansion (arrays over rows)."""

    reset_month: np.ndarray  # int (a large number: none)
    price_kept: np.ndarray  # bool
    price_cut: np.ndarray
    expansion_month: np.ndarray  # int (a large number: none)
    share_gain: np.ndarray

    def price_factor(self, horizon: int) -> np.ndarray:
        """``1 - c`` from the reset month where the price is not kept, 1 elsewhere."""
        after = np.arange(horizon)[None, :] >= self.reset_month[:, None]
        cut = np.where(self.price_kept, 0.0, self.price_cut)
        return np.where(after, 1.0 - cut[:, None], 1.0)

    def log_share(self, horizon: int) -> np.ndarray:
        """``log(1 + g)`` from the label expansion on."""
        after = np.arange(horizon)[None, :] >= self.expansion_month[:, None]
        return np.where(after, np.log1p(self.share_gain)[:, None], 0.0)


NEVER = np.iinfo(np.int64).max // 4


def evidence_terms(
    rng: np.random.Generator, block: Evidence, draws, n: int, rows, launch
) -> EvidenceTerms:
    """The reassessment and expansion of the launched ``rows`` (``launch`` their months)
    of a chunk of ``n``; ``draws`` are the asset's ``evidence`` draws; ``rng`` gives two
    uniforms per iteration of the chunk whatever the block holds."""
    u = iteration_major(rng.random, 2, (n,))[:, rows]
    size = rows.size
    reset = np.full(size, NEVER, dtype=np.int64)
    kept, cut = np.ones(size, dtype=bool), np.zeros(size)
    re, rwe = block.reassessment, block.rwe
    if re is not None:
        p = draws.reassessment.p_keep_price[rows]
        if rwe is not None and rwe.p_keep_price is not None:
            p = draws.rwe.p_keep_price[rows]
        reset = launch + round(re.after_years * MONTHS_PER_YEAR)
        kept, cut = u[0] < p, draws.reassessment.price_cut_share[rows]
    expand = np.full(size, NEVER, dtype=np.int64)
    gain = np.zeros(size)
    x = rwe.label_expansion if rwe is not None else None
    if x is not None:
        happens = u[1] < draws.rwe.label_expansion.probability[rows]
        month = launch + round(x.after_years * MONTHS_PER_YEAR)
        expand = np.where(happens, month, NEVER)
        gain = draws.rwe.label_expansion.share_gain[rows]
    return EvidenceTerms(reset, kept, cut, expand, gain)


def rwe_cost(block: Evidence, draws, rows, launch, rate_annual: float, horizon: int, cost_diff):
    """The RWE programme's present value (negative) for the launched ``rows``: its yearly
    cost spread evenly over ``12 x years`` months from launch; booked in ``cost_diff``."""
    if block.rwe is None:
        return np.zeros(rows.size)
    months = np.full(rows.size, max(round(block.rwe.years * MONTHS_PER_YEAR), 1))
    amount = draws.rwe.cost_musd_per_year[rows] * months / MONTHS_PER_YEAR
    add_spread(cost_diff, rows, -amount, launch, months)
    return -pv_spread(amount, launch, months, rate_annual, horizon)
