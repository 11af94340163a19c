"""The trials pillar: simulated clinical trials that decide a stage's success, length, cost
and label (mechanistic mode).

- :mod:`.block`: the scenario's ``effect:`` block and a stage's ``design:`` block;
- :mod:`.designs`: one module per design (``fixed``, ``group_sequential``, ``ssr``,
  ``enrichment``, ``seamless``), each its block's fields, its simulation and its rules,
  registered by its ``type`` name;
- :mod:`.information`: information, drift and sample size per patient, by endpoint;
- :mod:`.spending`, :mod:`.integration`, :mod:`.boundaries`: alpha and beta spending and
  exact group-sequential boundaries by the recursive numerical integration of Jennison &
  Turnbull (2000, chapter 19), computed once per design;
- :mod:`.simulate`: group-sequential trials from an array of drifts, one per Monte Carlo
  iteration; :mod:`.outcome`: what any design's trial reports;
- :mod:`.stage` and :mod:`.step`: the trial as a development stage (recruitment from the
  cohort, length, cost) and the pillar's step in a chunk (true effects, output columns,
  label).

The array functions are pure numpy/scipy; randomness comes only from the generators
passed in.
"""

from simulator.pillars.trials.boundaries import (
    GroupSequentialDesign,
    design_exit_probabilities,
    design_group_sequential,
    expected_sample_size,
    fixed_design_drift,
    power_at,
)
from simulator.pillars.trials.designs.enrichment import EnrichmentRule, simulate_enrichment
from simulator.pillars.trials.designs.fixed import simulate_fixed
from simulator.pillars.trials.designs.group_sequential import simulate_gsd
from simulator.pillars.trials.designs.seamless import simulate_seamless
from simulator.pillars.trials.designs.ssr import (
    PromisingZone,
    conditional_power,
    simulate_ssr,
    two_stage_bounds,
)
from simulator.pillars.trials.information import (
    drift_per_patient,
    fixed_sample_size,
    information_per_patient,
    population_effect,
    untargeted_sample_size_ratio,
)
from simulator.pillars.trials.integration import (
    classical_bounds,
    efficacy_bounds_from_spending,
    exit_probabilities,
    futility_bounds_from_spending,
)
from simulator.pillars.trials.outcome import DesignOutcome
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
