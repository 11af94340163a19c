"""Drawing every uncertain input of an asset for one chunk of iterations.

Each field of an asset that holds a :class:`~simulator.scenario.Distribution` is drawn
from its own stream, named by the asset and the field's path (``phases.phase2.cost_musd``),
so the draws of one field never depend on which other fields are uncertain. Constants
take no draws. The arrays come back keyed by that path.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from ..scenario import Distribution
from .seeding import generator


def distribution_fields(model: BaseModel, prefix: str = "") -> dict[str, Distribution]:
    """Every distribution-valued field of a model, by dotted path (recursively)."""
    out: dict[str, Distribution] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Distribution):
            out[path] = value
        elif isinstance(value, BaseModel):
            out.update(distribution_fields(value, path + "."))
    return out


def sample_fields(
    fields: dict[str, Distribution], owner: str, seed: int, chunk_index: int, n: int
) -> dict[str, np.ndarray]:
    """Draw ``n`` values of each field from the stream named ``(owner, path)``."""
    out = {}
    for path, dist in fields.items():
        if dist.is_constant:
            out[path] = np.full(n, dist.mean())
        else:
            out[path] = dist.sample(generator(seed, chunk_index, "inputs", owner, path), n)
    return out


def drawn(draws: dict[str, np.ndarray], path: str, n: int, default: float) -> np.ndarray:
    """A drawn field, or ``default`` for every iteration where its (optional) block is absent."""
    return draws[path] if path in draws else np.full(n, default)
