"""``salessim payouts PLAN.yaml PERFORMANCE.csv --out statements.csv``: payout statements an
analyst can check line by line against their spreadsheet (.csv/.xlsx in, .csv/.xlsx out)."""

from __future__ import annotations

import argparse
from pathlib import Path

from salessim.ui.commands import output_file


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("payouts", help="compute line-item payout statements for a comp plan")
    p.add_argument("plan", type=Path, help="comp plan YAML file")
    p.add_argument("performance", type=Path, help="performance table (.csv, .xlsx or .parquet)")
    p.add_argument("--out", type=output_file, default=None,
                   help="statements file (.csv, .xlsx with summary sheets, or .parquet)")
    p.add_argument("--summary", type=output_file, default=None, help="also write totals per rep and period (.csv)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from salessim.comp import load_plan, read_performance, statements, summary
    from salessim.comp.export import write_statements
    from salessim.text_files import CSV_ENCODING

    plan = load_plan(args.plan)
    perf = read_performance(args.performance)
    st = statements(plan, perf)
    per_period = summary(st, by="period")
    per_rep = summary(st, by="fiscal_year")
    reps, periods = per_period["rep"].nunique(), per_period["period"].nunique()
    cur = plan.currency
    print(f"{plan.name}: {reps} reps, {periods} periods, {len(st)} line items")
    cols = [c for c in ("base", "variable", "total") if c in per_rep]
    totals = per_rep[cols].sum()
    print("  ".join(f"{c} {totals[c]:,.2f} {cur}" for c in cols))
    top = per_rep.sort_values("total", ascending=False).head(10)
    print(top[["rep", "fiscal_year", *cols]].to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
    if args.out:
        write_statements(st, args.out)
        print(f"statements written to {args.out}")
    if args.summary:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        per_period.to_csv(args.summary, index=False, encoding=CSV_ENCODING)
        print(f"summary written to {args.summary}")
    return 0
