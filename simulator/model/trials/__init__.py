"""Group-sequential trial designs: spending functions, exact boundaries, vectorized trials.

A design (looks, efficacy and non-binding futility bounds, inflation factor) is computed
once by :func:`design_group_sequential` with the recursive numerical integration of
Jennison & Turnbull (2000, chapter 19); :func:`simulate_group_sequential` then runs one
trial per Monte Carlo iteration from an array of drifts (expected final z-statistics).
Pure numpy/scipy, no dependency on the rest of the package.
"""

from simulator.model.trials.boundaries import (
    GroupSequentialDesign,
    classical_bounds,
    design_exit_probabilities,
    design_group_sequential,
    efficacy_bounds_from_spending,
    exit_probabilities,
    expected_sample_size,
    fixed_design_drift,
    futility_bounds_from_spending,
    power_at,
)
from simulator.model.trials.simulate import (
    TrialOutcome,
    drift_from_effect,
    max_sample_size,
    simulate_group_sequential,
)
from simulator.model.trials.spending import (
    cumulative_spending,
    hsd_spending,
    obf_spending,
    pocock_spending,
)

__all__ = [
    "GroupSequentialDesign",
    "TrialOutcome",
    "classical_bounds",
    "cumulative_spending",
    "design_exit_probabilities",
    "design_group_sequential",
    "drift_from_effect",
    "efficacy_bounds_from_spending",
    "exit_probabilities",
    "expected_sample_size",
    "fixed_design_drift",
    "futility_bounds_from_spending",
    "hsd_spending",
    "max_sample_size",
    "obf_spending",
    "pocock_spending",
    "power_at",
    "simulate_group_sequential",
]
