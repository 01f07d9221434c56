"""`make bench`: run every benchmarks/bench_*.py module's ``bench()`` and print one table.

Each ``bench()`` returns rows ``{"name", "value", "unit", "target"}``. Numbers are measured on
this machine at run time; record them in the README's performance table.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main(argv: list[str]) -> int:
    only = set(argv)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    print(f"salessim benchmarks on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    header = f"{'benchmark':<62} {'value':>12} {'unit':<6} {'target':<10}"
    for name in modules:
        if only and name.removeprefix("bench_") not in only:
            continue
        rows = importlib.import_module(name).bench()
        print(f"\n[{name.removeprefix('bench_')}]")
        print(header)
        print("-" * len(header))
        for r in rows:
            v = r["value"]
            value = f"{v:,.3f}" if isinstance(v, float) and abs(v) < 100 else f"{v:,.0f}" if isinstance(v, float) else str(v)
            print(f"{r['name']:<62} {value:>12} {r['unit']:<6} {r.get('target', ''):<10}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
