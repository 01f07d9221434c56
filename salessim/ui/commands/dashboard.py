"""``salessim dashboard [--port N]``: serve the scenario explorer with Voila on localhost."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from salessim.errors import SalessimError
from salessim.ui.commands import count

EXPLORER = "05_scenario_explorer.ipynb"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboard", help="serve the scenario explorer as a web app (Voila) on localhost")
    p.add_argument("--port", type=count, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--notebook", type=Path, default=None, help=f"notebook to serve (default notebooks/{EXPLORER})")
    p.add_argument("--open", action="store_true", help="open a web browser on the page")
    p.set_defaults(func=run)


def voila_command(notebook: Path, port: int, open_browser: bool = False) -> list[str]:
    """The Voila command line (this interpreter; localhost only; code hidden by Voila)."""
    cmd = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--Voila.ip=127.0.0.1",
           "--show_tracebacks=True"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def run(args: argparse.Namespace) -> int:
    from salessim.ui.report import kernel_name, notebook_folder, package_on_path

    notebook = args.notebook or notebook_folder() / EXPLORER
    if not notebook.is_file():
        raise SalessimError(f"{notebook}: notebook not found")
    if not 0 < args.port < 65536:
        raise SalessimError(f"--port {args.port}: not a port number")
    kernel_name()  # make sure a kernel for this interpreter exists
    print(f"salessim dashboard: http://127.0.0.1:{args.port}/ (Ctrl+C to stop)", flush=True)
    with package_on_path() as env:
        return subprocess.call(voila_command(notebook, args.port, args.open), env=env)
