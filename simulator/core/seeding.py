"""Random streams: no global generator, ever; every draw has a name.

A chunk builds each generator it needs from integers only:

    SeedSequence(seed, spawn_key=(chunk_index, stream, key_1, key_2, ...))

``stream`` says what the numbers are for (sampled inputs, the market's included; stage
success; risk-group factors) and the keys are CRC-32 hashes of names (asset, field path, stage,
risk group). Consequences:

- the result is a function of (code version, scenario, seed, chunk size) only, never of
  the worker count, the backend or the order in which chunks finish;
- adding an asset, a field or a feature does not reshuffle any existing stream;
- iteration *i* is the same future whatever the run's length (same seed and chunk size):
  a generator gives one vector over the chunk's iterations, or several values per
  iteration drawn together (:func:`iteration_major`), never several vectors in turn; a
  mechanism drawing a variable number of values per iteration (the plants' fast queue)
  gives each iteration its own generator, named by its row in the chunk;
- an asset draws the same numbers in every portfolio and every scenario variant that
  names it alike: common random numbers, which make paired comparisons and sweeps sharp.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

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


def iteration_major(
    draw: Callable[[tuple[int, ...]], np.ndarray], k: int, shape: tuple[int, ...]
) -> np.ndarray:
    """``k`` values per iteration from one generator, iteration-major: shape ``(k, *shape)``.

    ``draw`` is a generator's method taking a size (``rng.standard_normal``,
    ``rng.random``, ``rng.standard_exponential``); ``shape`` is the iterations' (``(n,)``
    in a chunk). Drawing ``k`` vectors of ``n`` in turn would give iteration ``i`` the
    values ``i, n + i, 2n + i, ...`` of the stream, which depend on the chunk's length
    ``n``; here iteration ``i`` takes the values ``k i .. k i + k - 1`` (numpy fills an
    array in C order), so it is the same future in a run of any length with the same seed
    and chunk size. Each row ``out[j]`` holds independent draws of the same distribution
    as before: only which numbers land where changes.
    """
    return np.moveaxis(draw((*shape, k)), -1, 0)
