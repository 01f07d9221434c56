"""Headless Chromium for the browser tests: launch (Debian's /usr/bin/chromium through Playwright),
a loud failure when it is missing, screenshots under ``reports/screenshots/`` (CI artefacts, not
committed), and the page checks: tables wider than their box or the page, and missing glyphs."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "reports" / "screenshots"
INSTALL = "run `bash .ci/install-browser` (Debian chromium) and `pip install -e '.[dev]'` (playwright)"


def require_browser() -> None:
    """Fail (never skip) when Chromium or Playwright is missing, with the one-line fix."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: {INSTALL}; or deselect with -m 'not browser'", pytrace=False)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail(f"playwright is not installed: {INSTALL}", pytrace=False)


def launch(pw):
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


def screenshot(page, name: str) -> Path:
    """A full-page PNG at ``reports/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


#: Tables (and the boxes holding them) wider than their box or than the page: "tag.class: widths".
OVERFLOW_JS = """() => {
  const page = document.documentElement.clientWidth;
  const out = [];
  for (const t of document.querySelectorAll('table')) {
    if (!t.offsetParent) continue;
    const r = t.getBoundingClientRect();
    const box = t.parentElement;
    const text = (t.innerText || '').trim().split('\\n')[0].slice(0, 60);
    if (r.right > page + 1) out.push(`table wider than the page (${Math.round(r.right)} > ${page}px): ${text}`);
    else if (box && box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== 'visible')
      out.push(`table scrolls in its box (${box.scrollWidth} > ${box.clientWidth}px): ${text}`);
    else if (t.scrollWidth > t.clientWidth + 1)
      out.push(`table content wider than the table (${t.scrollWidth} > ${t.clientWidth}px): ${text}`);
  }
  return out;
}"""

#: Characters of the page's text that the page's fonts draw as the missing-glyph box: each is
#: drawn on a canvas in its element's font and compared with a code point no font has.
MISSING_GLYPHS_JS = """() => {
  const seen = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode;
    if (!n.parentElement || !n.parentElement.offsetParent) continue;
    const font = getComputedStyle(n.parentElement).font;
    for (const ch of n.textContent) {
      if (ch.codePointAt(0) < 0x80 || /\\s/.test(ch)) continue;
      const key = font + '|' + ch;
      if (!seen.has(key)) seen.set(key, [font, ch]);
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 64;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (font, ch) => {
    ctx.clearRect(0, 0, 64, 64); ctx.font = font.replace(/\\d+(\\.\\d+)?px/, '40px'); ctx.fillText(ch, 4, 48);
    return ctx.getImageData(0, 0, 64, 64).data.join(',');
  };
  const missing = [];
  const tofu = new Map();
  for (const [font, ch] of seen.values()) {
    if (!tofu.has(font)) tofu.set(font, draw(font, '\\u{10FFFD}'));
    if (ch === '\\uFFFD' || draw(font, ch) === tofu.get(font)) missing.push(ch);
  }
  return [...new Set(missing)];
}"""


def page_problems(page) -> list[str]:
    """Overflowing tables and missing glyphs on the page (empty: none)."""
    problems = page.evaluate(OVERFLOW_JS)
    missing = page.evaluate(MISSING_GLYPHS_JS)
    if missing:
        problems.append("missing glyphs: " + " ".join(f"{c} (U+{ord(c):04X})" for c in missing))
    return problems
