"""Notebook reports: wall time of `salessim report` per notebook, fast (test) and full (`make demo`)
mode, plus one scenario-explorer update (what a dashboard user waits for after moving a control).

Reports start a kernel each; on a shared machine the wall time depends on the load.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench() -> list[dict]:
    import matplotlib

    matplotlib.use("Agg")
    from salessim.ui.explorer import ScenarioExplorer
    from salessim.ui.report import list_notebooks, run_report

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in list_notebooks(ROOT / "notebooks").items():
            for mode, params in (("fast", {"fast": True}), ("full", {})):
                t0 = time.perf_counter()
                run_report(path, tmp, params)
                rows.append({"name": f"report {name} ({mode})", "value": time.perf_counter() - t0,
                             "unit": "s", "target": "< 15 s" if mode == "fast" else "< 60 s"})
    explorer = ScenarioExplorer(ROOT / "data" / "scenarios" / "midmarket.yaml")
    t0 = time.perf_counter()
    explorer.update(weekly_hours=30.0)
    rows.append({"name": "explorer update (20-rep copy, 5 paired replications)", "value": time.perf_counter() - t0,
                 "unit": "s", "target": "< 2 s"})
    return rows


if __name__ == "__main__":
    for r in bench():
        print(f"{r['name']:<58} {r['value']:>8.2f} {r['unit']}  target {r['target']}")
