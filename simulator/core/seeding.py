"""Random streams: no global generator, ever; every draw has a name.

A chunk builds each generator it needs from integers only:

    SeedSequence(seed, spawn_key=(chunk_index, stream, key_1, key_2, ...))

``stream`` says what the numbers are for (sampled inputs, the market's included; stage
success; risk-group factors) and the keys are CRC-32 hashes of names (asset, field path, stage,
risk group). Consequences:

- the result is a function of (code version, scenario, seed, chunk size) only, never of
  the worker count, the backend or the order in which chunks finish;
- adding an asset, a field or a feature does not reshuffle any existing stream;
- an asset draws the same numbers in every portfolio and every scenario variant that
  names it alike: common random numbers, which make paired comparisons and sweeps sharp.
"""

from __future__ import annotations

import zlib

import numpy as np

# Market draws are inputs owned by "market" (stream 1); id 0 is retired, never reused.
STREAMS: dict[str, int] = {"inputs": 1, "success": 2, "risk_group": 3, "manufacturing": 7}
STREAMS["pricing"] = 9  # the IRA switch of the market (simulator.pillars.pricing.step)
STREAMS["trials"] = 8  # mechanistic mode: true effects and trial statistics
STREAMS["design"] = 10  # scenario discovery: the sampled design of levers (simulator.studies)
STREAMS["voi"] = 19  # value of information: a study's summary statistic (simulator.studies.voi)
STREAMS["gates"] = 18  # decisions: the reading errors of the signals (simulator.pillars.decisions)
# the readiness gaps (ids from 20 on, apart from the rest): a biomarker standard's change
# (simulator.pillars.diagnostics.standards), a safety signal (simulator.pillars.surveillance),
# a price reassessment and a label expansion (simulator.pillars.pricing.evidence)
STREAMS["standards"] = 20
STREAMS["surveillance"] = 21
STREAMS["evidence"] = 22


def name_key(name: str) -> int:
    """A stable 32-bit integer for a name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


def generator(seed: int, chunk_index: int, stream: str, *names: str) -> np.random.Generator:
    """The generator for one purpose within one chunk."""
    spawn_key = (chunk_index, STREAMS[stream], *(name_key(n) for n in names))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=spawn_key)))
