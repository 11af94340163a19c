"""Reading a distribution from a scenario: a number, ``"pert(18, 24, 36)"`` or a mapping.

Three spellings of one thing, as analysts know them from @RISK:

- a plain number is a constant (``Fixed``);
- the compact form ``family(positional, ..., key=value)``, whose arguments are read as
  YAML flow values (so lists work: ``discrete([1, 2], [0.4, 0.6])``);
- the long form ``{dist: triangular, low: 0.2, mode: 0.3, high: 0.45}``.

Aliases: ``tri`` (triangular), ``betapert`` (pert), ``constant`` (fixed), ``choice``
(discrete); gamma takes ``rate`` as well as ``scale``; lognormal takes the mean and sd of
the variable or ``mu``/``sigma`` of its log. Every error says what was expected.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from simulator.core.bounded_yaml import YamlProblem, load
from simulator.core.distributions import (
    Bernoulli,
    Beta,
    Discrete,
    Distribution,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
)
from simulator.core.distributions.base import require, require_finite

__all__ = ["parse_distribution"]

_FAMILIES: dict[str, type[Distribution]] = {
    c.name: c
    for c in (Fixed, Uniform, Triangular, Pert, Normal, LogNormal, Beta, Gamma, Bernoulli, Discrete)
}
_ALIASES = {"tri": "triangular", "betapert": "pert", "constant": "fixed", "choice": "discrete"}
_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_CALL = re.compile(r"^\s*([A-Za-z_]+)\s*\((.*)\)\s*$", re.S)


def _build(family: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Distribution:
    family = _ALIASES.get(family.lower(), family.lower())
    if family not in _FAMILIES:
        raise ValueError(f"unknown distribution '{family}'; known: {', '.join(sorted(_FAMILIES))}")
    cls = _FAMILIES[family]
    kwargs = dict(kwargs)
    if family == "lognormal":
        return _build_lognormal(args, kwargs)
    if family == "gamma" and "rate" in kwargs:
        rate = kwargs.pop("rate")
        require_finite(rate=rate)
        require(rate > 0, f"gamma needs rate > 0, got {rate}")
        kwargs["scale"] = 1.0 / rate
    if family == "discrete":
        return _build_discrete(args, kwargs)
    names = list(cls.positional)
    extra_pos = {"normal": ["low", "high"], "pert": ["lamb"], "beta": ["low", "high"]}.get(
        family, []
    )
    if len(args) > len(names) + len(extra_pos):
        raise ValueError(f"{family} takes {', '.join(names)}; got {len(args)} positional values")
    for k, v in zip(names + extra_pos, args, strict=False):
        if k in kwargs:
            raise ValueError(f"{family}: parameter '{k}' given twice")
        kwargs[k] = v
    if family == "normal" and "mean" in kwargs:
        kwargs["mean_"] = kwargs.pop("mean")
    allowed = {f.name for f in dataclasses.fields(cls)}
    unknown = set(kwargs) - allowed
    if unknown:
        shown = sorted("mean" if a == "mean_" else a for a in allowed)
        raise ValueError(
            f"{family}: unknown parameter(s) {', '.join(sorted(unknown))}; "
            f"expected {', '.join(shown)}"
        )
    for k, v in kwargs.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise ValueError(f"{family}: parameter '{k}' must be a number, got {v!r}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        missing = [
            "mean" if f.name == "mean_" else f.name
            for f in dataclasses.fields(cls)
            if f.name not in kwargs and f.default is f.default_factory  # both MISSING
        ]
        raise ValueError(f"{family}: missing parameter(s) {', '.join(missing)}") from exc


def _build_lognormal(args, kwargs) -> LogNormal:
    if args:
        if len(args) != 2 or kwargs:
            raise ValueError("lognormal takes (mean, sd) positionally, or mean=/sd= or mu=/sigma=")
        return LogNormal.from_mean_sd(*args)
    if set(kwargs) == {"mean", "sd"}:
        return LogNormal.from_mean_sd(kwargs["mean"], kwargs["sd"])
    if set(kwargs) == {"mu", "sigma"}:
        return LogNormal(**kwargs)
    raise ValueError(f"lognormal needs mean and sd, or mu and sigma; got {sorted(kwargs)}")


def _build_discrete(args, kwargs) -> Discrete:
    values = kwargs.pop("values", args[0] if len(args) > 0 else None)
    probs = kwargs.pop("probs", args[1] if len(args) > 1 else None)
    if kwargs:
        raise ValueError(f"discrete: unknown parameter(s) {', '.join(sorted(kwargs))}")
    if not isinstance(values, list | tuple) or not values:
        raise ValueError("discrete needs a list of values")
    if probs is None:
        probs = [1.0 / len(values)] * len(values)
    if not isinstance(probs, list | tuple):
        raise ValueError("discrete needs a list of probs")
    return Discrete(tuple(values), tuple(probs))


def _parse_call(text: str) -> Distribution:
    m = _CALL.match(text)
    if not m:
        raise ValueError(
            f"expected a number or a distribution such as 'pert(18, 24, 36)', got {text!r}"
        )
    family, inner = m.group(1), m.group(2)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for part in _split_args(inner):
        key, sep, val = part.partition("=")
        raw = val if sep and re.fullmatch(r"\s*[A-Za-z_]\w*\s*", key) else part
        try:  # an argument is YAML flow syntax (numbers, lists), read within bounds
            value = load(raw)[1] if raw.strip() else None
        except YamlProblem as exc:
            raise ValueError(f"cannot read argument {part.strip()!r} of {text!r}: {exc}") from None
        if isinstance(value, str) and _FLOAT.fullmatch(value.strip()):
            value = float(value)  # YAML 1.1 reads 1e-9 (no dot) as text; a number is meant
        if raw is val:
            kwargs[key.strip()] = value
        else:
            args.append(value)
    return _build(family, args, kwargs)


def _split_args(inner: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in inner:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return [p for p in parts if p.strip()]


def parse_distribution(value: Any) -> Distribution:
    """Turn a scenario value (number, compact string or mapping) into a :class:`Distribution`.

    Raises ``ValueError`` with a message that says what was expected.
    """
    if isinstance(value, Distribution):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a number or a distribution, got {value!r}")
    if isinstance(value, int | float):
        return Fixed(value)
    if isinstance(value, str):
        try:
            number = float(value.replace("_", ""))
        except ValueError:
            return _parse_call(value)
        return Fixed(number)  # "1e999" is a number, and not a finite one: say so
    if isinstance(value, Mapping):
        body = dict(value)
        family = body.pop("dist", None)
        if not isinstance(family, str):
            raise ValueError(
                "a distribution written as a mapping needs 'dist: <family>', e.g. "
                "{dist: triangular, low: 0.2, mode: 0.3, high: 0.45}"
            )
        return _build(family, [], body)
    raise ValueError(
        f"expected a number or a distribution such as 'pert(18, 24, 36)', got {value!r}"
    )
