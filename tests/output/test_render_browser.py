"""The HTML document in a real browser: charts visible, no console errors, prints.

Uses Debian's chromium (``.ci/run`` installs it when missing) through Playwright,
without Playwright's own browser download. Saves a screenshot and a PDF print in
``test-artifacts/``. Skipped on a developer machine without chromium; under CI
(``CI`` set) a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import EXAMPLES, ROOT

ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run should have installed Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.mark.parametrize("example", ["lumen-analytics", "brightwater-pumps", "fernhill-payroll"])
def test_html_document_in_chromium(tmp_path, gtm, browser, example):
    doc = tmp_path / f"{example}.html"
    assert gtm("render", EXAMPLES / example, "-o", doc).code == 0
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(doc.as_uri())
    page.wait_for_load_state("load")

    # lumen-analytics has actuals/ (four recorded quarters): its "Plan vs actual" chart is drawn too
    charts = ("#waterfall-chart", "#capacity-chart") + (("#actuals-chart",) if example == "lumen-analytics" else ())
    # fernhill-payroll has two segments: each section draws its own waterfall chart
    charts += ("#waterfall-chart-smb", "#waterfall-chart-enterprise") if example == "fernhill-payroll" else ()
    assert page.locator("#actuals-chart").count() == (1 if example == "lumen-analytics" else 0)
    for chart in charts:
        svg = page.locator(f"{chart} svg")
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box["width"] > 300 and box["height"] > 100
        # the bars' rendered heights, in one round trip to the browser (not one per bar)
        heights = page.eval_on_selector_all(f"{chart} rect.bar", "bars => bars.map(b => b.getBoundingClientRect().height)")
        assert len(heights) >= 6
        assert max(heights) > 50  # drawn, not collapsed
    # its recorded quarters bring "Chance of making the plan": the 10–90% band of each quarter against its target
    assert page.locator("#forecast-chart").count() == (1 if example == "lumen-analytics" else 0)
    if example == "lumen-analytics":
        assert page.locator("#forecast-chart svg").is_visible()
        bands = page.eval_on_selector_all("#forecast-chart rect.band", "rs => rs.map(r => r.getBoundingClientRect())"
                                          ".map(b => [b.top, b.bottom, b.width])")
        targets = page.eval_on_selector_all("#forecast-chart line.target",
                                            "ls => ls.map(l => l.getBoundingClientRect().top)")
        assert len(bands) == 4 and len(targets) == 4
        assert all(bottom - top > 20 and width > 20 for top, bottom, width in bands)  # drawn, not collapsed
        # the plan's targets lie above the band of 2027Q2-2027Q4 (under 1% chance): the mark is drawn higher
        assert all(t < top for t, (top, _, _) in zip(targets[1:], bands[1:]))
    # what needs action first (issue 20)
    assert page.locator("h2").all_inner_texts()[:2] == ["Open alignment issues", "Shared goals"]
    if example == "fernhill-payroll":
        assert page.locator("section.segment h2").all_inner_texts() == [
            "Segment: Small and mid-sized employers smb", "Segment: Enterprises with several states or countries enterprise"]
        gaps = page.locator("#segment-enterprise td.status.short").all_inner_texts()
        assert gaps == ["short by 58", "short by 84", "short by 79"]  # A102's three findings, as the document shows them
    assert problems == []
    assert requests == [doc.as_uri()]  # self-contained: nothing else fetched

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{example}.png"), full_page=True)
    page.emulate_media(media="print")
    # printed, a heading stays with the table under it (issue 20): no page break after a heading,
    # none inside a heading-and-table block
    styles = page.evaluate("""() => ({
        h3: [...document.querySelectorAll('h3')].map(h => getComputedStyle(h).breakAfter),
        keep: [...document.querySelectorAll('.keep')].map(k => getComputedStyle(k).breakInside),
        headed: [...document.querySelectorAll('.keep')].filter(k => k.querySelector('h3')).length})""")
    assert styles["h3"] and set(styles["h3"]) == {"avoid"}
    assert styles["keep"] and set(styles["keep"]) == {"avoid"} and styles["headed"] >= 2
    pdf = ARTIFACTS / f"{example}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    page.close()
