"""One asset, three phase III designs: NPV, P(loss), patients and months (closing note of issue 4).

The shipped scenario's onc_io_enrich (an antibody whose effect in biomarker-low patients
is unknown) runs its phase III as a fixed all-comer trial, a group-sequential all-comer
trial, and the shipped adaptive enrichment trial; same seed, so every other draw is
shared. Prints numbers, asserts nothing.

    python benchmarks/design_comparison.py [ITERATIONS]
"""

from __future__ import annotations

import sys

import numpy as np

import simulator as sim
from simulator.studies.trials import operating_characteristics

ASSET = "onc_io_enrich"
DESIGN = f"portfolios.nichebuster.assets.{ASSET}.phases.phase3.design"
DESIGNS = {
    "fixed": {"type": "fixed"},
    "group_sequential": {
        "type": "group_sequential",
        "info_fractions": [0.5, 0.75, 1.0],
        "futility": "hsd",
    },
    "enrichment (shipped)": None,
}


def main(iterations: int = 100_000) -> None:
    base = sim.load_scenario("scenarios/nichebuster.yaml").with_(iterations=iterations)
    col = f"nichebuster.{ASSET}."
    for name, design in DESIGNS.items():
        s = base if design is None else base.with_({DESIGN: design})
        it = sim.run(s, backend="local").iterations
        npv = it[col + "npv_musd"]
        oc = operating_characteristics(s)
        row = oc[(oc.asset == ASSET) & (oc.stage == "phase3")].iloc[0]
        label = it.get(col + "label_positive_only")
        print(
            f"{name:21s} NPV {npv.mean():6.1f} ± {npv.std() / np.sqrt(len(npv)):.1f} USD M, "
            f"P(loss) {(npv < 0).mean():.1%}, launched {it[col + 'launched'].mean():.1%}; "
            f"phase III at the prior mean: power {row.power_at_prior_mean:.1%}, "
            f"E[patients] {row.expected_patients:.0f}, E[months] {row.expected_months:.1f}; "
            f"PoS given entry {row.pos_given_entry:.1%}"
            + ("" if label is None else f"; positive-only labels {np.nanmean(label):.1%}")
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
