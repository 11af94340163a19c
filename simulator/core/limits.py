"""The stated bounds of what a scenario may ask for, each with the reason it exists.

A scenario is read from a file anyone may have written, by a tool that must answer in
seconds or say why not. Each bound below keeps one thing from crashing, stalling or
running on nonsense; none is near what a real question needs (the shipped scenarios stay
far inside every one), and each error that enforces one says which bound it is and what
to do instead.

**Reading a file** (:mod:`.bounded_yaml`):

- ``MAX_FILE_BYTES``: a scenario file is at most 1 MiB (the shipped scenario and its two
  base files are about 48 KB together). YAML is parsed in pure Python, about a second a
  megabyte; a bigger file is almost surely the wrong file.
- ``MAX_YAML_DEPTH``: mappings and lists nest at most 40 levels (the shipped scenario
  uses 9). The YAML composer recurses once per level, so without a bound a few thousand
  ``[`` end in a ``RecursionError``.
- ``MAX_YAML_NODES``: at most 100,000 values once aliases are expanded (the shipped
  scenario's three files have about 1,250). Ten levels of ten aliases ("billion
  laughs") expand to 10^10 values from a 1 KB file; an alias to the value that contains
  it never ends at all, and is refused as such. A ``--set`` path has at most as many
  parts as a file has levels.
- ``MAX_EXTENDED_FILES``: a scenario reads at most 50 files through ``extends`` (the
  shipped one reads 3): files extending a shared base ten times each, ten deep, would
  read 10^10 files, the same bomb with files instead of aliases.

**Size of a run** (:mod:`simulator.scenario.templates`, :mod:`simulator.scenario.schema`):

- ``MAX_COUNT`` and ``MAX_ASSETS``: ``count`` stamps out at most 200 copies, and a
  scenario expands to at most 200 assets in all (the shipped one has 34). Every asset
  adds about 44 columns to each iteration and a monthly cash array to each chunk; 10^7
  copies took minutes just to validate.
- ``MAX_ITERATIONS``: 10^8 iterations per run (about five hours on two cores; the Monte
  Carlo error of a mean is then 10^-4 of its standard deviation). Runs of 10^6 and more
  keep mergeable summaries instead of rows (flat memory).
- ``CHUNK_BYTES``: a chunk's monthly arrays, about ``chunk_size x assets x (months + 1)
  x 8`` bytes (measured: 0.47 GB for 10,000 iterations of the shipped scenario when it
  had 16 assets, against 0.46 GB by the formula), must fit in 4 GiB, since every worker
  holds one or two chunks at a time.
- ``ROW_BYTES``: a run that keeps its rows holds about 44 eight-byte columns per asset
  and iteration (the shipped scenario keeps 1,480 columns for 34 assets); more than 2 GiB
  of them must be asked for as a summaries-only run (``--summaries-only``), which keeps
  flat memory at any size.

**Numbers** (:mod:`.fields`): every number is finite (YAML's ``.inf`` and ``.nan`` are
refused where they are written), and of magnitude at most ``MAX_MAGNITUDE`` = 10^12:
a trillion US dollars per patient, a trillion patients a year. Products of a few such
numbers (patients x price x months x growth, squared in a variance, summed over 10^8
iterations) stay below 10^250, inside float64 (10^308); a value above the bound is a
typo in every unit the model uses. Durations given in months are at most ``MAX_MONTHS``
(100 years) and in years at most ``MAX_YEARS``, since the horizon is at most 60 years.

**Time** (:mod:`.timeline`): events are placed on the monthly grid up to
``TIME_LIMIT_MONTHS`` (200 years) and a trial's recruitment is at most
``RECRUITMENT_LIMIT_MONTHS`` (100 years): a programme whose trial cannot recruit (a
biomarker prevalence of 0) is one that never launches, with every amount finite.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1 << 20
MAX_EXTENDED_FILES = 50
MAX_YAML_DEPTH = 40
MAX_YAML_NODES = 100_000

MAX_COUNT = 200
MAX_ASSETS = 200
MAX_ITERATIONS = 100_000_000
CHUNK_BYTES = 4 << 30
ROW_BYTES = 2 << 30
COLUMNS_PER_ASSET = 44

MAX_MAGNITUDE = 1e12
MAX_MONTHS = 1_200.0
MAX_YEARS = 100.0

TIME_LIMIT_MONTHS = 2_400
RECRUITMENT_LIMIT_MONTHS = 1_200.0


def gib(n_bytes: float) -> str:
    """``n_bytes`` as ``"5.8 GB"`` for messages."""
    return f"{n_bytes / 1e9:,.1f} GB"
