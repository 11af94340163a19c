"""A portfolio's profiling panel: the glue that lets its trials share one screened stream.

Each covered asset's stages were prepared with the panel's stream and cost
(:func:`simulator.pillars.development.step.stage_inputs`). Here, before development is
placed in time, every covered trial's screening window is laid out from its asset's
start and stage lengths (stage ``s`` starts at ``start + sum of earlier lengths``; it
screens from its start-up's end for ``n / q / R`` months, if every earlier stage passes
and no gate stopped it),
the share of its screens each trial pays comes from
:func:`simulator.pillars.cohort.profiling.shared_weights`, and each stage's cost becomes
its cost before screening plus its shared fee. The formulas live in the pillar.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulator.pillars.cohort.profiling import shared_weights


def share_screens(prepared: list) -> None:
    """Charge every covered trial of the portfolio its share of the pooled stream's
    screens (in place, on each :class:`~simulator.engine.asset_path.Prepared`)."""
    windows = []  # (prepared, stage index, start, end, screens, cost before screening)
    for p in prepared:
        if not p.screens:
            continue
        passed = [st.u < st.p_success for st in p.stages]  # after any gate's stop
        t = np.asarray(p.draws.start_month, dtype=float)
        reached = np.ones_like(t, dtype=bool)
        starts, alive = [], []
        for s, st in enumerate(p.stages):
            starts.append(t)
            alive.append(reached)
            t = t + st.duration_months
            reached = reached & passed[s]
        for index, startup, months, cost in p.screens:
            a = starts[index] + startup
            windows.append((p, index, a, a + months, alive[index], cost))
    if not windows:
        return
    weights = shared_weights(
        np.stack([w[2] for w in windows], axis=1),
        np.stack([w[3] for w in windows], axis=1),
        np.stack([w[4] for w in windows], axis=1),
    )
    for j, (p, index, _, _, _, cost) in enumerate(windows):
        st = p.stages[index]
        fee = st.screening_musd * weights[:, j]
        p.stages[index] = replace(st, cost_musd=cost + fee, screening_musd=fee)
    for p in {id(w[0]): w[0] for w in windows}.values():
        screening = np.zeros(len(p.draws.start_month))
        for (_, stage), st in zip(p.asset.stages(), p.stages, strict=True):
            if stage.trial is not None:
                screening = screening + st.screening_musd
        p.outputs["screening_cost_musd"] = screening
