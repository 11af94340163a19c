"""Group-sequential trial designs: spending functions, exact boundaries, vectorized trials.

A design (looks, efficacy and non-binding futility bounds, inflation factor) is computed
once by :func:`design_group_sequential` with the recursive numerical integration of
Jennison & Turnbull (2000, chapter 19); :func:`simulate_group_sequential` then runs one
trial per Monte Carlo iteration from an array of drifts (expected final z-statistics).
:mod:`.designs` adds the fixed design, promising-zone sample-size re-estimation,
adaptive enrichment and seamless phase II/III on the same drift scale. Pure numpy/scipy,
no dependency on the rest of the package.
"""

from simulator.pillars.trials.boundaries import (
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
from simulator.pillars.trials.designs import (
    DesignOutcome,
    EnrichmentRule,
    PromisingZone,
    conditional_power,
    drift_per_patient,
    fixed_sample_size,
    information_per_patient,
    population_effect,
    simulate_enrichment,
    simulate_fixed,
    simulate_gsd,
    simulate_seamless,
    simulate_ssr,
    two_stage_bounds,
    untargeted_sample_size_ratio,
)
from simulator.pillars.trials.simulate import (
    TrialOutcome,
    drift_from_effect,
    max_sample_size,
    simulate_group_sequential,
)
from simulator.pillars.trials.spending import (
    cumulative_spending,
    hsd_spending,
    obf_spending,
    pocock_spending,
)

__all__ = [
    "DesignOutcome",
    "EnrichmentRule",
    "GroupSequentialDesign",
    "PromisingZone",
    "TrialOutcome",
    "classical_bounds",
    "conditional_power",
    "cumulative_spending",
    "design_exit_probabilities",
    "design_group_sequential",
    "drift_from_effect",
    "drift_per_patient",
    "efficacy_bounds_from_spending",
    "exit_probabilities",
    "expected_sample_size",
    "fixed_design_drift",
    "fixed_sample_size",
    "futility_bounds_from_spending",
    "hsd_spending",
    "information_per_patient",
    "max_sample_size",
    "obf_spending",
    "pocock_spending",
    "population_effect",
    "power_at",
    "simulate_enrichment",
    "simulate_fixed",
    "simulate_group_sequential",
    "simulate_gsd",
    "simulate_seamless",
    "simulate_ssr",
    "two_stage_bounds",
    "untargeted_sample_size_ratio",
]
