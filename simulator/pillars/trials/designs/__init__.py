"""Trial designs, one module each, registered by their ``type`` name in :data:`DESIGNS`.

``fixed`` (one analysis; a phase II go/no-go), ``group_sequential`` (K looks, alpha
spending, non-binding futility), ``ssr`` (promising-zone sample-size re-estimation),
``enrichment`` (phase III: all-comers, then possibly positives only) and ``seamless``
(phase III continuing the phase II trial). :mod:`.base` says what a design provides;
importing a design's module registers it, so a new design is one module, its test and one
line below.
"""

from simulator.pillars.trials.designs import (  # noqa: F401  (each registers its design)
    enrichment,
    fixed,
    group_sequential,
    seamless,
    ssr,
)
from simulator.pillars.trials.designs.base import DESIGNS, MECHANISTIC_STAGES, DesignBlock

__all__ = ["DESIGNS", "MECHANISTIC_STAGES", "DesignBlock"]
