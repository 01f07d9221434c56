"""Shared paths and helpers for the notebook tests."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DOCS = ROOT / "docs" / "notebooks_and_reports.md"


def documented_parameters() -> dict[str, dict[str, str]]:
    """From the docs: notebook -> {parameter: default as written}, read from the tables under
    each ``#### <notebook>`` heading."""
    out: dict[str, dict[str, str]] = {}
    current = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#### "):
            current = line[5:].strip()
            out[current] = {}
        elif line.startswith("#"):
            current = None
        elif current and (m := re.match(r"\|\s*`(\w+)`\s*\|\s*`(.*?)`\s*\|", line)):
            out[current][m.group(1)] = m.group(2)
    return out
