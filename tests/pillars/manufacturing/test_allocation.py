"""Slot allocation in the SimPy model: first come first served vs priority by progression risk.

Must show: priority by progression risk never loses more patients than first come first
served. Checked in an ample, a near-capacity and two overloaded regimes, on paired runs
(the same generator seed per run under both policies): the mean paired difference of the
patients lost is never above 0 by more than 4 standard errors, and where patients queue
it is below 0 by more than 4 (priority saves patients, so the check can fail).
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from helpers import asset, scenario_dict

from simulator.cli import main
from simulator.pillars.manufacturing.des import run_cell_therapy
from simulator.pillars.manufacturing.process import CellTherapyProcess
from simulator.pillars.manufacturing.queue import simulate_capacity_fast

LOSSES = dict(qc_failure_prob=0.05, remanufacture_prob=0.5, cold_chain_loss_prob=0.02)


def risky(slots: int, hazard: float, policy: str, **kw) -> CellTherapyProcess:
    return CellTherapyProcess(
        batches_per_suite_month=slots, dropout_hazard_monthly=hazard, high_risk_share=0.3,
        high_risk_hazard_ratio=5.0, allocation_policy=policy, **LOSSES, **kw,
    )  # fmt: skip


def lost(process, rate, seed, months=48):
    c = run_cell_therapy(np.full(months, rate), process, np.random.default_rng(seed), months)
    return c.counts["lost_waiting"].sum() + c.counts["lost_after_failure_or_transit"].sum()


def test_class_hazards_keep_the_mean_hazard():
    p = risky(4, 0.1, "progression_risk")
    h0, h1 = p.class_hazards()
    assert h1 == pytest.approx(5 * h0)
    assert 0.7 * h0 + 0.3 * h1 == pytest.approx(0.1)


def test_one_risk_class_reproduces_first_come_first_served_exactly():
    """With a hazard ratio of 1 the policies see the same patients: identical runs."""
    base = CellTherapyProcess(batches_per_suite_month=4, dropout_hazard_monthly=0.1, **LOSSES)
    one = replace(base, high_risk_share=0.3, high_risk_hazard_ratio=1.0)

    def run(process):
        return run_cell_therapy(np.full(36, 8.0), process, np.random.default_rng(5), 36)

    for policy in ("first_come_first_served", "progression_risk"):
        a = run(replace(one, allocation_policy=policy))
        b = run(replace(one, allocation_policy="first_come_first_served"))
        for name in a.counts:
            np.testing.assert_array_equal(a.counts[name], b.counts[name])
    # no risk classes at all: the policy field changes nothing either
    x = run_cell_therapy(np.full(36, 8.0), base, np.random.default_rng(5), 36)
    y = run_cell_therapy(np.full(36, 8.0), replace(base, allocation_policy="progression_risk"),
                         np.random.default_rng(5), 36)  # fmt: skip
    np.testing.assert_array_equal(x.counts["treated"], y.counts["treated"])


REGIMES = {  # slots a month, mean hazard, referrals a month, whether patients queue
    "ample": (10, 0.05, 5.0, False),
    "near": (6, 0.1, 5.0, True),
    "overloaded": (4, 0.1, 8.0, True),
    "overloaded_high_hazard": (3, 0.2, 8.0, True),
}


@pytest.mark.slow
@pytest.mark.parametrize("regime", list(REGIMES))
def test_priority_by_progression_risk_never_loses_more_patients(regime):
    slots, hazard, rate, queues = REGIMES[regime]
    fcfs, prio = (risky(slots, hazard, p) for p in ("first_come_first_served", "progression_risk"))
    diff = np.array([lost(prio, rate, s) - lost(fcfs, rate, s) for s in range(150)])
    se = diff.std(ddof=1) / math.sqrt(diff.size) if diff.any() else 0.0
    assert diff.mean() <= 4 * se, (regime, diff.mean(), se)
    if queues:
        assert diff.mean() < -4 * se, (regime, diff.mean(), se)


def test_priority_loses_fewer_high_risk_patients_while_waiting():
    fcfs, prio = (risky(4, 0.1, p) for p in ("first_come_first_served", "progression_risk"))

    def high(process, seed):
        return run_cell_therapy(np.full(36, 8.0), process, np.random.default_rng(seed), 36)

    a = np.array([high(fcfs, s).lost_waiting_high_risk for s in range(40)])
    b = np.array([high(prio, s).lost_waiting_high_risk for s in range(40)])
    assert b.mean() < 0.5 * a.mean()


def test_the_fast_path_refuses_risk_classes():
    with pytest.raises(ValueError, match="SimPy"):
        simulate_capacity_fast(np.ones((2, 3), dtype=np.int64), risky(4, 0.1, "progression_risk"),
                               np.random.default_rng(0))  # fmt: skip


def _bad(tmp_path, manufacturing, **simulation):
    a = asset("cart", cogs_share=0.0)
    a["modality"] = "autologous_cell_therapy"
    a["manufacturing"] = manufacturing
    data = scenario_dict({"p": [a]}, iterations=20, chunk_size=20)
    data["simulation"].update(simulation)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [str(path), "--out", str(out), "-q"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and re.search(r"bad\.yaml(:\d+)?", res.output)
    assert not out.exists()
    return res.output


def test_bad_allocation_exits_2_naming_file_line_and_field(tmp_path):
    allocation = {"policy": "sickest_first", "high_risk_share": 0.3, "hazard_ratio": 4}
    text = _bad(tmp_path, {"fidelity": "event", "allocation": allocation})
    assert re.search(r"bad\.yaml:\d+", text) and "manufacturing.allocation.policy" in text
    assert "progression_risk" in text
    fast = {"policy": "progression_risk", "high_risk_share": 0.3, "hazard_ratio": 4}
    assert "fidelity: event" in _bad(tmp_path, {"allocation": fast})
    assert "fidelity" in _bad(tmp_path, {"fidelity": "event", "allocation": fast}, fidelity="fast")
