"""``salessim forecast EXPORT``: bookings of the next months from the export's open pipeline.

Calibrates the org from the export (as ``salessim calibrate``), simulates the forecast window
``--replications`` times starting from the open deals at their stage and age, and prints
bookings per month and in total as P10/P50/P90 and per owner (with attainment and the chance of
reaching quota when ``--quota FILE`` is given: columns owner, period, quota). ``--out DIR``
writes the tables as CSV and the fan chart as PNG. ``--backtest N`` also forecasts from N
earlier cuts of the export and reports the error against what actually closed. A calibration
that does not reproduce the export is refused (exit status 2) unless ``--accept-mismatch``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from salessim.errors import SalessimError
from salessim.text_files import CSV_ENCODING
from salessim.ui.commands import count, date, export_arguments, natural


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("forecast", help="forecast next quarter's bookings from a CRM export's open pipeline")
    export_arguments(p)
    p.add_argument("--base", type=Path, help="scenario whose stages, hours and calendar are kept (default: midmarket's)")
    p.add_argument("--as-of", type=date, default=None,
                   help="forecast as the pipeline stood at the end of this day YYYY-MM-DD (default: the export's date)")
    p.add_argument("--quota", type=Path, help="quota file (CSV/Excel: owner, period, quota) for attainment")
    p.add_argument("--months", type=count, default=3, help="months to forecast (default 3: the next quarter)")
    p.add_argument("--replications", type=count, default=100, help="simulated runs (default 100)")
    p.add_argument("--seed", type=natural, default=0, help="random seed (default 0)")
    p.add_argument("--refine", type=natural, default=2, metavar="N", help="calibration refinements (default 2)")
    p.add_argument("--out", type=Path, help="folder for the CSV tables and the fan chart")
    p.add_argument("--backtest", type=count, default=None, metavar="CUTS",
                   help="also forecast from CUTS earlier cuts of the export and compare with what closed")
    p.add_argument("--backtest-replications", type=count, default=50, metavar="N",
                   help="simulated runs per back-test cut (default 50)")
    p.add_argument("--accept-mismatch", action="store_true",
                   help="forecast even when the calibration does not reproduce the export (marked NOT VALIDATED)")
    p.add_argument("--top", type=natural, default=20, help="owners to print, largest first (0: all; default 20)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from salessim.calibrate import _base, import_crm, load_mapping
    from salessim.calibrate.forecast import backtest_forecast, forecast
    from salessim.ui.charts.forecast import (
        backtest_frame,
        backtest_summary,
        monthly_frame,
        owner_frame,
    )
    from salessim.ui.formatting import text_table

    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise SalessimError(f"--out {args.out}: is a file (give a folder for the forecast tables)")
    if args.quota is not None and not args.quota.exists():
        raise SalessimError(f"{args.quota}: file not found (give the quota file: owner, period, quota)")
    base = _base(args.base)
    crm = import_crm(args.crm, load_mapping(args.mapping, args.preset), base.funnel.stage_names, args.history,
                     args.team, None, products=[p.name for p in base.market.products],
                     segments=[s.name for s in base.market.segments])
    print(crm.report)
    fc = forecast(crm, base=base, as_of=args.as_of, quotas=args.quota, months=args.months,
                  replications=args.replications, seed=args.seed, refine_iterations=args.refine,
                  accept_mismatch=args.accept_mismatch, progress=not args.no_progress)
    n_open = len(fc.pipeline.deals)
    print(f"\nforecast {fc.months[0]} to {fc.months[-1]} from {n_open:,} open deals on {fc.as_of.date()} "
          f"({fc.replications} runs, seed {fc.seed}):")
    print(text_table(monthly_frame(fc)))
    top = None if args.top == 0 else args.top
    shown = "" if top is None or top >= len(fc.owners) else f" (top {top} of {len(fc.owners)} by likely bookings)"
    print(f"\nper owner{shown}:")
    print(text_table(owner_frame(fc, top)))
    if fc.notes:
        print("\nnotes:\n" + "\n".join(f"  - {n}" for n in fc.notes))
    bt = None
    if args.backtest is not None:
        bt = backtest_forecast(fc.calibration.crm, base, cuts=args.backtest,
                               months=args.months, replications=args.backtest_replications, seed=args.seed,
                               refine_iterations=args.refine, progress=not args.no_progress)
        print("\nback-test (forecasts made at earlier dates vs what closed):")
        print(text_table(backtest_frame(bt, fc.currency)))
        print(backtest_summary(bt))
        if bt.notes:
            print("\n".join(f"  - {n}" for n in bt.notes))
    if args.out:
        write(fc, bt, args.out)
        print(f"\nforecast tables and fan chart written to {args.out}/")
    return 0


def write(fc, bt, out: Path) -> None:
    """forecast_monthly.csv, forecast_owners.csv, forecast_open_deals.csv, forecast_fan.png and,
    with a back-test, forecast_backtest.csv."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from salessim.ui.charts.forecast import fan_chart
    from salessim.ui.charts.style import use_style

    out.mkdir(parents=True, exist_ok=True)
    fc.monthly.to_csv(out / "forecast_monthly.csv", index=False, encoding=CSV_ENCODING)
    fc.owners.to_csv(out / "forecast_owners.csv", index=False, encoding=CSV_ENCODING)
    fc.pipeline.deals.to_csv(out / "forecast_open_deals.csv", index=False, encoding=CSV_ENCODING)
    if bt is not None:
        bt.table.to_csv(out / "forecast_backtest.csv", index=False, encoding=CSV_ENCODING)
    use_style()
    ax = fan_chart(fc)
    ax.figure.savefig(out / "forecast_fan.png", dpi=120, bbox_inches="tight")
    plt.close(ax.figure)
