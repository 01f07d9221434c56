"""Issue 17's performance claim, measured: does a budget-200 search land within 2% of the best plan a
10x longer search (budget 2,000) finds, and in how many minutes on 2 workers?

Both searches run the 6-parameter space of data/search/commission_mix.yaml on midmarket (same
sampler seed, same race 4 -> 16 replications). Their recommendations and today's plan are then
re-evaluated on ``--fresh`` replications none of the searches saw (seeded ``--fresh-seed``, common
random numbers across the three plans), so the comparison is not flattered by the luck the race
selected on. Printed: wall minutes and simulations per search, each plan's net contribution and
constraint checks on the fresh replications, and the gap of the budget-200 plan to the budget-2,000
plan as a share of the latter's net contribution (paired mean and 95% CI).

Takes ~1 hour on 2 quiet cores; not part of ``make bench``. Run:
``python benchmarks/optimise_reference.py [--small 200] [--large 2000] [--fresh 32] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from salessim.experiments import ProcessExecutor, replicate  # noqa: E402
from salessim.experiments.optimise import Racing, optimise  # noqa: E402
from salessim.experiments.optimise.goals import NET, evaluate, per_replication, rep_measure  # noqa: E402
from salessim.experiments.statistics import confidence_interval  # noqa: E402

MIDMARKET = ROOT / "data" / "scenarios" / "midmarket.yaml"
SEARCH = ROOT / "data" / "search" / "commission_mix.yaml"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=200)
    ap.add_argument("--large", type=int, default=2000)
    ap.add_argument("--fresh", type=int, default=32, help="fresh replications for the re-evaluation")
    ap.add_argument("--fresh-seed", type=int, default=20261202)
    ap.add_argument("--store", default=str(ROOT / "reports" / "optimise_reference" / "store"))
    ap.add_argument("--out", default=str(ROOT / "reports" / "optimise_reference" / "result.json"))
    ap.add_argument("--race", default="4,16,4", help="start,final,finalists replications")
    a = ap.parse_args(argv)
    start, final, finalists = (int(x) for x in a.race.split(","))
    race = Racing(start=start, final=final, finalists=finalists)
    out: dict = {"load average at start": os.getloadavg()[0]}
    found = {}
    with ProcessExecutor(2) as two:
        for label, budget in (("small", a.small), ("large", a.large)):
            t0 = time.perf_counter()
            res = optimise(MIDMARKET, SEARCH, budget, replications=race, executor=two, store=Path(a.store) / label, progress=True)
            minutes = (time.perf_counter() - t0) / 60
            found[label] = res
            out[label] = {"budget": budget, "minutes": round(minutes, 1), "load average at end": os.getloadavg()[0],
                          "simulations": res.simulations, "point": res.point, "feasible in search": res.feasible}
            print(f"budget {budget}: {minutes:.1f} min, {res.simulations['total']} simulations, "
                  f"{res.simulations['candidates']} candidates; point {res.point}", flush=True)
        small, large = found["small"], found["large"]
        plans = {"today": small.space.today, "small": small.recommended, "large": large.recommended}
        measure = {"rep_pay": rep_measure(small.space.today.plan)}
        fresh = replicate(plans, a.fresh, a.fresh_seed, two, measures=measure, progress=True)
    wide = {}
    for k in plans:
        kp = fresh.kpis[fresh.kpis["scenario"] == k]
        ev = evaluate(kp, fresh.measures["rep_pay"][fresh.measures["rep_pay"]["scenario"] == k], small.objective, small.constraints)
        wide[k] = per_replication(kp).sort_index()
        out.setdefault("fresh", {})[k] = {"objective": ev.objective, "feasible": ev.feasible, "replications": ev.replications,
                                          "checks": [(d, float(s), float(x)) for d, s, x in ev.checks]}
    base = wide["large"][NET].to_numpy()
    gap = confidence_interval(wide["small"][NET].to_numpy(), baseline=base)
    vs_today = {k: confidence_interval(wide[k][NET].to_numpy(), baseline=wide["today"][NET].to_numpy()) for k in ("small", "large")}
    scale = float(abs(base.mean()))
    out["gap small - large, share of large's net contribution"] = {
        "mean": gap.mean / scale, "low": gap.low / scale, "high": gap.high / scale}
    out["vs today (net contribution, USD)"] = {k: {"mean": iv.mean, "low": iv.low, "high": iv.high} for k, iv in vs_today.items()}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=2, default=str))
    print(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
