"""Benchmark of the plan optimiser (issue 17): a 6-parameter search on midmarket
(data/search/commission_mix.yaml) with a small budget on 2 worker processes.

Rows: wall time and simulations of the small search; simulation time per run; the projected wall
time of the issue's full run (budget 200: explore at 4 replications, race to 16) and of a 10x
longer reference run (budget 2,000) from the measured time per run; the recommended plan's net
contribution against today's (paired, same replications). Whether the full run lands within 2%
of the 10x run is measured by ``benchmarks/optimise_reference.py`` (~35 minutes, not part of
``make bench``; results in docs/optimiser.md). Set SALESSIM_BENCH_OPTIMISE_BUDGET to change the budget.
Run: ``python benchmarks/bench_optimise.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from salessim.experiments import ProcessExecutor  # noqa: E402
from salessim.experiments.optimise import Racing, optimise  # noqa: E402
from salessim.experiments.optimise.goals import NET  # noqa: E402

MIDMARKET = ROOT / "data" / "scenarios" / "midmarket.yaml"
SEARCH = ROOT / "data" / "search" / "commission_mix.yaml"
RACE = Racing(start=2, final=6, finalists=2)  # small: 2 replications while exploring, race to 6
FULL = Racing()  # the search file's race: 4 -> 16 replications


def bench() -> list[dict]:
    budget = int(os.environ.get("SALESSIM_BENCH_OPTIMISE_BUDGET", "48"))
    rows: list[dict] = []
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows.append({"name": "load average (1 min) at start", "value": round(load, 2), "unit": "", "target": "(context)"})
    with tempfile.TemporaryDirectory() as tmp, ProcessExecutor(2) as two:
        t0 = time.perf_counter()
        res = optimise(MIDMARKET, SEARCH, budget, replications=RACE, executor=two, store=tmp, progress=False, seed=0)
        wall = time.perf_counter() - t0
        sim = res.comparison.runs["sim_seconds"].mean()
    n = res.simulations["total"]
    per_run = wall * 2 / n  # worker-seconds per simulation, including the optimiser's overhead
    rows.append({"name": f"6-parameter midmarket search, budget {budget}, 2 workers", "value": round(wall, 1), "unit": "s",
                 "target": "(small CI budget)"})
    rows.append({"name": "  simulations spent (candidate x replication)", "value": n, "unit": "runs", "target": f"<= {budget}"})
    rows.append({"name": "  candidate plans evaluated", "value": res.simulations["candidates"], "unit": "", "target": "(context)"})
    rows.append({"name": "  simulation time per run in a worker (mean)", "value": round(float(sim), 2), "unit": "s", "target": "(context)"})
    rows.append({"name": "  worker-seconds per simulation, all overhead included", "value": round(per_run, 2), "unit": "s", "target": "(context)"})
    rows.append({"name": "projected full run (budget 200, race 4 -> 16), 2 workers", "value": round(200 * per_run / 2 / 60, 1),
                 "unit": "min", "target": "<= 15 min"})
    rows.append({"name": "projected 10x reference run (budget 2,000), 2 workers", "value": round(2000 * per_run / 2 / 60, 1),
                 "unit": "min", "target": "(context)"})
    d = res.kpi_table().set_index("kpi").loc[NET]
    rows.append({"name": "  recommended - today, net contribution (paired mean)", "value": round(float(d["diff"]) / 1e6, 2),
                 "unit": "M USD", "target": "(context)"})
    rows.append({"name": "  recommended meets every constraint", "value": str(res.feasible), "unit": "", "target": "True"})
    return rows


if __name__ == "__main__":
    for r in bench():
        print(f"{r['name']:<62} {r['value']!s:>10} {r['unit']:<6} {r['target']}")
