"""The families of uncertain inputs, each a quantile function, an exact mean and a support.

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

Pert, beta and gamma invert through a table (:class:`.base.Tabulated`); the others in
closed form. Each family checks its parameters when it is built and says what it needs
(``uniform needs low < high``). A fixed value consumes no randomness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from scipy import special

from simulator.core.distributions.base import (
    Distribution,
    Tabulated,
    format_number,
    require,
    require_finite,
)

__all__ = [
    "Bernoulli",
    "Beta",
    "Discrete",
    "Fixed",
    "Gamma",
    "LogNormal",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
]


@dataclass(frozen=True)
class Fixed(Distribution):
    value: float
    name: ClassVar[str] = "fixed"
    positional: ClassVar[tuple[str, ...]] = ("value",)

    def __post_init__(self) -> None:
        require_finite(value=self.value)

    def ppf(self, u):
        return np.full(np.shape(u), float(self.value))

    def sample(self, rng, n):  # no draws: a constant consumes no randomness
        return np.full(n, float(self.value))

    def mean(self):
        return float(self.value)

    def support(self):
        return (float(self.value), float(self.value))

    def compact(self) -> str:
        return format_number(self.value)


@dataclass(frozen=True)
class Uniform(Distribution):
    low: float
    high: float
    name: ClassVar[str] = "uniform"
    positional: ClassVar[tuple[str, ...]] = ("low", "high")

    def __post_init__(self):
        require_finite(low=self.low, high=self.high)
        require(
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
        require_finite(low=self.low, mode=self.mode, high=self.high)
        require(
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
class Pert(Tabulated, Triangular):
    lamb: float = 4.0
    name: ClassVar[str] = "pert"

    def __post_init__(self):
        super().__post_init__()
        require_finite(lamb=self.lamb)
        require(self.lamb > 0, f"pert needs lamb > 0, got {self.lamb}")

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
        require_finite(mean=self.mean_, sd=self.sd)
        require(self.sd > 0, f"normal needs sd > 0, got {self.sd}")
        for k in ("low", "high"):
            if getattr(self, k) is not None:
                require_finite(**{k: getattr(self, k)})
        if self.low is not None and self.high is not None:
            require(self.low < self.high, f"normal needs low < high, got {self.low}, {self.high}")
        require(
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
        require_finite(mu=self.mu, sigma=self.sigma)
        require(self.sigma > 0, f"lognormal needs sigma > 0, got {self.sigma}")

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> LogNormal:
        require_finite(mean=mean, sd=sd)
        require(mean > 0 and sd > 0, f"lognormal needs mean > 0 and sd > 0, got {mean}, {sd}")
        s2 = math.log1p((sd / mean) ** 2)
        return cls(mu=math.log(mean) - s2 / 2, sigma=math.sqrt(s2))

    def compact(self) -> str:
        return f"lognormal(mu={format_number(self.mu)}, sigma={format_number(self.sigma)})"

    def ppf(self, u):
        return np.exp(self.mu + self.sigma * special.ndtri(np.asarray(u)))

    def mean(self):
        return math.exp(self.mu + self.sigma**2 / 2)

    def support(self):
        return (0.0, np.inf)


@dataclass(frozen=True)
class Beta(Tabulated, Distribution):
    a: float
    b: float
    low: float = 0.0
    high: float = 1.0
    name: ClassVar[str] = "beta"
    positional: ClassVar[tuple[str, ...]] = ("a", "b")

    def __post_init__(self):
        require_finite(a=self.a, b=self.b, low=self.low, high=self.high)
        require(
            self.a > 0 and self.b > 0, f"beta needs a > 0 and b > 0, got a={self.a}, b={self.b}"
        )
        require(self.low < self.high, f"beta needs low < high, got {self.low}, {self.high}")

    def _exact_ppf(self, u):
        return self.low + (self.high - self.low) * special.betaincinv(self.a, self.b, u)

    def ppf(self, u):
        return self._table_ppf(u)

    def mean(self):
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def support(self):
        return (self.low, self.high)


@dataclass(frozen=True)
class Gamma(Tabulated, Distribution):
    shape: float
    scale: float = 1.0
    name: ClassVar[str] = "gamma"
    positional: ClassVar[tuple[str, ...]] = ("shape", "scale")

    def __post_init__(self):
        require_finite(shape=self.shape, scale=self.scale)
        require(self.shape > 0 and self.scale > 0, "gamma needs shape > 0 and scale > 0")

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
        require_finite(p=self.p)
        require(0 <= self.p <= 1, f"bernoulli needs 0 <= p <= 1, got {self.p}")

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
        require(len(self.values) > 0, "discrete needs at least one value")
        require(
            len(self.values) == len(self.probs),
            f"discrete needs as many probs as values, got {len(self.values)} values and "
            f"{len(self.probs)} probs",
        )
        require_finite(**{f"values[{i}]": v for i, v in enumerate(self.values)})
        require_finite(**{f"probs[{i}]": v for i, v in enumerate(self.probs)})
        require(all(p >= 0 for p in self.probs), "discrete probs must be >= 0")
        require(
            abs(sum(self.probs) - 1) < 1e-9, f"discrete probs must sum to 1, got {sum(self.probs)}"
        )

    def compact(self) -> str:
        v = ", ".join(format_number(x) for x in self.values)
        p = ", ".join(format_number(x) for x in self.probs)
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
