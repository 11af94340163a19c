"""report.html in a real browser: headless Chromium loads it, finds every section and
every plot, and takes a screenshot of the top of the page.

Skips where no Chromium is installed (``.ci/run`` installs Debian's ``chromium``). The
screenshot is written to ``runs/report-screenshot.png`` in the checkout, for people to
look at.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import simulator as sim

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "runs" / "report-screenshot.png"
BROWSER = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no headless Chromium here (apt-get install chromium; .ci/run does)"
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]
SECTIONS = {
    "question",
    "headline",
    "assumptions",
    "distributions",
    "risk",
    "cashflows",
    "assets",
    "launches",
    "drivers",
    "convergence",
    "provenance",
}


class _Page(HTMLParser):
    """Sections, headings and images of the DOM Chromium built."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images: list[str] = []
        self.nav: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id", ""))
        elif tag == "img":
            self.images.append(a.get("src", ""))
        elif tag == "a" and a.get("href", "").startswith("#"):
            self.nav.append(a["href"][1:])


def _chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BROWSER, *FLAGS, "--enable-logging=stderr", "--v=0", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    s = sim.load_scenario(ROOT / "scenarios" / "nichebuster.yaml").with_(iterations=3000)
    out = sim.run(s).save(tmp_path_factory.mktemp("browser") / "run")
    return out / "report.html"


def test_chromium_loads_the_report_with_every_section_and_plot(report_file):
    done = _chromium("--dump-dom", report_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    for problem in ("Uncaught", "Failed to load resource", "net::ERR_", "Not allowed to load"):
        assert problem not in done.stderr
    page = _Page()
    page.feed(done.stdout)
    assert set(page.sections) >= SECTIONS
    assert page.nav == page.sections  # the navigation links every section, in order
    written = report_file.read_text(encoding="utf-8")
    assert len(page.images) == written.count("<img") >= 12
    for src in page.images:
        data = re.fullmatch(r"data:image/png;base64,(.+)", src)
        assert data is not None, src[:80]
        assert base64.b64decode(data.group(1)).startswith(b"\x89PNG\r\n\x1a\n")


def test_screenshot_of_the_top_of_the_report(report_file):
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    done = _chromium("--window-size=1280,1800", f"--screenshot={SCREENSHOT}", report_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = SCREENSHOT.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 1800)
    assert len(data) > 50_000  # a page of text, tables and a chart, not a blank sheet
    print(f"\nreport screenshot: {SCREENSHOT}")
