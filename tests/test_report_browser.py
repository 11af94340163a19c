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
    "answer",
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


FIRST_SCREEN = ROOT / "runs" / "report-first-screen.png"
FULL_PAGE = ROOT / "runs" / "report-full-page.png"
#: Measures, in a 1280 x 900 window, where the answer's pieces end (px from the top).
_MEASURE = """<script>
const bottom = (sel) => { const e = document.querySelector(sel);
  return e ? e.getBoundingClientRect().bottom + window.scrollY : null; };
const out = document.createElement("pre"); out.id = "measure";
out.textContent = JSON.stringify({
  verdict: bottom("header h1"), spends: bottom("#answer table"),
  strip: bottom("#answer img"), page: document.documentElement.scrollHeight,
  width: window.innerWidth });
document.body.appendChild(out);
</script>"""


def _measure(report_file: Path, tmp_path: Path) -> dict:
    import json

    probe = tmp_path / "probe.html"
    probe.write_text(
        report_file.read_text(encoding="utf-8").replace("</body>", _MEASURE + "</body>")
    )
    done = _chromium("--window-size=1280,900", "--dump-dom", probe.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="measure">(.*?)</pre>', done.stdout, re.S)
    assert found is not None, done.stdout[-2000:]
    return json.loads(html_unescape(found.group(1)))


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_first_screen_holds_the_verdict_both_spends_and_the_strip(report_file, tmp_path):
    m = _measure(report_file, tmp_path)
    assert m["width"] == 1280
    for piece in ("verdict", "spends", "strip"):
        assert m[piece] is not None and 0 < m[piece] <= 900, (piece, m)
    page = report_file.read_text(encoding="utf-8")
    answer = page[page.index('<section id="answer">') : page.index('<section id="headline">')]
    assert answer.count("R&amp;D spend, mean OOP") == 1
    for p in ("blockbuster", "nichebuster"):
        assert f"<td>{p}</td>" in answer  # each portfolio's spend is a row of that table
    FIRST_SCREEN.parent.mkdir(exist_ok=True)
    for path, height in ((FIRST_SCREEN, 900), (FULL_PAGE, int(m["page"]))):
        path.unlink(missing_ok=True)
        done = _chromium(
            f"--window-size=1280,{height}", f"--screenshot={path}", report_file.as_uri()
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    print(f"\nfirst screen: {FIRST_SCREEN}\nfull page ({m['page']} px): {FULL_PAGE}")


def test_printed_report_has_the_verdict_and_its_table_on_page_one(report_file, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    pdf = tmp_path / "report.pdf"
    done = _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    pages = pypdf.PdfReader(pdf).pages
    first = " ".join(pages[0].extract_text().split())
    verdict = report_file.read_text(encoding="utf-8").split("verdict-title'>")[1].split("<")[0]
    assert " ".join(html_unescape(verdict).split()) in first
    assert "R&D spend, mean OOP" in first and "P(loss)" in first
    second = " ".join(pages[1].extract_text().split())
    assert second.startswith("Headline comparison")  # the answer's page break: page 2 starts anew
    print(f"\nprinted report: {len(pages)} pages (A4)")
