"""Competition that moves in time: an indication's patients shared among the drugs on its
market, month by month.

**Order of entry.** Assets of one portfolio that name the same ``cohort.indication``
share its new patients among those *on the market in that month* (launched, and not past
their commercial life or withdrawn), each weighted by its order of entry ``r`` (1 for the
first to launch; assets launched in the same month share a rank):

    split_i[m] = w_i / sum_{j on the market in m} w_j,      w_i = shares_i[r_i - 1]

(the last weight holds for later entrants). The default weights, 1, 0.71, 0.58, 0.51, are
the long-run shares of the second, third and fourth entrant relative to the pioneer's in
82 consumer brands, ``r^-0.49`` (Urban, Carter, Gaskin & Mucha 1986, Management Science
32:645); using them for drugs is an ASSUMPTION. A first entrant keeps its single-asset
share until a second launches; a drug that fails leaves the market to the others; the
split acts on new starts (patients on therapy stay with their drug).

**Outside entrants.** Competitors from outside the portfolio enter the indication after
its first launch ``L_1`` as a Poisson process of ``lambda`` a year; each takes a share
``l`` of the asset's new patients:

    outside_i[m] = (1 - l_i)^{N(m)},    N(m) = #{k : L_1 + 12 (E_1 + ... + E_k) / lambda <= m}

with ``E_k`` standard exponentials drawn per iteration from the indication's own stream
(``inputs``, named ``competition``, the indication or, for an asset alone in its
indication, the asset's name, and ``entries``), so every portfolio sees the same
entrants for an indication with the same rate (common random numbers), and a higher rate
brings every entrant sooner (more entrants, never fewer). Entries are drawn in rows of
``(entrant, iteration)``, so the k-th entrant's draw does not depend on how many are kept.

The asset's share of its indication in month ``m`` is ``split_i[m] outside_i[m]``; it
multiplies the month's starts (:mod:`.therapy`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from simulator.core.seeding import iteration_major
from simulator.core.timeline import MONTHS_PER_YEAR, to_month
from simulator.pillars.commercial.step import life_months


@dataclass
class IndicationShare:
    """One asset's share of its indication over time, for the iterations of a chunk.

    ``rivals`` are the other assets of the indication: their launch and exit months and
    their order-of-entry weights ``(n,)`` each (exit: the month they leave the market);
    ``entries`` the months outside entrants arrive, ``(K, n)`` (the horizon where none).
    """

    launch: np.ndarray  # (n,) int, the horizon where not launched
    exit: np.ndarray  # (n,) int
    weight: np.ndarray  # (n,)
    rivals: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    entries: np.ndarray | None = None  # (K, n) int months
    share_loss: np.ndarray | None = None  # (n,)

    @property
    def moves(self) -> bool:
        """Whether the share is ever below 1 (else nothing to compute)."""
        return bool(self.rivals) or self.entries is not None

    def tested_share(self) -> np.ndarray:
        """``(n,)`` this asset's part of its indication's tested patients: one over the
        portfolio's assets naming the indication that launched (the per-test fee is paid once
        per patient tested, whoever treats them). An asset that launched has ``exit > 0``."""
        launched = (self.exit > 0).astype(np.int64)
        for _, rival_exit, _ in self.rivals:
            launched = launched + (rival_exit > 0)
        return 1.0 / np.maximum(launched, 1)

    def log_share(self, rows: np.ndarray, horizon: int) -> np.ndarray | None:
        """``log(split[m] outside[m])`` of the ``rows`` in every month, ``(rows, horizon)``;
        None when the asset has its indication to itself."""
        if not self.moves:
            return None
        m = np.arange(horizon)[None, :]
        out = np.zeros((rows.size, horizon))
        if self.rivals:
            total = np.broadcast_to(self.weight[rows][:, None], out.shape).copy()
            for launch, exit_, weight in self.rivals:
                on = (m >= launch[rows][:, None]) & (m < exit_[rows][:, None])
                total += np.where(on, weight[rows][:, None], 0.0)
            out += np.log(self.weight[rows][:, None] / total)
        if self.entries is not None:
            month = np.minimum(self.entries[:, rows], horizon)  # (K, rows)
            cell = np.arange(rows.size)[None, :] * (horizon + 1) + month
            count = np.bincount(cell.ravel(), minlength=rows.size * (horizon + 1))
            entered = np.cumsum(count.reshape(rows.size, horizon + 1), axis=1)[:, :horizon]
            with np.errstate(divide="ignore"):  # a share loss of 1 keeps nothing: log 0
                keep = np.log1p(-self.share_loss[rows])
            lost = np.zeros(out.shape)  # entered x keep, and 0 (not 0 x -inf) before entrants
            out += np.multiply(entered, keep[:, None], out=lost, where=entered > 0)
        return out


def entry_ranks(launch: list[np.ndarray], launched: list[np.ndarray]) -> list[np.ndarray]:
    """Order of entry of each asset of an indication, per iteration: 1 + the number of
    assets that launched strictly earlier (0 where the asset did not launch)."""
    ranks = []
    for i, (li, ok) in enumerate(zip(launch, launched, strict=True)):
        earlier = sum(
            (lj < li) & okj
            for j, (lj, okj) in enumerate(zip(launch, launched, strict=True))
            if j != i
        )
        ranks.append(np.where(ok, 1 + np.asarray(earlier, dtype=np.int64), 0))
    return ranks


def order_weight(shares: list[float], rank: np.ndarray) -> np.ndarray:
    """``shares[rank - 1]``, the last one holding (rank 0, not launched: weight 0)."""
    w = np.asarray(shares, dtype=float)
    return np.where(rank > 0, w[np.clip(rank - 1, 0, w.size - 1)], 0.0)


#: Exponential gaps per iteration from each round's generator of :func:`outside_entries`.
ENTRY_ROUND = 16


def outside_entries(
    rng_for: Callable[[int], np.random.Generator],
    first_launch: np.ndarray,
    per_year: float,
    horizon: int,
) -> np.ndarray | None:
    """Months outside entrants arrive after ``first_launch`` (per iteration), ``(K, n)``
    with ``K`` large enough that a later entrant falls past the horizon with probability
    below 1e-9; None at a zero rate.

    The gaps come in rounds of :data:`ENTRY_ROUND` per iteration, round ``r`` from
    ``rng_for(r)`` drawn iteration-major, so an iteration's ``j``-th gap depends neither on
    the chunk's length nor on ``K`` (nor so on the rate): a higher rate compresses the same
    gaps, and iteration *i* is the same future in a run of any length."""
    if per_year <= 0.0:
        return None
    expected = per_year * horizon / MONTHS_PER_YEAR
    k = math.ceil(expected + 8.0 * math.sqrt(expected) + 10.0)
    rounds = [
        iteration_major(rng_for(r).standard_exponential, ENTRY_ROUND, first_launch.shape)
        for r in range(math.ceil(k / ENTRY_ROUND))
    ]
    gaps = np.concatenate(rounds, axis=0)[:k]
    months = first_launch[None, :] + np.cumsum(gaps, axis=0) * (MONTHS_PER_YEAR / per_year)
    return np.minimum(to_month(np.minimum(months, horizon)), horizon)


def indication_shares(ctx, paths) -> list[IndicationShare]:
    """Each asset's :class:`IndicationShare` in one portfolio of one chunk, from every
    asset's launch (pass 1 has settled them all). ``paths`` are the portfolio's asset
    paths (launch months, launched flags, draws, development outcome)."""
    n, horizon = ctx.n, ctx.horizon
    everyone = np.arange(n)
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(paths):
        indication = p.asset.cohort.indication if p.asset.cohort is not None else None
        groups.setdefault(indication or f"asset:{p.asset.name}", []).append(i)
    out: list[IndicationShare | None] = [None] * len(paths)
    for key, members in groups.items():
        launch = [np.where(paths[i].launched, paths[i].launch_month, horizon) for i in members]
        launched = [paths[i].launched for i in members]
        exits = [
            np.where(paths[i].launched, launch[j] + life_months(ctx, paths[i], everyone), 0)
            for j, i in enumerate(members)
        ]
        ranks = entry_ranks(launch, launched)
        weights = [
            order_weight(paths[i].asset.commercial.competition.order_of_entry_shares, ranks[j])
            for j, i in enumerate(members)
        ]
        first = np.min(np.stack(launch), axis=0)
        name = key.removeprefix("asset:")
        for j, i in enumerate(members):
            c = paths[i].asset.commercial.competition

            def rng_for(r: int, name=name) -> np.random.Generator:
                names = ("competition", name, "entries") + ((f"round-{r}",) if r else ())
                return ctx.generator("inputs", *names)

            entries = outside_entries(rng_for, first, c.entries_per_year, horizon)
            rivals = [
                (launch[r], exits[r].astype(np.int64), weights[r])
                for r in range(len(members))
                if r != j
            ]
            loss = paths[i].draws.commercial.competition.share_loss
            out[i] = IndicationShare(
                launch[j], exits[j].astype(np.int64), weights[j], rivals, entries, loss
            )
    return out  # type: ignore[return-value]
