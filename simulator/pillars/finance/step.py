"""A portfolio's tax inside a chunk: from its monthly pre-tax cash to what it pays.

The portfolio is the taxpayer: its assets' cash is summed month by month before tax, and
the tax of :mod:`simulator.pillars.finance.tax` applies to the sum, so that one asset's
loss shelters another's profit (standalone) or the sponsor's other profits
(consolidated). Each asset's own NPV column is its pre-tax present value at the
statutory rate, ``(1 - t) PV_a``; what the company's tax position adds to the sum of those
(depreciation timing, orphan credits, losses that wait for profits) is the portfolio's
``tax_adjustment_musd``, so that

    portfolio NPV = sum_a (1 - t) PV_a + tax adjustment,
    tax_pv_musd   = sum_a PV_a - portfolio NPV          (the PV of tax paid, net of credits).

A :class:`TaxBook` collects what the tax needs beyond the cash while the chunk walks the
assets: the plant capex paid each month (only when capex is depreciated) and the
qualified clinical spend of orphan-designated assets (only with an orphan credit). Where
neither applies and the mode is consolidated, :meth:`TaxBook.settle` multiplies the cash
by ``1 - t`` and adjusts nothing: the numbers of the linear tax, bit for bit.
"""

from __future__ import annotations

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR, add_spread
from simulator.pillars.development.block import CLINICAL
from simulator.pillars.development.stages import DevelopmentOutcome
from simulator.pillars.finance.block import Tax
from simulator.pillars.finance.tax import (
    at_year_ends,
    consolidated_tax,
    standalone_tax,
    straight_line,
    yearly,
)

COLUMNS = ("tax_pv_musd", "tax_adjustment_musd", "orphan_credit_musd", "losses_unused_musd")


def is_orphan(asset) -> bool:
    """Whether the asset's label holds an orphan designation."""
    return asset.regulatory.orphan_indications >= 1


class TaxBook:
    """A portfolio's capex and qualified clinical spend, month by month (see the module
    docstring); arrays are made only when the scenario's tax reads them."""

    def __init__(self, tax: Tax, rate: float, n: int, horizon: int):
        self.tax, self.rate, self.n, self.horizon = tax, rate, n, horizon
        self.capex: np.ndarray | None = None  # difference array (n, horizon + 1)
        self.qualified: np.ndarray | None = None  # difference array (n, horizon + 1)

    @property
    def wants_capex(self) -> bool:
        return self.tax.capex_depreciation_years > 0

    def wants_qualified(self, asset) -> bool:
        return self.tax.orphan_credit_rate > 0 and is_orphan(asset)

    def _array(self, name: str) -> np.ndarray:
        if getattr(self, name) is None:
            setattr(self, name, np.zeros((self.n, self.horizon + 1)))
        return getattr(self, name)

    def add_qualified(self, asset, dev: DevelopmentOutcome) -> None:
        """Book an asset's qualified clinical testing spend: phases I-III before approval
        (a confirmatory trial after launch does not qualify: s.45C(b)(2))."""
        if not self.wants_qualified(asset):
            return
        out = self._array("qualified")
        last = len(dev.stage_names) - 1
        for s, name in enumerate(dev.stage_names):
            if name not in CLINICAL or (dev.confirmatory and s == last):
                continue
            spent = dev.span_spent_musd[:, s]
            rows = np.flatnonzero(spent > 0)
            start, months = dev.span_start[rows, s], dev.span_months[rows, s]
            add_spread(out, rows, spent[rows], start, months)

    def add_capex_spread(self, rows, amount, start, months) -> None:
        """Book capex paid evenly over ``months`` from ``start`` (rows of the chunk)."""
        if self.wants_capex and rows.size:
            add_spread(self._array("capex"), rows, amount, start, months)

    def add_capex(self, rows: np.ndarray, monthly: np.ndarray) -> None:
        """Book capex paid month by month, ``(rows, horizon)``."""
        if self.wants_capex and rows.size:
            out = self._array("capex")
            step = np.diff(monthly, axis=1, prepend=0.0)  # to the difference form
            out[rows, : self.horizon] += step
            out[rows, self.horizon] -= monthly[:, -1]

    def settle(
        self, cash: np.ndarray, pretax_pv: np.ndarray, discount: np.ndarray
    ) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
        """Tax the portfolio's monthly pre-tax ``cash`` in place (it becomes after-tax cash);
        returns the NPV adjustment to add to the assets' ``(1 - t) PV`` (None: nothing to
        add) and the portfolio's tax columns. ``pretax_pv`` is ``sum_a PV_a``."""
        t, n = self.rate, self.n
        months = self.horizon
        capex = self._monthly(self.capex)
        life = round(self.tax.capex_depreciation_years * MONTHS_PER_YEAR)
        depreciation = None if capex is None else straight_line(capex, life)
        qualified = self._monthly(self.qualified)
        credit = None if qualified is None else self.tax.orphan_credit_rate * qualified
        zero = np.zeros(n)
        cols = {"orphan_credit_musd": zero if credit is None else credit.sum(axis=1)}
        if self.tax.mode == "consolidated":
            cash *= 1.0 - t
            if capex is None and credit is None:
                cols.update(tax_pv_musd=t * pretax_pv, tax_adjustment_musd=zero,
                            losses_unused_musd=zero)  # fmt: skip
                return None, cols
            extra = np.zeros((n, months))  # what the company's tax adds to (1 - t) c
            if capex is not None:
                extra -= consolidated_tax(0.0, t, capex, depreciation)
            if credit is not None:
                extra -= consolidated_tax(0.0, t, credit_musd=credit)
            cash += extra
            adjustment = extra @ discount
            cols.update(tax_pv_musd=t * pretax_pv - adjustment, tax_adjustment_musd=adjustment,
                        losses_unused_musd=zero)  # fmt: skip
            return adjustment, cols
        taxable = cash.copy()
        if capex is not None:
            taxable += capex - depreciation
        if credit is not None:
            taxable += credit
        paid = standalone_tax(
            yearly(taxable),
            t,
            self.tax.loss_limit_share,
            None if credit is None else yearly(credit),
        )
        tax_m = at_year_ends(paid.tax_musd)
        cash -= tax_m
        tax_pv = tax_m @ discount
        adjustment = t * pretax_pv - tax_pv
        cols.update(tax_pv_musd=tax_pv, tax_adjustment_musd=adjustment,
                    losses_unused_musd=paid.losses_carried_musd[:, -1])  # fmt: skip
        return adjustment, cols

    def _monthly(self, diff: np.ndarray | None) -> np.ndarray | None:
        return None if diff is None else np.cumsum(diff, axis=1)[:, : self.horizon]
