"""What a run of the plant produces: monthly patient counts, capacity and its cash out.

Both paths, the monthly queue over all iterations (:mod:`.queue`) and the SimPy model
one iteration at a time (:mod:`.des`), return a :class:`CapacityOutcome`: the same
arrays with a leading iteration axis, so that tests can hold one against the other and
the chunk step can read either.

The plant's cash out in month ``t`` (USD millions) is

    capex_t + suites_t * fixed_cost_per_suite_year / 12
        + own_batches_t * cost_per_batch + contract_batches_t * contract_cost_per_batch
        + shipments_t * logistics_per_shipment,

where the own batches are the batches started minus the contract manufacturer's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simulator.pillars.manufacturing.process import CellTherapyProcess

__all__ = ["CapacityOutcome", "manufacturing_cost_musd", "yearly_totals"]


def yearly_totals(monthly: np.ndarray) -> np.ndarray:
    """Sum an (n, months) array into (n, years); a trailing partial year is kept."""
    n, months = monthly.shape
    years = -(-months // 12)
    padded = np.zeros((n, years * 12), dtype=monthly.dtype)
    padded[:, :months] = monthly
    return padded.reshape(n, years, 12).sum(axis=2)


@dataclass
class CapacityOutcome:
    """Per-iteration results of the manufacturing queue; (n,) or (n, months) arrays.

    Monthly counts: ``referred``, ``treated`` (infused), ``lost_waiting`` (left the queue),
    ``manufacturing_failures`` (batches failing QC), ``lost_after_failure_or_transit``
    (failed and not re-manufactured, or lost in the cold chain), ``backlog`` (waiting at
    month end), ``suites`` (online), ``capex_musd`` (suites ordered x capex),
    ``batches_started`` and ``shipments`` (released batches sent to the centre), and
    ``contract_batches``, the batches started beyond the own suites' slots (made by the
    contract manufacturer). ``utilization`` is own batches / own slots (NaN without) and
    ``mean_wait_months`` the mean referral-to-slot wait of treated patients (NaN if none).
    """

    referred: np.ndarray
    treated: np.ndarray
    lost_waiting: np.ndarray
    manufacturing_failures: np.ndarray
    lost_after_failure_or_transit: np.ndarray
    backlog: np.ndarray
    suites: np.ndarray
    capex_musd: np.ndarray
    mean_wait_months: np.ndarray
    utilization: np.ndarray
    batches_started: np.ndarray
    shipments: np.ndarray
    contract_batches: np.ndarray

    @classmethod
    def concatenate(cls, outcomes: list[CapacityOutcome]) -> CapacityOutcome:
        """Stack outcomes of several runs along the iteration axis."""
        return cls(
            **{
                f.name: np.concatenate([getattr(o, f.name) for o in outcomes], axis=0)
                for f in fields(cls)
            }
        )

    @property
    def months(self) -> int:
        return self.treated.shape[1]

    @property
    def treated_per_year(self) -> np.ndarray:
        """Patients infused in each (possibly partial) year, (n, years)."""
        return yearly_totals(self.treated)

    @property
    def capex_per_year_musd(self) -> np.ndarray:
        """Capex booked in each (possibly partial) year, (n, years)."""
        return yearly_totals(self.capex_musd)

    @property
    def first_expansion_month(self) -> np.ndarray:
        """First month with more suites than month 0 (NaN if capacity never grew), (n,)."""
        grew = self.suites > self.suites[:, :1]
        first = np.argmax(grew, axis=1).astype(float)
        first[~grew.any(axis=1)] = np.nan
        return first


def manufacturing_cost_musd(outcome: CapacityOutcome, process: CellTherapyProcess) -> np.ndarray:
    """Monthly manufacturing cash out, (n, months): capex + suite upkeep + batches (own
    and contract) + shipping."""
    own_batches = outcome.batches_started - outcome.contract_batches
    return (
        outcome.capex_musd
        + outcome.suites * (process.fixed_cost_per_suite_year_musd / 12.0)
        + own_batches * process.cost_per_batch_musd
        + outcome.contract_batches * process.contract_cost_per_batch_musd
        + outcome.shipments * process.logistics_per_shipment_musd
    )
