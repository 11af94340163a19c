"""The building blocks every scenario block is typed with.

- ``Dist``: any numeric input, a plain number or a distribution in compact or long form
  (:mod:`.notation`); ``Probability``, ``NonNegative`` and ``GrowthRate`` bound its support;
- ``Int`` and ``Float``: plain numbers that refuse YAML booleans (``yes``/``no``);
- ``HazardPerYear``: a constant yearly event rate, at most one a month (the grid's step);
- ``Name``: names of assets, portfolios, risk groups (letters, digits, ``_``, ``-``);
- ``Model``: the base of every block: unknown keys are errors, assignments are validated.

Blocks live in modules of their own (:mod:`.schema` for the scenario's skeleton,
:mod:`.manufacturing` for the CGT plant, ...) and all build on these.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
)

from simulator.core.distributions import Distribution
from simulator.core.notation import parse_distribution


def _within(low: float, high: float, what: str):
    def check(d: Distribution) -> Distribution:
        lo, hi = d.support()
        if lo < low or hi > high:
            hint = ""
            if math.isinf(lo) or math.isinf(hi):
                hint = " (an unbounded distribution: truncate it, e.g. normal(m, s, low=0))"
            got = (
                d.compact() if d.is_constant else f"{d.compact()}, whose range is [{lo:g}, {hi:g}]"
            )
            raise ValueError(f"expected {what}, got {got}{hint}")
        return d

    return AfterValidator(check)


def _serialize(d: Distribution) -> Any:
    return d.mean() if d.is_constant else d.compact()


Dist = Annotated[Distribution, PlainValidator(parse_distribution), PlainSerializer(_serialize)]
Probability = Annotated[Dist, _within(0.0, 1.0, "a probability between 0 and 1")]
NonNegative = Annotated[Dist, _within(0.0, math.inf, "a value >= 0")]
GrowthRate = Annotated[Dist, _within(-0.99, 10.0, "an annual growth rate above -0.99")]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


def _check_name(v: str) -> str:
    if not _NAME.match(v):
        raise ValueError(
            f"expected a name of letters, digits, '_' or '-', starting with a letter; got {v!r}"
        )
    return v


Name = Annotated[str, AfterValidator(_check_name)]


def _no_bool(v: Any) -> Any:
    if isinstance(v, bool):  # YAML reads yes/no/on/off/true/false as booleans
        raise ValueError(f"expected a number, got {v!r}")
    return v


Int = Annotated[int, BeforeValidator(_no_bool)]
Float = Annotated[float, BeforeValidator(_no_bool)]

#: at most one event a month: the resolution of the monthly grid
MAX_HAZARD_PER_YEAR = 12.0


def _hazard(v: float) -> float:
    if not 0.0 <= v <= MAX_HAZARD_PER_YEAR:
        raise ValueError(
            f"expected a yearly hazard between 0 and {MAX_HAZARD_PER_YEAR:g} (at most 1 a "
            f"month on the monthly grid), got {v:g}"
        )
    return v


#: a constant yearly hazard of an event (events a year, ``0 <= h <= 12``)
HazardPerYear = Annotated[Float, AfterValidator(_hazard)]


def _no_distribution(v: Any) -> Any:
    if (isinstance(v, str) and "(" in v) or (isinstance(v, dict) and "dist" in v):
        raise ValueError(
            "expected one number, not a distribution: a discount rate, cost of capital or "
            "tax rate is a convention of the valuation, the same for every future (a "
            "random rate would mix how futures are valued with what happens in them); "
            "to see its effect, sweep it: simulate sweep SCENARIO --vary "
            f"FIELD=0.08,0.105,0.12; got {v!r}"
        )
    return v


#: A number fixed for the run, never drawn (see :func:`_no_distribution`).
Rate = Annotated[float, BeforeValidator(_no_bool), BeforeValidator(_no_distribution)]


class Model(BaseModel):
    """Base: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
