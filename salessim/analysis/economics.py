"""Decision economics of designs run with common random numbers (:func:`replicate_designs`):
net contribution (revenue − comp cost − management cost), its paired difference to the
baseline with a confidence interval, incremental revenue per extra unit of comp, the design
that is best by net contribution and how sure that is, and who gains or loses (rep, segment).

Money in the scenario's currency, over the simulated window; shares as fractions. Every
interval is :func:`salessim.experiments.statistics.confidence_interval` (95% by default).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from salessim.analysis.replications import ReplicationSet
from salessim.experiments.statistics import confidence_interval

#: KPIs the net contribution is made of (``management cost`` is 0 where a structure has none).
PARTS = ("revenue", "comp cost", "management cost")


def net_contribution_runs(sets: Mapping[str, ReplicationSet]) -> pd.DataFrame:
    """Per design and replication: revenue, comp cost, management cost and net contribution
    (revenue − comp cost − management cost). A design without a comp plan has comp cost NaN."""
    rows = []
    for name, s in sets.items():
        k = s.kpis()
        w = k[k["kpi"].isin(PARTS)].pivot_table(index="replication", columns="kpi", values="value", aggfunc="first")
        w = w.reindex(columns=list(PARTS))
        w["management cost"] = w["management cost"].fillna(0.0)
        w["net contribution"] = w["revenue"] - w["comp cost"] - w["management cost"]
        rows.append(w.reset_index().assign(design=name))
    out = pd.concat(rows, ignore_index=True)
    out["design"] = pd.Categorical(out["design"], categories=list(sets))
    return out[["design", "replication", *PARTS, "net contribution"]]


def economics_summary(sets: Mapping[str, ReplicationSet], baseline: str | None = None,
                      level: float | None = None) -> pd.DataFrame:
    """One row per design: mean revenue, comp cost, management cost and net contribution with
    its interval; the paired difference of each to the baseline (``d_`` columns) with the
    interval of the net difference; ``revenue_per_comp``, extra revenue per extra unit of comp
    (Δrevenue / Δcomp, NaN when comp does not rise); ``p_better``, the share of replications
    where the design's net contribution beats the baseline's; ``n`` replications."""
    runs = net_contribution_runs(sets)
    names = list(sets)
    baseline = baseline or names[0]
    base = runs[runs["design"] == baseline].set_index("replication")
    rows = []
    for name in names:
        d = runs[runs["design"] == name].set_index("replication")
        net = confidence_interval(d["net contribution"].to_numpy(), level=level)
        b = base.reindex(d.index)
        diff = confidence_interval(d["net contribution"].to_numpy(), b["net contribution"].to_numpy(), level=level)
        d_rev = float((d["revenue"] - b["revenue"]).mean())
        d_comp = float((d["comp cost"] - b["comp cost"]).mean())
        d_mgmt = float((d["management cost"] - b["management cost"]).mean())
        rows.append({
            "design": name, "revenue": float(d["revenue"].mean()), "comp cost": float(d["comp cost"].mean()),
            "management cost": float(d["management cost"].mean()),
            "net contribution": net.mean, "net_low": net.low, "net_high": net.high,
            "d_revenue": d_rev, "d_comp": d_comp, "d_management": d_mgmt,
            "d_net": diff.mean, "d_net_low": diff.low, "d_net_high": diff.high,
            "revenue_per_comp": d_rev / d_comp if d_comp > 0 else np.nan,
            "p_better": float((d["net contribution"] > b["net contribution"]).mean()) if name != baseline else np.nan,
            "n": net.n,
        })
    return pd.DataFrame(rows)


def best_design(sets: Mapping[str, ReplicationSet], level: float | None = None) -> dict:
    """The design with the highest mean net contribution, the runner-up, and the paired
    difference best − runner-up with its interval (``low`` > 0: the ranking is clear at that
    level) and ``p_first``, the share of replications in which the best design is first.
    ``same``: designs whose net contribution equals the best's in every replication (e.g. a
    capacity-based quota when every rep has the same capacity); the runner-up is the best of the
    others, and ties among identical designs do not count against the best in ``p_first``."""
    runs = net_contribution_runs(sets)
    wide = runs.pivot_table(index="replication", columns="design", values="net contribution", observed=True)
    order = wide.mean().sort_values(ascending=False).index.tolist()
    top = wide[order[0]].to_numpy()
    same = [c for c in order[1:] if np.array_equal(wide[c].to_numpy(), top, equal_nan=True)]
    distinct = [c for c in order if c not in same]
    best = str(order[0])
    second = str(distinct[1]) if len(distinct) > 1 else None
    out = {"best": best, "second": second, "same": [str(c) for c in same], "net": float(top.mean()),
           "n": int(wide[order[0]].notna().sum())}
    if second is not None:
        iv = confidence_interval(top, wide[distinct[1]].to_numpy(), level=level)
        out.update(margin=iv.mean, low=iv.low, high=iv.high,
                   p_first=float((wide[distinct].idxmax(axis=1).astype(str) == best).mean()), clear=bool(iv.low > 0))
    return out


def segment_revenue(sets: Mapping[str, ReplicationSet], baseline: str | None = None,
                    level: float | None = None) -> pd.DataFrame:
    """Won revenue per design and customer segment (mean over replications), and the paired
    change to the baseline with its interval: who gains and who loses among segments."""
    rows = []
    for name, s in sets.items():
        for i, r in enumerate(s.results):
            won = r.deals[r.deals["outcome"] == "won"]
            g = won.groupby("segment", observed=False)["amount"].sum()
            rows += [{"design": name, "replication": i, "segment": str(seg), "revenue": float(v)} for seg, v in g.items()]
    d = pd.DataFrame(rows)
    baseline = baseline or next(iter(sets))
    wide = d.pivot_table(index=["segment", "replication"], columns="design", values="revenue", aggfunc="sum")
    out = []
    for (seg, g) in wide.groupby(level="segment"):
        for name in sets:
            if name not in g:
                continue
            iv = confidence_interval(g[name].to_numpy(), g[baseline].to_numpy(), level=level)
            out.append({"segment": seg, "design": name, "revenue": float(g[name].mean()),
                        "change": iv.mean, "change_low": iv.low, "change_high": iv.high, "n": iv.n})
    return pd.DataFrame(out)


def rep_pay_changes(outcomes: pd.DataFrame, current: str, proposed: str, threshold: float = 0.05) -> pd.DataFrame:
    """Per rep seat, over all replications: mean total pay and bookings under ``current`` and
    ``proposed`` (from :func:`~salessim.analysis.comparisons.rep_outcomes`), the pay change,
    its share of current pay, and ``group``: ``winner``/``loser`` beyond ``threshold``
    (fraction), else ``about the same``; sorted from the biggest loser to the biggest winner."""
    m = outcomes.groupby(["design", "rep"], observed=True)[["total_pay", "bookings"]].mean()
    a, b = m.loc[current], m.loc[proposed].reindex(m.loc[current].index)
    out = pd.DataFrame({"rep": a.index, "pay_current": a["total_pay"].to_numpy(), "pay_proposed": b["total_pay"].to_numpy(),
                        "bookings_current": a["bookings"].to_numpy(), "bookings_proposed": b["bookings"].to_numpy()})
    out["change"] = out["pay_proposed"] - out["pay_current"]
    out["change_share"] = out["change"] / out["pay_current"].where(out["pay_current"] != 0)
    out["group"] = np.select([out["change_share"] > threshold, out["change_share"] < -threshold],
                             ["winner", "loser"], "about the same")
    return out.sort_values("change", ignore_index=True)
