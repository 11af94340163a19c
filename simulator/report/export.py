"""Writing a result to disk, atomically, in files a finance reviewer can trace.

Files: ``summary.csv``, ``comparison.csv``, ``iterations.csv`` and ``iterations.parquet``,
``cashflows.csv``, ``pricing.csv`` (when an asset is priced: see :mod:`.pricing`),
``report.html`` (see :mod:`.report`), ``report.xlsx`` (see :mod:`.excel`),
``scenario.resolved.yaml`` (the scenario after extends, templates and
overrides: what actually ran), ``manifest.json`` (seed, chunk size, versions, input hash,
run time), and the plots as PNG; with cell or gene therapies, ``plant.csv`` (yearly
backlog, suites and patients treated of each plant) and a ``plant_<portfolio>.<asset>.png``
fan chart of each.

Atomicity: everything is written into a hidden sibling directory first. If the target
does not exist, that directory is renamed into place in one step; if it does, each file is
moved in with ``os.replace`` (atomic per file) and ``manifest.json`` last, so a directory
with a manifest is always complete. An interrupted run leaves only the hidden directory,
which is removed on the next error path or can be deleted by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

from simulator.report.excel import write_excel
from simulator.report.html import write_report
from simulator.studies.contract_impact import pricing_table

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result


def resolved_yaml(result: Result) -> str:
    data = result.scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "not installed"


def manifest(result: Result, resolved: str, extra: dict[str, Any]) -> dict[str, Any]:
    sim = result.scenario.simulation
    return {
        "scenario": result.scenario.name,
        "scenario_file": result.scenario._origin,
        "input_sha256": hashlib.sha256(resolved.encode("utf-8")).hexdigest(),
        "seed": sim.seed,
        "iterations": sim.iterations,
        "chunk_size": sim.chunk_size,
        "backend": result.backend,
        "workers": result.workers,
        "run_seconds": round(result.seconds, 3),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {
            "nichebuster": _version("nichebuster"),
            "python": platform.python_version(),
            **{
                p: _version(p) for p in ("numpy", "scipy", "pandas", "pyarrow", "pydantic", "simpy")
            },
        },
        "platform": platform.platform(),
        "command": " ".join(sys.argv) if extra.pop("record_command", False) else None,
        **extra,
    }


def _save_plots(result: Result, directory: Path) -> list[str]:
    from matplotlib.figure import Figure

    names = []
    for name, method in (("npv_distribution.png", "npv_distribution"), ("npv_cdf.png", "npv_cdf")):
        fig = Figure(figsize=(8, 4.5), dpi=120)
        ax = fig.subplots()
        getattr(result.plot, method)(ax=ax)
        fig.tight_layout()
        fig.savefig(directory / name)
        names.append(name)
    for portfolio, asset in result.plant_assets():
        fig = Figure(figsize=(8, 4.5), dpi=120)
        result.plot.plant(portfolio, asset, ax=fig.subplots())
        fig.tight_layout()
        name = f"plant_{portfolio}.{asset}.png"
        fig.savefig(directory / name)
        names.append(name)
    return names


def write_files(result: Result, directory: Path, extra: dict[str, Any]) -> None:
    """Write every output into ``directory`` (which exists and is private to us)."""
    # The per-iteration table is the big one: pyarrow writes its CSV and Parquet in
    # threads (it releases the GIL) while this thread writes the rest and draws the plots.
    table = pa.Table.from_pandas(result.iterations, preserve_index=False)
    with ThreadPoolExecutor(max_workers=2) as pool:
        big = [
            pool.submit(pacsv.write_csv, table, directory / "iterations.csv"),
            pool.submit(pq.write_table, table, directory / "iterations.parquet"),
        ]
        summary = result.summary().reset_index()
        summary.to_csv(directory / "summary.csv", index=False, float_format="%.6g")
        result.comparison().to_csv(directory / "comparison.csv", index=False, float_format="%.6g")
        result.cashflow_bands().to_csv(
            directory / "cashflows.csv", index=False, float_format="%.6g"
        )
        pricing = pricing_table(result)  # a row per priced asset (pricing or IRA blocks)
        if len(pricing):
            pricing.to_csv(directory / "pricing.csv", index=False, float_format="%.6g")
        if result.plant_assets():
            result.plant_bands().to_csv(directory / "plant.csv", index=False, float_format="%.6g")
        resolved = resolved_yaml(result)
        (directory / "scenario.resolved.yaml").write_text(resolved, encoding="utf-8")
        _save_plots(result, directory)
        write_report(result, directory / "report.html", manifest(result, resolved, dict(extra)))
        write_excel(result, directory / "report.xlsx")
        for f in big:
            f.result()
    files = sorted(p.name for p in directory.iterdir())
    info = manifest(result, resolved, dict(extra))
    info["files"] = sorted([*files, "manifest.json"])
    (directory / "manifest.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def make_staging(directory: Path) -> Path:
    """The hidden sibling directory a run is written into (raises OSError if it cannot
    be made: a call before the simulation checks that the outputs can be written)."""
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{directory} exists and is not a directory")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it private; a run is for sharing
    return staging


def save_result(result: Result, directory: Path, **extra: Any) -> Path:
    """Write ``result`` to ``directory`` atomically (see the module docstring)."""
    directory = Path(directory)
    staging = make_staging(directory)
    try:
        if hasattr(result, "_write_files"):  # a summaries-only result writes its own set
            result._write_files(staging, extra)
        else:
            write_files(result, staging, extra)
        if not directory.exists():
            os.replace(staging, directory)
            return directory
        # Updating an existing run directory: the old manifest goes first (no manifest =
        # incomplete), files of the previous run that this one does not write go too,
        # files someone else put there stay, and the new manifest comes last.
        old_manifest = directory / "manifest.json"
        previous: list[str] = []
        if old_manifest.is_file():
            try:
                previous = json.loads(old_manifest.read_text()).get("files", [])
            except (ValueError, OSError):
                previous = []
            old_manifest.unlink()
        names = sorted(p.name for p in staging.iterdir() if p.name != "manifest.json")
        for name in names:
            os.replace(staging / name, directory / name)
        for name in set(previous) - {*names, "manifest.json"}:
            (directory / Path(name).name).unlink(missing_ok=True)
        os.replace(staging / "manifest.json", directory / "manifest.json")
        return directory
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
