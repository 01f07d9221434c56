"""``salessim dashboard [--port N] [--lang zh]``: serve the scenario explorer with Voila on localhost.

Voila runs in its own process group; Ctrl-C, SIGTERM or SIGHUP to ``salessim dashboard`` stop
it and every kernel it started (kernels run in sessions of their own, so they are collected
before Voila is asked to stop, and killed if they outlive it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from salessim.errors import SalessimError
from salessim.ui.commands import count
from salessim.ui.i18n import check_lang

EXPLORER = "05_scenario_explorer.ipynb"
#: Seconds Voila gets to shut its kernels down after SIGTERM before everything is killed.
GRACE_SECONDS = 10.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboard", help="serve the scenario explorer as a web app (Voila) on localhost")
    p.add_argument("--port", type=count, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--notebook", type=Path, default=None, help=f"notebook to serve (default notebooks/{EXPLORER})")
    p.add_argument("--open", action="store_true", help="open a web browser on the page")
    p.add_argument("--lang", default="en", help="dashboard language: en (default) or zh (Chinese)")
    p.set_defaults(func=run)


def voila_command(notebook: Path, port: int, open_browser: bool = False) -> list[str]:
    """The Voila command line (this interpreter; localhost only; code hidden by Voila)."""
    cmd = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--Voila.ip=127.0.0.1",
           "--show_tracebacks=True"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


class _Stop(Exception):
    """A stop signal arrived."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signum)


def stop_server(proc: subprocess.Popen, grace: float = GRACE_SECONDS) -> None:
    """Stop Voila (``proc``, leader of its own process group) and its kernels: SIGTERM to the
    group (Voila shuts its kernels down), then SIGKILL to whatever is left after ``grace`` s."""
    import psutil  # ipykernel's dependency

    gone = contextlib.suppress(ProcessLookupError, psutil.NoSuchProcess)
    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    if proc.poll() is None:
        with gone:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with gone:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    _, alive = psutil.wait_procs(descendants, timeout=grace)
    for p in alive:
        with gone:
            p.kill()
    psutil.wait_procs(alive, timeout=grace)


def run(args: argparse.Namespace) -> int:
    from salessim.ui.explorer import LANG_VARIABLE
    from salessim.ui.report import kernel_name, notebook_folder, package_on_path

    notebook = args.notebook or notebook_folder() / EXPLORER
    if not notebook.is_file():
        raise SalessimError(f"{notebook}: notebook not found")
    if not 0 < args.port < 65536:
        raise SalessimError(f"--port {args.port}: not a port number")
    lang = check_lang(args.lang)
    kernel_name()  # make sure a kernel for this interpreter exists
    print(f"salessim dashboard: http://127.0.0.1:{args.port}/ (Ctrl+C to stop)", flush=True)
    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, _raise_stop) for s in stops}
    proc = None
    try:
        with package_on_path() as env:
            env = {**env, LANG_VARIABLE: lang}  # the notebook reads it when served (salessim.ui.explorer)
            proc = subprocess.Popen(voila_command(notebook, args.port, args.open), env=env, start_new_session=True)
        return proc.wait()
    except _Stop:
        print("salessim dashboard: stopping the server and its kernels", flush=True)
        return 0
    finally:
        for s in stops:  # a second Ctrl-C must not interrupt the clean-up
            signal.signal(s, signal.SIG_IGN)
        try:
            if proc is not None:
                stop_server(proc)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
