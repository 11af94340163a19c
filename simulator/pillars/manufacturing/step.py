"""A cell or gene therapy's plant inside a chunk: demand in, treated patients out.

For an asset with a ``manufacturing`` block, :func:`commercialize` first computes what
demand *asks for*: the patients a month who would start therapy (the cohort funnel, the
launch curve, the testing ramp, the CDx, a waiting pool, loss of exclusivity: the
commercial pillar's starts), ``lambda[i, m]``. This module turns it into what the plant
*lets through*:

    referrals[i, m] ~ Poisson(lambda[i, m])
    treated[i, m]   = the manufacturing queue (simulator.pillars.manufacturing.queue)
    revenue[i, m]   = treated[i, m] * net_price[i, m]                      [USD M]
    cost[i, m]      = capex + suites * fixed / 12 + slots_started * cost_per_slot
                      + shipments * logistics     (from the launch month)   [USD M]

A batch-based product (gene therapy, allogeneic cells) with ``d`` doses per batch is the
same queue with ``d`` patient slots per batch; its cost per batch is spread over the
``d`` slots, and a QC failure hits each dose of the batch with the batch failure
probability (the same mean as whole-batch failures, with less variance). That
approximation is stated, not hidden: it is exact for autologous products (``d = 1``).

``fidelity: fast`` (the default) runs the compiled monthly recursion over all launched
iterations, each from its own generator named by the iteration's row in the chunk
(referrals, then the queue's draws: its numbers do not depend on the chunk's length);
``fidelity: event`` runs the SimPy model
(:mod:`simulator.pillars.manufacturing.des`) one iteration after the other, from a
generator named by the asset and the iteration's global index (so its numbers do not
depend on the chunk size). ``tests/pillars/manufacturing/test_des.py`` holds the two paths
against each other and against closed forms. A ``logistics`` block (fresh or
cryopreserved product, :mod:`.block`) sets the process's shipping cost, transit loss and
vein-to-vein time; nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simulator.core.seeding import generator
from simulator.pillars.manufacturing.block import Manufacturing
from simulator.pillars.manufacturing.des import simulate_capacity_event
from simulator.pillars.manufacturing.queue import (
    CapacityOutcome,
    CellTherapyProcess,
    manufacturing_cost_musd,
    simulate_capacity_fast,
)


def process_for(m: Manufacturing) -> CellTherapyProcess:
    """The queue model's process for a scenario's manufacturing block (doses as slots)."""
    e, c, a = m.expansion, m.contract, m.allocation
    d = m.doses_per_batch
    shipping, transit_loss, vein_to_vein = (
        (m.logistics_per_shipment_musd, m.cold_chain_loss_prob, m.vein_to_vein_months)
        if m.logistics is None
        else m.logistics.resolved()
    )
    return CellTherapyProcess(
        initial_suites=m.suites,
        batches_per_suite_month=m.batches_per_suite_month * d,
        manufacturing_months=vein_to_vein,
        manufacturing_log_sd=m.vein_to_vein_log_sd,
        qc_failure_prob=m.qc_failure_prob,
        remanufacture_prob=m.remanufacture_prob,
        cold_chain_loss_prob=transit_loss,
        dropout_hazard_monthly=m.dropout_hazard_monthly,
        expansion_backlog_threshold=None if e is None else e.backlog_threshold,
        expansion_lead_months=18.0 if e is None else e.lead_months,
        max_suites=m.suites if e is None else e.max_suites,
        capex_per_suite_musd=0.0 if e is None else e.capex_per_suite_musd,
        fixed_cost_per_suite_year_musd=m.fixed_cost_per_suite_year_musd,
        cost_per_batch_musd=m.cost_per_batch_musd / d,
        logistics_per_shipment_musd=shipping,
        contract_slots_per_month=0 if c is None else c.slots_per_month * d,
        contract_cost_per_batch_musd=0.0 if c is None else c.cost_per_batch_musd / d,
        high_risk_share=0.0 if a is None else a.high_risk_share,
        high_risk_hazard_ratio=1.0 if a is None else a.hazard_ratio,
        allocation_policy="first_come_first_served" if a is None else a.policy,
    )


@dataclass
class PlantRun:
    """The plant's result for the launched iterations of one asset in one chunk."""

    outcome: CapacityOutcome  # (rows, months) arrays
    cost_musd: np.ndarray  # (rows, months) manufacturing cash out, positive
    demand_per_month: np.ndarray  # (rows, months) expected referrals (the queue's input)
    capex_musd: np.ndarray | None = None  # (rows, months) the capex in cost_musd

    def columns(self, rows: np.ndarray, n: int, launch: np.ndarray) -> dict[str, np.ndarray]:
        """Per-iteration outcomes (0, or NaN for averages, where the asset did not launch)."""
        o = self.outcome

        def full(values: np.ndarray, fill: float = 0.0) -> np.ndarray:
            out = np.full(n, fill)
            out[rows] = values
            return out

        # utilization over the months the plant is open: launch to the horizon
        open_months = np.arange(o.months)[None, :] >= launch[:, None]
        with np.errstate(invalid="ignore"):
            used = np.where(open_months, np.nan_to_num(o.utilization), 0.0).sum(axis=1)
            util = used / open_months.sum(axis=1)
        return {
            "patients_referred": full(o.referred.sum(axis=1)),
            "patients_treated": full(o.treated.sum(axis=1)),
            "patients_lost_waiting": full(o.lost_waiting.sum(axis=1)),
            "manufacturing_failures": full(o.manufacturing_failures.sum(axis=1)),
            "mean_wait_months": full(o.mean_wait_months, np.nan),
            "utilization": full(util, np.nan),
            "capex_musd": full(o.capex_musd.sum(axis=1)),
            "contract_batches": full(o.contract_batches.sum(axis=1)),
            "suites_at_horizon": full(o.suites[:, -1], np.nan),
        }


def event_generator(seed: int, asset_name: str, iteration: int) -> np.random.Generator:
    """The event path's generator for one asset in one iteration (by its global index,
    so it does not depend on the chunk size)."""
    return generator(seed, 0, "manufacturing", asset_name, f"event-{iteration}")


def run_plant(
    m: Manufacturing,
    demand_per_month: np.ndarray,
    *,
    seed: int,
    chunk_index: int,
    asset_name: str,
    iteration_ids: np.ndarray,
    launch_month: np.ndarray,
    fidelity: str | None = None,
    chunk_first: int = 0,
) -> PlantRun:
    """Referrals, queue and costs for the launched iterations (rows of ``demand_per_month``).

    ``demand_per_month`` is ``(rows, months)`` expected referrals; ``iteration_ids`` the
    rows' global iteration indices (they name the event path's generators) and
    ``chunk_first`` the chunk's first one: the fast path's generator of a row is named by
    its index in the chunk, ``iteration_ids - chunk_first``. The suites'
    upkeep is paid from the launch month on (no referral comes before it). ``fidelity``
    overrides the block's own (``simulation.fidelity``, ``--fidelity``).
    """
    process = process_for(m)
    if (fidelity or m.fidelity) == "fast":
        # one generator per iteration, named by its row in the chunk: its referrals, then
        # its queue, so iteration i's plant does not depend on the chunk's length
        rngs = [
            generator(seed, chunk_index, "manufacturing", asset_name, f"row-{int(r)}")
            for r in iteration_ids - chunk_first
        ]
        arrivals = np.zeros(demand_per_month.shape, dtype=np.int64)
        for k, g in enumerate(rngs):
            arrivals[k] = g.poisson(demand_per_month[k])
        outcome = simulate_capacity_fast(arrivals, process, rngs)
    else:
        months = demand_per_month.shape[1]
        outcome = CapacityOutcome.concatenate(
            [
                simulate_capacity_event(
                    demand_per_month[k],
                    process,
                    event_generator(seed, asset_name, int(i)),
                    months,
                )
                for k, i in enumerate(iteration_ids)
            ]
        )
    cost = manufacturing_cost_musd(outcome, process)
    before = np.arange(cost.shape[1])[None, :] < launch_month[:, None]
    cost[before] = 0.0
    capex = np.where(before, 0.0, outcome.capex_musd)
    return PlantRun(outcome, cost, demand_per_month, capex)


def empty_columns(n: int) -> dict[str, np.ndarray]:
    """The plant's columns for a chunk in which the asset never launched."""
    z = np.zeros((0, 1))
    monthly = {f.name: z for f in fields(CapacityOutcome)}
    run = PlantRun(CapacityOutcome(**{**monthly, "mean_wait_months": np.zeros(0)}), z, z)
    return run.columns(np.zeros(0, dtype=np.int64), n, np.zeros(0, dtype=np.int64))


def through_the_plant(
    ctx, path, rows: np.ndarray, demand: np.ndarray
) -> tuple[np.ndarray, PlantRun]:
    """Patients the plant treats ``(rows, months)``, and the plant's run.

    ``demand`` is the asset's patients asking for treatment each month (its starts from
    the commercial pillar: the launch curve, testing ramp, CDx, waiting pool and loss of
    exclusivity); each treated patient is paid the net price of the month of treatment.
    """
    sim = ctx.scenario.simulation
    first = sim.chunk_size * ctx.chunk_index
    plant = run_plant(
        path.asset.manufacturing,
        demand,
        seed=sim.seed,
        chunk_index=ctx.chunk_index,
        asset_name=path.asset.name,
        iteration_ids=first + rows,
        launch_month=path.launch_month[rows],
        fidelity=sim.fidelity,
        chunk_first=first,
    )
    return plant.outcome.treated, plant
