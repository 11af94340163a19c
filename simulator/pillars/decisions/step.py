"""Gates inside a chunk: stop an asset where its rule says so.

At the gate after stage ``k`` the asset's rule is evaluated on its readings
(:mod:`.signals`); where it is false the programme stops there. A stop is a failure of
stage ``k`` *after* its cost is spent: stage ``k``'s success uniform is set to ``inf``
(``u < p`` is then false), so the development path (:mod:`simulator.pillars.development`)
spends nothing on later stages and the asset never launches, exactly as a failed stage
does. The sunk cost of stages ``<= k`` stays. A kill where the stage failed anyway
changes nothing; :func:`killed_columns` counts as killed only the iterations that
reached the gate (entered stage ``k`` and passed it).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulator.pillars.decisions.block import gate_stage
from simulator.pillars.decisions.expressions import evaluate, parse_rule
from simulator.pillars.decisions.signals import readings, true_values


def apply_gates(ctx, asset, draws, stages: list) -> tuple[list, dict[str, np.ndarray]]:
    """``(stages, stops)``: the stages with stops applied, and per gate where its rule
    says stop (bool per iteration)."""
    gates = asset.gates
    n = ctx.n
    truth = true_values(draws, n)
    seen = readings(gates, truth, lambda s: ctx.generator("gates", asset.name, s))
    names = [s for s, _ in asset.stages()]
    stages, stops = list(stages), {}
    for gate, text in gates.rules():
        k = names.index(gate_stage(gate))
        go = np.broadcast_to(evaluate(parse_rule(text, gates.visible(gate)), seen), (n,))
        stop = ~go.astype(bool)
        stops[gate] = stop
        stages[k] = replace(stages[k], u=np.where(stop, np.inf, stages[k].u))
    return stages, stops


def killed_columns(
    asset, stops, passed_before, reached, names, boundaries=None
) -> dict[str, np.ndarray]:
    """``killed_<gate>`` per iteration: the asset reached the gate and stopped there; and,
    given the stage boundaries, ``gate_month_<gate>``: the grid month the gate is reached
    (the end of its stage; NaN where the asset does not reach it)."""
    cols = {}
    for gate, stop in stops.items():
        stage = gate_stage(gate)
        k = names.index(stage)
        at_gate = reached[:, k] & passed_before[stage]
        cols[f"killed_{gate}"] = stop & at_gate
        if boundaries is not None:
            cols[f"gate_month_{gate}"] = np.where(at_gate, boundaries[:, k + 1], np.nan)
    return cols
