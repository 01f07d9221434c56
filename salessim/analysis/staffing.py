"""Staffing measures over results: how fast new hires ramp, and annual attrition.

The ramp is measured the way a sales leader would, from bookings rather than from the model's
ramp parameter: a hire's bookings in each month after the hire month against what a tenured rep
books in a comparable territory that month (the same region's tenured reps, scaled by territory
potential). Ramp = months after the hire month until hires reach 90% of that.

``python -m salessim.analysis.staffing`` prints the seed-averaged figures of the default
midmarket scenario with 95% intervals (the numbers in docs/behaviour.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salessim.results.tables import SimResult

READY = 0.9  # share of a tenured rep's bookings that counts as ramped


def ramp_curve(result: SimResult, max_months: int = 12) -> pd.DataFrame:
    """Per month after the hire month (``k`` = 1 is the first full month): hires' bookings, the
    bookings tenured reps of comparable territories made (``expected``) and the number of hires.

    Hires are slot-months that follow a vacant month in the window (hires made during the
    warm-up are left out: their hire month is not seen). Tenured = slots still held by the
    person who held them at the start. Comparable = same region, scaled by territory potential.
    Bookings are :func:`own_territory_bookings` (covering a vacancy does not count).
    """
    led = result.ledger[["rep", "month", "status", "left"]].copy()
    led["rep"] = led["rep"].astype(str)
    led = led.sort_values(["rep", "month"], kind="stable", ignore_index=True)
    led["bookings"] = own_territory_bookings(result).reindex(pd.MultiIndex.from_frame(led[["rep", "month"]]),
                                                            fill_value=0.0).to_numpy()
    reps = result.reps.assign(rep=result.reps["rep"].astype(str)).set_index("rep")
    led["region"] = reps["region"].astype(str).reindex(led["rep"]).to_numpy()
    led["potential"] = reps["potential"].reindex(led["rep"]).to_numpy()
    led["m"] = led.groupby("rep").cumcount()
    vacant = (led["status"] == "vacant").to_numpy()
    departed = led.groupby("rep")["left"].cumsum().to_numpy() > 0  # the incumbent has left (this month or before)
    tenured = ~departed & ~vacant
    t = led[tenured]
    per_potential = (t.groupby(["region", "m"])["bookings"].sum() / t.groupby(["region", "m"])["potential"].sum())
    led["expected"] = per_potential.reindex(pd.MultiIndex.from_frame(led[["region", "m"]])).to_numpy() * led["potential"]
    # the month after a vacant month that is not vacant: a hire month; k counts months after it
    rep = led["rep"].to_numpy()
    same_rep = np.r_[False, rep[1:] == rep[:-1]]
    prev_vacant = np.r_[False, vacant[:-1]] & same_rep
    hire_month = prev_vacant & ~vacant
    rows = []
    for i in np.flatnonzero(hire_month):
        j, k = i + 1, 1
        while j < len(led) and rep[j] == rep[i] and not vacant[j] and k <= max_months:
            rows.append((k, led.at[j, "bookings"], led.at[j, "expected"]))
            if led.at[j, "left"]:
                break
            j, k = j + 1, k + 1
    df = pd.DataFrame(rows, columns=["k", "bookings", "expected"])
    out = df.groupby("k").agg(bookings=("bookings", "sum"), expected=("expected", "sum"), hires=("bookings", "size"))
    return out.reindex(pd.RangeIndex(1, max_months + 1, name="k"), fill_value=0).reset_index()


def own_territory_bookings(result: SimResult) -> pd.Series:
    """Bookings per (rep, month) on the accounts of the rep's own territory: deals a rep closed
    while covering a vacant colleague's territory are left out, so that neither the hire nor
    the tenured colleagues who covered the vacancy are credited with another territory's sales."""
    d = result.deals
    owner = result.accounts.set_index("account")["rep"].astype(str)
    won = d[(d["outcome"] == "won") & d["close_month"].notna()]
    own = won[owner.reindex(won["account"]).to_numpy() == won["rep"].astype(str).to_numpy()]
    return own.groupby([own["rep"].astype(str), own["close_month"]])["amount"].sum().rename_axis(["rep", "month"])


def ramp_months(curves: pd.DataFrame | list[pd.DataFrame] | SimResult | list[SimResult], ready: float = READY) -> float:
    """Months after the hire month until hires book ``ready`` (90%) of a tenured rep in a
    comparable territory, from the pooled :func:`ramp_curve` of one or more runs (linear
    interpolation between months; ``nan`` if not reached). Accepts results or their curves."""
    items = curves if isinstance(curves, list) else [curves]
    frames = [ramp_curve(c) if isinstance(c, SimResult) else c for c in items]
    pooled = pd.concat(frames).groupby("k")[["bookings", "expected"]].sum()
    ratio = (pooled["bookings"] / pooled["expected"].where(pooled["expected"] > 0)).to_numpy()
    ks = pooled.index.to_numpy(float)
    prev_k, prev_r = 0.0, 0.0  # the hire month books (almost) nothing of its own
    for k, r in zip(ks, ratio, strict=True):
        if np.isfinite(r) and r >= ready:
            return float(prev_k + (ready - prev_r) / max(r - prev_r, 1e-12) * (k - prev_k))
        if np.isfinite(r):
            prev_k, prev_r = k, r
    return float("nan")


def attrition(result: SimResult) -> float:
    """Annual rep attrition of a run: leavers per rep slot per year (the KPI)."""
    kpis = result.kpis().set_index("kpi")["value"]
    return float(kpis["annual rep attrition"])


def staffing_measures(result: SimResult) -> pd.DataFrame:
    """A per-run measure for :func:`salessim.experiments.runner.replicate`: the ramp curve
    with the run's attrition on every row."""
    return ramp_curve(result).assign(attrition=attrition(result))


def staffing_figures(scenario="data/scenarios/midmarket.yaml", replications: int = 20, seed: int = 0,
                     **overrides) -> pd.DataFrame:
    """Seed-averaged annual attrition and ramp months with 95% intervals (rows: measure, mean,
    low, high, n). The ramp interval is over per-seed ramps; ``pooled`` is over all hires."""
    from salessim.experiments.runner import replicate
    from salessim.experiments.statistics import confidence_interval
    from salessim.scenario import load_scenario

    sc = load_scenario(scenario, **overrides)
    reps = replicate({"default": sc}, replications, seed=seed, measures={"staffing": staffing_measures},
                     progress=False)
    m = reps.measures["staffing"]
    per_run = [g.drop(columns=["scenario", "replication"]) for _, g in m.groupby("replication", sort=True)]
    att = [float(g["attrition"].iloc[0]) for g in per_run]
    ramps = [ramp_months(g) for g in per_run]
    rows = []
    for name, values in (("annual attrition", att), ("ramp months (per seed)", ramps)):
        ci = confidence_interval(values)
        rows.append({"measure": name, "mean": ci.mean, "low": ci.low, "high": ci.high,
                     "n": int(np.isfinite(values).sum())})
    rows.append({"measure": "ramp months (all hires pooled)", "mean": ramp_months(per_run), "low": np.nan,
                 "high": np.nan, "n": int(sum(g.loc[g["k"] == 1, "hires"].sum() for g in per_run))})
    return pd.DataFrame(rows)


if __name__ == "__main__":  # pragma: no cover - the figures script
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(staffing_figures(replications=n).to_string(index=False, float_format=lambda v: f"{v:.3g}"))
