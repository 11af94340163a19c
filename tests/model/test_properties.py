"""Invariants that must hold for any inputs (hypothesis picks the inputs)."""

import numpy as np
from helpers import asset, make
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simulator as sim

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

probs = st.floats(0.05, 1.0)
shares = st.floats(0.01, 0.6)


@SETTINGS
@given(
    r1=st.floats(0.0, 0.3),
    dr=st.floats(0.001, 0.2),
    share=shares,
    price=st.floats(1e4, 5e5),
    excl=st.floats(3, 20),
    cost=st.floats(1, 300),
)
def test_higher_discount_rate_never_raises_a_profitable_conventional_programme(
    r1, dr, share, price, excl, cost
):
    # Costs come first (R&D, then launch), revenues after, one sign change in the cash
    # flow. For such a programme NPV(r) falls with r wherever NPV(r) >= 0 (if NPV < 0 a
    # higher rate also shrinks the costs, and NPV can rise toward 0; that is not a bug).
    a = asset(
        peak_share=share,
        list_price_usd=price,
        exclusivity_years=excl,
        cost=(cost,) * 4,
        sales_force_musd_per_year=0,
        launch_cost_musd=0,
        erosion_first_year=0.5,
    )
    lo = sim.run(make({"p": [a]}, iterations=2, chunk_size=2, discount_rate_annual=r1)).npv("p")[0]
    hi = sim.run(
        make({"p": [a]}, iterations=2, chunk_size=2, discount_rate_annual=min(r1 + dr, 0.99))
    ).npv("p")[0]
    if lo >= 0:
        assert hi <= lo + 1e-9


@SETTINGS
@given(p1=probs, p2=probs, share=shares, cost=st.floats(0.1, 100), seed=st.integers(0, 10_000))
def test_adding_a_certain_to_fail_asset_never_raises_portfolio_npv(p1, p2, share, cost, seed):
    base = [asset("a", p=(p1, p2, 0.6, 0.9), peak_share=f"pert(0.01, {share}, 0.7)")]
    doomed = asset("doomed", p=(0.0, 1, 1, 1), cost=(cost, 1, 1, 1))
    before = sim.run(make({"p": base}, iterations=300, seed=seed)).npv("p")
    after = sim.run(make({"p": [*base, doomed]}, iterations=300, seed=seed)).npv("p")
    assert np.all(after <= before + 1e-9)
    assert np.all(after < before)  # it costs its phase I and earns nothing


@SETTINGS
@given(price=st.floats(1e3, 1e6), share=shares, gtn=st.floats(0, 0.9), seed=st.integers(0, 10_000))
def test_doubling_price_never_lowers_revenue(price, share, gtn, seed):
    def revenue(p):
        a = asset(p=(0.7, 0.5, 0.7, 0.9), list_price_usd=p, peak_share=share, gross_to_net=gtn)
        r = sim.run(make({"p": [a]}, iterations=200, seed=seed))
        return r._out.yearly_revenue_musd["p"]

    once, twice = revenue(price), revenue(2 * price)
    assert np.all(twice >= once)
    np.testing.assert_allclose(twice, 2 * once, rtol=1e-9)
