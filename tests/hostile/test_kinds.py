"""Kinds of hostile input, by class: each is refused with exit status 2, a message that
names the place and the reason, no traceback, and nothing new on disk (no output folder,
no empty ``runs/``, no staging folder).

The classes follow issue 13: the YAML reader itself, sizes without bounds, numbers that
are not numbers, degenerate arithmetic, things left behind, reading outside the
scenario, and the command line's own options. Each case edits :data:`common.SMALL` (or
adds files beside it) the way a careless or malicious user would.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from hostile.common import SMALL, assert_refused, invoke, snapshot


def edit(old: str, new: str, count: int = 1):
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return apply


def whole(new: str | bytes):
    return lambda text: new


def laughs(levels: int = 10) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "name: x\n" + "\n".join(lines) + "\n"


def block_nesting(depth: int) -> str:
    return (
        "name: x\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + "  " * depth + "v: 1\n"
    )


MECH = "design: {type: group_sequential, info_fractions: [0.5, 1.0], futility: hsd,\n                     futility_gamma: -2}"
ONC_TRIAL = "trial: {patients: 100, sites: 20, screened_per_site_month: 3,"
HUGE_COMMENT = "#" + "x" * (1 << 20) + "\n"

# (id, class, change to SMALL, CLI arguments, fragments the message must contain, files)
# ``files`` maps a name beside the scenario (or "../name", outside its folder) to text,
# bytes, "FIFO" or ("link", target).
CASES: list[tuple] = [
    # -- 1. the YAML reader ------------------------------------------------------------
    (
        "control character",
        "yaml",
        edit("name: small", "name: small\x01"),
        [],
        ["small.yaml:1:", "code 0x01", "column 12"],
        {},
    ),
    (
        "NUL byte",
        "yaml",
        edit("horizon_years: 20", "horizon_years: 20\x00"),
        [],
        ["small.yaml:6:", "code 0x00"],
        {},
    ),
    (
        "escape character",
        "yaml",
        edit("tax_rate: 0.2", "tax_rate: 0.2\x1b[31m"),
        [],
        ["code 0x1b"],
        {},
    ),
    ("DEL character", "yaml", edit("name: small", "name: sm\x7fall"), [], ["code 0x7f"], {}),
    (
        "Latin-1 byte",
        "yaml",
        lambda t: t.encode().replace(b"name: small", b"name: sm\xe9ll"),
        [],
        ["small.yaml:1:", "not a UTF-8 text file", "byte 0xe9 at column 9"],
        {},
    ),
    (
        "binary file as the scenario",
        "yaml",
        whole(bytes(range(256)) * 8),
        [],
        ["not a UTF-8 text file"],
        {},
    ),
    ("UTF-16 file", "yaml", lambda t: t.encode("utf-16"), [], ["not a UTF-8 text file"], {}),
    (
        "recursive alias in a list",
        "yaml",
        whole("name: x\na: &a [*a]\n"),
        [],
        ["small.yaml:2", "recursive alias"],
        {},
    ),
    (
        "recursive alias in a mapping",
        "yaml",
        whole("name: x\na: &a {b: {c: *a}}\n"),
        [],
        ["recursive alias"],
        {},
    ),
    ("billion laughs", "yaml", whole(laughs()), [], ["expands to more than 100,000 values"], {}),
    (
        "deep flow nesting",
        "yaml",
        whole("name: x\nd: " + "[" * 5000 + "]" * 5000 + "\n"),
        [],
        ["nest more than 40 levels"],
        {},
    ),
    ("deep block nesting", "yaml", whole(block_nesting(60)), [], ["nest more than 40 levels"], {}),
    (
        "deep mapping nesting",
        "yaml",
        whole("name: x\nd: " + "{a: " * 300 + "1" + "}" * 300 + "\n"),
        [],
        ["nest more than 40 levels"],
        {},
    ),
    (
        "file over 1 MiB",
        "yaml",
        lambda t: HUGE_COMMENT + t,
        [],
        ["a scenario file is at most 1,048,576 bytes"],
        {},
    ),
    (
        "5,000-digit integer",
        "yaml",
        edit("seed: 11", "seed: " + "9" * 5000),
        [],
        ["small.yaml", "cannot be read"],
        {},
    ),
    (
        "impossible date",
        "yaml",
        edit("name: small", "name: small\ndescription: 2024-02-31"),
        [],
        ["small.yaml", "cannot be read"],
        {},
    ),
    (
        "python object tag",
        "yaml",
        edit("name: small", 'name: !!python/object/apply:os.system ["echo pwned"]'),
        [],
        ["small.yaml:1", "malformed YAML", "python/object"],
        {},
    ),
    (
        "unknown local tag",
        "yaml",
        edit("tax_rate: 0.2", "tax_rate: !money 0.2"),
        [],
        ["small.yaml:5", "!money"],
        {},
    ),
    (
        "two documents",
        "yaml",
        lambda t: t + "---\nname: other\n",
        [],
        ["malformed YAML", "single document"],
        {},
    ),
    (
        "undefined alias",
        "yaml",
        edit("tax_rate: 0.2", "tax_rate: *rate"),
        [],
        ["small.yaml:5", "undefined alias"],
        {},
    ),
    (
        "unterminated quote",
        "yaml",
        edit('"pert(20, 30, 40)"', '"pert(20, 30, 40)'),
        [],
        ["malformed YAML"],
        {},
    ),
    ("top level is text", "yaml", whole("just some words\n"), [], ["expected a mapping"], {}),
    (
        "scenario is a folder",
        "yaml",
        None,
        ["folder.yaml"],
        ["folder.yaml", "is a directory"],
        {"folder.yaml/x": "name: x\n"},
    ),
    (
        "scenario is a named pipe",
        "yaml",
        None,
        ["pipe.yaml"],
        ["pipe.yaml", "not a regular file"],
        {"pipe.yaml": "FIFO"},
    ),
    ("scenario does not exist", "yaml", None, ["nowhere.yaml"], ["nowhere.yaml", "not found"], {}),
    (
        "--set value with a recursive alias",
        "yaml",
        None,
        ["--set", "market.tax_rate=&a [*a]"],
        ["--set market.tax_rate", "recursive alias"],
        {},
    ),
    (
        "--set value with an alias bomb",
        "yaml",
        None,
        [
            "--set",
            "description="
            + laughs().split("\n", 1)[1].replace("\n", ", ").join("{}").replace(", }", "}"),
        ],
        ["expands to more than 100,000 values"],
        {},
    ),
    (
        "alias bomb inside a distribution",
        "yaml",
        edit(
            "list_price_usd: 30000",
            'list_price_usd: "discrete([&a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], '
            + ", ".join(
                f"&b{i} [{', '.join(['*a' if i == 0 else f'*b{i - 1}'] * 10)}]" for i in range(6)
            )
            + '], [1])"',
        ),
        [],
        ["list_price_usd", "expands to more than 100,000 values"],
        {},
    ),
    (
        "scenario is a loop of symbolic links",
        "yaml",
        None,
        ["loop.yaml"],
        ["loop.yaml", "a loop of symbolic links"],
        {"loop.yaml": ("link", "loop.yaml")},
    ),
    (
        "extends a loop of symbolic links",
        "yaml",
        edit("name: small", "name: small\nextends: loop.yaml"),
        [],
        ["loop.yaml", "a loop of symbolic links"],
        {"loop.yaml": ("link", "loop.yaml")},
    ),
    # -- 2. sizes ----------------------------------------------------------------------
    (
        "extends fanning out to 10^9 reads",
        "size",
        edit("name: small", "name: small\nextends: f0.yaml"),
        [],
        ["extends more than 50 files"],
        {f"f{i}.yaml": f"extends: [{', '.join([f'f{i + 1}.yaml'] * 10)}]\n" for i in range(9)}
        | {"f9.yaml": "market: {tax_rate: 0.1}\n"},
    ),
    (
        "a --set path 500 fields deep",
        "size",
        None,
        ["--set", "templates" + ".a" * 500 + "=1"],
        ["the path has 501 parts"],
        {},
    ),
    (
        "count of ten million",
        "size",
        edit("name: onc, count: 2", "name: onc, count: 10000000"),
        [],
        ["count", "at most 200 copies", "10,000,000"],
        {},
    ),
    (
        "count of 201",
        "size",
        edit("name: onc, count: 2", "name: onc, count: 201"),
        [],
        ["count", "at most 200 copies"],
        {},
    ),
    (
        "more than 200 assets in all",
        "size",
        edit(
            "- {template: onc, name: onc, count: 2}",
            "- {template: onc, name: onc, count: 150}\n      - {template: onc, name: onk, count: 60}",
        ),
        [],
        ["more than 200 assets"],
        {},
    ),
    (
        "a billion iterations",
        "size",
        None,
        ["-n", "1000000000"],
        ["at most 100,000,000 iterations", "another seed"],
        {},
    ),
    (
        "iterations beyond any integer",
        "size",
        None,
        ["--set", "simulation.iterations=" + "9" * 400],
        ["at most 100,000,000 iterations", "about 10^399"],
        {},
    ),
    (
        "a chunk that cannot fit in memory",
        "size",
        None,
        ["-n", "999999", "--chunk-size", "999999"],
        ["simulation.chunk_size", "a chunk of 999,999 iterations", "at most"],
        {},
    ),
    (
        "rows that cannot fit in memory",
        "size",
        edit("name: onc, count: 2", "name: onc, count: 60"),
        ["-n", "999999"],
        ["keep about", "--summaries-only"],
        {},
    ),
    (
        "an uptake curve of 101 years",
        "size",
        edit(
            "exclusivity_years: 10\n",
            "exclusivity_years: 10\n      uptake_curve: [" + ", ".join(["1.0"] * 101) + "]\n",
        ),
        [],
        ["uptake_curve", "at most 100 items"],
        {},
    ),
    (
        "eleven looks",
        "size",
        edit(
            "info_fractions: [0.5, 1.0]",
            "info_fractions: [" + ", ".join(f"{k / 11:.3f}" for k in range(1, 11)) + ", 1.0]",
        ),
        [],
        ["info_fractions", "at most 10 items"],
        {},
    ),
    (
        "a 300-character name",
        "size",
        edit("name: small", "name: " + "a" * 300),
        [],
        ["small.yaml:1", "name", "at most 100 characters"],
        {},
    ),
    (
        "a seed beyond 2^128",
        "size",
        edit("seed: 11", f"seed: {2**130}"),
        [],
        ["simulation.seed", "below 2^128"],
        {},
    ),
    # -- 3. numbers that are not numbers -----------------------------------------------
    (
        "tax rate .inf",
        "number",
        edit("tax_rate: 0.2", "tax_rate: .inf"),
        [],
        ["small.yaml:5", "market.tax_rate", "expected a finite number"],
        {},
    ),
    (
        "discount rate .nan (the reason, not a bound)",
        "number",
        edit("discount_rate_annual: 0.1", "discount_rate_annual: .nan"),
        [],
        ["market.discount_rate_annual", "expected a finite number, got nan"],
        {},
    ),
    (
        "discount rate 'nan' as text",
        "number",
        None,
        ["--set", "market.discount_rate_annual='nan'"],
        ["expected a finite number"],
        {},
    ),
    (
        "price .inf",
        "number",
        edit("list_price_usd: 30000", "list_price_usd: .inf"),
        [],
        ["list_price_usd", "finite number"],
        {},
    ),
    (
        "peak share .nan",
        "number",
        edit("peak_share: 0.05", "peak_share: .nan"),
        [],
        ["peak_share", "finite number"],
        {},
    ),
    (
        "infinite distribution parameter",
        "number",
        edit('"pert(20, 30, 40)"', '"pert(20, 30, .inf)"'),
        [],
        ["duration_months", "finite number"],
        {},
    ),
    (
        "'1e999' as text",
        "number",
        edit("list_price_usd: 30000", 'list_price_usd: "1e999"'),
        [],
        ["list_price_usd", "finite number"],
        {},
    ),
    (
        "NaN in the uptake curve",
        "number",
        edit(
            "exclusivity_years: 10\n",
            "exclusivity_years: 10\n      uptake_curve: [0.5, .nan, 1.0]\n",
        ),
        [],
        ["uptake_curve[1]", "finite number"],
        {},
    ),
    (
        "NaN in info_fractions",
        "number",
        edit("info_fractions: [0.5, 1.0]", "info_fractions: [.nan, 1.0]"),
        [],
        ["info_fractions[0]", "finite number"],
        {},
    ),
    (
        "futility_gamma .nan",
        "number",
        edit("futility_gamma: -2", "futility_gamma: .nan"),
        [],
        ["futility_gamma", "finite number"],
        {},
    ),
    (
        "HSD gamma of 1,000",
        "number",
        edit("futility_gamma: -2", "futility_gamma: 1000"),
        [],
        ["futility_gamma", "less than or equal to 40"],
        {},
    ),
    (
        "enrich_below .nan",
        "number",
        edit("enrich_below: 0.1", "enrich_below: .nan"),
        [],
        ["enrich_below", "finite number"],
        {},
    ),
    (
        "an effect of .inf",
        "number",
        edit('positive: "normal(0.3, 0.1)"', "positive: .inf"),
        [],
        ["effect.positive", "finite"],
        {},
    ),
    (
        "lognormal whose draws overflow",
        "number",
        edit("list_price_usd: 30000", 'list_price_usd: "lognormal(mu=40, sigma=1)"'),
        [],
        ["list_price_usd", "magnitude of at most 1e+12", "draws from"],
        {},
    ),
    (
        "price of 1e308",
        "number",
        edit("list_price_usd: 30000", "list_price_usd: 1.0e+308"),
        [],
        ["list_price_usd", "magnitude of at most 1e+12", "overflow"],
        {},
    ),
    (
        "incidence of 1e308",
        "number",
        edit("incidence_per_year: 20000", "incidence_per_year: 1.0e+308", 2),
        [],
        ["incidence_per_year", "magnitude"],
        {},
    ),
    (
        "duration of 1e300 months",
        "number",
        edit("duration_months: 30,", "duration_months: 1.0e+300,"),
        [],
        ["duration_months", "magnitude"],
        {},
    ),
    (
        "a duration of 101 years",
        "number",
        edit("duration_months: 30,", "duration_months: 1212,"),
        [],
        ["duration_months", "at most 1,200 months"],
        {},
    ),
    (
        "exclusivity of 101 years",
        "number",
        edit("exclusivity_years: 12", "exclusivity_years: 101"),
        [],
        ["exclusivity_years", "at most 100 years"],
        {},
    ),
    (
        "a 400-digit float field",
        "number",
        edit("tax_rate: 0.2", "tax_rate: " + "9" * 400),
        [],
        ["market.tax_rate", "finite number", "(400 characters)"],
        {},
    ),
    (
        "plant cost per batch .inf",
        "number",
        edit("cost_per_batch_musd: 0.15", "cost_per_batch_musd: .inf"),
        [],
        ["manufacturing.cost_per_batch_musd", "finite number"],
        {},
    ),
    (
        "plant lead time .inf",
        "number",
        edit("lead_months: 18", "lead_months: .inf"),
        [],
        ["expansion.lead_months", "finite number"],
        {},
    ),
    (
        "IRA years .inf",
        "number",
        edit("small_molecule_years: 9", "small_molecule_years: .inf"),
        [],
        ["market.ira.small_molecule_years", "finite number"],
        {},
    ),
    (
        "a plant of a million suites",
        "number",
        edit("suites: 1\n", "suites: 1000000\n"),
        [],
        ["manufacturing.suites", "less than or equal to 1000"],
        {},
    ),
    (
        "yes for a share",
        "number",
        edit("peak_share: 0.05", "peak_share: yes"),
        [],
        ["peak_share", "expected a number or a distribution"],
        {},
    ),
    # -- 4. degenerate arithmetic ------------------------------------------------------
    (
        "a trial at 0 sites",
        "degenerate",
        edit(ONC_TRIAL, "trial: {patients: 100, sites: 0, screened_per_site_month: 3,"),
        [],
        ["templates.onc.phases.phase2.trial.sites", "never enrols"],
        {},
    ),
    (
        "0 screened per site",
        "degenerate",
        edit(ONC_TRIAL, "trial: {patients: 100, sites: 20, screened_per_site_month: 0,"),
        [],
        ["screened_per_site_month", "never enrols"],
        {},
    ),
    (
        "sites that may be 0",
        "degenerate",
        edit(
            ONC_TRIAL, 'trial: {patients: 100, sites: "uniform(0, 10)", screened_per_site_month: 3,'
        ),
        [],
        ["sites", "whose range is [0, 10]"],
        {},
    ),
    (
        "a trial of 0 patients",
        "degenerate",
        edit(ONC_TRIAL, "trial: {patients: 0, sites: 20, screened_per_site_month: 3,"),
        [],
        ["patients", "at least 1 patient"],
        {},
    ),
    (
        "enrichment with no negatives",
        "degenerate",
        edit("biomarker_prevalence: 0.3", "biomarker_prevalence: 1"),
        [],
        ["enrichment design", "strictly between 0 and 1"],
        {},
    ),
    (
        "enrichment with no positives",
        "degenerate",
        edit("biomarker_prevalence: 0.3", "biomarker_prevalence: 0"),
        [],
        ["enrichment design", "strictly between 0 and 1"],
        {},
    ),
    (
        "alpha of 1e-9",
        "degenerate",
        edit("futility_gamma: -2}", "futility_gamma: -2, alpha: 1.0e-9}"),
        [],
        ["alpha", "greater than or equal to 0.0001"],
        {},
    ),
    (
        "looks 0.1% of the information apart",
        "degenerate",
        edit("info_fractions: [0.5, 1.0]", "info_fractions: [0.5, 0.501, 1.0]"),
        [],
        ["info_fractions must be at least 0.05 apart"],
        {},
    ),
    (
        "a single-look group-sequential trial",
        "degenerate",
        edit("info_fractions: [0.5, 1.0]", "info_fractions: [1.0]"),
        [],
        ["info_fractions", "at least 2 items"],
        {},
    ),
    (
        "a growth rate of -100%",
        "degenerate",
        edit("incidence_per_year: 20000\n", "incidence_per_year: 20000\n      growth_annual: -1\n"),
        [],
        ["growth_annual", "above -0.99"],
        {},
    ),
    # -- 5. outputs and options --------------------------------------------------------
    (
        "--out is a file",
        "output",
        None,
        ["--out", "afile"],
        ["--out", "is a file"],
        {"../afile": "x"},
    ),
    (
        "--out under a file",
        "output",
        None,
        ["--out", "afile/sub"],
        ["cannot write the outputs", "afile is a file, not a folder"],
        {"../afile": "x"},
    ),
    (
        "--out name too long for its staging folder",
        "output",
        None,
        ["--out", "o" * 250],
        ["cannot write the outputs", "too long"],
        {},
    ),
    (
        "--out component longer than the file system allows",
        "output",
        None,
        ["--out", "o" * 300 + "/run"],
        ["cannot write the outputs", "too long"],
        {},
    ),
    (
        "missing scheduler file",
        "output",
        None,
        ["--scheduler", "nowhere.json", "--backend", "dask"],
        ["no Dask scheduler file"],
        {},
    ),
    (
        "unknown backend",
        "output",
        None,
        ["--backend", "cloud"],
        ["Invalid value for '--backend'"],
        {},
    ),
    ("0 workers", "output", None, ["--workers", "0"], ["--workers"], {}),
    (
        "--set market..tax_rate",
        "option",
        None,
        ["--set", "market..tax_rate=0.2"],
        ["market..tax_rate", "empty name"],
        {},
    ),
    (
        "--set market.tax_rate.",
        "option",
        None,
        ["--set", "market.tax_rate.=0.2"],
        ["market.tax_rate.", "empty name"],
        {},
    ),
    (
        "--set .market",
        "option",
        None,
        ["--set", ".market.tax_rate=0.2"],
        ["cannot read the path"],
        {},
    ),
    (
        "--set a[x]",
        "option",
        None,
        ["--set", "portfolios.big.assets[x].name=a"],
        ["cannot read the path"],
        {},
    ),
    ("--set without a path", "option", None, ["--set", "=0.2"], ["dotted.path=value"], {}),
    # -- 7. reading outside the scenario -------------------------------------------------
    (
        "extends ../../etc/passwd",
        "extends",
        edit("name: small", "name: small\nextends: " + "../" * 40 + "etc/passwd"),
        [],
        ["small.yaml:2", "extends", "is outside", "--allow-extends-outside"],
        {},
    ),
    (
        "extends an absolute path",
        "extends",
        edit("name: small", "name: small\nextends: /etc/passwd"),
        [],
        ["extends", "/etc/passwd is outside"],
        {},
    ),
    (
        "extends a sibling folder's file",
        "extends",
        edit("name: small", "name: small\nextends: ../shared/market.yaml"),
        [],
        ["is outside"],
        {"../shared/market.yaml": "market: {tax_rate: 0.1}\n"},
    ),
    (
        "extends a named pipe outside (never opened)",
        "extends",
        edit("name: small", "name: small\nextends: ../pipe.yaml"),
        [],
        ["is outside"],
        {"../pipe.yaml": "FIFO"},
    ),
    (
        "extends a link inside that points outside",
        "extends",
        edit("name: small", "name: small\nextends: link.yaml"),
        [],
        ["link.yaml is outside"],
        {
            "link.yaml": ("link", "../shared/market.yaml"),
            "../shared/market.yaml": "market: {tax_rate: 0.1}\n",
        },
    ),
    (
        "extends a named pipe inside",
        "extends",
        edit("name: small", "name: small\nextends: pipe.yaml"),
        ["--allow-extends-outside"],
        ["pipe.yaml", "not a regular file"],
        {"pipe.yaml": "FIFO"},
    ),
    (
        "extends a binary file",
        "extends",
        edit("name: small", "name: small\nextends: blob.bin"),
        [],
        ["blob.bin", "not a UTF-8 text file"],
        {"blob.bin": bytes(range(256)) * 4},
    ),
    (
        "extends a file with a control character",
        "extends",
        edit("name: small", "name: small\nextends: bad.yaml"),
        [],
        ["bad.yaml:1", "code 0x07"],
        {"bad.yaml": "market:\x07 {}\n"},
    ),
    (
        "an order-of-entry share .nan",
        "number",
        None,
        ["--set", "templates.onc.commercial.competition.order_of_entry_shares=[1.0, .nan]"],
        ["order_of_entry_shares[1]", "expected a finite number"],
        {},
    ),
    (
        "an order-of-entry list of 1,000 entrants",
        "size",
        None,
        [
            "--set",
            "templates.onc.commercial.competition.order_of_entry_shares=[" + "1, " * 999 + "1]",
        ],
        ["order_of_entry_shares", "at most 100 items"],
        {},
    ),
    (
        "an annual R&D budget of 0",
        "degenerate",
        None,
        ["--set", "portfolios.niche.budget.annual_rd_musd=0"],
        ["annual_rd_musd", "greater than 0"],
        {},
    ),
]


def _place(folder: Path, files: dict) -> None:
    for name, content in files.items():
        path = (folder / name).resolve() if not name.startswith("..") else folder.parent / name[3:]
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == "FIFO":
            os.mkfifo(path)
        elif isinstance(content, tuple):
            path.symlink_to(content[1])
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes and symlinks")
@pytest.mark.parametrize(
    ("case", "klass", "change", "args", "fragments", "files"), CASES, ids=[c[0] for c in CASES]
)
def test_refused(tmp_path, case, klass, change, args, fragments, files):
    folder = tmp_path / "scenario"
    folder.mkdir()
    text = change(SMALL) if change else SMALL
    scenario = folder / "small.yaml"
    if isinstance(text, bytes):
        scenario.write_bytes(text)
    else:
        scenario.write_text(text, encoding="utf-8")
    _place(folder, files)
    target = args[0] if args and not args[0].startswith("-") else None
    rest = args[1:] if target else args
    before = snapshot(tmp_path)
    res = invoke(
        [folder / target if target else scenario, "--backend", "sequential", "-q", *rest], tmp_path
    )
    message = assert_refused(res, tmp_path, before, *fragments)
    assert len(message) < 2_000, "the message echoes the input"


def test_at_least_sixty_kinds_in_every_class():
    classes = {c[1] for c in CASES}
    assert len(CASES) >= 60
    assert classes == {"yaml", "size", "number", "degenerate", "output", "option", "extends"}


def test_extends_outside_is_read_when_allowed(tmp_path):
    folder = tmp_path / "scenario"
    folder.mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "market.yaml").write_text("market: {tax_rate: 0.05}\n")
    text = SMALL.replace("name: small", "name: small\nextends: ../shared/market.yaml", 1)
    text = re.sub(r"  tax_rate: 0.2\n", "", text)
    (folder / "small.yaml").write_text(text)
    out = tmp_path / "out"
    res = invoke(
        [
            folder / "small.yaml",
            "--allow-extends-outside",
            "--summaries-only",
            "--backend",
            "sequential",
            "-q",
            "--out",
            out,
        ],
        tmp_path,
    )
    assert res.exit_code == 0, res.output
    assert "tax_rate: 0.05" in (out / "scenario.resolved.yaml").read_text()
