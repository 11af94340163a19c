"""Uncertain inputs: one small family of distributions that every scenario field can use.

An analyst writes an uncertain number the way @RISK taught them, in a compact form
(``pert(18, 24, 36)``, ``beta(a=12, b=88)``, ``normal(0.25, 0.15, low=0)``) or a long form
(``{dist: triangular, low: 0.2, mode: 0.3, high: 0.45}``); a plain number is a constant.

Every distribution here is sampled **by inversion**: the engine draws uniforms ``u`` from
the stream that belongs to the input and maps them through the quantile function
``x = F^-1(u)``. Inversion is what makes common random numbers work: two scenario variants
that differ only in a parameter see the same ``u`` and so move together, and a one-way
sensitivity can pin an input at its P10 by feeding ``u = 0.1``.

Families and their parameters (``x`` is the variable, ``F`` its CDF):

==============  ===========================================  =================================
family          parameters                                   quantile function
==============  ===========================================  =================================
fixed           value                                        constant
uniform         low, high                                    low + u (high - low)
triangular      low, mode, high                              closed form (two square roots)
pert            low, mode, high, lamb=4                      low + (high-low) B^-1(u; a, b),
                                                             a = 1 + lamb (mode-low)/(high-low),
                                                             b = 1 + lamb (high-mode)/(high-low)
                                                             (Vose, *Risk Analysis*, 3rd ed.)
normal          mean, sd, [low], [high] (truncation)         mean + sd Phi^-1(Fl + u (Fh - Fl)),
                                                             Fl, Fh = Phi((low|high - mean)/sd)
lognormal       mean & sd of x, or mu & sigma of log x       exp(mu + sigma Phi^-1(u)),
                                                             sigma^2 = ln(1 + sd^2/mean^2),
                                                             mu = ln(mean) - sigma^2/2
beta            a, b, [low=0], [high=1]                      low + (high-low) B^-1(u; a, b)
gamma           shape, scale (or rate)                       scale Gamma^-1(u; shape)
bernoulli       p                                            1 if u > 1 - p else 0
discrete        values, probs                                smallest value with cum. prob > u
==============  ===========================================  =================================

The beta and gamma inverses (``scipy.special.betaincinv``/``gammaincinv``) cost about a
microsecond per call, too slow for millions of draws, so each distribution builds a
quantile table once (4,097 nodes, equally spaced in ``Phi^-1(u)`` over |z| <= 8.3, which
puts nodes densely in both tails) and interpolates linearly between them. The table's
error is below 1e-6 of the range for the shapes a scenario uses; ``tests`` hold it to
scipy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
from scipy import special

__all__ = [
    "Bernoulli",
    "Beta",
    "Discrete",
    "Distribution",
    "Fixed",
    "Gamma",
    "LogNormal",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
]

# Uniforms strictly inside (0, 1): Generator.random() returns k 2^-53 for k in [0, 2^53).
_HALF_ULP = 2.0**-54
_TABLE_Z = np.linspace(-8.3, 8.3, 4097)
_TABLE_U = special.ndtr(_TABLE_Z)
_TABLE_STEP = _TABLE_Z[1] - _TABLE_Z[0]


def uniforms(rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw ``n`` uniforms strictly inside (0, 1) from ``rng``."""
    return np.clip(rng.random(n) + _HALF_ULP, _HALF_ULP, 1.0 - 2.0**-53)


def _fmt(x: float) -> str:
    """Shortest text that reads back to the same number (18.0 -> '18')."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


@dataclass(frozen=True)
class Distribution:
    """Base class: a one-dimensional distribution sampled by inversion."""

    name: ClassVar[str] = ""
    #: parameter names in the order the compact form takes them positionally
    positional: ClassVar[tuple[str, ...]] = ()

    # -- what subclasses provide -------------------------------------------------------
    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Quantile function: the value below which a share ``u`` of outcomes falls."""
        raise NotImplementedError

    def mean(self) -> float:
        """Exact mean."""
        raise NotImplementedError

    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values (may be infinite)."""
        raise NotImplementedError

    # -- shared behaviour --------------------------------------------------------------
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values with the generator ``rng`` (by inversion)."""
        return self.ppf(uniforms(rng, n))

    def quantile(self, q: float | np.ndarray) -> np.ndarray | float:
        """Quantile(s) at probability ``q`` (same as :meth:`ppf`, scalar in, scalar out)."""
        out = self.ppf(np.asarray(q, dtype=float))
        return float(out) if np.ndim(out) == 0 else out

    @property
    def is_constant(self) -> bool:
        lo, hi = self.support()
        return lo == hi

    def params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if not k.startswith("_")}

    def compact(self) -> str:
        """The compact textual form, e.g. ``pert(18, 24, 36)``; parses back to ``self``."""
        p = self.params()
        pos = [_fmt(p.pop(k)) for k in self.positional]
        kw = [f"{k}={_fmt(v)}" for k, v in p.items() if v is not None and not _is_default(self, k)]
        return f"{self.name}({', '.join(pos + kw)})"

    def __str__(self) -> str:
        return self.compact()


def _is_default(d: Distribution, key: str) -> bool:
    f = d.__dataclass_fields__[key]
    return f.default is not None and getattr(d, key) == f.default


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


def _finite(**values: float) -> None:
    for k, v in values.items():
        _check(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v),
            f"parameter '{k}' must be a finite number, got {v!r}",
        )


@lru_cache(maxsize=1024)
def _quantile_table(dist: _Tabulated) -> np.ndarray:
    """Exact quantiles at the table's nodes, built once per distinct distribution (per
    process): equal distributions share one table whichever object asks."""
    table = dist._exact_ppf(_TABLE_U)
    table.setflags(write=False)
    return table


class _Tabulated:
    """Mixin: inverse CDF from a table built once from an exact (slow) inverse."""

    def _exact_ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _table_ppf(self, u: np.ndarray | float) -> np.ndarray:
        # nodes are equally spaced in z = Phi^-1(u): find the cell in O(1), then interpolate
        # linearly in u (exact at the nodes, monotone between them)
        table = _quantile_table(self)
        u = np.clip(np.asarray(u, dtype=float), _TABLE_U[0], _TABLE_U[-1])
        z = special.ndtri(u)
        i = np.clip(((z - _TABLE_Z[0]) / _TABLE_STEP).astype(np.int64), 0, len(_TABLE_Z) - 2)
        u0, u1 = _TABLE_U[i], _TABLE_U[i + 1]
        w = np.where(u1 > u0, (u - u0) / np.where(u1 > u0, u1 - u0, 1.0), 0.0)
        return table[i] + w * (table[i + 1] - table[i])


@dataclass(frozen=True)
class Fixed(Distribution):
    value: float
    name: ClassVar[str] = "fixed"
    positional: ClassVar[tuple[str, ...]] = ("value",)

    def __post_init__(self) -> None:
        _finite(value=self.value)

    def ppf(self, u):
        return np.full(np.shape(u), float(self.value))

    def sample(self, rng, n):  # no draws: a constant consumes no randomness
        return np.full(n, float(self.value))

    def mean(self):
        return float(self.value)

    def support(self):
        return (float(self.value), float(self.value))

    def compact(self) -> str:
        return _fmt(self.value)


@dataclass(frozen=True)
class Uniform(Distribution):
    low: float
    high: float
    name: ClassVar[str] = "uniform"
    positional: ClassVar[tuple[str, ...]] = ("low", "high")

    def __post_init__(self):
        _finite(low=self.low, high=self.high)
        _check(
            self.low < self.high, f"uniform needs low < high, got low={self.low}, high={self.high}"
        )

    def ppf(self, u):
        return self.low + np.asarray(u) * (self.high - self.low)

    def mean(self):
        return 0.5 * (self.low + self.high)

    def support(self):
        return (self.low, self.high)


@dataclass(frozen=True)
class Triangular(Distribution):
    low: float
    mode: float
    high: float
    name: ClassVar[str] = "triangular"
    positional: ClassVar[tuple[str, ...]] = ("low", "mode", "high")

    def __post_init__(self):
        _finite(low=self.low, mode=self.mode, high=self.high)
        _check(
            self.low <= self.mode <= self.high and self.low < self.high,
            f"{self.name} needs low <= mode <= high and low < high, "
            f"got ({self.low}, {self.mode}, {self.high})",
        )

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)

    def mean(self):
        return (self.low + self.mode + self.high) / 3.0

    def support(self):
        return (self.low, self.high)


@dataclass(frozen=True)
class Pert(_Tabulated, Triangular):
    lamb: float = 4.0
    name: ClassVar[str] = "pert"

    def __post_init__(self):
        super().__post_init__()
        _finite(lamb=self.lamb)
        _check(self.lamb > 0, f"pert needs lamb > 0, got {self.lamb}")

    @property
    def _ab(self) -> tuple[float, float]:
        r = self.high - self.low
        return (
            1 + self.lamb * (self.mode - self.low) / r,
            1 + self.lamb * (self.high - self.mode) / r,
        )

    def _exact_ppf(self, u):
        a, b = self._ab
        return self.low + (self.high - self.low) * special.betaincinv(a, b, u)

    def ppf(self, u):
        return self._table_ppf(u)

    def mean(self):
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2)


@dataclass(frozen=True)
class Normal(Distribution):
    mean_: float = field(metadata={"alias": "mean"})
    sd: float = 1.0
    low: float | None = None
    high: float | None = None
    name: ClassVar[str] = "normal"
    positional: ClassVar[tuple[str, ...]] = ("mean", "sd")

    def __post_init__(self):
        _finite(mean=self.mean_, sd=self.sd)
        _check(self.sd > 0, f"normal needs sd > 0, got {self.sd}")
        for k in ("low", "high"):
            if getattr(self, k) is not None:
                _finite(**{k: getattr(self, k)})
        if self.low is not None and self.high is not None:
            _check(self.low < self.high, f"normal needs low < high, got {self.low}, {self.high}")
        _check(
            self._mass > 1e-12, "normal truncation leaves no probability mass between low and high"
        )

    def params(self):
        return {"mean": self.mean_, "sd": self.sd, "low": self.low, "high": self.high}

    @property
    def _bounds_z(self) -> tuple[float, float]:
        zl = -np.inf if self.low is None else (self.low - self.mean_) / self.sd
        zh = np.inf if self.high is None else (self.high - self.mean_) / self.sd
        return zl, zh

    @property
    def _mass(self) -> float:
        zl, zh = self._bounds_z
        return float(special.ndtr(zh) - special.ndtr(zl))

    def ppf(self, u):
        zl, zh = self._bounds_z
        fl = special.ndtr(zl)
        z = special.ndtri(fl + np.asarray(u) * (special.ndtr(zh) - fl))
        return np.clip(self.mean_ + self.sd * z, *self.support())

    def mean(self):
        # truncated normal: mean + sd (phi(a) - phi(b)) / (Phi(b) - Phi(a))
        zl, zh = self._bounds_z
        pdf = lambda z: 0.0 if math.isinf(z) else math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731
        return float(self.mean_ + self.sd * (pdf(zl) - pdf(zh)) / self._mass)

    def support(self):
        return (
            -np.inf if self.low is None else self.low,
            np.inf if self.high is None else self.high,
        )


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Lognormal by the mean and sd of the variable, or by ``mu`` and ``sigma`` of its log."""

    mu: float
    sigma: float
    name: ClassVar[str] = "lognormal"
    positional: ClassVar[tuple[str, ...]] = ("mu", "sigma")

    def __post_init__(self):
        _finite(mu=self.mu, sigma=self.sigma)
        _check(self.sigma > 0, f"lognormal needs sigma > 0, got {self.sigma}")

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> LogNormal:
        _finite(mean=mean, sd=sd)
        _check(mean > 0 and sd > 0, f"lognormal needs mean > 0 and sd > 0, got {mean}, {sd}")
        s2 = math.log1p((sd / mean) ** 2)
        return cls(mu=math.log(mean) - s2 / 2, sigma=math.sqrt(s2))

    def compact(self) -> str:
        return f"lognormal(mu={_fmt(self.mu)}, sigma={_fmt(self.sigma)})"

    def ppf(self, u):
        return np.exp(self.mu + self.sigma * special.ndtri(np.asarray(u)))

    def mean(self):
        return math.exp(self.mu + self.sigma**2 / 2)

    def support(self):
        return (0.0, np.inf)


@dataclass(frozen=True)
class Beta(_Tabulated, Distribution):
    a: float
    b: float
    low: float = 0.0
    high: float = 1.0
    name: ClassVar[str] = "beta"
    positional: ClassVar[tuple[str, ...]] = ("a", "b")

    def __post_init__(self):
        _finite(a=self.a, b=self.b, low=self.low, high=self.high)
        _check(self.a > 0 and self.b > 0, f"beta needs a > 0 and b > 0, got a={self.a}, b={self.b}")
        _check(self.low < self.high, f"beta needs low < high, got {self.low}, {self.high}")

    def _exact_ppf(self, u):
        return self.low + (self.high - self.low) * special.betaincinv(self.a, self.b, u)

    def ppf(self, u):
        return self._table_ppf(u)

    def mean(self):
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def support(self):
        return (self.low, self.high)


@dataclass(frozen=True)
class Gamma(_Tabulated, Distribution):
    shape: float
    scale: float = 1.0
    name: ClassVar[str] = "gamma"
    positional: ClassVar[tuple[str, ...]] = ("shape", "scale")

    def __post_init__(self):
        _finite(shape=self.shape, scale=self.scale)
        _check(self.shape > 0 and self.scale > 0, "gamma needs shape > 0 and scale > 0")

    def _exact_ppf(self, u):
        return self.scale * special.gammaincinv(self.shape, u)

    def ppf(self, u):
        return self._table_ppf(u)

    def mean(self):
        return self.shape * self.scale

    def support(self):
        return (0.0, np.inf)


@dataclass(frozen=True)
class Bernoulli(Distribution):
    p: float
    name: ClassVar[str] = "bernoulli"
    positional: ClassVar[tuple[str, ...]] = ("p",)

    def __post_init__(self):
        _finite(p=self.p)
        _check(0 <= self.p <= 1, f"bernoulli needs 0 <= p <= 1, got {self.p}")

    def ppf(self, u):
        return (np.asarray(u) > 1.0 - self.p).astype(float)

    def mean(self):
        return float(self.p)

    def support(self):
        return (0.0 if self.p < 1 else 1.0, 1.0 if self.p > 0 else 0.0)


@dataclass(frozen=True)
class Discrete(Distribution):
    values: tuple[float, ...]
    probs: tuple[float, ...]
    name: ClassVar[str] = "discrete"
    positional: ClassVar[tuple[str, ...]] = ("values", "probs")

    def __post_init__(self):
        _check(len(self.values) > 0, "discrete needs at least one value")
        _check(
            len(self.values) == len(self.probs),
            f"discrete needs as many probs as values, got {len(self.values)} values and "
            f"{len(self.probs)} probs",
        )
        _finite(**{f"values[{i}]": v for i, v in enumerate(self.values)})
        _finite(**{f"probs[{i}]": v for i, v in enumerate(self.probs)})
        _check(all(p >= 0 for p in self.probs), "discrete probs must be >= 0")
        _check(
            abs(sum(self.probs) - 1) < 1e-9, f"discrete probs must sum to 1, got {sum(self.probs)}"
        )

    def compact(self) -> str:
        v = ", ".join(_fmt(x) for x in self.values)
        p = ", ".join(_fmt(x) for x in self.probs)
        return f"discrete([{v}], [{p}])"

    def ppf(self, u):
        cum = np.cumsum(self.probs)
        cum[-1] = 1.0
        idx = np.searchsorted(cum, np.asarray(u), side="right")
        return np.asarray(self.values, dtype=float)[np.minimum(idx, len(self.values) - 1)]

    def mean(self):
        return float(np.dot(self.values, self.probs))

    def support(self):
        vals = [v for v, p in zip(self.values, self.probs, strict=True) if p > 0]
        return (float(min(vals)), float(max(vals)))
