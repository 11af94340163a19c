"""The building blocks every scenario block is typed with.

- ``Dist``: any numeric input, a plain number or a distribution in compact or long form
  (:mod:`.notation`); ``Probability``, ``NonNegative`` and ``GrowthRate`` bound its support,
  ``Months`` and ``Years`` bound a duration (at most 100 years: the horizon is at most 60);
- ``Int`` and ``Float``: plain numbers that refuse YAML booleans (``yes``/``no``);
- ``HazardPerYear``: a constant yearly event rate, at most one a month (the grid's step);
- ``Name``: names of assets, portfolios, risk groups (letters, digits, ``_``, ``-``; at
  most 100 characters, since names become file and column names);
- ``Model``: the base of every block: unknown keys are errors, assignments are validated.

**Finite and bounded by default.** Every ``Float`` refuses ``.inf`` and ``.nan`` ("Input
should be a finite number", whatever bounds the field also has), every ``Dist`` refuses
a distribution that can draw a non-finite value, and every number, drawn or plain, has a
magnitude of at most ``MAX_MAGNITUDE`` (10^12; :mod:`.limits` says why: products of such
numbers stay inside float64). The range a distribution can draw is what sampling can
return, ``ppf`` at the extreme uniforms (:meth:`.Distribution.extremes`), so an unbounded
``normal(0.25, 0.23)`` is fine and a ``lognormal(mu=30, sigma=3)`` (draws up to e^55) is
not.

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
from simulator.core.limits import MAX_MAGNITUDE, MAX_MONTHS, MAX_YEARS
from simulator.core.notation import parse_distribution

_TOO_BIG = (
    f"a magnitude of at most {MAX_MAGNITUDE:.0e} (larger values overflow the model's "
    "products of money, patients and months in float64)"
)


def _bounded(d: Distribution) -> Distribution:
    lo, hi = d.support()
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = d.extremes()  # what sampling can return from an unbounded family
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"expected finite draws, got {d.compact()}, which can draw {lo:g}")
    if max(abs(lo), abs(hi)) > MAX_MAGNITUDE:
        got = d.compact() if d.is_constant else f"{d.compact()}, which draws from {lo:g} to {hi:g}"
        raise ValueError(f"expected {_TOO_BIG}, got {got}")
    return d


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


Dist = Annotated[
    Distribution,
    PlainValidator(parse_distribution),
    AfterValidator(_bounded),
    PlainSerializer(_serialize),
]
Probability = Annotated[Dist, _within(0.0, 1.0, "a probability between 0 and 1")]
NonNegative = Annotated[Dist, _within(0.0, math.inf, "a value >= 0")]
GrowthRate = Annotated[Dist, _within(-0.99, 10.0, "an annual growth rate above -0.99")]
Months = Annotated[
    Dist,
    _within(
        0.0,
        MAX_MONTHS,
        f"a value >= 0 and at most {MAX_MONTHS:,.0f} months (100 years; "
        "the horizon is at most 60 years)",
    ),
]
Years = Annotated[
    Dist,
    _within(
        0.0,
        MAX_YEARS,
        f"a value >= 0 and at most {MAX_YEARS:.0f} years (the horizon is at most 60)",
    ),
]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
MAX_NAME = 100


def _check_name(v: str) -> str:
    if not _NAME.match(v):
        shown = v if len(v) <= 60 else f"{v[:60]}..."
        raise ValueError(
            f"expected a name of letters, digits, '_' or '-', starting with a letter; got {shown!r}"
        )
    if len(v) > MAX_NAME:
        raise ValueError(
            f"expected a name of at most {MAX_NAME} characters (names become file and "
            f"column names), got {len(v)}: {v[:40]}..."
        )
    return v


Name = Annotated[str, AfterValidator(_check_name)]


def _no_bool(v: Any) -> Any:
    if isinstance(v, bool):  # YAML reads yes/no/on/off/true/false as booleans
        raise ValueError(f"expected a number, got {v!r}")
    return v


def _finite(v: Any) -> Any:
    """Refuse YAML's ``.inf`` and ``.nan`` (and their spellings as text) before any
    bound is checked, so the message gives the right reason."""
    _no_bool(v)
    if isinstance(v, str):
        try:
            number = float(v.strip().replace("_", ""))
        except ValueError:
            return v  # not a number at all: the float parser says so
    elif isinstance(v, int | float):
        try:
            number = float(v)
        except OverflowError:
            number = math.inf
    else:
        return v
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {_short(v)}")
    return v


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"


def _magnitude(v: float) -> float:
    if abs(v) > MAX_MAGNITUDE:
        raise ValueError(f"expected {_TOO_BIG}, got {_short(v)}")
    return v


Int = Annotated[int, BeforeValidator(_no_bool), AfterValidator(_magnitude)]
Float = Annotated[float, BeforeValidator(_finite), AfterValidator(_magnitude)]

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
Rate = Annotated[Float, BeforeValidator(_no_distribution)]


class Model(BaseModel):
    """Base: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
