"""``salessim run SCENARIO.yaml --seed N --out DIR``: simulate once, write tables, print KPIs."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from salessim.errors import SalessimError
from salessim.text_files import CSV_ENCODING
from salessim.ui.commands import natural


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="simulate a scenario once and print its headline KPIs")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--seed", type=natural, default=None, help="random seed (default: the scenario's)")
    p.add_argument("--out", type=Path, default=None, help="folder for deals/ledger/kpis tables")
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="table format")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario field, e.g. --set org.reps=50 (repeatable)")
    p.set_defaults(func=run)


FIELD_PATH = re.compile(r"^[A-Za-z_]\w*(\.\w+)*$")


def parse_overrides(items: list[str], flag: str = "--set") -> dict:
    """``["org.reps=50"]`` -> ``{"org.reps": 50}`` (values read as YAML by the strict reader)."""
    from salessim.inputs import parse_value

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not FIELD_PATH.match(key):
            raise SalessimError(f"{flag} {item}: expected PATH=VALUE with a dotted field path, e.g. {flag} org.reps=50")
        out[key] = parse_value(value, f"{flag} {key}")
    return out


def run(args: argparse.Namespace) -> int:
    from salessim.results import simulate
    from salessim.scenario import load_scenario
    from salessim.ui.formatting import format_kpis

    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise SalessimError(f"--out {args.out}: is a file (give a folder for the tables)")
    scenario = load_scenario(args.scenario, **parse_overrides(args.set))
    result = simulate(scenario, seed=args.seed)
    kpis = result.kpis()
    seed = scenario.seed if args.seed is None else args.seed
    print(f"{scenario.name}: {scenario.org.reps} reps, {scenario.calendar.horizon_months} months from "
          f"{scenario.calendar.start_date}, seed {seed}")
    print(format_kpis(kpis))
    if args.out:
        write_tables(result, args.out, args.format)
        print(f"tables written to {args.out}/")
    return 0


def write_tables(result, out: Path, fmt: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tables = {"deals": result.deals, "ledger": result.ledger, "reps": result.reps,
              "accounts": result.accounts, "kpis": result.kpis()}
    for name, df in tables.items():
        df = df.copy()
        for col in df.columns:
            if str(df[col].dtype).startswith("period"):
                df[col] = df[col].astype(str)
        if fmt == "parquet":
            df.to_parquet(out / f"{name}.parquet", index=False)
        else:
            df.to_csv(out / f"{name}.csv", index=False, encoding=CSV_ENCODING)
    (out / "scenario.yaml").write_text(result.scenario.to_yaml(), encoding="utf-8")
