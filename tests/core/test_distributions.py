"""Distributions against scipy as the oracle; parsing of the compact and long forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator.core.distributions import (
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
from simulator.core.notation import parse_distribution

U = np.linspace(1e-6, 1 - 1e-6, 2001)

ORACLES = [
    (Uniform(2, 5), stats.uniform(2, 3)),
    (Triangular(1, 2, 4), stats.triang(c=1 / 3, loc=1, scale=3)),
    (Pert(18, 24, 36), stats.beta(1 + 4 * 6 / 18, 1 + 4 * 12 / 18, loc=18, scale=18)),
    (Normal(0.25, 0.15), stats.norm(0.25, 0.15)),
    (Normal(0.25, 0.15, low=0.0), stats.truncnorm(-0.25 / 0.15, np.inf, 0.25, 0.15)),
    (Normal(1.0, 2.0, low=-1.0, high=2.0), stats.truncnorm(-1.0, 0.5, 1.0, 2.0)),
    (
        LogNormal.from_mean_sd(10, 2),
        stats.lognorm(s=np.sqrt(np.log1p(0.04)), scale=10 / np.sqrt(1.04)),
    ),
    (Beta(12, 88), stats.beta(12, 88)),
    (Beta(2, 3, low=10, high=20), stats.beta(2, 3, loc=10, scale=10)),
    (Gamma(2.5, 3.0), stats.gamma(2.5, scale=3.0)),
]


@pytest.mark.parametrize(("dist", "oracle"), ORACLES, ids=lambda x: str(x)[:30])
def test_quantiles_and_mean_match_scipy(dist, oracle):
    lo, hi = oracle.ppf(0.001), oracle.ppf(0.999)
    np.testing.assert_allclose(dist.ppf(U), oracle.ppf(U), rtol=2e-6, atol=2e-6 * (hi - lo))
    assert dist.mean() == pytest.approx(oracle.mean(), rel=1e-9)


@pytest.mark.parametrize(("dist", "oracle"), ORACLES, ids=lambda x: str(x)[:30])
def test_samples_have_the_right_mean(dist, oracle):
    x = dist.sample(np.random.default_rng(3), 200_000)
    se = oracle.std() / np.sqrt(x.size)
    assert abs(x.mean() - oracle.mean()) < 4 * se


def test_discrete_and_fixed():
    d = Discrete((1.0, 2.0, 5.0), (0.2, 0.3, 0.5))
    assert d.ppf(np.array([0.1, 0.3, 0.9])).tolist() == [1.0, 2.0, 5.0]
    assert d.mean() == pytest.approx(3.3)
    f = Fixed(3.5)
    assert f.is_constant and f.sample(np.random.default_rng(0), 3).tolist() == [3.5] * 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (3, Fixed(3)),
        ("1_000", Fixed(1000)),
        ("pert(18, 24, 36)", Pert(18, 24, 36)),
        ("tri(0.2, 0.3, 0.45)", Triangular(0.2, 0.3, 0.45)),
        ({"dist": "triangular", "low": 0.2, "mode": 0.3, "high": 0.45}, Triangular(0.2, 0.3, 0.45)),
        ("beta(a=12, b=88)", Beta(12, 88)),
        ("normal(0.25, 0.15, low=0)", Normal(0.25, 0.15, low=0)),
        ("lognormal(mean=10, sd=2)", LogNormal.from_mean_sd(10, 2)),
        ("gamma(2, rate=0.5)", Gamma(2, 2.0)),
        ("discrete([1, 2], [0.4, 0.6])", Discrete((1, 2), (0.4, 0.6))),
        ({"dist": "uniform", "low": 1, "high": 2}, Uniform(1, 2)),
        # exponents without a dot, which YAML 1.1 would read as text
        ("uniform(1e-09, 0.2)", Uniform(1e-9, 0.2)),
        ("normal(1.5e3, 2E2, low=-1e-3)", Normal(1500.0, 200.0, low=-0.001)),
    ],
)
def test_parse_forms(text, expected):
    d = parse_distribution(text)
    assert d == expected
    assert parse_distribution(d.compact()) == d  # the compact form reads back


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("pert(36, 24, 18)", "low <= mode <= high"),
        ("uniform(5, 5)", "low < high"),
        ("beta(a=-1, b=2)", "a > 0"),
        ("normal(0, -1)", "sd > 0"),
        ("lognormal(mean=-1, sd=1)", "mean > 0"),
        ("weibull(1, 2)", "unknown distribution"),
        ("pert(1, 2)", "missing parameter"),
        ("pert(1, 2, 3, 4, 5)", "positional"),
        ("beta(a=1, b=2, c=3)", "unknown parameter"),
        ("discrete([1, 2], [0.5, 0.6])", "sum to 1"),
        ("uniform(a, b)", "must be a number"),
        ({"low": 1, "high": 2}, "dist:"),
        ("twelve", "expected a number or a distribution"),
        (True, "expected a number"),
    ],
)
def test_bad_parameters_say_what_was_expected(text, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        parse_distribution(text)


@settings(max_examples=40, deadline=None)
@given(
    low=st.floats(-1e3, 1e3),
    width=st.floats(1e-3, 1e3),
    frac=st.floats(0, 1),
    u=st.lists(st.floats(1e-9, 1 - 1e-9), min_size=2, max_size=20),
)
def test_pert_quantiles_are_monotone_and_inside_support(low, width, frac, u):
    d = Pert(low, low + frac * width, low + width)
    q = d.ppf(np.sort(u))
    assert np.all(np.diff(q) >= -1e-12 * width)
    assert np.all((q >= low - 1e-9 * width) & (q <= low + width * (1 + 1e-9)))
