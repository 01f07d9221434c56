"""The ``salessim`` command line. Each sub-command lives in ``salessim/ui/commands/<name>.py``
and provides ``register(subparsers)``, which adds its parser with ``func=`` set to its handler.

Every input problem prints one line ``salessim: error: file: field.path: reason`` and exits with
status 2 (a :class:`SalessimError`, a bad flag, a file that cannot be read or written, input
nested too deeply); anything else is a bug: one line asking for a report, exit status 3. No
traceback reaches the user (``SALESSIM_DEBUG=1`` shows it).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
import typing

from salessim.errors import SalessimError

#: Sub-command modules, in the order ``salessim --help`` lists them.
COMMANDS = [
    "salessim.ui.commands.run",
    "salessim.ui.commands.payouts",
    "salessim.ui.commands.calibrate",
    "salessim.ui.commands.decide",
    "salessim.ui.commands.forecast",
    "salessim.ui.commands.report",
    "salessim.ui.commands.dashboard",
    "salessim.ui.commands.stress",
    "salessim.ui.commands.compare",
    "salessim.ui.commands.sweep",
    "salessim.ui.commands.optimise",
]


#: Exit status of an input error and of an internal error.
INPUT_ERROR, INTERNAL_ERROR = 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``salessim run: error: --seed: ... (see salessim run --help)``)."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(INPUT_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from salessim.errors import __version__

    parser = _Parser(prog="salessim", description="Simulate a sales organisation and compare designs.")
    parser.add_argument("--version", action="version", version=f"salessim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SalessimError as e:
        message = str(e)
    except OSError as e:  # a path that cannot be read or written (a folder, no permission, disk full)
        where = e.filename or args.command
        message = f"{where}: {e.strerror or type(e).__name__} (check the path)"
    except RecursionError:
        message = "input nested too deeply (flatten the structure)"
    except MemoryError:
        message = "out of memory: the input is too large for this machine (see docs/errors_and_limits.md)"
    except KeyboardInterrupt:
        print("salessim: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug, not the user's input
        if os.environ.get("SALESSIM_DEBUG"):
            traceback.print_exc()
        print(f"salessim: internal error: {type(e).__name__}: {_one_line(e)[:300]} -- this is a bug in salessim; "
              "please report it with the command and input files (SALESSIM_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return INTERNAL_ERROR
    print(f"salessim: error: {_one_line(message)}", file=sys.stderr)
    return INPUT_ERROR


if __name__ == "__main__":
    sys.exit(main())
