"""The static site (``make site``, build/site/) in a real Chromium, served over HTTP on 127.0.0.1.

``make test`` builds the site from the notebooks nbmake has just executed, then runs this file.
For the landing page and for every notebook found by glob (tutorials and reports), assert
- no console error, no page error, and no request leaving 127.0.0.1 (plotly.js and MathJax are
  served from the site itself);
- the landing page has one card per concept, each linking to pages that exist, and its
  thumbnails draw;
- every figure draws (plotly.js, with traces), at least one per plotly output and per explorer
  of the executed notebook;
- every explorer carries the note that moving its sliders needs a running kernel (``make lab``);
- the page has as many ``<details>`` blocks as the notebook's markdown, all collapsed, and a
  click on a summary opens one and shows what it hid;
- every link to another page of the site points at a page that exists; tutorial <-> report.
Without a built site the tests skip with a reason (fail in CI).
"""

import contextlib
import functools
import http.server
import json
import os
import socketserver
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from labdriver import NOTEBOOK_DIR, ROOT  # noqa: E402

from bioviz.site import PLOTLY_MIME, find_notebooks  # noqa: E402

pytestmark = pytest.mark.browser
SITE = ROOT / "build" / "site"
EXECUTED = ROOT / "build" / "executed"
NOTEBOOKS = [p.as_posix() for p in find_notebooks(NOTEBOOK_DIR)]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(chromium):
    if not (SITE / "index.html").exists():
        message = f"no site at {SITE}: run `make site` first"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    handler = functools.partial(_Quiet, directory=str(SITE))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


#: MathJax 2 (from jupyter-server-mathjax, which ships the STIX-Web fonts only) probes its TeX
#: web fonts for a few glyphs (\\mathcal, AMS symbols) and then draws them with STIX-Web: those
#: 404s, and the console line each one logs, are the only failures tolerated.
TOLERATED = "/assets/mathjax/fonts/HTML-CSS/TeX/"


class Watched:
    """A page with every console error, page error and off-host request recorded."""

    def __init__(self, page, base: str):
        self.page, self.base, self.problems = page, base, []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text[:300]}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        page.on("request", self._request)

    def _request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != "127.0.0.1":
            self.problems.append(f"request off the machine: {request.url[:200]}")

    def errors(self) -> list[str]:
        """The problems, less the tolerated MathJax font probes (and one console 404 line each)."""
        tolerated = [p for p in self.problems if p.startswith("request failed:") and TOLERATED in p]
        rest = [p for p in self.problems if p not in tolerated]
        for _ in tolerated:
            line = next((p for p in rest if "Failed to load resource" in p and "404" in p), None)
            if line is not None:
                rest.remove(line)
        return rest

    def open(self, path: str) -> None:
        self.page.goto(urljoin(self.base, path), wait_until="load")
        self.page.wait_for_selector("body[data-plots-done]", state="attached", timeout=120_000)
        self.page.wait_for_load_state("networkidle")

    def broken_links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        local = [h for h in hrefs if urlparse(h).hostname == "127.0.0.1"]
        missing = []
        for href in local:
            rel = urlparse(href).path.lstrip("/")
            if not (SITE / rel).is_file():
                missing.append(rel)
        return missing


_JS_PLOTS = """
() => [...document.querySelectorAll('div.bioviz-plot')].map(d => ({
  rendered: d.getAttribute('data-rendered'),
  svg: !!d.querySelector('.main-svg'),
  traces: d._fullData ? d._fullData.length : 0,
}))
"""


def _executed(name: str):
    path = EXECUTED / name
    return json.loads(path.read_text()) if path.exists() else None


def _expected_figures(name: str) -> int:
    """Plotly outputs of the executed notebook, plus one plot per explorer cell."""
    nb = _executed(name)
    source = json.loads((NOTEBOOK_DIR / name).read_text())
    code = ["".join(c["source"]) for c in source["cells"] if c["cell_type"] == "code"]
    explorers = sum(c.count(".widget(") for c in code)
    outputs = 0
    if nb is not None:
        outputs = sum(
            PLOTLY_MIME in o.get("data", {}) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
        )
    return outputs + explorers, explorers


def test_landing_page_has_a_card_per_concept_and_its_thumbnails_draw(chromium, site_url):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = Watched(context.new_page(), site_url)
        page.open("index.html")
        stems = {Path(n).stem for n in NOTEBOOKS}
        card_ids = page.page.eval_on_selector_all("article.bioviz-card", "els => els.map(e => e.id)")
        assert sorted(card_ids) == sorted(f"nb-{s}" for s in stems)
        tutorials = page.page.eval_on_selector_all("a.bioviz-tutorial", "els => els.map(a => a.href)")
        reports = page.page.eval_on_selector_all("a.bioviz-report", "els => els.map(a => a.href)")
        assert len(tutorials) + len(reports) == len(NOTEBOOKS)
        assert not page.broken_links()
        for card in card_ids:  # every card has its title, and the paper where the README names it
            assert page.page.inner_text(f"#{card} h2").strip()
        thumbs = page.page.evaluate(_JS_PLOTS)
        assert thumbs, "no thumbnail drawn on the landing page"
        assert all(t["rendered"] == "true" and t["svg"] and t["traces"] > 0 for t in thumbs), thumbs
        assert not page.errors(), "\n".join(page.errors())
    finally:
        context.close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_page(chromium, site_url, name):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = Watched(context.new_page(), site_url)
        page.open(Path(name).with_suffix(".html").as_posix())
        p = page.page

        plots = p.evaluate(_JS_PLOTS)
        figures, explorers = _expected_figures(name)
        assert len(plots) >= figures, f"{name}: {len(plots)} figures on the page, the notebook has {figures}"
        bad = [i for i, f in enumerate(plots) if f["rendered"] != "true" or not f["svg"]]
        assert not bad, f"{name}: figures that did not draw: {bad}"
        if plots:
            assert sum(f["traces"] for f in plots) > 0, f"{name}: every figure is empty"

        notes = p.locator(".bioviz-static-explorer .bioviz-kernel-note")
        assert notes.count() == explorers, f"{name}: {explorers} explorers, {notes.count()} notes"
        if explorers:
            assert "make lab" in notes.first.inner_text()

        source = json.loads((NOTEBOOK_DIR / name).read_text())
        markdown = "".join("".join(c["source"]) for c in source["cells"] if c["cell_type"] == "markdown")
        details = p.locator("details")
        assert details.count() == markdown.count("<details"), f"{name}: <details> blocks lost or added"
        assert p.locator("details[open]").count() == 0, f"{name}: a hint or solution is open on arrival"
        if details.count():
            first = details.first
            hidden = first.locator(":scope > :not(summary)").first
            first.locator("summary").scroll_into_view_if_needed()
            with contextlib.suppress(Exception):  # a <details> holding only text has no child element
                assert not hidden.is_visible()
            first.locator("summary").click()
            assert first.evaluate("d => d.open"), f"{name}: a click on the summary did not open it"

        assert not page.broken_links(), f"{name}: links to missing pages: {page.broken_links()}"
        stem = Path(name).stem
        other = "bioviz-report" if "/" not in name else "bioviz-tutorial"
        partner = Path("reproductions", f"{stem}.ipynb") if "/" not in name else Path(f"{stem}.ipynb")
        if (NOTEBOOK_DIR / partner).exists():
            assert p.locator(f"nav a.{other}").count() == 1, f"{name}: no link to its {other[7:]}"
        assert p.locator("nav a[href$='index.html']").count() == 1
        p.wait_for_timeout(300)  # late errors (MathJax typesetting)
        assert not page.errors(), f"{name}:\n" + "\n".join(page.errors())
    finally:
        context.close()
