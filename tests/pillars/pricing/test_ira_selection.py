"""IRA selection by Medicare-relevant revenue, and the orphan exclusion.

Oracles (closed forms on a sure launch selling $240M a year at full uptake, 10,000 x 0.3
x $80,000 net): a drug is selected at the first yearly date from year 7 after approval
(11 for a biologic) at which the Medicare share of its last 12 months' revenue reaches
the threshold, the negotiated price applies two years later until loss of exclusivity,
and the cut is the Medicare share times the cut off the Medicare price; a single orphan
indication is excluded, two are not.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import asset

from tests.pillars.pricing.test_payments import _run

YEARLY = 240.0


@pytest.mark.parametrize(("threshold", "selected"), [(100.0, True), (130.0, False)])
def test_selected_when_medicare_revenue_reaches_the_threshold(threshold, selected):
    ira = {"price_cut": 0.4, "medicare_share": 0.5, "selection_threshold_musd_per_year": threshold}
    r = _run({"a": [asset("sm", exclusivity_years=12)]}, iterations=4, ira=ira)
    # Medicare-relevant revenue 0.5 x 240 = 120 a year: cut 0.5 x 0.4 of years 9-12
    expected = 0.5 * 0.4 * YEARLY * 3 if selected else 0.0
    np.testing.assert_allclose(r.column("a.sm.ira_cut_musd"), expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(r.column("a.sm.ira_selected"), float(selected))


def test_a_growing_drug_is_selected_the_year_it_crosses_the_threshold():
    ira = {"price_cut": 0.4, "medicare_share": 0.5, "selection_threshold_musd_per_year": 250.0}
    a = asset("sm", exclusivity_years=14, price_growth_annual=0.1)
    r = _run({"a": [a]}, iterations=2, ira=ira)
    # launch year k earns 240 x 1.1^k (full uptake from year 2); selection dates at years
    # 7, 8, 9 after approval look back at years 6, 7, 8: 0.5 x 240 x 1.1^k = 212.6, 233.8,
    # 257.2, so it is selected at year 9 and cut from year 11 to loss of exclusivity at 14
    cut = sum(0.5 * 0.4 * YEARLY * 1.1**k for k in (11, 12, 13))
    np.testing.assert_allclose(r.column("a.sm.ira_cut_musd"), cut, rtol=1e-9)


@pytest.mark.parametrize(("orphans", "cut"), [(0, True), (1, False), (2, True)])
def test_only_a_single_orphan_indication_is_excluded(orphans, cut):
    a = asset("sm", exclusivity_years=12)
    a["regulatory"] = {"orphan_indications": orphans}
    r = _run({"a": [a]}, iterations=2, ira={"price_cut": 0.4})
    assert bool(np.all(r.column("a.sm.ira_cut_musd") > 0)) is cut
