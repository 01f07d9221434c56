"""The ``salessim`` command line. Each sub-command lives in ``salessim/ui/commands/<name>.py``
and provides ``register(subparsers)``, which adds its parser with ``func=`` set to its handler.

User mistakes (:class:`SalessimError`) print one line and exit with status 2, no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from salessim.errors import SalessimError

#: Sub-command modules, in the order ``salessim --help`` lists them.
COMMANDS = [
    "salessim.ui.commands.run",
    "salessim.ui.commands.payouts",
    "salessim.ui.commands.calibrate",
    "salessim.ui.commands.report",
    "salessim.ui.commands.dashboard",
    "salessim.ui.commands.stress",
    "salessim.ui.commands.compare",
    "salessim.ui.commands.sweep",
    "salessim.ui.commands.optimise",
]


def build_parser() -> argparse.ArgumentParser:
    from salessim.errors import __version__

    parser = argparse.ArgumentParser(prog="salessim", description="Simulate a sales organisation and compare designs.")
    parser.add_argument("--version", action="version", version=f"salessim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SalessimError as e:
        print(f"salessim: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("salessim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
