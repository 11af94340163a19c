"""Phase-gated development in *benchmark* mode: each stage succeeds with a probability.

A drug programme walks through stages (discovery stages, preclinical, phase I, II, III,
regulatory review). Stage ``s`` of an asset has a duration ``d_s`` (months), a cost
``C_s`` (USD millions, spent evenly over the stage) and a probability of success ``p_s``.
The asset enters stage ``s`` only if every earlier stage succeeded; it pays the whole cost
of every stage it enters (a trial that fails has still been run), and it launches at the
end of review if every stage succeeded:

    reached_s = prod_{j<s} 1[u_j < p_j],     launch = reached_S-1 and u_{S-1} < p_{S-1}

where ``u_s`` are uniforms (correlated within a risk group: :mod:`simulator.core.copula`).

Published success rates (BIO, Biomedtracker & Amplion, *Clinical Development Success Rates
2006-2015*, June 2016):
phase I->II 63.2%, II->III 30.7%, III->NDA 58.1%, NDA->approval 85.3% for all drugs
(likelihood of approval from phase I 9.6%); with a selection biomarker 76/46/76/94%
(25.9%); without 63/28/55/83% (8.4%).

**R&D cost per launch** follows Paul et al. (2010), *Nat Rev Drug Discov* 9:203:
out-of-pocket cost is the sum of what every candidate spent, divided by the launches;
the *capitalized* cost compounds each stage's cost at the cost of capital ``k`` from the
middle of that stage to the (actual or would-be) launch date ``H``:

    capitalized = sum_s reached_s * C_s * (1 + k) ** ((H - mid_s) / 12)

For a failed candidate ``H`` is the month it would have launched had it succeeded (every
stage's duration is drawn for every iteration), which is exactly Paul's convention of
charging failures' costs to the successful launch they made possible.

**Accelerated approval.** An asset filed on a surrogate endpoint after phase II launches
at the end of review; its phase III becomes a *confirmatory* trial that starts at launch.
If it fails, the indication is withdrawn when it ends (revenue stops then). Its cost is
R&D spend after launch (capitalized "to launch" with a negative exponent, i.e. discounted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.timeline import add_spread, pv_spread, to_month


@dataclass(frozen=True)
class StageDraws:
    """One stage's sampled inputs and success uniforms, arrays over iterations."""

    duration_months: np.ndarray
    cost_musd: np.ndarray  # everything the stage costs, its screening included
    p_success: np.ndarray
    u: np.ndarray
    screening_musd: np.ndarray | float = 0.0  # the part of cost_musd spent screening


@dataclass(frozen=True)
class DevelopmentOutcome:
    """What development did in each iteration (arrays over iterations)."""

    boundaries: np.ndarray  # (n, S+1) grid month where each stage starts; last = launch month
    reached: np.ndarray  # (n, S) bool: the asset entered the stage
    approved: np.ndarray  # (n,) bool: every stage succeeded (launch may be past the horizon)
    oop_cost_musd: np.ndarray  # (n,) R&D spent, undiscounted
    capitalized_cost_musd: np.ndarray  # (n,) Paul et al. 2010 capitalized cost
    pv_cost_musd: np.ndarray  # (n,) present value of R&D spend within the horizon
    withdrawal_month: np.ndarray  # (n,) month a failed confirmatory trial ends revenue (inf)
    waits: np.ndarray | None = None  # (n, S) months each stage waited for the annual budget
    # each span of spend (the stages in order, then a confirmatory trial if any), (n, S'):
    span_start: np.ndarray | None = None  # grid month the span starts
    span_months: np.ndarray | None = None  # its length (>= 1 month)
    span_spent_musd: np.ndarray | None = None  # what the iteration spent on it (0: not entered)
    stage_names: tuple[str, ...] = ()  # the spans' stage names (set by the chunk step)
    confirmatory: bool = False  # the last span is a confirmatory trial run after launch
    screening_oop_musd: np.ndarray | None = None  # (n,) the part of oop spent screening

    @property
    def launch_month(self) -> np.ndarray:
        """Month of launch if approved (would-be launch month otherwise)."""
        return self.boundaries[:, -1]


def simulate_development(
    start_month: np.ndarray,
    stages: list[StageDraws],
    *,
    discount_rate_annual: float,
    capitalization_rate_annual: float,
    horizon: int,
    cost_diff: np.ndarray | None = None,
    confirmatory: StageDraws | None = None,
    waits: np.ndarray | None = None,
) -> DevelopmentOutcome:
    """Walk every iteration through the stages at once.

    Parameters
    ----------
    start_month
        Continuous month the first stage starts, per iteration.
    stages
        Sampled inputs of each stage, in order.
    discount_rate_annual, capitalization_rate_annual
        Rates for the present value of spend and for Paul's capitalized cost.
    horizon
        Months on the grid; spend past it is outside the model's cash flows (but counts
        in the out-of-pocket and capitalized cost, which are not horizon-bound).
    cost_diff
        Optional ``(n, horizon + 1)`` difference array to which the monthly spend is
        added as a negative cash flow (see :func:`.timeline.add_spread`).
    confirmatory
        Accelerated approval: the confirmatory trial that starts at launch (entered by
        every approved iteration); its failure withdraws the indication at its end.
    waits
        Optional ``(n, S)`` whole months each stage waits before it starts (the annual
        budget: :mod:`simulator.pillars.budget.schedule`); then ``boundaries`` holds each
        stage's start and the launch month, and a stage ends ``waits`` before the next
        starts. None (or zeros) is the back-to-back path.
    """
    n = len(start_month)
    t = np.asarray(start_month, dtype=float).copy()
    starts, ends = [], []
    for s, st in enumerate(stages):
        if waits is not None:
            t = t + waits[:, s]
        starts.append(to_month(t))
        t = t + st.duration_months
        ends.append(to_month(t))
    boundaries = np.stack([*starts, ends[-1]] if stages else [to_month(t)], axis=1)

    launch = boundaries[:, -1]
    spans = [(starts[s], ends[s], st) for s, st in enumerate(stages)]
    if confirmatory is not None:
        spans.append((launch, to_month(launch + confirmatory.duration_months), confirmatory))
    alive = np.ones(n, dtype=bool)
    reached = np.zeros((n, len(spans)), dtype=bool)
    oop = np.zeros(n)
    pv = np.zeros(n)
    capitalized = np.zeros(n)
    cap_growth = np.log1p(capitalization_rate_annual) / 12.0
    withdrawal = np.full(n, np.inf)
    span_start = np.zeros((n, len(spans)), dtype=np.int64)
    span_months = np.ones((n, len(spans)), dtype=np.int64)
    span_spent = np.zeros((n, len(spans)))
    screening = np.zeros(n)
    for s, (start, end, st) in enumerate(spans):
        reached[:, s] = alive
        length = np.maximum(end - start, 1)
        spent = np.where(alive, st.cost_musd, 0.0)
        span_start[:, s], span_months[:, s], span_spent[:, s] = start, length, spent
        screening += np.where(alive, st.screening_musd, 0.0)
        oop += spent
        capitalized += spent * np.exp(cap_growth * (launch - 0.5 * (start + end)))
        pv += pv_spread(spent, start, length, discount_rate_annual, horizon)
        if cost_diff is not None:
            rows = np.flatnonzero(alive & (spent > 0))
            add_spread(cost_diff, rows, -spent[rows], start[rows], length[rows])
        passed = st.u < st.p_success
        if st is confirmatory:
            withdrawal = np.where(alive & ~passed, end, np.inf)
        else:
            alive = alive & passed
    return DevelopmentOutcome(
        boundaries=boundaries,
        reached=reached,
        approved=alive,
        oop_cost_musd=oop,
        capitalized_cost_musd=capitalized,
        pv_cost_musd=-pv,
        withdrawal_month=withdrawal,
        waits=waits,
        span_start=span_start,
        span_months=span_months,
        span_spent_musd=span_spent,
        confirmatory=confirmatory is not None,
        screening_oop_musd=screening,
    )
