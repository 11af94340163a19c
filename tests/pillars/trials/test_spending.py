"""Spending functions: closed forms against published values, and their defining properties.

Sources of the numbers:
- rpact unit tests, tests/testthat/test-f_design_group_sequential.R (rpact-com/rpact,
  file revision 6492, 2022-08-15): designs "x1", "x2", "x6b", "x7a" (quoted per test).
- gsDesign technical manual, "Applying the default group sequential design"
  (https://keaven.github.io/gsd-tech-manual/default.html): print(gsDesign()).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.pillars.trials.spending import (
    cumulative_spending,
    hsd_spending,
    obf_spending,
    pocock_spending,
)


def test_obf_spending_matches_rpact_asof():
    # rpact x7a: typeOfDesign="asOF", alpha=0.13, informationRates=c(0.4, 0.75, 1).
    spent = obf_spending([0.4, 0.75, 1.0], 0.13)
    np.testing.assert_allclose(spent, [0.016665509, 0.080406163, 0.13], atol=1e-8)


def test_obf_spending_k3_alpha_0025_rounds_to_rpact_summary():
    # rpact design summary, asOF, K=3, alpha=0.025: cumulative alpha 0.0001, 0.0060, 0.0250.
    spent = obf_spending([1 / 3, 2 / 3, 1.0], 0.025)
    np.testing.assert_allclose(np.round(spent, 4), [0.0001, 0.0060, 0.0250])


def test_pocock_spending_matches_rpact_asp():
    # rpact x6b: typeOfDesign="asP", alpha=0.025, informationRates=c(0.4, 0.7).
    np.testing.assert_allclose(
        pocock_spending([0.4, 0.7], 0.025), [0.013078429, 0.0197432], atol=1e-9
    )


def test_hsd_spending_matches_rpact_and_gsdesign():
    t = [0.2, 0.4, 1.0]
    # rpact x1: asHSD, gammaA=0 (linear), alpha=0.03.
    np.testing.assert_allclose(hsd_spending(t, 0.03, 0.0), [0.006, 0.012, 0.03], atol=1e-12)
    # rpact x2: asHSD gammaA=-1, alpha=0.07; bsHSD gammaB=-2, beta=0.14.
    np.testing.assert_allclose(
        hsd_spending(t, 0.07, -1.0), [0.0090195874, 0.020036136, 0.07], atol=1e-9
    )
    np.testing.assert_allclose(
        hsd_spending(t, 0.14, -2.0), [0.010777094, 0.026854629, 0.14], atol=1e-9
    )
    # gsDesign default: alpha spent per look (HSD -4) and beta spent per look (HSD -2).
    thirds = [1 / 3, 2 / 3, 1.0]
    np.testing.assert_allclose(
        np.round(np.diff(hsd_spending(thirds, 0.025, -4.0), prepend=0), 4), [0.0013, 0.0049, 0.0188]
    )
    np.testing.assert_allclose(
        np.round(np.diff(hsd_spending(thirds, 0.1, -2.0), prepend=0), 4), [0.0148, 0.0289, 0.0563]
    )


def test_hsd_is_continuous_at_gamma_zero():
    t = np.linspace(0, 1, 11)
    np.testing.assert_allclose(
        hsd_spending(t, 0.025, 1e-9), hsd_spending(t, 0.025, 0.0), atol=1e-12
    )


def test_dispatch_and_errors():
    t = [0.5, 1.0]
    np.testing.assert_array_equal(cumulative_spending("obf", t, 0.025), obf_spending(t, 0.025))
    np.testing.assert_array_equal(
        cumulative_spending("pocock", t, 0.025), pocock_spending(t, 0.025)
    )
    np.testing.assert_array_equal(
        cumulative_spending("hsd", t, 0.025, 1.0), hsd_spending(t, 0.025, 1.0)
    )
    with pytest.raises(ValueError, match="gamma"):
        cumulative_spending("hsd", t, 0.025)
    with pytest.raises(ValueError, match="unknown"):
        cumulative_spending("kd", t, 0.025)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        obf_spending([0.5, 1.2], 0.025)
    with pytest.raises(ValueError, match="total"):
        pocock_spending([0.5], 1.5)


spending_cases = st.one_of(
    st.tuples(st.just("obf"), st.none()),
    st.tuples(st.just("pocock"), st.none()),
    st.tuples(st.just("hsd"), st.floats(-8.0, 8.0)),
)


@settings(max_examples=40, deadline=None, database=None)
@given(case=spending_cases, total=st.floats(0.001, 0.5))
def test_spending_is_a_cdf_on_information_time(case, total):
    name, gamma = case
    t = np.linspace(0.0, 1.0, 51)
    spent = cumulative_spending(name, t, total, gamma)
    assert spent[0] == 0.0
    assert spent[-1] == pytest.approx(total, rel=1e-12)
    assert np.all(np.diff(spent) >= 0.0)
    assert np.all((spent >= 0.0) & (spent <= total * (1 + 1e-12)))
