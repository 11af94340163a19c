"""Exclusivity on the calendar: the statutes' arithmetic by hand, a late CDx that eats
protected sales month for month, and a later launch that never extends protection."""

import copy

import numpy as np
import pytest
from helpers import asset, make, scenario_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simulator as sim
from simulator.core.errors import ScenarioError
from simulator.engine.chunk import simulate_chunk
from simulator.pillars.commercial.exclusivity import loss_of_exclusivity_month

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def loe(filed, clinical, review, approval, **kw) -> float:
    return float(loss_of_exclusivity_month(filed, clinical, review, approval, **kw))


def test_the_fourteen_year_cap_binds_a_patent_filed_when_phase_1_starts():
    # filed at month 0 = phase I; review from 96 to 108. Extension: 96/2 + 12 = 60 months,
    # within 5 years, but at most 14 years after approval: 108 + 168 - 240 = 36.
    assert loe(0, 0, 96, 108) == 108 + 168


def test_the_five_year_cap_binds_a_patent_filed_long_before():
    # filed 60 months before phase I: the testing phase counts from phase I (the later)
    # 96/2 + 12 = 60 = the 5-year cap; 14 years after approval would allow 108+168-180 = 96.
    assert loe(-60, 0, 96, 108) == -60 + 240 + 60


def test_half_the_clinical_phase_plus_the_review_when_no_cap_binds():
    # filed at 0, phase I from 60: testing 80 months (60 -> 140), review 12: 40 + 12 = 52
    # months, under the 5-year cap and under 152 + 168 - 240 = 80
    assert loe(0, 60, 140, 152) == 240 + 52
    assert loe(0, 60, 140, 152, extension=False) == 240
    # filed after phase I started: the testing phase counts from the filing
    assert loe(20, 0, 100, 110) == 20 + 240 + min((100 - 20) / 2 + 10, 110 + 168 - 260)


def test_regulatory_exclusivity_wins_when_the_patent_is_nearly_spent():
    # patent expired (with its extension) before approval + 12 years of biologic exclusivity
    assert loe(-200, -100, 20, 30, regulatory_years=12) == 30 + 144
    assert loe(-200, -100, 20, 30, regulatory_years=12, paediatric=True) == 30 + 144 + 6


def cdx_asset(delayed: bool) -> dict:
    a = asset(months=(12, 24, 30, 12))
    a["commercial"].pop("exclusivity_years")
    a["commercial"]["exclusivity"] = {}  # filed when phase I starts, month 0
    a["cohort"] = {
        "incidence_per_year": 10_000,
        "biomarker_prevalence": 0.2,
        "testing": {"initial_rate": 1.0, "mature_rate": 1.0, "sensitivity": 1.0},
    }
    a["commercial"].pop("patients_per_year")
    a["cdx"] = {
        "development_start": "phase3",
        "development_months": 24,
        "review_months": 6,
        "delay_probability": 1.0 if delayed else 0.0,
        "delay_months": 20,
    }
    return a


def test_a_late_cdx_leaves_loss_of_exclusivity_where_it_was_and_eats_the_delay():
    on_time = simulate_chunk(make({"p": [cdx_asset(False)]}, iterations=2, chunk_size=2), 0)
    late = simulate_chunk(make({"p": [cdx_asset(True)]}, iterations=2, chunk_size=2), 0)
    c0, c1 = on_time.columns, late.columns
    # phase III starts at 36: CDx ready at 36 + 24 + 6 = 66 <= approval at 78; 20 months
    # late it is ready at 86 > 78: launch waits 8 months
    assert c0["p.drug.launch_month"][0] == 78 and c1["p.drug.launch_month"][0] == 86
    np.testing.assert_array_equal(c0["p.drug.loe_month"], c1["p.drug.loe_month"])
    assert c0["p.drug.loe_month"][0] == 78 + 168  # the 14-year cap, from approval
    protected = c0["p.drug.loe_month"] - c0["p.drug.launch_month"]
    protected_late = c1["p.drug.loe_month"] - c1["p.drug.launch_month"]
    np.testing.assert_array_equal(protected - protected_late, 8.0)


def test_counted_from_launch_the_same_delay_would_cost_no_protected_time():
    def from_launch(delayed):
        a = copy.deepcopy(cdx_asset(delayed))
        a["commercial"].pop("exclusivity")
        a["commercial"]["exclusivity_years"] = 14
        return simulate_chunk(make({"p": [a]}, iterations=2, chunk_size=2), 0).columns

    c0, c1 = from_launch(False), from_launch(True)
    np.testing.assert_array_equal(c0["p.drug.loe_month"] - c0["p.drug.launch_month"], 168)
    np.testing.assert_array_equal(c1["p.drug.loe_month"] - c1["p.drug.launch_month"], 168)


months = st.floats(0.0, 200.0)


@SETTINGS
@given(
    filed=st.floats(-120.0, 60.0),
    clinical=months,
    testing=months,
    review=st.floats(0.0, 40.0),
    delays=st.tuples(st.floats(0.0, 60.0), st.floats(0.0, 30.0), st.floats(0.0, 30.0)),
    regulatory=st.sampled_from([0.0, 5.0, 7.0, 12.0]),
)
def test_a_later_launch_never_extends_exclusivity(
    filed, clinical, testing, review, delays, regulatory
):
    """Longer trials, a longer review or a late CDx: protection after launch never grows."""
    more_testing, more_review, cdx = delays
    start = max(clinical, filed)
    review_start, approval = start + testing, start + testing + review

    def protected(extra_testing, extra_review, late):
        r = review_start + extra_testing
        a = r + review + extra_review
        return loe(filed, clinical, r, a, regulatory_years=regulatory) - (a + late)

    base = protected(0.0, 0.0, 0.0)
    assert protected(more_testing, more_review, cdx) <= base + 1e-9
    assert approval >= review_start


def test_a_patent_filed_after_launch_is_refused_at_load():
    a = asset()
    a["commercial"].pop("exclusivity_years")
    a["commercial"]["exclusivity"] = {"patent_filed_month": "uniform(60, 100)"}  # launch: 78
    with pytest.raises(ScenarioError, match="after the earliest launch"):
        sim.scenario_from_dict(scenario_dict({"p": [a]}))
