"""What an asset observes at its gates: noisy readings of its uncertain inputs.

A reading of a true value ``x`` (per iteration) is ``x + noise_sd * e`` with ``e`` a
standard normal from the asset's own ``gates`` stream (one per signal), known from the end
of the stage named in ``revealed_after``. ``noise_sd = 0`` is perfect information;
a large ``noise_sd`` carries almost none. The signals:

- ``prevalence_reading``: the biomarker prevalence, as a trial's screening log reads it
  (1 for an all-comer asset);
- ``peak_share_reading``: the peak share, as a market study reads it;
- ``effect_reading``: the true effect in biomarker-positive patients (mechanistic mode),
  as the phase II estimate reads it. ASSUMPTION: the reading's error is the stated
  ``noise_sd``, not the trial's own standard error (the designs report success, not
  their estimates).
"""

from __future__ import annotations

import numpy as np

from simulator.pillars.cohort.step import assay

SIGNALS: dict[str, str] = {
    "prevalence_reading": "biomarker prevalence (share)",
    "peak_share_reading": "peak share (share)",
    "effect_reading": "true effect, biomarker-positive (the effect's unit)",
}


def true_values(draws, n: int) -> dict[str, np.ndarray]:
    """The true value behind each signal, per iteration (those the asset has)."""
    values = {
        "prevalence_reading": assay(draws, n)[0],
        "peak_share_reading": np.broadcast_to(draws.commercial.peak_share, (n,)),
    }
    effect = getattr(draws, "effect", None)
    if effect is not None and getattr(effect, "positive", None) is not None:
        values["effect_reading"] = np.broadcast_to(effect.positive, (n,))
    return values


def readings(gates, truth: dict[str, np.ndarray], rng_for) -> dict[str, np.ndarray]:
    """Each declared reading per iteration; ``rng_for(signal)`` gives its generator."""
    out = {}
    for name, r in gates.readings.items():
        x = np.asarray(truth[name], dtype=float)
        out[name] = x + r.noise_sd * rng_for(name).standard_normal(x.shape[0])
    return out
