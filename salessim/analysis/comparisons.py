"""Compare designs (plans, structures, quota strategies) on the same market: replicate each through
the experiments runner with common random numbers, keep every run for per-rep analyses, and hand
the KPIs to :class:`salessim.experiments.compare.Comparison` for paired confidence intervals.

Money in the scenario's currency; attainment, effort and shares as fractions (1.0 = 100%).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from salessim.analysis.replications import ReplicationSet, replicate_all
from salessim.experiments.compare import Comparison
from salessim.results.kpis import attainment_by_rep, hockey_stick_index
from salessim.scenario import Scenario


def replicate_designs(designs: Mapping[str, Scenario], replications: int, seed: int = 0,
                      executor: Any = "serial") -> dict[str, ReplicationSet]:
    """Simulate every design ``replications`` times; replication *i* of every design uses the same
    seed (common random numbers), so design differences are paired run by run."""
    return replicate_all(designs, replications, seed, executor=executor)


def comparison(sets: Mapping[str, ReplicationSet], baseline: str | None = None) -> Comparison:
    """The runs as a :class:`Comparison` (``.summary()``: means, CIs, paired differences to the
    baseline, which defaults to the first design)."""
    names = list(sets)
    long = pd.concat([s.kpis().assign(scenario=name) for name, s in sets.items()], ignore_index=True)
    long["scenario"] = pd.Categorical(long["scenario"], categories=names)
    return Comparison(kpis=long[["scenario", "replication", "kpi", "value", "unit"]], baseline=baseline or names[0])


def rep_outcomes(sets: Mapping[str, ReplicationSet]) -> pd.DataFrame:
    """One row per design, replication and rep seat over the measured window: bookings, quota,
    attainment (bookings / quota), mean effort in active months (1.0 = normal), left (departures
    from the seat), and variable and total pay when the design has a comp plan."""
    rows = []
    for name, s in sets.items():
        for i, r in enumerate(s.results):
            led = r.ledger
            g = led.groupby("rep", observed=True)
            active = led[led["status"] != "vacant"].groupby("rep", observed=True)["effort"].mean()
            f = pd.DataFrame({"bookings": g["bookings"].sum(), "quota": g["quota"].sum(),
                              "attainment": attainment_by_rep(led), "effort": active,
                              "left": g["left"].sum().astype(int)})
            for col in ("variable_pay", "total_pay"):
                f[col] = g[col].sum() if col in led else np.nan
            rows.append(f.reset_index().assign(design=name, replication=i))
    out = pd.concat(rows, ignore_index=True)
    out["rep"] = out["rep"].astype(str)
    out["design"] = pd.Categorical(out["design"], categories=list(sets))
    return out[["design", "replication", "rep", "bookings", "quota", "attainment", "effort", "left",
                "variable_pay", "total_pay"]]


def pay_changes(outcomes: pd.DataFrame, current: str, proposed: str, replication: int = 0) -> pd.DataFrame:
    """Winners and losers: each rep seat's total pay under ``current`` and ``proposed`` in the same
    replication (same leads, same luck; behaviour may differ), the change and its share of the
    current pay, sorted from the biggest loser to the biggest winner."""
    o = outcomes[outcomes["replication"] == replication].set_index(["design", "rep"])["total_pay"]
    a, b = o.loc[current], o.loc[proposed]
    out = pd.DataFrame({"rep": a.index, "pay_current": a.to_numpy(), "pay_proposed": b.reindex(a.index).to_numpy()})
    out["change"] = out["pay_proposed"] - out["pay_current"]
    out["change_share"] = out["change"] / out["pay_current"].where(out["pay_current"] != 0)
    return out.sort_values("change", ignore_index=True)


def winners_losers_summary(changes: pd.DataFrame, threshold: float = 0.05) -> pd.DataFrame:
    """Share of reps whose pay rises or falls by more than ``threshold`` (fraction) and the
    median change in currency (tidy: metric, value)."""
    s = changes["change_share"].dropna()
    return pd.DataFrame({"metric": [f"reps gaining more than {threshold:.0%}", f"reps losing more than {threshold:.0%}",
                                    "median change per rep", "largest gain", "largest loss"],
                         "value": [float((s > threshold).mean()), float((s < -threshold).mean()),
                                   float(changes["change"].median()), float(changes["change"].max()),
                                   float(changes["change"].min())]})


def ytd_attainment(ledger: pd.DataFrame) -> pd.DataFrame:
    """Per rep seat and month: effort and the year-to-date attainment at the start of the month
    (bookings / quota of the fiscal year's earlier months; calendar-year fiscal periods)."""
    led = ledger[["rep", "month", "bookings", "quota", "effort", "status"]].copy()
    led["year"] = led["month"].dt.year
    g = led.groupby(["rep", "year"], observed=True)
    before_b = g["bookings"].cumsum() - led["bookings"]
    before_q = g["quota"].cumsum() - led["quota"]
    led["ytd_attainment"] = before_b / before_q.where(before_q > 0)
    return led


def effort_by_ytd_attainment(sets: Mapping[str, ReplicationSet],
                             bands: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, np.inf)) -> pd.DataFrame:
    """Coasting: mean effort of active reps (1.0 = normal) by design and band of year-to-date
    attainment at the start of the month, with the number of rep-months in each band."""
    labels = [f"{lo:.0%}+" if not np.isfinite(hi) else f"{lo:.0%}-{hi:.0%}" for lo, hi in zip(bands, bands[1:], strict=False)]
    rows = []
    for name, s in sets.items():
        for r in s.results:
            led = ytd_attainment(r.ledger)
            led = led[(led["status"] != "vacant") & led["ytd_attainment"].notna()]
            led["band"] = pd.cut(led["ytd_attainment"], list(bands), labels=labels, right=False)
            rows.append(led.assign(design=name))
    d = pd.concat(rows, ignore_index=True)
    out = d.groupby(["design", "band"], observed=False).agg(effort=("effort", "mean"), rep_months=("effort", "size")).reset_index()
    out["design"] = pd.Categorical(out["design"].astype(str), categories=list(sets))
    return out


def hockey_stick_by_week(sets: Mapping[str, ReplicationSet]) -> pd.DataFrame:
    """Share of each design's bookings by week of the fiscal (calendar) quarter (1-13; the last
    days go to week 13), over all replications; the hockey-stick index (share in the quarter's
    last 2 weeks) is :func:`salessim.results.hockey_stick_index`."""
    rows = []
    for name, s in sets.items():
        for r in s.results:
            d = r.deals
            won = d[(d["outcome"] == "won") & d["close_day"].between(0, r.horizon_days, inclusive="left")]
            start = won["close_date"].dt.to_period("Q").dt.start_time
            week = np.minimum((won["close_date"] - start).dt.days // 7 + 1, 13)
            rows.append(pd.DataFrame({"design": name, "week": week.to_numpy(), "amount": won["amount"].to_numpy()}))
    d = pd.concat(rows, ignore_index=True)
    out = d.groupby(["design", "week"], sort=False)["amount"].sum().reset_index()
    out["share"] = out["amount"] / out.groupby("design")["amount"].transform("sum")
    out["design"] = pd.Categorical(out["design"], categories=list(sets))
    return out.sort_values(["design", "week"], ignore_index=True)


def hockey_stick_indices(sets: Mapping[str, ReplicationSet], last_days: int = 14) -> pd.DataFrame:
    """Hockey-stick index (share of bookings in each quarter's last ``last_days`` days) per design
    and replication."""
    return pd.DataFrame([(name, i, hockey_stick_index(r.deals, r.horizon_days, last_days))
                         for name, s in sets.items() for i, r in enumerate(s.results)],
                        columns=["design", "replication", "hockey_stick_index"])


def territory_balance(designs: Mapping[str, Scenario], current: str | None = None, tolerance: float = 0.1) -> pd.DataFrame:
    """Balance of each design's territories (:func:`salessim.model.territory.balance_report` on the
    scenario's layout, fair shares within each region), with accounts and potential moved versus
    the ``current`` design (default: the first). Tidy: design, metric, measure, value, unit."""
    from salessim.engine.layout import layout
    from salessim.model.territory import balance_report

    names = list(designs)
    ref = layout(designs[current or names[0]])
    rows = []
    for name, sc in designs.items():
        lay = layout(sc)
        if len(lay.accounts) != len(ref.accounts):
            raise ValueError(f"{name}: territories compared on different markets ({len(lay.accounts)} vs {len(ref.accounts)} accounts)")
        rep = balance_report(lay.accounts, lay.territory, len(lay.roster.region), rep_regions=np.asarray(sc.market.regions)[lay.roster.region],
                             current=ref.territory, tolerance=tolerance)
        rows.append(rep.assign(design=name))
    out = pd.concat(rows, ignore_index=True)
    return out[["design", "metric", "measure", "value", "unit"]]


def territory_loads(designs: Mapping[str, Scenario]) -> pd.DataFrame:
    """Per design and rep: accounts, potential and workload (hours/year) with their index over the
    rep's fair share within its region (1.0 = fair), from :func:`salessim.model.territory.territory_summary`."""
    from salessim.engine.layout import layout
    from salessim.model.territory import territory_summary

    rows = []
    for name, sc in designs.items():
        lay = layout(sc)
        s = territory_summary(lay.accounts, lay.territory, len(lay.roster.region),
                              rep_regions=np.asarray(sc.market.regions)[lay.roster.region])
        rows.append(s.assign(design=name))
    out = pd.concat(rows, ignore_index=True)
    out["design"] = pd.Categorical(out["design"], categories=list(designs))
    return out


def attainment_vs_potential(sets: Mapping[str, ReplicationSet]) -> pd.DataFrame:
    """Per design, replication and rep seat: attainment over the measured window and the seat's
    territory potential index (its accounts' potential over the mean territory's; 1.0 = average)."""
    from salessim.engine.layout import layout

    rows = []
    for name, s in sets.items():
        lay = layout(s.scenario)
        n = len(lay.roster.region)
        pot = np.bincount(lay.territory, lay.accounts["potential"].to_numpy(dtype=float), n)
        index = pd.Series(pot / pot.mean(), index=[f"R{i + 1:03d}" for i in range(n)])
        for i, r in enumerate(s.results):
            att = attainment_by_rep(r.ledger)
            att.index = att.index.astype(str)
            rows.append(pd.DataFrame({"design": name, "replication": i, "rep": att.index,
                                      "attainment": att.to_numpy(), "potential_index": index.reindex(att.index).to_numpy()}))
    out = pd.concat(rows, ignore_index=True)
    out["design"] = pd.Categorical(out["design"], categories=list(sets))
    return out


def quota_fairness(points: pd.DataFrame) -> pd.DataFrame:
    """Per design: :func:`salessim.model.quota.fairness` of attainment against territory potential
    (Spearman rho, 0 = fair; > 0 = rich territories make quota more easily), computed per
    replication and averaged, with the share of reps at or above quota and the attainment spread
    (P90 - P10, fraction)."""
    from salessim.model.quota import fairness

    rows = []
    for (name, i), g in points.dropna().groupby(["design", "replication"], observed=True):
        f = fairness(g["attainment"], g["potential_index"]).set_index("metric")["value"]
        rows.append({"design": name, "replication": i, "spearman_rho": f["spearman_rho"], "pearson_r": f["pearson_r"],
                     "slope_per_potential_index": f["slope_per_potential_index"],
                     "at_or_above_quota": float((g["attainment"] >= 1).mean()),
                     "attainment_spread": float(g["attainment"].quantile(0.9) - g["attainment"].quantile(0.1))})
    out = pd.DataFrame(rows).groupby("design", observed=True, sort=False).mean(numeric_only=True).drop(columns="replication")
    return out.reset_index()


def yearly_attainment(sets: Mapping[str, ReplicationSet]) -> pd.DataFrame:
    """Per design, replication, rep seat and calendar (fiscal) year: bookings, quota and attainment,
    and the quota change to the next year (multi-year runs, e.g. ratcheting quotas)."""
    rows = []
    for name, s in sets.items():
        for i, r in enumerate(s.results):
            led = r.ledger.assign(year=r.ledger["month"].dt.year)
            g = led.groupby(["rep", "year"], observed=True)[["bookings", "quota"]].sum().reset_index()
            g["attainment"] = g["bookings"] / g["quota"].where(g["quota"] > 0)
            rows.append(g.assign(design=name, replication=i))
    out = pd.concat(rows, ignore_index=True)
    out["rep"] = out["rep"].astype(str)
    out = out.sort_values(["design", "replication", "rep", "year"], ignore_index=True)
    nxt = out.groupby(["design", "replication", "rep"], sort=False)["quota"].shift(-1)
    out["next_quota_change"] = nxt / out["quota"] - 1
    out["design"] = pd.Categorical(out["design"], categories=list(sets))
    return out[["design", "replication", "rep", "year", "bookings", "quota", "attainment", "next_quota_change"]]
