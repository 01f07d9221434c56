"""``salessim decide EXPORT --preset P --today today.yaml --proposal a.yaml [--proposal b.yaml]
--out DIR``: from a CRM export to a plan decision, the command-line twin of report 08.

Calibrates the export with today's plan in place (:mod:`salessim.calibrate.decision`), prints the
simulation against the export (pass/fail per row; a NOT MATCHED calibration stops: one line on
stderr, exit status 2, unless ``--accept-mismatch``), optionally a held-out back-test, then
compares today's plan with each proposal on the calibrated organisation with paired
replications and prints the recommendation first, then the economics and the reps who win and
lose. ``--out`` writes ``decision.txt``, the CSV tables and the calibrated scenario.

A command of its own rather than a mode of ``calibrate`` (which fits and writes a scenario) or
``compare`` (which takes finished scenarios): it chains both and owns the stop between them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from salessim.errors import SalessimError
from salessim.ui.commands import count, date, export_arguments, natural


def _amount(text: str) -> float:
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an amount (write e.g. 25000000)") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} must be above 0 (the company target a year, in the export's currency)")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("decide", help="calibrate a CRM export, then compare today's comp plan with proposals on it")
    export_arguments(p, "export")
    p.add_argument("--today", type=Path, required=True, help="today's comp plan YAML (the baseline)")
    p.add_argument("--proposal", type=Path, action="append", required=True, metavar="PLAN.yaml",
                   help="a proposed comp plan YAML (repeatable)")
    p.add_argument("--base", type=Path, default=None,
                   help="scenario whose stages, hours, calendar and org design are kept (default: midmarket's, as calibrate)")
    p.add_argument("--quota-target", type=_amount, default=None, metavar="AMOUNT",
                   help="company quota a year in the export's currency (default: 85%% of expected bookings)")
    p.add_argument("--as-of", type=date, default=None, help="snapshot date YYYY-MM-DD (default: latest date in the export)")
    p.add_argument("--refine", type=count, default=2, metavar="N", help="simulation refinements of the fit (default 2)")
    p.add_argument("--backtest", type=natural, default=0, metavar="MONTHS",
                   help="also back-test: fit before the last MONTHS full months, simulate them, compare (default 0: off)")
    p.add_argument("--replications", "-n", type=count, default=10, help="paired replications per plan (default 10)")
    p.add_argument("--seed", type=natural, default=0, help="root seed (default 0)")
    p.add_argument("--workers", "-j", type=count, default=None, help="worker processes (default: serial)")
    p.add_argument("--accept-mismatch", action="store_true",
                   help="decide even when the calibrated model does not reproduce the export (marked NOT VALIDATED)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the printed report: en (default) or zh")
    p.add_argument("--out", type=Path, default=None, help="folder for decision.txt, the CSV tables and calibrated.yaml")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _check_inputs(args: argparse.Namespace) -> None:
    """Files that must exist, named before any work is done."""
    for flag, path in [("export", args.export), ("--today", args.today), ("--base", args.base),
                       ("--mapping", args.mapping), ("--history", args.history), ("--team", args.team),
                       *(("--proposal", p) for p in args.proposal)]:
        if path is not None and not path.is_file():
            raise SalessimError(f"{path}: {flag}: file not found (check the path)")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise SalessimError(f"{args.out}: --out: is a file (give a folder)")
    from salessim.calibrate import load_mapping
    from salessim.comp import load_plan

    load_mapping(args.mapping, args.preset)  # a bad preset or mapping fails here, in one line
    seen: set[str] = set()
    for p in [args.today, *args.proposal]:
        name = load_plan(p).name
        if name in seen:
            raise SalessimError(f"{p}: name: plan name '{name}' is used twice (give each plan its own `name:`)")
        seen.add(name)


def run(args: argparse.Namespace) -> int:
    from salessim.calibrate.check import format_table
    from salessim.calibrate.decision import (
        calibrate_org,
        decide,
        held_out_backtest,
        plan_base,
        require_match,
    )
    from salessim.ui.decision import report_text, write_decision

    _check_inputs(args)
    cal = calibrate_org(args.export, args.today, args.mapping, args.preset, args.base, args.quota_target,
                        args.history, args.team, args.as_of, args.refine, args.seed)
    print(cal.crm.report)
    if cal.validation is not None:
        print("\nsimulation vs your export:\n" + format_table(cal.validation))
    if cal.mismatch and not args.accept_mismatch:
        print(f"salessim decide: {cal.crm.report.source}: calibration NOT MATCHED: {cal.mismatch}; no decision made "
              "(fix the mapping or --base, or pass --accept-mismatch)", file=sys.stderr)
        return 2
    require_match(cal, args.accept_mismatch)
    bt = None
    if args.backtest:
        bt = held_out_backtest(cal, plan_base(args.base, args.today, args.quota_target), args.backtest,
                               range(args.seed, args.seed + 3), args.refine)
        print()
        print(bt)
    bar = None
    if not args.quiet:
        from tqdm.auto import tqdm

        bar = tqdm(total=args.replications * (1 + len(args.proposal)), desc="plans x replications", unit="run",
                   file=sys.stderr)
    try:
        d = decide(cal, args.today, args.proposal, args.replications, args.seed, accept_mismatch=args.accept_mismatch,
                   executor=args.workers or "serial", backtest_result=bt,
                   progress=None if bar is None else (lambda done, total: bar.update(done - bar.n)))
    finally:
        if bar is not None:
            bar.close()
    text = report_text(d, args.lang, quota_given=args.quota_target is not None)
    print()
    print(text)
    if args.out is not None:
        write_decision(d, args.out, text)
        print(f"\nwritten to {args.out}/: decision.txt, economics.csv, comparison.csv, rep_changes.csv, "
              "check.csv, calibrated.yaml")
    return 0
