"""Territory design and quota setting speed: each strategy on 2,000 and 20,000 accounts.

Markets keep midmarket's ratios (20 accounts a rep, 4 regions; reps only get accounts of their
region), so 2,000 accounts = 100 reps and 20,000 accounts = 1,000 reps. ``min_disruption``
rebalances the as-is design on workload. Times are wall-clock seconds of one call (the solvers
are deterministic; k-means is seeded), measured on this machine at run time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from salessim.engine.streams import streams
from salessim.model.market import make_accounts
from salessim.model.quota import QuotaPlan, set_quotas, split_quota
from salessim.model.territory import (
    STRATEGIES,
    balance_report,
    design_territories,
    scenario_workload,
)
from salessim.scenario import load_scenario

MIDMARKET = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "midmarket.yaml"
TARGETS = {2000: "< 5", 20000: "< 60"}


def market(accounts: int):
    reps = accounts // 20
    sc = load_scenario(MIDMARKET, **{"org.reps": reps, "market.accounts": accounts, "market.leads_per_year": 30 * accounts})
    acc = make_accounts(sc.market, np.random.default_rng(0))
    acc["workload_hours"] = scenario_workload(acc, sc)
    return acc, reps, [sc.market.regions[i % 4] for i in range(reps)], sc


def bench() -> list[dict]:
    rows = []
    for n in (2000, 20000):
        acc, reps, regions, sc = market(n)
        as_is = None
        for strategy in STRATEGIES:
            t = time.perf_counter()
            a = design_territories(acc, reps, strategy, rep_regions=regions, current=as_is, rng=np.random.default_rng(0))
            elapsed = time.perf_counter() - t
            if strategy == "as_is":
                as_is = a
            r = balance_report(acc, a, reps, rep_regions=regions, current=as_is).set_index(["metric", "measure"])["value"]
            rows.append({"name": f"{strategy}, {n:,} accounts / {reps:,} reps", "value": elapsed, "unit": "s", "target": TARGETS[n]})
            rows.append({"name": "  -> CV of workload per rep", "value": float(r["cv", "workload"]), "unit": "ratio", "target": ""})
            rows.append({"name": "  -> accounts moved vs as-is", "value": float(r["share_moved", "accounts"]), "unit": "share", "target": ""})
        potential = np.bincount(as_is, acc["potential"], reps)
        t = time.perf_counter()
        q = set_quotas(QuotaPlan(annual_target=1e9, over_assignment=0.05), reps, potential=potential)
        split_quota(q.set_index("rep")["quota"], sc.market.seasonality, 1)
        rows.append({"name": f"top_down quotas + monthly split, {reps:,} reps", "value": time.perf_counter() - t, "unit": "s", "target": "< 1"})
    return rows


def midmarket_table() -> pd.DataFrame:
    """The balance table of docs/territories_and_quotas.md: midmarket accounts (seed 0), 100 reps
    in 4 regions, capacity 35 h x 52 weeks, tolerance ±10% (and ±15% for over/under)."""
    sc = load_scenario(MIDMARKET)
    acc = make_accounts(sc.market, streams(0)["accounts"])
    acc["workload_hours"] = scenario_workload(acc, sc)
    n, regions = sc.org.reps, [sc.market.regions[i % 4] for i in range(sc.org.reps)]
    cap = np.full(n, sc.org.weekly_hours * 52)
    designs = {}
    for s in ("as_is", "geographic", "balanced_potential", "balanced_workload"):
        designs[s] = design_territories(acc, n, s, rep_regions=regions, rng=np.random.default_rng(0))
    for exact in (False, True):
        designs["min_disruption" + (" exact" if exact else "")] = design_territories(
            acc, n, "min_disruption", rep_regions=regions, current=designs["as_is"], exact=exact)
    rows = {}
    for name, a in designs.items():
        r = balance_report(acc, a, n, rep_regions=regions, rep_capacity_hours=cap, current=designs["as_is"])
        r15 = balance_report(acc, a, n, rep_regions=regions, tolerance=0.15)
        rows[name] = {f"{m} {me}": v for m, me, v in r[["metric", "measure", "value"]].itertuples(index=False)}
        rows[name] |= {f"{m} {me} 15%": v for m, me, v in r15[["metric", "measure", "value"]].itertuples(index=False) if m.startswith("share_")}
    return pd.DataFrame(rows).T


def engine_effect(seeds: range = range(6)) -> pd.DataFrame:
    """Measured bookings of midmarket (12 months after warm-up) per territory design and seed,
    with today's engine: the design replaces ``SalesFloor.territory`` before the run (common
    random numbers: same leads and deal dice per seed)."""
    from salessim.engine.floor import SalesFloor
    from salessim.results.simulation import build_result

    sc = load_scenario(MIDMARKET)
    regions = [sc.market.regions[i % 4] for i in range(sc.org.reps)]
    rows = []
    for seed in seeds:
        as_is = None
        for strategy in ("as_is", "geographic", "balanced_potential", "balanced_workload", "min_disruption"):
            floor = SalesFloor(sc, seed)
            acc = floor.accounts.assign(workload_hours=scenario_workload(floor.accounts, sc))
            floor.territory = design_territories(acc, sc.org.reps, strategy, rep_regions=regions, current=as_is,
                                                 rng=np.random.default_rng(seed))
            as_is = floor.territory if strategy == "as_is" else as_is
            deals = build_result(floor.run(), seed).deals
            won = deals.query("outcome == 'won' and close_day >= 0")["amount"].sum()
            rows.append({"seed": seed, "strategy": strategy, "bookings": float(won)})
    df = pd.DataFrame(rows)
    df["vs_as_is"] = df["bookings"] / df.groupby("seed")["bookings"].transform("first") - 1
    return df


if __name__ == "__main__":
    if "--engine" in sys.argv:
        print(engine_effect().groupby("strategy", sort=False)["vs_as_is"].describe()[["mean", "min", "max"]].round(4).to_string())
        sys.exit()
    if "--midmarket" in sys.argv:
        with pd.option_context("display.width", 250, "display.max_columns", 50):
            print(midmarket_table().round(3).T.to_string())
    else:
        for row in bench():
            print(row)
