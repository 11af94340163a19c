"""Uncertain inputs: one small family of distributions that every scenario field can use.

An analyst writes an uncertain number the way @RISK taught them, in a compact form
(``pert(18, 24, 36)``, ``beta(a=12, b=88)``, ``normal(0.25, 0.15, low=0)``) or a long form
(``{dist: triangular, low: 0.2, mode: 0.3, high: 0.45}``); a plain number is a constant
(reading these spellings: :mod:`simulator.core.notation`).

- :mod:`.base`: sampling by inversion, the base class, tabulated inverse CDFs;
- :mod:`.families`: the families, their parameters and quantile functions.
"""

from simulator.core.distributions.base import Distribution, uniforms
from simulator.core.distributions.families import (
    Bernoulli,
    Beta,
    Discrete,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
)

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
    "uniforms",
]
