"""The dashboard in a real browser: Voila serves the explorer, headless Chromium (Playwright)
changes a control and the headline, chart and comparison table update; screenshots before and
after go to reports/screenshots/. Stopping ``salessim dashboard`` leaves no process behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest
from browser_checks import launch, page_problems, require_browser, screenshot
from notebook_paths import ROOT


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


def _start(tmp_path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    log = (tmp_path / "dashboard.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "salessim", "dashboard", "--port", str(port), *extra],
                            cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    _wait_for_http(url, proc)
    return proc, url


def _kill(proc: subprocess.Popen) -> None:
    """Test clean-up only: whatever is left of the dashboard's process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _serve(tmp_path, *extra: str):
    require_browser()
    proc, url = _start(tmp_path, *extra)
    try:
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        finally:
            _kill(proc)


@pytest.fixture
def dashboard(tmp_path):
    yield from _serve(tmp_path)


@pytest.fixture
def dashboard_zh(tmp_path):
    yield from _serve(tmp_path, "--lang", "zh")


def _set_weekly_hours(page, hours: int, old_headline: str) -> None:
    """Type ``hours`` into the selling-hours slider's readout and wait for the new headline."""
    readout = page.locator(".salessim-control-weekly_hours .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(hours))
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([sel, old]) => { const e = document.querySelector(sel); return e && e.innerText !== old; }",
        arg=[".salessim-headline h3", old_headline], timeout=60_000)


@pytest.mark.browser
@pytest.mark.slow
def test_changing_a_control_redraws_the_comparison(dashboard):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2200})
            # Tall: Voila's page scrolls inside its own box, so a "full page" shot is the viewport.
            page.goto(dashboard, timeout=60_000)
            headline = page.locator(".salessim-headline h3")
            headline.wait_for(timeout=120_000)
            table = page.locator(".salessim-comparison table")
            chart = page.locator(".salessim-chart img")
            before = (headline.inner_text(), table.inner_text())
            assert chart.count() == 0  # no chart of zeros before a control moves
            assert before[0].startswith("Today's settings: revenue $")  # opens exactly at the scenario
            assert "net contribution" in before[1] and "pt [" not in before[1]  # every change: none
            assert page.locator("pre, .jp-InputArea-editor").count() == 0  # no code on the page
            assert "JupyterLab" not in page.inner_text("body")  # no how-to-run text in the app
            screenshot(page, "dashboard-today")
            assert page_problems(page) == []

            _set_weekly_hours(page, 20, before[0])  # cut selling hours to 20 a week
            chart.wait_for(timeout=30_000)
            after = (headline.inner_text(), table.inner_text())
            assert "lower than today" in after[0] and "Net contribution −$" in after[0]
            assert " pt [" in after[1]  # rates change in percentage points
            assert chart.get_attribute("src").startswith("data:image/png")
            screenshot(page, "dashboard-20-hours")
            assert page_problems(page) == []
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.slow
def test_chinese_dashboard_shows_chinese_controls_narrative_table_and_chart(dashboard_zh):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2200})
            page.goto(dashboard_zh, timeout=60_000)
            headline = page.locator(".salessim-headline h3")
            headline.wait_for(timeout=120_000)
            before = headline.inner_text()
            assert before.startswith("现状设置：年营收 $")  # opens exactly at the scenario, in Chinese
            body = page.inner_text("body")
            for text in ("每位销售每周销售时间", "薪酬方案", "组织结构", "恢复现状", "净贡献", "目标达成率中位数", "无变化"):
                assert text in body, text
            assert "情景分析" in body and "Scenario explorer" not in body  # the title in Chinese, not the notebook's
            assert "Selling hours" not in body and "Today's settings" not in body
            screenshot(page, "dashboard-zh-today")
            assert page_problems(page) == []

            _set_weekly_hours(page, 20, before)
            page.locator(".salessim-chart img").wait_for(timeout=30_000)
            after, table = headline.inner_text(), page.locator(".salessim-comparison table").inner_text()
            assert "营收比现状低" in after and "净贡献 −$" in after
            assert "个百分点 [" in table and "pt [" not in table
            screenshot(page, "dashboard-zh-20-hours")
            assert page_problems(page) == []
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_the_dashboard_ends_voila_and_its_kernels(tmp_path, stop):
    proc, url = _start(tmp_path)
    try:
        with urllib.request.urlopen(url, timeout=180) as r:  # Voila runs the notebook: a kernel starts
            assert r.status == 200
        children = psutil.Process(proc.pid).children(recursive=True)
        kernels = [p for p in children if "ipykernel" in " ".join(p.cmdline())]
        assert kernels, f"no kernel among {[p.cmdline() for p in children]}"
        proc.send_signal(stop)  # the signal Ctrl-C sends (SIGINT) or a service manager's stop
        assert proc.wait(timeout=60) == 0
        _, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], f"left running: {[p.cmdline() for p in alive]}"
    finally:
        _kill(proc)
