"""`make bench`: run every benchmarks/bench_*.py module's ``bench()`` and print one table.

Each ``bench()`` returns rows ``{"name", "value", "unit", "target"}``, measured on this machine
at run time. With ``--record`` (what ``make bench`` does) each area's rows, with the time and the
load average, replace that area's entry in ``docs/bench.json`` and the README's performance
table is regenerated from it (``salessim.ui.readme``): the README shows measured numbers only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
from pathlib import Path

from salessim.ui.readme import bench_value

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def load_average() -> str:
    """The 1-minute load average now (``?`` where the OS has none)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def plain(v):
    """A row value as JSON keeps it (numpy scalars -> Python numbers)."""
    return v.item() if hasattr(v, "item") else v


def record(results: dict[str, dict]) -> None:
    """Merge ``results`` (area -> run) into docs/bench.json and regenerate the README table."""
    from salessim.ui import readme

    bench = json.loads(readme.BENCH.read_text(encoding="utf-8")) if readme.BENCH.exists() else {}
    bench.update(results)
    readme.BENCH.write_text(json.dumps(bench, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    text = readme.README.read_text(encoding="utf-8")
    readme.README.write_text(readme.render(text, {}, bench), encoding="utf-8")
    print(f"recorded {', '.join(sorted(results))} in {readme.BENCH.relative_to(readme.ROOT)} and README.md")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.splitlines()[0])
    p.add_argument("areas", nargs="*", help="only these areas (engine, comp, ...; default: all)")
    p.add_argument("--record", action="store_true", help="store the rows and regenerate the README table")
    args = p.parse_args(argv)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"salessim benchmarks on {machine}")
    header = f"{'benchmark':<62} {'value':>12} {'unit':<6} {'target':<10}"
    for name in modules:
        area = name.removeprefix("bench_")
        if args.areas and area not in args.areas:
            continue
        when, load = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), load_average()
        rows = [{**r, "value": plain(r["value"])} for r in importlib.import_module(name).bench()]
        print(f"\n[{area}]")
        print(header)
        print("-" * len(header))
        for r in rows:
            print(f"{r['name']:<62} {bench_value(r['value']):>12} {r['unit']:<6} {r.get('target', ''):<10}")
        if args.record:  # area by area: a later area's failure loses nothing measured
            record({area: {"measured": when, "load": load, "machine": machine, "rows": rows}})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
