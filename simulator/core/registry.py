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
    CONTRACTS.union("list")     # ... where a block that names no type is a list contract
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError, WrapValidator
from pydantic_core import PydanticCustomError


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
        return isinstance(name, str) and name in self._classes

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

    def union(self, default: str | None = None) -> Any:
        """A pydantic type that validates a mapping into the registered class its ``type``
        names (``default`` when it names none), and refuses any other ``type`` with
        :meth:`unknown`'s message at the ``type`` key.

        Errors inside a block keep the block's own path (``pricing.contract.payments``,
        no class tag in between), so they point at the line the scenario wrote.
        """
        registry = self

        def validate(value: Any, handler: Any) -> BaseModel:
            if isinstance(value, tuple(registry._classes.values())):
                return value
            if not isinstance(value, dict):
                raise _error((), "expected_mapping", f"expected a mapping, got {value!r}", value)
            name = value.get("type", default)
            if name is None:
                raise _error(("type",), "missing_kind", registry.unknown(None), value)
            if name not in registry:
                raise _error(("type",), "unknown_kind", registry.unknown(name), name)
            return registry[name].model_validate(value)

        members = typing.Union[tuple(self._classes.values())]  # noqa: UP007
        return Annotated[members, WrapValidator(validate)]


def _error(loc: tuple, kind: str, message: str, given: Any) -> ValidationError:
    """One validation error at ``loc`` (relative to the field being validated)."""
    error = PydanticCustomError(kind, message)
    return ValidationError.from_exception_data(
        "kind", [{"type": error, "loc": loc, "input": given}]
    )
