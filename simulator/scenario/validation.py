"""Validation: the typed models' findings, told where the user must edit and how.

The expanded data is checked by the pydantic models of :mod:`.schema`, then by the
checks that span fields (:func:`cross_references`: asset names unique in a portfolio,
risk groups and compared portfolios that exist; a chunk that fits in memory:
``chunk_size x assets x (months + 1) x 8`` bytes within ``CHUNK_BYTES`` of
:mod:`simulator.core.limits`). Each finding becomes a
:class:`~simulator.core.errors.Problem`: the file and line of the field (through
:meth:`.templates.Expansion.source`, the template when the value came from one), its path
and a message in plain words. An unknown key lists the allowed keys at that place and, if
one is close, asks "did you mean ...?". A template error shows once, not once per asset
that uses the template.
"""

from __future__ import annotations

import difflib
import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from simulator.core.errors import Problem, ScenarioError
from simulator.core.limits import CHUNK_BYTES, gib
from simulator.scenario.paths import PathT, format_path
from simulator.scenario.schema import Scenario
from simulator.scenario.templates import Expansion

__all__ = ["chunk_bytes", "cross_references", "idle_assets", "validate"]


def validate(exp: Expansion) -> Scenario:
    """The :class:`Scenario` of the expanded data, or a :class:`ScenarioError` with every
    problem found."""
    if exp.problems:  # templates that could not be applied: later errors would only echo them
        raise ScenarioError(exp.problems)
    problems: list[Problem] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(exp.data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            src_path, note = exp.source(loc)
            file, line = exp.lookup(src_path)
            problems.append(
                Problem(file, line, format_path(src_path), _message(err, Scenario, loc) + note)
            )
    if scenario is not None:
        for path, message in cross_references(scenario):
            src_path, note = exp.source(path)
            file, line = exp.lookup(src_path)
            problems.append(Problem(file, line, format_path(src_path), message + note))
    if problems:
        raise ScenarioError(_dedupe(problems))
    assert scenario is not None
    return scenario


def _message(err: dict, model: type[BaseModel], loc: PathT) -> str:
    kind = err["type"]
    given = err.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        tail = f"; did you mean '{hint[0]}'?" if hint else ""
        listed = f" Allowed here: {', '.join(allowed)}." if allowed else ""
        return f"unknown key '{loc[-1]}'{tail}{listed}"
    if kind == "missing":
        return "required field is missing"
    msg = err["msg"]
    msg = re.sub(r"^(Value|Assertion) error, ", "", msg)
    if kind.endswith(("_parsing", "_type")) and given is not None:
        msg = f"{msg}; got {given!r}"
    return msg


def _allowed_keys(model: type[BaseModel], loc: PathT) -> list[str]:
    """Field names of the model found at ``loc`` (best effort, for error hints)."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return []
            current = field.annotation
        else:
            args = [a for a in typing.get_args(current) if a is not type(None)]
            origin = typing.get_origin(current)
            if origin in (list, dict) or (origin is typing.Union and args):
                current = args[-1] if args else None
            else:
                return []
        while typing.get_origin(current) is typing.Union or type(current).__name__ == "UnionType":
            args = [a for a in typing.get_args(current) if a is not type(None)]
            current = args[0] if args else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def cross_references(s: Scenario) -> list[tuple[PathT, str]]:
    """Checks that span fields: unique asset names, known risk groups and portfolios."""
    found: list[tuple[PathT, str]] = []
    for pname, pf in s.portfolios.items():
        seen: set[str] = set()
        for i, a in enumerate(pf.assets):
            here = ("portfolios", pname, "assets", i)
            if a.name in seen:
                found.append(
                    (
                        (*here, "name"),
                        f"asset names must be unique in a portfolio; {a.name!r} repeats",
                    )
                )
            seen.add(a.name)
            if a.risk_group is not None and a.risk_group not in pf.risk_groups:
                known = ", ".join(pf.risk_groups) or "none defined"
                found.append(
                    (
                        (*here, "risk_group"),
                        f"unknown risk group {a.risk_group!r}; "
                        f"this portfolio's risk_groups: {known}",
                    )
                )
        found.extend(_profiling(pname, pf))
    need = chunk_bytes(s)
    if need > CHUNK_BYTES:
        c = min(s.simulation.chunk_size, s.simulation.iterations)
        fits = max(1, int(c * CHUNK_BYTES / need))
        found.append(
            (
                ("simulation", "chunk_size"),
                f"a chunk of {c:,} iterations of this scenario needs about {gib(need)} "
                f"(chunk_size x {_n_assets(s)} assets x {12 * s.market.horizon_years + 1} "
                f"months x 8 bytes), over the {gib(CHUNK_BYTES)} a worker may hold; set "
                f"chunk_size to at most {fits:,} (--chunk-size); the chunk size is part of "
                "a result's identity, so keep it across runs you compare",
            )
        )
    for i, pair in enumerate(s.compare or []):
        if pair[0] == pair[1]:
            found.append((("compare", i), f"compares {pair[0]!r} with itself"))
        for j, p in enumerate(pair):
            if p not in s.portfolios:
                found.append(
                    (
                        ("compare", i, j),
                        f"unknown portfolio {p!r}; known: {', '.join(s.portfolios)}",
                    )
                )
    return found


def _profiling(pname: str, pf) -> list[tuple[PathT, str]]:
    """A profiling panel names biomarkers the portfolio's tested assets carry; the assets
    it covers run on one path (no annual budget, no accelerated approval: their screening
    windows are placed from the stage lengths alone)."""
    panel = pf.profiling
    if panel is None:
        return []
    here = ("portfolios", pname, "profiling")
    carried = {
        a.cohort.biomarker
        for a in pf.assets
        if a.cohort is not None and a.cohort.biomarker is not None and a.cohort.testing
    }
    found = []
    for j, b in enumerate(panel.biomarkers):
        if b not in carried:
            known = ", ".join(sorted(carried)) or "none (set cohort.biomarker and cohort.testing)"
            found.append(
                ((*here, "biomarkers", j), f"unknown biomarker {b!r}; this portfolio's: {known}")
            )
    if pf.budget is not None and pf.budget.annual_rd_musd is not None:
        found.append((here, "a profiling panel with an annual R&D budget is not modelled"))
    for i, a in enumerate(pf.assets):
        if panel.covers(a) and a.regulatory.accelerated_approval:
            found.append(
                (
                    ("portfolios", pname, "assets", i, "cohort", "biomarker"),
                    "a profiling panel does not cover an asset with accelerated approval "
                    "(its confirmatory trial runs after launch)",
                )
            )
    return found


def _positive_share(c) -> tuple[float, float]:
    """The largest share of tested patients who can test positive, ``q = p se + (1 - p)
    (1 - sp)`` (:mod:`simulator.pillars.cohort.funnel`; linear in each input, so largest
    at a corner of their ranges), and the largest prevalence."""
    p_lo, p_hi = c.biomarker_prevalence.support()
    se_hi, sp_lo = 1.0, 1.0
    if c.testing is not None:
        se_hi, sp_lo = c.testing.sensitivity.support()[1], c.testing.specificity.support()[0]
    return max(p * se_hi + (1.0 - p) * (1.0 - sp_lo) for p in (p_lo, p_hi)), p_hi


def idle_assets(s: Scenario) -> list[str]:
    """Valid inputs under which an asset can never launch or never sell, or sells only to
    the wrong patients, in plain words: a trial recruiting test-positive patients none of
    whom exists (``q = 0``: prevalence or sensitivity 0, and a test without false
    positives), a biomarker nobody carries (every test-positive a false positive), a stage
    that never succeeds, a plant with no capacity at all. Such a scenario runs (its
    figures are finite: see :mod:`simulator.pillars.cohort.funnel`); these notes say why
    the asset contributes only costs, or treats only patients it cannot help."""
    notes = []
    for pname, pf in s.portfolios.items():
        for a in pf.assets:
            who = f"{pname}.{a.name}"
            c = a.cohort
            q, prevalence = (1.0, 1.0) if c is None else _positive_share(c)
            recruiting = [
                n
                for n, st in a.stages()
                if st.trial is not None and st.trial.enrolment == "biomarker_positive"
            ]
            if recruiting and q == 0.0:
                notes.append(
                    f"{who}: nobody tests biomarker-positive (prevalence x sensitivity is 0 "
                    f"and the test has no false positives), so its {recruiting[0]} trial "
                    "never recruits and it never launches"
                )
            elif prevalence == 0.0 and q > 0.0:
                notes.append(
                    f"{who}: nobody carries its biomarker (prevalence 0): everyone who tests "
                    "positive, in its trials and in the market, is a false positive"
                )
            never = [
                n
                for n, st in a.stages()
                if st.design is None and st.p_success is not None and st.p_success.support()[1] == 0
            ]
            if never:
                notes.append(
                    f"{who}: {never[0]} never succeeds (p_success 0), so it never launches"
                )
            m = a.manufacturing
            if m is not None and m.suites == 0 and m.expansion is None and m.contract is None:
                notes.append(
                    f"{who}: its plant has no suites, expansion or contract: it treats nobody"
                )
    return notes


def _n_assets(s: Scenario) -> int:
    return sum(len(pf.assets) for pf in s.portfolios.values())


def chunk_bytes(s: Scenario) -> int:
    """About how many bytes one chunk's monthly arrays take (measured: 0.47 GB for 10,000
    iterations of 16 assets over 361 months, against 0.46 GB by this formula)."""
    c = min(s.simulation.chunk_size, s.simulation.iterations)
    return c * _n_assets(s) * (12 * s.market.horizon_years + 1) * 8


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """One problem per place: a template error shows once, not once per asset using it."""
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.path, p.message.split(" (template used by")[0])
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
