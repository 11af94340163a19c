"""One possible future of an autologous cell-therapy product, patient by patient (SimPy).

The story
---------
Referrals arrive as a Poisson process whose rate is constant within each month. Each
referred patient is a SimPy process: they ask for a manufacturing slot and wait in line.
While waiting they race two events, ``slot_request | env.timeout(patience)``, where the
patience is exponential with the monthly dropout hazard: whichever comes first decides
whether they get a slot or are lost while waiting (progression, death). With a slot,
their batch is manufactured, and one vein-to-vein time later QC passes or fails. That
time is ``manufacturing_months`` when ``manufacturing_log_sd`` is 0; otherwise it is
drawn for each batch from a lognormal with median ``manufacturing_months`` and log-sd
``manufacturing_log_sd`` (:mod:`.vein_to_vein`; a re-manufactured batch draws its own).
After a failure the patient is re-apheresed and rejoins the line ahead of new referrals
(probability ``remanufacture_prob``) or is lost; a released batch may be lost in the cold
chain; otherwise the patient is infused.

Slots as a SimPy resource
-------------------------
Capacity is quoted as slots per month (a median of 1 slot/month/centre in the survey of
Kourelis et al. 2023, *Transplant Cell Ther*). We model ``suites x
batches_per_suite_month`` parallel servers of a ``simpy.PriorityResource``, and a batch
*books its slot for exactly one month* from its start; each server then starts at most
one batch a month, so a busy plant's throughput is exactly ``suites x
batches_per_suite_month`` batches per month, and a single suite with one slot is an
M/D/1 queue with a service time of one month. The vein-to-vein time is a delay outside
the resource (QC release and shipping do not occupy the line), the same split the
monthly fast path makes (slots per month as capacity, the vein-to-vein time as a delay).
A contract manufacturer adds ``contract_slots_per_month`` servers; since servers are
alike, a month's batches beyond the own suites' slots are counted as the contract
manufacturer's (the own suites are used first), the same rule the fast path applies.

Slot allocation. Under ``first_come_first_served`` (the default) waiting referrals get
slots in arrival order. With risk classes (``high_risk_share`` s > 0), each referral is
high risk with probability s, with a dropout hazard ``k h0`` against ``h0`` for the
others (``h0 = h / (1 - s + s k)``, so the mean over referrals stays ``h``); under
``progression_risk`` the high-risk patients waiting are served before the others
(arrival order within a class; re-manufactures still ahead of both; with a ratio
``k = 1`` there is one class and the order is FCFS's). Why it never loses
more patients: the policy is work-conserving like FCFS (a slot never idles while anyone
waits), so it starts as many batches whenever the line is never empty, and it leaves the
patients least likely to drop out waiting; with two patients and one slot, serving the
high-risk one first loses ``1 - exp(-h0 t)`` rather than ``1 - exp(-k h0 t)`` in
expectation over a wait t. The tests check it in loaded regimes. The fast path has no
risk classes: a scenario with them needs ``fidelity: event``.

Capacity growth uses only the public API: the resource is built at its largest size and
each slot of a suite not yet online is held by a placeholder request of top priority;
when the suite comes online the placeholders are released and the waiting patients
flow into the freed slots. A manager process reviews the backlog at each month end;
when it exceeds the threshold (and nothing is on order and fewer than ``max_suites``
are online) it orders a suite, which comes online at the start of month
``t + 1 + ceil(lead)``, exactly as in
:func:`simulator.pillars.manufacturing.queue.simulate_capacity_fast`.

Nothing is global: ``env``, the ``rng`` and a collector are passed to every process.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import simpy

from simulator.pillars.manufacturing.outcome import CapacityOutcome
from simulator.pillars.manufacturing.process import CellTherapyProcess

__all__ = [
    "CellTherapyCollector",
    "run_cell_therapy",
    "simulate_capacity_event",
    "trace_events",
]

SLOT_BOOKING_MONTHS = 1.0
_PLACEHOLDER, _REMANUFACTURE, _HIGH_RISK, _REFERRAL = -1, 0, 1, 2
_Process = Generator[simpy.Event, object, None]


@dataclass
class CellTherapyCollector:
    """What one event-level run records: monthly counts, waits and a log of events.

    ``log`` holds ``(time_months, kind, details)``; capacity events are always logged,
    patient events only when ``record_patients`` is true.
    """

    months: int
    record_patients: bool = False
    waiting: int = 0
    suites_online: int = 0
    on_order_month: int | None = None
    counts: dict[str, np.ndarray] = field(init=False)
    capex_musd: np.ndarray = field(init=False)
    treated_waits_months: list[float] = field(default_factory=list)
    lost_waiting_high_risk: int = 0  # of lost_waiting, the high-risk class's
    log: list[tuple[float, str, dict]] = field(default_factory=list)

    def __post_init__(self) -> None:
        names = ("referred", "treated", "lost_waiting", "manufacturing_failures",
                 "lost_after_failure_or_transit", "backlog", "suites",
                 "batches_started", "shipments")  # fmt: skip
        self.counts = {name: np.zeros(self.months, dtype=np.int64) for name in names}
        self.capex_musd = np.zeros(self.months)

    def count(self, name: str, time_months: float) -> None:
        month = math.floor(time_months)
        if month < self.months:
            self.counts[name][month] += 1

    def patient_event(self, time_months: float, kind: str, **details: object) -> None:
        if self.record_patients and time_months < self.months:
            self.log.append((time_months, kind, details))

    def to_outcome(self, process: CellTherapyProcess) -> CapacityOutcome:
        """Arrays with a leading iteration axis of length 1."""
        c = self.counts
        slots = c["suites"] * process.batches_per_suite_month
        # the own suites' slots are used first; the overflow is the contract manufacturer's
        contract = np.maximum(c["batches_started"] - slots, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            utilization = np.where(slots > 0, (c["batches_started"] - contract) / slots, np.nan)
        waits = self.treated_waits_months
        mean_wait = float(np.mean(waits)) if waits else math.nan
        return CapacityOutcome(
            capex_musd=self.capex_musd[None, :],
            mean_wait_months=np.array([mean_wait]),
            utilization=utilization[None, :],
            contract_batches=contract[None, :],
            **{name: value[None, :] for name, value in c.items()},
        )


@dataclass
class _Plant:
    """Shared state of one run: the slots, their placeholders, the inputs and the records."""

    process: CellTherapyProcess
    slots: simpy.PriorityResource
    placeholders: list[simpy.resources.resource.PriorityRequest]
    rng: np.random.Generator
    collector: CellTherapyCollector


def patient(env: simpy.Environment, plant: _Plant, patient_id: int) -> _Process:
    """One referred patient, from referral to infusion or loss."""
    p, rng, c = plant.process, plant.rng, plant.collector
    referred = env.now
    priority, hazard, high = _REFERRAL, p.dropout_hazard_monthly, False
    if p.high_risk_share > 0:  # risk classes: drawn only when there are two
        high = rng.random() < p.high_risk_share
        hazard = p.class_hazards()[high]
        served_first = p.allocation_policy == "progression_risk" and p.high_risk_hazard_ratio > 1
        if high and served_first:  # equal hazards: one class, arrival order
            priority = _HIGH_RISK
    first_wait = None
    c.count("referred", env.now)
    c.patient_event(env.now, "referred", patient=patient_id)
    while True:
        request = plant.slots.request(priority=priority)
        c.waiting += 1
        if hazard > 0:
            yield request | env.timeout(rng.exponential(1.0 / hazard))
        else:
            yield request
        c.waiting -= 1
        if not request.triggered:
            request.cancel()
            c.count("lost_waiting", env.now)
            c.lost_waiting_high_risk += high and env.now < c.months
            c.patient_event(env.now, "lost_waiting", patient=patient_id)
            return
        if first_wait is None:
            first_wait = env.now - referred
        c.count("batches_started", env.now)
        c.patient_event(env.now, "slot", patient=patient_id, wait=env.now - referred)
        booking = env.timeout(SLOT_BOOKING_MONTHS)
        booking.callbacks.append(lambda _event, r=request: plant.slots.release(r))
        if p.manufacturing_log_sd > 0:
            yield env.timeout(
                rng.lognormal(math.log(p.manufacturing_months), p.manufacturing_log_sd)
            )
        else:
            yield env.timeout(p.manufacturing_months)
        if rng.random() < p.qc_failure_prob:
            c.count("manufacturing_failures", env.now)
            if rng.random() < p.remanufacture_prob:
                c.patient_event(env.now, "remanufacture", patient=patient_id)
                priority = _REMANUFACTURE
                continue
            c.count("lost_after_failure_or_transit", env.now)
            c.patient_event(env.now, "lost_after_failure", patient=patient_id)
            return
        c.count("shipments", env.now)
        if rng.random() < p.cold_chain_loss_prob:
            c.count("lost_after_failure_or_transit", env.now)
            c.patient_event(env.now, "cold_chain_loss", patient=patient_id)
            return
        c.count("treated", env.now)
        if env.now < c.months:
            c.treated_waits_months.append(first_wait)
        c.patient_event(env.now, "infused", patient=patient_id)
        return


def referrals(env: simpy.Environment, plant: _Plant, arrival_times_months: np.ndarray) -> _Process:
    """Start a patient process at each (sorted) referral time."""
    for patient_id, time in enumerate(arrival_times_months):
        yield env.timeout(time - env.now)
        env.process(patient(env, plant, patient_id))


def _month_end_review(plant: _Plant, month: int) -> None:
    """Record the backlog of ``month`` and order a suite if the backlog is too long."""
    p, c = plant.process, plant.collector
    c.counts["backlog"][month] = c.waiting
    if (
        p.expansion_backlog_threshold is not None
        and c.on_order_month is None
        and c.suites_online < p.max_suites
        and c.waiting > p.expansion_backlog_threshold
    ):
        c.on_order_month = month + 1 + p.expansion_delay_months
        c.capex_musd[month] += p.capex_per_suite_musd
        c.log.append((month + 0.999, "suite_ordered", {"backlog": c.waiting}))


def capacity_manager(env: simpy.Environment, plant: _Plant) -> _Process:
    """Month by month: review the backlog at the end, bring suites online at the start."""
    p, c = plant.process, plant.collector
    for month in range(c.months):
        if month > 0:
            _month_end_review(plant, month - 1)
        if c.on_order_month == month:
            for _ in range(p.batches_per_suite_month):
                plant.slots.release(plant.placeholders.pop())
            c.suites_online += 1
            c.on_order_month = None
            c.log.append(
                (float(month), "suite_online", {"suite": c.suites_online, "backlog": c.waiting})
            )
        c.counts["suites"][month] = c.suites_online
        yield env.timeout(1.0)


def run_cell_therapy(
    arrival_rate_per_month: np.ndarray,
    process: CellTherapyProcess,
    rng: np.random.Generator,
    months: int,
    *,
    record_patients: bool = False,
) -> CellTherapyCollector:
    """Run one iteration event by event and return its collector (for traces)."""
    rate = np.broadcast_to(np.asarray(arrival_rate_per_month, dtype=float), (months,))
    if np.any(rate < 0) or not np.all(np.isfinite(rate)):
        raise ValueError("arrival_rate_per_month must be finite and non-negative")
    counts = rng.poisson(rate)
    times = np.repeat(np.arange(months, dtype=float), counts) + rng.random(counts.sum())
    times.sort()

    k = process.batches_per_suite_month
    most_suites = process.initial_suites
    if process.expansion_backlog_threshold is not None:
        most_suites = max(process.max_suites, most_suites)
    env = simpy.Environment()
    contract = process.contract_slots_per_month
    slots = simpy.PriorityResource(env, capacity=max(most_suites * k + contract, 1))
    blocked = slots.capacity - process.initial_suites * k - contract
    placeholders = [slots.request(priority=_PLACEHOLDER) for _ in range(blocked)]
    collector = CellTherapyCollector(months, record_patients)
    collector.suites_online = process.initial_suites
    plant = _Plant(process, slots, placeholders, rng, collector)
    env.process(capacity_manager(env, plant))
    env.process(referrals(env, plant, times))
    env.run(until=months)
    _month_end_review(plant, months - 1)
    return collector


def simulate_capacity_event(
    arrival_rate_per_month: np.ndarray,
    process: CellTherapyProcess,
    rng: np.random.Generator,
    months: int,
) -> CapacityOutcome:
    """One event-level iteration as a :class:`CapacityOutcome` with n = 1.

    Parameters
    ----------
    arrival_rate_per_month
        Poisson referral rate in each month, shape (months,) or a scalar.
    process
        The manufacturing process.
    rng
        Source of every random draw of this iteration.
    months
        Horizon; batches still in flight at the end are not counted as treated.
    """
    collector = run_cell_therapy(arrival_rate_per_month, process, rng, months)
    return collector.to_outcome(process)


_PATIENT_TEXT = {
    "referred": "patient {patient} referred",
    "slot": "patient {patient} gets a slot after {wait:.1f} months",
    "remanufacture": "patient {patient}: batch fails QC, re-manufacture",
    "lost_after_failure": "patient {patient}: batch fails QC, patient lost",
    "cold_chain_loss": "patient {patient}: batch lost in the cold chain",
    "lost_waiting": "patient {patient} lost while waiting",
    "infused": "patient {patient} infused",
}
_CAPACITY_TEXT = {
    "suite_ordered": "suite ordered (backlog {backlog})",
    "suite_online": "suite {suite} comes online (backlog {backlog})",
}


def trace_events(
    collector: CellTherapyCollector, *, patients: bool = True
) -> list[tuple[int, str]]:
    """Readable timeline, ``(month, "month 37: suite 3 comes online (backlog 41)")``.

    Patient events appear only if the run recorded them and ``patients`` is true.
    """
    lines = []
    for time, kind, details in sorted(collector.log, key=lambda entry: entry[0]):
        template = _CAPACITY_TEXT.get(kind) or (_PATIENT_TEXT.get(kind) if patients else None)
        if template is None:
            continue
        month = math.floor(time)
        lines.append((month, f"month {month}: {template.format(**details)}"))
    return lines
