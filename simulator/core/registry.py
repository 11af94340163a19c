"""Kinds registered by name: one file per kind, one line to register it.

A payment contract, a trial design, a gate policy is a *kind*: a class that carries its
scenario block's fields and its behaviour, and that the YAML names by its ``type``. A
:class:`Registry` maps those names to the classes, so adding a kind is one module plus one
registration line, and an unknown name is a validation error that lists the known ones
(never a silent fall-through to some default)::

    CONTRACTS = Registry("contract")

    @CONTRACTS.register
    class Annuity(ContractBlock):
        type: Literal["annuity"] = "annuity"
        ...

    CONTRACTS["annuity"]        # -> Annuity
    CONTRACTS.union()           # the pydantic field type: one of the registered blocks
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Discriminator, Tag


class Registry:
    """Classes of one kind, by their ``type`` name (see the module docstring)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._classes: dict[str, type[BaseModel]] = {}

    def register(self, cls: type[BaseModel]) -> type[BaseModel]:
        """Class decorator: register ``cls`` under the default of its ``type`` field."""
        name = cls.model_fields["type"].default
        if not isinstance(name, str):
            raise TypeError(f"{cls.__name__} needs a default type name")
        if name in self._classes:
            raise ValueError(f"{self.kind} type {name!r} is registered twice")
        self._classes[name] = cls
        return cls

    def __getitem__(self, name: str) -> type[BaseModel]:
        try:
            return self._classes[name]
        except KeyError:
            raise KeyError(self.unknown(name)) from None

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def names(self) -> list[str]:
        return list(self._classes)

    def unknown(self, name: object) -> str:
        """The message for a name that is not registered (or a block with no ``type``)."""
        known = ", ".join(self._classes)
        if name is None:
            return f"a {self.kind} needs a type; expected one of: {known}"
        return f"unknown {self.kind} type {name!r}; expected one of: {known}"

    def union(self) -> Any:
        """A pydantic type that validates a mapping into the registered class its ``type``
        names, and refuses any other ``type`` with :meth:`unknown`'s message."""
        registry = self

        def name_of(value: Any) -> Any:
            return value.get("type") if isinstance(value, dict) else getattr(value, "type", None)

        def known(value: Any) -> Any:  # a ValueError here is a validation error at the field
            if name_of(value) not in registry:
                raise ValueError(registry.unknown(name_of(value)))
            return value

        members = tuple(Annotated[cls, Tag(name)] for name, cls in self._classes.items())
        union = typing.Union[members]  # noqa: UP007
        return Annotated[union, Discriminator(name_of), BeforeValidator(known)]
