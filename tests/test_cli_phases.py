"""The run's phases: each keeps its wall time, and the printed time is their wall total."""

from __future__ import annotations

import time

from simulator.cli.phases import Phases, timing_line


def test_each_phase_keeps_its_wall_time_and_the_total_is_wall_time():
    with Phases(enabled=False) as ph:
        with ph.phase("simulating") as tick:
            assert tick is None  # nothing drawn
            time.sleep(0.05)
        with ph.phase("writing outputs"):
            time.sleep(0.02)
    assert ph.seconds["simulating"] >= 0.05 and ph.seconds["writing outputs"] >= 0.02
    assert sum(ph.seconds.values()) <= ph.wall_seconds


def test_a_drawn_phase_moves_with_its_ticks_and_ends_complete():
    with Phases(enabled=True) as ph:
        with ph.phase("simulating", unit="chunks") as tick:
            tick(1, 4)
            task = ph._progress.tasks[0]
            assert (task.completed, task.total) == (1, 4)
        assert ph._progress.tasks[0].finished


def test_timing_line_adds_the_phases():
    line = timing_line({"simulating": 14.2, "writing outputs": 26.7}, 41.3)
    assert line == "41.3 s wall = simulating 14.2 s + writing outputs 26.7 s"
