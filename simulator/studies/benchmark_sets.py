"""The verdict under each benchmark table of success rates: the scenario run again per table.

An asset whose phases name a table of success rates (``phases.success_rates:
bio_2011_2020/oncology``, :mod:`simulator.pillars.development.benchmarks`) is switched
to the same category of another table, everywhere the scenario names one (in a template
or an asset entry); an asset whose category the other table lacks keeps its own (Wong et
al. 2019 has no rare-disease figure), and so does a stage whose ``p_success`` is written
out. Each variant runs on the same seed (common random numbers), so the difference
between tables is the tables' effect, not noise. A mechanistic stage (a trial design)
decides success by its simulated trial under every table.

:func:`by_benchmark_table` returns a row per table: each portfolio's mean NPV and P(loss),
and for each compared pair the mean paired difference, its Monte Carlo error and
P(a > b); :func:`simulator.report.calibration.verdict_line` writes them as the one line
the report's headline shows.
"""

from __future__ import annotations

import pandas as pd

from simulator.pillars.development.benchmarks import TABLES, switched
from simulator.results.metrics import paired_difference
from simulator.results.result import Result
from simulator.scenario import Scenario

__all__ = ["by_benchmark_table", "named_tables", "table_variant"]


def _named(scenario: Scenario) -> dict[tuple, str]:
    """``{path in the raw scenario: table/category}`` of every ``phases.success_rates``."""
    raw = scenario._raw or scenario.model_dump(mode="json")
    out: dict[tuple, str] = {}
    for tname, t in (raw.get("templates") or {}).items():
        name = ((t or {}).get("phases") or {}).get("success_rates")
        if name:
            out[("templates", tname)] = name
    for pname, pf in (raw.get("portfolios") or {}).items():
        for i, entry in enumerate((pf or {}).get("assets") or []):
            name = ((entry or {}).get("phases") or {}).get("success_rates")
            if isinstance(entry, dict) and name:
                out[("portfolios", pname, "assets", i)] = name
    return out


def named_tables(scenario: Scenario) -> list[str]:
    """The tables the scenario's assets name, in table order."""
    used = {name.partition("/")[0] for name in _named(scenario).values()}
    return [t for t in TABLES if t in used]


def table_variant(scenario: Scenario, table: str) -> tuple[Scenario, list[str]]:
    """``scenario`` with every named category switched to ``table``, and where it could
    not be (``"templates.rare_disease_biologic (rare_disease)"``)."""
    sets, kept = {}, []
    for where, name in _named(scenario).items():
        new = switched(name, table)
        dotted = ".".join(str(k) if not isinstance(k, int) else f"[{k}]" for k in where)
        dotted = dotted.replace(".[", "[")
        if new is None:
            kept.append(f"{dotted} ({name})")
        else:
            sets[f"{dotted}.phases.success_rates"] = new
    return scenario.with_(sets), kept


def by_benchmark_table(
    scenario: Scenario,
    tables: list[str] | None = None,
    *,
    iterations: int | None = None,
    result: Result | None = None,
    backend: str = "sequential",
    workers: int | None = None,
) -> pd.DataFrame:
    """A row per table (default: every table), the scenario run again under each.

    ``result`` is the run of ``scenario`` as it is; it is used for the table the scenario
    names (when it names one) if ``iterations`` is None or equals its own. ``iterations``
    caps each variant's iterations (default: the scenario's).
    """
    from simulator import run

    own = named_tables(scenario)
    n = iterations or scenario.simulation.iterations
    rows = []
    for table in tables or list(TABLES):
        variant, kept = table_variant(scenario, table)
        same = own == [table] and n == scenario.simulation.iterations
        if result is not None and same:
            r = result
        else:
            r = run(variant.with_(iterations=n), backend=backend, workers=workers)
        row: dict = {"table": table, "this_run": own == [table], "iterations": n,
                     "kept": "; ".join(kept)}  # fmt: skip
        for p in scenario.portfolios:
            npv = r.npv(p)
            row[f"{p}.npv_mean_musd"] = float(npv.mean())
            row[f"{p}.prob_loss"] = float((npv < 0).mean())
        for a, b in scenario.pairs():
            d = paired_difference(r.npv(a), r.npv(b))
            for k in ("diff_mean_musd", "diff_mcse_musd", "prob_a_beats_b"):
                row[f"{a}-{b}.{k}"] = d[k]
        rows.append(row)
    return pd.DataFrame(rows).set_index("table")
