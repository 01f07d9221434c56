"""``salessim calibrate CRM.csv --out scenario.yaml``: import, validate and fit a CRM export.

Prints the validation counts, the fitted parameters and the assumptions; writes the scenario
YAML and the quarantined rows (``*.quarantine.csv``), after checking the simulation against the
data (win rate, won-cycle and deal-size quantiles, monthly bookings and opportunities): a row
out of tolerance is NOT MATCHED -- one line on stderr, exit status 2, nothing written -- unless
``--accept-mismatch``, which writes the scenario marked NOT VALIDATED. ``--backtest N`` also
fits on all but the last N full months, simulates them and prints a pass/fail table (exit
status 1 on a fail).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from salessim.errors import SalessimError
from salessim.ui.commands import count, date, export_arguments, natural, output_file


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="fit a scenario to a CRM export (CSV/Excel) and back-test it")
    export_arguments(p)
    p.add_argument("--base", type=Path, help="scenario whose stages, hours and calendar are kept (default: midmarket's)")
    p.add_argument("--as-of", type=date, default=None, help="snapshot date YYYY-MM-DD (default: latest date in the export)")
    p.add_argument("--out", type=output_file, help="calibrated scenario YAML to write")
    p.add_argument("--quarantine", type=output_file, help="quarantined rows CSV (default: next to --out)")
    p.add_argument("--refine", type=natural, default=2, metavar="N", help="simulation refinements without history (default 2)")
    p.add_argument("--backtest", type=count, default=None, metavar="MONTHS",
                   help="also back-test: fit before the last MONTHS full months, simulate them, compare")
    p.add_argument("--seeds", type=count, default=3, help="replications in the back-test (default 3)")
    p.add_argument("--accept-mismatch", action="store_true",
                   help="write the scenario even when the simulation does not match the data (marked NOT VALIDATED)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from salessim.calibrate import _base, calibrate, import_crm, load_mapping
    from salessim.calibrate.backtest import backtest
    from salessim.calibrate.check import format_table

    if args.out is None and args.backtest is None:
        raise SalessimError("calibrate: nothing to do: give --out scenario.yaml and/or --backtest MONTHS")
    base = _base(args.base)
    mapping = load_mapping(args.mapping, args.preset)
    crm = import_crm(args.crm, mapping, base.funnel.stage_names, args.history, args.team, args.as_of,
                     products=[p.name for p in base.market.products], segments=[s.name for s in base.market.segments])
    print(crm.report)
    q_path = args.quarantine or (args.out.with_suffix(".quarantine.csv") if args.out else Path(f"{args.crm.stem}.quarantine.csv"))
    if len(crm.quarantine):
        crm.write_quarantine(q_path)
        print(f"  quarantined rows and reasons written to {q_path}")
    status = 0
    if args.out:
        cal = calibrate(crm, base, args.refine, source=args.crm.name)
        print()
        print(format_summary(cal.fit.summary(cal.data["currency"])))
        for title, table in (("win rate by segment", cal.fit.win_by_segment), ("win rate by product", cal.fit.win_by_product)):
            if table is not None:
                print(f"\n{title}:\n" + table[["group", "deals", "won", "lost", "open", "win_rate", "multiplier"]]
                      .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if cal.fit.stages is not None:
            print("\nstages (from history):\n" + cal.fit.stages[["stage_index", "entered", "moved_on", "lost", "open",
                                                                 "conversion", "duration", "median_days"]]
                  .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print("\nassumptions:\n" + "\n".join(f"  - {a}" for a in cal.fit.assumptions))
        print("\nwon cycle, candidates against the data (days):\n" + cal.fit.won_cycle.candidates.drop(
            columns=["parameters"]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print("\nbehaviour from history:\n" + cal.fit.behaviour[["estimate", "value", "low", "high", "set to"]]
              .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if cal.validation is not None:
            print("\nsimulation vs data:\n" + format_table(cal.validation))
        if cal.mismatch and not args.accept_mismatch:
            print(f"salessim calibrate: NOT MATCHED: {cal.mismatch}; nothing written "
                  "(--accept-mismatch writes it marked NOT VALIDATED)", file=sys.stderr)
            return 2
        cal.write(args.out, q_path, accept_mismatch=args.accept_mismatch)
        mark = " (NOT VALIDATED)" if cal.mismatch else ""
        print(f"\nscenario written to {args.out}{mark}")
    if args.backtest is not None:
        result = backtest(crm, base, test_months=args.backtest, seeds=tuple(range(args.seeds)),
                          refine_iterations=args.refine)
        print()
        print(result)
        status = 0 if result.passed else 1
    return status


def format_summary(summary) -> str:
    import numpy as np

    lines = ["fitted:"]
    for r in summary.itertuples():
        if not np.isfinite(r.value):
            lines.append(f"  {r.parameter}: {r.unit}")
        elif r.unit == "%":
            lines.append(f"  {r.parameter}: {r.value:.1%}")
        else:
            lines.append(f"  {r.parameter}: {r.value:,.3g} {r.unit}" if r.value < 100 else f"  {r.parameter}: {r.value:,.0f} {r.unit}")
    return "\n".join(lines)
