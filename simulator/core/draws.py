"""Typed draws: every uncertain input of a block, sampled for one chunk, shaped like the block.

A scenario block (an asset, its ``phases.phase3``, the market) holds numbers and
distributions. For a chunk of ``n`` iterations, :func:`sample` turns it into a
:class:`Draws` of the same shape: each distribution becomes an array of ``n`` draws, each
sub-block a nested :class:`Draws`, so the engine reads ``draws.phases.phase3.cost_musd``
as it reads the scenario, and a misspelt field is an ``AttributeError`` naming the block's
fields rather than a silent ``KeyError`` on a dotted string.

Each distribution is drawn from its own stream, named by the block's owner (the asset's
name, or ``"market"``) and the field's dotted path (``phases.phase2.cost_musd``), so the
draws of one field never depend on which other fields are uncertain or in which order
they are read. Constants take no draws: they are ``n`` copies of their value.

Absent optional blocks (an asset without ``cohort``) are :class:`Draws` with no values:
their fields read as ``None`` and their sub-blocks as absent blocks, so optional inputs
need no ``if``; :func:`value_or` fills a ``None`` with a default.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

import numpy as np
from pydantic import BaseModel

from simulator.core.distributions import Distribution
from simulator.core.seeding import generator


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


def _block_type(annotation: Any) -> type[BaseModel] | None:
    """The block class of an ``X | None`` field, if it has exactly one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        blocks = [a for a in typing.get_args(annotation) if _block_type(a) is not None]
        if len(blocks) == 1:
            return _block_type(blocks[0])
    if origin is typing.Annotated:
        return _block_type(typing.get_args(annotation)[0])
    return None


class Draws:
    """Sampled inputs of one block, read by attribute (see the module docstring).

    A field holding a distribution reads as an array ``(n,)``; a sub-block as a nested
    :class:`Draws`; a field that is not drawn (a name, a list, a plain setting) is not
    here: read it from the block itself.
    """

    __slots__ = ("_block", "_present", "_values")

    def __init__(self, block: type[BaseModel] | None, values: dict[str, Any], present: bool = True):
        object.__setattr__(self, "_block", block)
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_present", present)

    @classmethod
    def absent(cls, block: type[BaseModel] | None) -> Draws:
        """The draws of an optional block that the scenario leaves out."""
        return cls(block, {}, present=False)

    @property
    def present(self) -> bool:
        """Whether the block is in the scenario."""
        return self._present

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        block = object.__getattribute__(self, "_block")
        if block is not None and name in block.model_fields:
            if object.__getattribute__(self, "_present"):  # the field is not drawn
                raise AttributeError(f"{block.__name__}.{name} is not a drawn field")
            sub = _block_type(block.model_fields[name].annotation)
            return None if sub is None else Draws.absent(sub)
        known = ", ".join(block.model_fields) if block is not None else ", ".join(values)
        where = block.__name__ if block is not None else "these draws"
        raise AttributeError(f"{where} has no field {name!r}; fields: {known}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._values:
            raise AttributeError(f"cannot add {name!r}: only drawn fields can be replaced")
        self._values[name] = value

    def flat(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """``(dotted path, array)`` of every drawn field, in the block's field order."""
        for name, value in self._values.items():
            if isinstance(value, Draws):
                yield from value.flat(f"{prefix}{name}.")
            elif value is not None:
                yield f"{prefix}{name}", value

    def __repr__(self) -> str:
        block = self._block.__name__ if self._block is not None else "Draws"
        return f"<draws of {block}: {', '.join(self._values) or 'absent'}>"


def sample(
    model: BaseModel, owner: str, seed: int, chunk_index: int, n: int, prefix: str = ""
) -> Draws:
    """``n`` draws of every distribution in ``model``, from the streams ``(owner, path)``.

    ``prefix`` is the block's own path inside its owner (``"ira."`` for the market's IRA
    block), so a block sampled on its own draws what it draws inside its owner.
    """
    values: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Distribution):
            if value.is_constant:
                values[name] = np.full(n, value.mean())
            else:
                rng = generator(seed, chunk_index, "inputs", owner, path)
                values[name] = value.sample(rng, n)
        elif isinstance(value, BaseModel):
            values[name] = sample(value, owner, seed, chunk_index, n, path + ".")
        elif value is None:
            sub = _block_type(info.annotation)
            values[name] = None if sub is None else Draws.absent(sub)
    return Draws(type(model), values)


def value_or(values: np.ndarray | None, n: int, default: float) -> np.ndarray:
    """``values``, or ``n`` copies of ``default`` where the field (or its block) is absent."""
    return np.full(n, default) if values is None else values


def at_means(model: BaseModel, n: int) -> Draws:
    """``n`` copies of every distribution's mean, shaped like ``model`` (no randomness)."""
    values: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, Distribution):
            values[name] = np.full(n, value.mean())
        elif isinstance(value, BaseModel):
            values[name] = at_means(value, n)
        elif value is None:
            sub = _block_type(info.annotation)
            values[name] = None if sub is None else Draws.absent(sub)
    return Draws(type(model), values)
