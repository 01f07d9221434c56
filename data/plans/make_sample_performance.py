"""Regenerate sample_performance.csv (seeded; run from the repository root):

    python data/plans/make_sample_performance.py

Six reps in two teams over 2026, monthly quota 50,000 (600,000/yr). One row per rep and month
carries the quota; bookings come as deal rows (product, segment). Edge cases on purpose: r06 is
hired mid-April (employed_share 0.5, no rows before), r03 leaves mid-September; r02 has a return
(a negative deal) in May; deal D-SPLIT is split 60/40 between r01 and r04; two churn rows (one
within the 6-month clawback window, one after it).
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(2026)
reps = {"r01": ("East", 1.35), "r02": ("East", 1.0), "r03": ("East", 0.8),
        "r04": ("West", 1.1), "r05": ("West", 0.6), "r06": ("West", 0.9)}
months = [f"2026-{m:02d}" for m in range(1, 13)]
rows = []
deal_no = 0
for rep, (team, skill) in reps.items():
    for i, month in enumerate(months):
        share = 1.0
        if rep == "r06":
            if i < 3:
                continue
            share = 0.5 if i == 3 else 1.0
        if rep == "r03":
            if i > 8:
                continue
            share = 0.5 if i == 8 else 1.0
        rows.append(dict(rep=rep, period=month, measure="bookings", credited=0.0, quota=50000.0,
                         employed_share=share, team=team))
        for _ in range(rng.poisson(3.0 * skill * share)):
            deal_no += 1
            seg = rng.choice(["A", "B", "C"], p=[0.2, 0.3, 0.5])
            size = {"A": 30000, "B": 15000, "C": 6000}[seg] * rng.lognormal(0, 0.5)
            rows.append(dict(rep=rep, period=month, measure="bookings", credited=round(size, 2),
                             deal=f"D{deal_no:04d}", product=rng.choice(["Core", "Analytics"], p=[0.7, 0.3]),
                             segment=seg, team=team))
rows.append(dict(rep="r02", period="2026-05", measure="bookings", credited=-8000.0, deal="D-RETURN",
                 product="Core", segment="B", team="East"))
for rep, share in (("r01", 0.6), ("r04", 0.4)):
    rows.append(dict(rep=rep, period="2026-07", measure="bookings", credited=40000.0, deal="D-SPLIT",
                     product="Core", segment="A", credit_share=share, team={"r01": "East", "r04": "West"}[rep]))
first_r01 = next(r for r in rows if r["rep"] == "r01" and r["period"] == "2026-02" and "deal" in r)
first_r05 = next(r for r in rows if r["rep"] == "r05" and r["period"] == "2026-01" and "deal" in r)
rows.append(dict(rep="r01", period="2026-06", measure="bookings", credited=first_r01["credited"],
                 deal=first_r01["deal"], event="churn", won_period="2026-02", team="East"))
rows.append(dict(rep="r05", period="2026-10", measure="bookings", credited=first_r05["credited"],
                 deal=first_r05["deal"], event="churn", won_period="2026-01", team="West"))
cols = ["rep", "period", "measure", "credited", "quota", "employed_share", "deal", "product", "segment",
        "event", "won_period", "credit_share", "team"]
out = Path(__file__).with_name("sample_performance.csv")
pd.DataFrame(rows).reindex(columns=cols).to_csv(out, index=False)
print(f"{len(rows)} rows -> {out}")
