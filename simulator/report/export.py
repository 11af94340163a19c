"""Writing a result to disk, atomically, in files a finance reviewer can trace.

Every run writes ``summary.csv`` (the metrics of :mod:`simulator.results.metrics`),
``comparison.csv``, ``cashflows.csv``, with cell or gene therapies ``plant.csv`` (yearly
backlog, suites and patients treated of each plant), ``scenario.resolved.yaml`` (the
scenario after extends, templates and overrides: what actually ran) and ``manifest.json``
(seed, chunk size, versions, input hash, run time). A run that kept its samples adds
``iterations.parquet`` (a row per iteration: the outcomes), ``inputs.parquet`` (a row per
iteration: every sampled input, ``input:<portfolio>.<asset>.<field>``), ``pricing.csv``
(when an asset is priced: see :mod:`simulator.results.pricing`), ``report.html`` (see
:mod:`.html`), ``report.xlsx`` (see :mod:`.excel`) and plots as PNG: the report's own
images, drawn once (the NPV densities and CDFs, and each plant's backlog and capacity,
``plant_<portfolio>.<asset>.png``); ``csv=True`` (``--csv``) adds the two per-iteration
tables as ``iterations.csv`` and ``inputs.csv``. The outcomes keep their 64 bits (a rerun
of ``scenario.resolved.yaml`` reproduces them to the last bit); the sampled inputs are
stored as 32-bit floats (7 significant digits, more than any distribution's parameters
carry; ``manifest.json`` says so under ``inputs_float``), which halves the larger file.
Floats are split by byte (their exponents then compress) and compressed with zstd. A
column that takes one
value in every iteration (a plant that never hits its budget cap, a flag never raised) is
left out of the per-iteration files and written once, with its value, under
``constant_columns`` in the manifest. A summaries-only run says so in its manifest, with
the sketch's accuracy and the columns it approximates.

Atomicity (:mod:`.atomic`): everything is written into a hidden, locked staging folder
beside the target first. If the target does not exist, that folder is renamed into place
in one step; if it does, each file is moved in with ``os.replace`` (atomic per file) and
``manifest.json`` last, so a folder with a manifest is always complete. An interrupted run
removes its staging folder; one killed outright leaves it, and the next run beside it
sweeps it. Two runs into one folder never mix or silently replace each other's files:
the later one writes to a sibling (``<name>-2``) and :func:`save_result` returns it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from simulator.core.provenance import code_fingerprint
from simulator.report.atomic import Target, publish, staged
from simulator.report.excel import write_excel
from simulator.report.html import write_report
from simulator.report.sources import annotated_yaml
from simulator.results.metrics import APPROXIMATE_COLUMNS
from simulator.results.pricing import pricing_table

if TYPE_CHECKING:  # pragma: no cover
    from simulator.results.result import Result


def resolved_yaml(result: Result) -> str:
    """What ran, as YAML, each value with its source as a comment (a rerun cites them)."""
    data = result.scenario.model_dump(mode="json", exclude_none=True)
    return annotated_yaml(result.scenario, data)


def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "not installed"


#: Every library whose version can change an output file's bytes or numbers.
OUTPUT_LIBRARIES = ("numpy", "scipy", "pandas", "pyarrow", "pydantic", "simpy", "numba",
                    "matplotlib", "XlsxWriter", "PyYAML", "click")  # fmt: skip


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
        "code_fingerprint": "-".join(code_fingerprint()),
        "versions": {
            "nichebuster": _version("nichebuster"),
            "python": platform.python_version(),
            **{p: _version(p) for p in OUTPUT_LIBRARIES},
        },
        "platform": platform.platform(),
        "command": " ".join(sys.argv) if extra.pop("record_command", False) else None,
        **extra,
    }


def study_provenance(scenario: Any, directory: Path) -> None:
    """Beside a study's own files (sweep, sensitivity, frontier, discovery): the scenario
    it ran on, with its sources (``scenario.resolved.yaml``), and ``manifest.json`` (code
    fingerprint, versions, seed, iterations, chunk size, input hash, command, one
    timestamp, a SHA-256 per file)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    resolved = annotated_yaml(scenario, data)
    (directory / "scenario.resolved.yaml").write_text(resolved, encoding="utf-8")
    sim = scenario.simulation
    files = sorted(p.name for p in directory.iterdir())
    info = {
        "scenario": scenario.name,
        "scenario_file": scenario._origin,
        "input_sha256": hashlib.sha256(resolved.encode("utf-8")).hexdigest(),
        "seed": sim.seed,
        "iterations": sim.iterations,
        "chunk_size": sim.chunk_size,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_fingerprint": "-".join(code_fingerprint()),
        "versions": {
            "nichebuster": _version("nichebuster"),
            "python": platform.python_version(),
            **{p: _version(p) for p in OUTPUT_LIBRARIES},
        },
        "platform": platform.platform(),
        "command": " ".join(sys.argv),
        "files": sorted([*files, "manifest.json"]),
        "file_sha256": {f: _sha256(directory / f) for f in files},
    }
    (directory / "manifest.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _csv(table, path: Path) -> None:
    table.to_csv(path, index=False)  # full precision: a reviewer recomputes from these


def write_summaries(result: Result, directory: Path) -> None:
    """The files every run writes: summary, comparison, cash-flow and plant bands."""
    _csv(result.summary().reset_index(), directory / "summary.csv")
    _csv(result.comparison(), directory / "comparison.csv")
    _csv(result.cashflow_bands(), directory / "cashflows.csv")
    if result.plant_assets():
        _csv(result.plant_bands(), directory / "plant.csv")


INPUT_PREFIX = "input:"
#: How ``inputs.parquet`` stores the sampled inputs: 32 bits (7 significant digits) halve
#: the file; the run's summaries and drivers come from its 64-bit values.
INPUT_FLOAT = np.float32


def _constant_value(values: Any) -> tuple[bool, Any]:
    """``(True, value)`` when every entry of ``values`` is the same (NaN counts as equal
    to NaN; the value is None then), else ``(False, None)``."""
    first = values[0]
    if values.dtype.kind == "f" and first != first:  # NaN
        return bool(np.isnan(values).all()), None
    return bool((values == first).all()), first.item()


def per_iteration_tables(result: Result) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    """The outcomes and the sampled inputs, a row per iteration each (both start with
    ``iteration``), and the columns left out because they are constant, with their
    value. Built from the run's arrays without a pandas copy."""
    outcomes: dict[str, Any] = {}
    inputs: dict[str, Any] = {}
    constant: dict[str, Any] = {}
    for name in result.column_names:
        values = result.column(name)
        same, value = _constant_value(values) if len(values) > 1 else (False, None)
        if same and name != "iteration":
            constant[name] = value
        elif name == "iteration":
            outcomes[name] = inputs[name] = values
        else:
            if not name.startswith(INPUT_PREFIX):
                outcomes[name] = values
            else:
                inputs[name] = values.astype(INPUT_FLOAT) if values.dtype.kind == "f" else values
    return pa.table(outcomes), pa.table(inputs), constant


def write_parquet(table: pa.Table, path: Path) -> None:
    """Parquet with floats split by byte (their exponents then compress) and zstd; a
    dictionary only for columns that are not floats (flags, counts, ids), where values
    repeat: a third of the bytes and time of the defaults on random draws."""
    floats = [f.name for f in table.schema if pa.types.is_floating(f.type)]
    others = [f.name for f in table.schema if not pa.types.is_floating(f.type)]
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=1,
        use_dictionary=others,
        use_byte_stream_split=floats or False,
    )


def write_samples(
    result: Result,
    directory: Path,
    tables: dict[str, Any],
    info: dict[str, Any],
    csv: bool = False,
) -> dict[str, Any]:
    """The files only a run with samples writes: rows, pricing, plots, report, workbook.

    Returns the constant columns left out of the per-iteration files, with their value.
    """
    # The report comes first: it draws its figures on processes forked from this one,
    # which is safest before any thread starts. Then pyarrow writes the per-iteration
    # tables in threads (it releases the GIL) while this thread writes the workbook.
    images: dict[str, bytes] = {}  # the report's figures that are files too
    write_report(result, directory / "report.html", info, tables=tables, images=images)
    for name, png in images.items():
        (directory / name).write_bytes(png)
    outcomes, inputs, constant = per_iteration_tables(result)
    files = [("iterations", outcomes), ("inputs", inputs)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        big = [pool.submit(write_parquet, t, directory / f"{n}.parquet") for n, t in files]
        if csv:
            big += [pool.submit(pacsv.write_csv, t, directory / f"{n}.csv") for n, t in files]
        pricing = pricing_table(result)  # a row per priced asset (pricing or IRA blocks)
        if len(pricing):
            _csv(pricing, directory / "pricing.csv")
        write_excel(result, directory / "report.xlsx", provenance=info)
        for f in big:
            f.result()
    return constant


def write_files(
    result: Result,
    directory: Path,
    extra: dict[str, Any],
    tables: dict[str, Any] | None = None,
    csv: bool = False,
) -> None:
    """Write every output into ``directory`` (which exists and is private to us)."""
    write_summaries(result, directory)
    resolved = resolved_yaml(result)
    (directory / "scenario.resolved.yaml").write_text(resolved, encoding="utf-8")
    constant = None
    info = manifest(result, resolved, dict(extra))  # one manifest: one timestamp everywhere
    if result.has_samples:
        constant = write_samples(result, directory, dict(tables or {}), dict(info), csv=csv)
    if constant is not None:
        info["inputs_float"] = np.dtype(INPUT_FLOAT).name
        info["constant_columns"] = constant
    if result.summaries_only:
        info["summaries_only"] = True
        info["quantile_relative_accuracy"] = result.quantile_relative_accuracy
        info["approximate_columns"] = list(APPROXIMATE_COLUMNS)
        info["samples_dir"] = result.keep_samples
    files = sorted(p.name for p in directory.iterdir())
    info["files"] = sorted([*files, "manifest.json"])
    info["file_sha256"] = {f: _sha256(directory / f) for f in files}
    (directory / "manifest.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def save_result(
    result: Result,
    directory: Path | Target,
    tables: dict[str, Any] | None = None,
    csv: bool = False,
    **extra: Any,
) -> Path:
    """Write ``result`` to ``directory`` atomically (see the module docstring); ``tables``
    are computed tables for the report (``"trials"``); ``csv`` adds the per-iteration
    tables as CSV. Returns the folder written: a sibling of ``directory`` if another run
    wrote there meanwhile. ``directory`` may be a :class:`~.atomic.Target` checked when
    the run began (what the folder held then)."""
    target = directory if isinstance(directory, Target) else Target.check(directory)
    with staged(target) as staging:
        write_files(result, staging, extra, tables, csv=csv)
        return publish(staging, target, _update)


def _update(staging: Path, directory: Path) -> None:
    """Update an existing run folder: the old manifest goes first (no manifest =
    incomplete), files of the previous run that this one does not write go too, files
    someone else put there stay, and the new manifest comes last."""
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
