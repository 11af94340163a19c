"""Designs as registered kinds: an unknown or missing ``type`` is refused with exit status 2
and the list of registered designs; every registered design holds its type I error.

The type I error check runs over whatever is registered, so a new design is held to it
without a line here: at zero effect in both strata, the share of simulated trials that
succeed must not exceed alpha by more than 3 Monte Carlo standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import asset, make, scenario_dict, write_yaml
from pydantic import TypeAdapter, ValidationError

from simulator.cli import main
from simulator.pillars.trials.block import Design
from simulator.pillars.trials.designs import DESIGNS
from simulator.studies.trials import operating_characteristics

TRIAL = {"sites": 10, "screened_per_site_month": 2.0, "startup_months": 3, "followup_months": 3}


def _mechanistic(design: dict) -> dict:
    """A phase-I asset with a benchmark phase II that runs a trial and a designed phase III
    in all-comers, with a cohort and an effect in each stratum: where every design can stand."""
    a = asset("m", p=(1.0, 0.5, 0.5, 1.0))
    del a["commercial"]["patients_per_year"]
    a["cohort"] = {"incidence_per_year": 10_000, "biomarker_prevalence": 0.4}
    a["phases"]["phase2"] = {"cost_musd": 30, "p_success": 0.5, "trial": dict(TRIAL, patients=200)}
    a["phases"]["phase3"] = {
        "cost_musd": 100,
        "trial": dict(TRIAL, patients=400, enrolment="all_comers"),
        "design": design,
    }
    a["effect"] = {"positive": 0.3, "negative": 0.0}
    return a


def _run_cli(tmp_path, design: dict):
    path = write_yaml(
        tmp_path / "s.yaml", scenario_dict({"p": [_mechanistic(design)]}, iterations=20)
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [str(path), "--out", str(out), "--backend", "sequential", "-q"])
    return res, out


@pytest.mark.parametrize(
    ("design", "says"),
    [
        ({"type": "bayesian"}, "unknown trial design type 'bayesian'"),
        ({"alpha": 0.01}, "a trial design needs a type"),
    ],
    ids=["unknown type", "no type"],
)
def test_an_unknown_or_missing_type_exits_2_naming_every_registered_design(tmp_path, design, says):
    res, out = _run_cli(tmp_path, design)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert "phase3.design" in res.output and says in res.output
    for name in DESIGNS:
        assert name in res.output
    assert not out.exists()


def test_an_unknown_type_is_a_validation_error_not_a_bare_exception():
    with pytest.raises(ValidationError, match=r"expected one of: .*group_sequential"):
        TypeAdapter(Design).validate_python({"type": "bayesian"})
    assert TypeAdapter(Design).validate_python({"type": "ssr"}).type == "ssr"


@pytest.mark.parametrize("name", list(DESIGNS))
def test_every_registered_design_holds_its_type_one_error(name):
    assert "phase3" in DESIGNS[name].belongs_to
    trials = 100_000
    table = operating_characteristics(make({"p": [_mechanistic({"type": name})]}), trials)
    (row,) = table.itertuples()
    assert row.design == name
    alpha = 0.025
    assert row.type1_error <= alpha + 3 * np.sqrt(alpha * (1 - alpha) / trials)
    assert row.power_at_prior_mean > row.type1_error  # an effect helps
