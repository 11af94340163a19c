"""Competition that moves in time: the order-of-entry split month by month, outside
entrants as a Poisson process, and an extra competitor that never helps an incumbent."""

import copy

import numpy as np
import pytest
from helpers import asset, make
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine.chunk import simulate_chunk
from simulator.pillars.commercial.competition import entry_ranks, order_weight

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRICE = 120_000.0


def drug(name: str, start: float = 0.0, **competition) -> dict:
    """A certain asset of indication nsclc whose monthly cash is its revenue."""
    a = asset(name, cost=(0, 0, 0, 0))
    a["start_month"] = start
    a["commercial"] = {
        "peak_share": 0.4,
        "uptake_curve": [1.0],
        "list_price_usd": PRICE,
        "exclusivity_years": 40,
        "erosion_first_year": 0.0,
        "competition": competition,
    }
    a["cohort"] = {"indication": "nsclc", "incidence_per_year": 12_000}
    return a


def monthly(assets: list[dict], n: int = 2):
    """The chunk of a portfolio of ``assets`` (its monthly cash is their revenue)."""
    s = make({"p": assets}, iterations=n, chunk_size=n, tax_rate=0.0)
    return simulate_chunk(s, 0, keep_monthly=True)


def test_order_of_entry_ranks_and_weights():
    launch = [np.array([10, 50, 10]), np.array([30, 30, 10]), np.array([90, 20, 99])]
    launched = [np.ones(3, bool), np.ones(3, bool), np.array([True, True, False])]
    ranks = entry_ranks(launch, launched)
    np.testing.assert_array_equal(ranks[0], [1, 3, 1])
    np.testing.assert_array_equal(ranks[1], [2, 2, 1])  # a tie shares the rank
    np.testing.assert_array_equal(ranks[2], [3, 1, 0])
    np.testing.assert_array_equal(order_weight([1.0, 0.71, 0.58], np.array([1, 2, 3, 7, 0])),
                                  [1.0, 0.71, 0.58, 0.58, 0.0])  # fmt: skip


def test_the_first_entrant_keeps_its_single_asset_share_until_a_second_launches():
    first, second = drug("first"), drug("second", start=60)  # launches at 78 and 138
    solo = monthly([first]).monthly_cash_musd["p"][0]
    pair = monthly([first, second]).monthly_cash_musd["p"][0]
    np.testing.assert_allclose(pair[:138], solo[:138], rtol=1e-12)
    # then 1 : 0.71 (Urban et al. 1986): the pair sells what the first sold alone
    np.testing.assert_allclose(pair[138:], solo[138:], rtol=1e-12)
    s = make({"p": [first, second]}, iterations=2, chunk_size=2, tax_rate=0.0)
    first_only = make({"p": [first, dict(second, phases=_failing(second))]}, iterations=2,
                      chunk_size=2, tax_rate=0.0)  # fmt: skip
    both = simulate_chunk(s, 0).columns["p.first.npv_musd"]
    alone = simulate_chunk(first_only, 0).columns["p.first.npv_musd"]
    v = (1 + 0.1) ** (-1 / 12)
    month = np.arange(360)
    rate = 12_000 * 0.4 * PRICE / 12 / 1e6  # revenue a month alone: a patient-year a start
    lost = rate * (1 - 1 / 1.71) * (v ** (month[138:] + 0.5)).sum()
    np.testing.assert_allclose(alone - both, lost, rtol=1e-9)


def _failing(a: dict) -> dict:
    phases = copy.deepcopy(a["phases"])
    phases["phase1"]["p_success"] = 0.0
    return phases


def test_a_drug_that_fails_leaves_the_market_to_the_others():
    first = drug("first")
    second = dict(drug("second"), phases=_failing(drug("second")))
    solo = monthly([first]).monthly_cash_musd["p"][0]
    np.testing.assert_allclose(monthly([first, second]).monthly_cash_musd["p"][0], solo)


def test_outside_entrants_take_the_poisson_expected_share():
    """With entrants at lambda a year after launch, each taking a share l, the asset keeps
    E[(1 - l)^N(t)] = exp(-lambda t l / 12) of its patients t months after launch
    (the Poisson probability generating function), to Monte Carlo error."""
    lam, loss, n = 0.5, 0.3, 20_000
    a = drug("alone", entries_per_year=lam, share_loss=loss)
    s = make({"p": [a]}, iterations=n, chunk_size=n, tax_rate=0.0)
    cash = simulate_chunk(s, 0, keep_monthly=True).monthly_cash_musd["p"]
    rate = 12_000 * 0.4 * PRICE / 12 / 1e6
    for t in (12, 60, 150):  # months after launch (78)
        kept = cash[:, 78 + t] / rate
        # an entrant arriving in month m (rounded) counts from it: N(t) ~ Poisson(lam (t+1/2)/12)
        expected = np.exp(-lam * (t + 0.5) / 12 * loss)
        se = kept.std() / np.sqrt(n)
        assert abs(kept.mean() - expected) < 4 * se + 2e-3, (t, kept.mean(), expected)


@SETTINGS
@given(lam=st.floats(0.0, 1.0), more=st.floats(0.0, 1.0), loss=st.floats(0.0, 1.0),
       second_start=st.floats(0.0, 120.0))  # fmt: skip
def test_an_extra_competitor_never_raises_an_incumbents_revenue(lam, more, loss, second_start):
    def incumbent(assets):
        s = make({"p": assets}, iterations=4, chunk_size=4, tax_rate=0.0)
        return simulate_chunk(s, 0).columns["p.first.npv_musd"]

    few = incumbent([drug("first", entries_per_year=lam, share_loss=loss)])
    many = incumbent([drug("first", entries_per_year=lam + more, share_loss=loss)])
    rival = incumbent([drug("first", entries_per_year=lam, share_loss=loss),
                       drug("second", start=second_start)])  # fmt: skip
    assert np.all(many <= few + 1e-9)
    assert np.all(rival <= few + 1e-9)


def test_a_share_curve_must_start_at_one():
    from simulator.core.errors import ScenarioError

    with pytest.raises(ScenarioError, match="start at 1"):
        make({"p": [drug("first", order_of_entry_shares=[0.9, 0.5])]})
