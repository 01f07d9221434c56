"""The dashboard in a real browser: Voila serves the explorer, headless Chromium (Playwright)
changes a control and the headline, chart and comparison table update."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from notebook_paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"dashboard not answering on {url} after {timeout:.0f} s")


@pytest.fixture
def dashboard(tmp_path):
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: install it with .ci/install-browser"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the browser test)")
        pytest.skip(reason)
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    log = (tmp_path / "dashboard.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "salessim", "dashboard", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_http(url, proc)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the dashboard's own process group: voila and its kernel
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def test_changing_a_control_redraws_the_comparison(dashboard):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(dashboard, timeout=60_000)
            headline = page.locator(".salessim-headline h3")
            headline.wait_for(timeout=120_000)
            table = page.locator(".salessim-comparison table")
            chart = page.locator(".salessim-chart img")
            chart.wait_for(timeout=30_000)
            before = (headline.inner_text(), table.inner_text(), chart.get_attribute("src"))
            assert "than today" in before[0] or "No clear revenue change" in before[0]
            assert "revenue" in before[1]
            assert page.locator("pre, .jp-InputArea-editor").count() == 0  # no code on the page

            # Cut selling hours to 20 a week: type into the slider's readout.
            readout = page.locator(".salessim-control-weekly_hours .widget-readout")
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("20")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "([sel, old]) => { const e = document.querySelector(sel); return e && e.innerText !== old; }",
                arg=[".salessim-headline h3", before[0]], timeout=60_000)
            page.wait_for_function(
                "([sel, old]) => { const e = document.querySelector(sel); return e && e.src !== old; }",
                arg=[".salessim-chart img", before[2]], timeout=30_000)
            after = (headline.inner_text(), table.inner_text(), chart.get_attribute("src"))
            assert "lower than today" in after[0]
            assert after[1] != before[1]
            assert after[2] != before[2]
        finally:
            browser.close()
