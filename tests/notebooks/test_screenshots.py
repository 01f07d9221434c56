"""Every report as a reader sees it: ``salessim report all`` in fast mode into ``reports/``,
each HTML opened offline in headless Chromium, a full-page screenshot kept under
``reports/screenshots/`` (CI artefacts, not committed), and the checks: no table wider than its
box or the page, no missing glyph in the text, no matplotlib "Glyph missing" warning in the
notebook run, and no request to the network (the reports work offline)."""

from __future__ import annotations

import nbformat
import pytest
from browser_checks import launch, page_problems, require_browser, screenshot
from notebook_paths import ROOT

from salessim.ui.report import run_reports

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def reports():
    require_browser()
    return run_reports(["all"], out=ROOT / "reports", parameters={"fast": True}, log=lambda _msg: None)


def _glyph_warnings(executed) -> list[str]:
    nb = nbformat.read(executed, as_version=4)
    return [line for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
            if out.get("output_type") == "stream" for line in out.get("text", "").splitlines()
            if "Glyph" in line and "missing" in line]


def test_every_report_renders_offline_without_overflow_or_missing_glyphs(reports):
    from playwright.sync_api import sync_playwright

    assert len(reports) == len(list((ROOT / "notebooks").glob("[0-9]*.ipynb")))
    problems: dict[str, list[str]] = {}
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            for run in reports:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                requests: list[str] = []
                page.route("http*://**", lambda route, seen=requests: (seen.append(route.request.url), route.abort()))
                page.goto(run.html.as_uri(), wait_until="load", timeout=60_000)
                screenshot(page, f"report-{run.notebook}")
                found = page_problems(page) + _glyph_warnings(run.executed)
                found += [f"network request: {url}" for url in requests]
                if page.locator("img").count() == 0:
                    found.append("no chart rendered")
                if found:
                    problems[run.notebook] = found
                page.close()
        finally:
            browser.close()
    assert problems == {}
