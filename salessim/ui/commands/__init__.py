"""CLI sub-commands (see :mod:`salessim.ui.cli`) and the argument types they share: numbers and
dates on the command line are checked by argparse (exit status 2, one line)."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path


def _int(text: str, low: int, what: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number ({what})") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"{value} is below {low} ({what})")
    return value


def count(text: str) -> int:
    """A whole number >= 1 (replications, months, workers)."""
    return _int(text, 1, "give 1 or more")


def natural(text: str) -> int:
    """A whole number >= 0 (seeds, refinements)."""
    return _int(text, 0, "give 0 or more")


def level(text: str) -> float:
    """A confidence level strictly between 0 and 1 (``0.95`` or ``95%``)."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number (write e.g. 0.95 or 95%)") from None
    if not (math.isfinite(value) and 0 < value < 1):
        raise argparse.ArgumentTypeError(f"{text} must be between 0 and 1, e.g. 0.95 or 95%")
    return value


def output_file(text: str) -> Path:
    """A file to write: not an existing folder."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder (give a file name)")
    return path


def date(text: str) -> str:
    """A calendar date ``YYYY-MM-DD`` (kept as text)."""
    try:
        dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a calendar date (write YYYY-MM-DD, e.g. 2026-06-30)") from None
    return text.strip()


def export_arguments(p: argparse.ArgumentParser, name: str = "crm") -> None:
    """The CRM export a command reads, as ``calibrate``, ``forecast`` and ``decide`` take it: the
    export itself, its column mapping or preset, the stage history and the team file."""
    p.add_argument(name, type=Path, help="opportunity export (CSV or Excel)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--mapping", type=Path, help="column mapping YAML (may start from a preset)")
    g.add_argument("--preset", default=None, help="mapping preset: generic, salesforce, hubspot, zoho, fxiaoke")
    p.add_argument("--history", type=Path, help="stage history export (opportunity, stage, entered date)")
    p.add_argument("--team", type=Path, help="team file: owners not listed in it are quarantined")
