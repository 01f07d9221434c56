"""From a :class:`~salessim.calibrate.fit.Fit` to a scenario that ``salessim.load_scenario`` accepts.

* Market: leads per year and seasonality as fitted; one segment per export segment (share of
  accounts and lead weight from distinct accounts when the export names them, deal size
  median/sigma, win and duration multipliers); one product per export product.
* Funnel: with a stage history, the fitted conversion and duration of each stage. Without one
  the *base* scenario's stages are kept (export stages map onto them through the mapping) and
  their conversions set so that each stage keeps its share of the base's log-losses and their
  product is the fitted win rate (a qualified win rate stays plausible). Durations: with a
  lognormal or gamma won cycle every base duration is scaled by one factor so the median won
  cycle (Monte Carlo over the stages and segment mix) is the fitted one; with an empirical or
  mixture won cycle (chosen by fit to the data, e.g. bimodal) the base stage with the longest
  duration *carries* that distribution and the others shrink to a small share of its lowest
  decile, so the simulated won cycle keeps the data's shape. ``refine`` then simulates the result
  and corrects the factors for what the engine adds (rep capacity, slipped deals).
* Org: one rep per owner, skill sd as fitted; weekly hours and stage rep hours from the base.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from salessim.calibrate.fit import Fit, rep_productivity
from salessim.scenario import Scenario, load_scenario

#: Base structure when none is given: the stages, hours and calendar of data/scenarios/midmarket.yaml
#: (stage durations summing to a ~60-65-day median cycle: Bridge Group SaaS AE 2017, secondary).
DEFAULT_BASE: dict[str, Any] = {
    "name": "default",
    "calendar": {"start_date": "2026-01-01", "horizon_months": 12, "warmup_months": 3},
    "market": {"accounts": 2000, "regions": ["All"], "leads_per_year": 60000,
               "segments": [{"name": "all", "share_of_accounts": 1.0, "potential_weight": 1.0,
                             "deal_size": {"median": 20000, "sigma": 0.6}}],
               "products": [{"name": "all", "share": 1.0}]},
    "funnel": {"slip_loss_per_week": 0.10, "stages": [
        {"name": "prospecting", "conversion": 0.35, "rep_hours": 0.5, "duration": {"dist": "lognormal", "median_days": 5, "sigma": 0.5}},
        {"name": "needs analysis", "conversion": 0.60, "rep_hours": 1.5, "duration": {"dist": "lognormal", "median_days": 10, "sigma": 0.5}},
        {"name": "demo", "conversion": 0.65, "rep_hours": 2.5, "duration": {"dist": "lognormal", "median_days": 12, "sigma": 0.5}},
        {"name": "proposal", "conversion": 0.70, "rep_hours": 2.5, "duration": {"dist": "lognormal", "median_days": 12, "sigma": 0.5}},
        {"name": "negotiation", "conversion": 0.85, "rep_hours": 1.5, "duration": {"dist": "lognormal", "median_days": 10, "sigma": 0.6}},
    ]},
    "org": {"reps": 100, "weekly_hours": 35, "skill": {"sd": 0.15}},
}


def default_base() -> Scenario:
    return load_scenario(DEFAULT_BASE)


def _shares(values: np.ndarray) -> list[float]:
    """Shares rounded to 6 decimals that sum to exactly 1 (rounding left on the largest)."""
    v = np.asarray(values, float)
    s = np.round(v / v.sum(), 6)
    s[np.argmax(s)] += 1.0 - s.sum()
    return [float(x) for x in np.round(s, 6)]


def _scale_duration(d: dict[str, Any], c: float) -> dict[str, Any]:
    d = dict(d)
    for key in ("median_days", "mean_days", "days"):
        if isinstance(d.get(key), list):
            lo = 0.0 if d["dist"] == "empirical" else 0.05
            d[key] = [round(float(np.clip(v * c, lo, 3650.0)), 4) for v in d[key]]
        elif key in d:
            d[key] = round(float(np.clip(d[key] * c, 0.05, 3650.0)), 4)
    return d


#: Carrier mode: the other stages together last this share of the won cycle's 10th percentile.
OTHER_STAGES_SHARE = 0.25


def _carry_cycle(stages: list[dict], cycle: dict[str, Any], p10: float, median: float) -> None:
    """The base stage with the longest median carries the won-cycle distribution ``cycle``; the
    other stages keep their shapes scaled to a combined median of ``OTHER_STAGES_SHARE x p10``."""
    sc = load_scenario({**DEFAULT_BASE, "funnel": {"stages": stages}})
    medians = np.array([st.duration.quantile(np.array([0.5]))[0] for st in sc.funnel.stages])
    carrier = int(np.argmax(medians))
    others = medians.sum() - medians[carrier]
    small = OTHER_STAGES_SHARE * max(p10, 0.5)
    for i, st in enumerate(stages):
        if i == carrier:
            st["duration"] = _scale_duration(cycle, max(1.0 - small / max(median, 1e-9), 0.05))
        elif others > 0:
            st["duration"] = _scale_duration(st["duration"], small / others)


def _loss_share_conversions(conv: np.ndarray, target: float) -> np.ndarray:
    """Conversions with product ``target`` where each stage keeps its share of the log-losses
    (``c_s = target ** (log c_s / sum log c)``); clipped to [0.001, 0.999]."""
    logs = np.log(np.clip(conv, 1e-6, 0.999))
    return np.clip(target ** (logs / logs.sum()), 0.001, 0.999)


def _won_cycle_median(stages: list[dict], seg_dur: np.ndarray, seg_p: np.ndarray, n: int = 20000) -> float:
    """Median days through all stages (Monte Carlo, fixed seed), segment duration mix applied."""
    rng = np.random.default_rng(12345)
    sc = load_scenario({**DEFAULT_BASE, "funnel": {"stages": stages}})
    total = np.zeros(n)
    for st in sc.funnel.stages:
        total += st.duration.quantile(rng.random(n))
    seg = rng.choice(len(seg_dur), size=n, p=seg_p / seg_p.sum())
    return float(np.median(total * seg_dur[seg]))


def _segments(fit: Fit, base: Scenario) -> list[dict[str, Any]]:
    sizes = fit.deal_sizes.segments.set_index("segment")
    shares = fit.segment_shares.set_index("segment")
    win = fit.win_by_segment.set_index("group") if fit.win_by_segment is not None else None
    base_seg = {s.name: s for s in base.market.segments}
    names = [str(x) for x in shares.index]
    overall_med = float(fit.win_overall["median_won_days"].iloc[0])
    if shares["accounts"].notna().all() and (shares["accounts"] > 0).all():
        acc = shares["accounts"].to_numpy(float)
        per_acc = shares["leads"].to_numpy(float) / acc
        weights = per_acc / (shares["leads"].sum() / acc.sum())
    else:
        acc = shares["leads"].to_numpy(float)
        weights = np.ones(len(names))
    out = []
    for name, share, weight in zip(names, _shares(acc), weights, strict=True):
        row = sizes.loc[name] if name in sizes.index else None
        median = float(row["median"]) if row is not None else fit.deal_sizes.median
        sigma = float(np.clip(row["sigma"], 0.05, 3.0)) if row is not None else 0.8
        seg = {"name": name, "share_of_accounts": share, "potential_weight": round(float(weight), 4),
               "deal_size": {"median": round(median, 2), "sigma": round(sigma, 4)}}
        if win is not None and name in win.index:
            g = win.loc[name]
            seg["win_multiplier"] = round(float(g["multiplier"]), 4)
            closed = g["won"] + g["lost"]
            if np.isfinite(g["median_won_days"]) and g["won"] > 0:
                w = closed / (closed + 30)
                seg["duration_multiplier"] = round(float(1 + w * (g["median_won_days"] / overall_med - 1)), 4)
        if name in base_seg:
            seg["hours_multiplier"] = base_seg[name].hours_multiplier
        out.append(seg)
    return out


def _products(fit: Fit) -> list[dict[str, Any]]:
    ps = fit.product_shares
    size = fit.deal_sizes.products.set_index("product")["size_multiplier"]
    win = fit.win_by_product.set_index("group")["multiplier"] if fit.win_by_product is not None else pd.Series(dtype=float)
    out = []
    for name, share in zip(ps["product"].astype(str), _shares(ps["leads"].to_numpy()), strict=True):
        out.append({"name": name, "share": share, "size_multiplier": round(float(size.get(name, 1.0)), 4),
                    "win_multiplier": round(float(win.get(name, 1.0)), 4)})
    return out


def warmup_months(fit: Fit, base: Scenario) -> int:
    """Warm-up long enough to fill the pipeline: the base's, but at least the 99th percentile of
    the fitted won cycle plus one month (a short warm-up misses the slow wins of the first months)."""
    q99 = fit.won_cycle.quantile(0.99)
    return int(min(36, max(base.calendar.warmup_months, 3, int(np.ceil(q99 / 30.4)) + 1)))


def _seasonality(fit: Fit, base: Scenario) -> tuple[float, list[float]]:
    """Leads per year and Jan..Dec factors; calendar months the export does not cover take the
    base scenario's pattern, scaled to the observed months (the yearly rate is rescaled so the
    observed months keep their fitted daily rate)."""
    f = np.array(fit.arrivals.seasonality, float)
    seen = sorted({int(p.month) for p in fit.arrivals.monthly["month"]}) if len(fit.arrivals.monthly) else []
    unseen = [m for m in range(1, 13) if m not in seen]
    if not seen or not unseen:
        return round(float(fit.arrivals.leads_per_year), 2), [round(float(x), 4) for x in f]
    b = np.array(base.market.monthly_factors)
    obs, new = np.array(seen) - 1, np.array(unseen) - 1
    f[new] = b[new] * f[obs].mean() / b[obs].mean()
    return round(float(fit.arrivals.leads_per_year * f.mean()), 2), [round(float(x), 4) for x in f]


def build_scenario(fit: Fit, base: Scenario | None = None, name: str = "calibrated", currency: str | None = None,
                   source: str = "a CRM export") -> dict[str, Any]:
    """The calibrated scenario as plain data (validated by ``load_scenario`` before returning)."""
    base = base or default_base()
    stages = [s.model_dump(mode="json") for s in base.funnel.stages]
    segments = _segments(fit, base)
    if fit.stages is not None:
        for st, row in zip(stages, fit.stages.itertuples(), strict=True):
            if np.isfinite(row.conversion):
                st["conversion"] = round(float(np.clip(row.conversion, 0.001, 1.0)), 5)
            if row.duration_params:
                st["duration"] = {"dist": row.duration, **{k: round(v, 4) for k, v in row.duration_params.items()}}
    else:
        conv = _loss_share_conversions(np.array([s["conversion"] for s in stages]), fit.win_rate)
        wc = fit.won_cycle
        if wc.kind in ("empirical", "lognormal_mixture"):
            _carry_cycle(stages, wc.duration, wc.quantile(0.1), wc.median_days)
        seg_dur = np.array([s.get("duration_multiplier", 1.0) for s in segments])
        seg_p = np.array([s["share_of_accounts"] * s["potential_weight"] for s in segments])
        c = wc.median_days / _won_cycle_median(stages, seg_dur, seg_p)
        for st, cv in zip(stages, conv, strict=True):
            st["conversion"] = round(float(cv), 5)
            st["duration"] = _scale_duration(st["duration"], c)
    leads, season = _seasonality(fit, base)
    # The simulation starts at the next fiscal-year start after the as-of date: quotas, plan
    # periods and rep behaviour (giving up, sandbagging) run on the fiscal year.
    start = (fit.as_of + pd.Timedelta(days=1)).to_period("M").to_timestamp()
    if start <= fit.as_of:
        start = start + pd.DateOffset(months=1)
    while start.month != base.calendar.fiscal_year_start_month:
        start = start + pd.DateOffset(months=1)
    reps = max(len(fit.reps), 1)
    data = {
        "name": name,
        "description": f"Calibrated from {source} ({fit.n_deals:,} opportunities to {fit.as_of.date()}).",
        "currency": currency or base.currency,
        "seed": base.seed,
        "calendar": {"start_date": str(start.date()), "horizon_months": base.calendar.horizon_months,
                     "warmup_months": warmup_months(fit, base),
                     "fiscal_year_start_month": base.calendar.fiscal_year_start_month},
        "market": {"accounts": max(fit.n_accounts or base.market.accounts, reps),
                   "regions": fit.regions or list(base.market.regions),
                   "leads_per_year": leads, "seasonality": season, "segments": segments, "products": _products(fit)},
        "funnel": {"slip_loss_per_week": base.funnel.slip_loss_per_week, "stages": stages},
        "org": {"reps": reps, "weekly_hours": base.org.weekly_hours,
                "skill": {"sd": round(float(min(fit.skill_sd, 1.0)), 4)}},
    }
    kept = base.to_dict()  # everything else (plan, quota, territories, behaviour, staffing, org design...)
    for key, value in kept.items():
        if key not in data and value is not None:
            data[key] = value
        elif isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**{k: v for k, v in value.items() if v is not None}, **data[key]}
    if fit.attrition is not None:
        staffing = data.setdefault("staffing", {})
        staffing["attrition"] = {**staffing.get("attrition", {}), "base_annual_quit": round(fit.attrition, 4)}
    load_scenario(data)
    return data


def _pooled_run(data: dict[str, Any], seeds: list[int]) -> tuple[pd.DataFrame, int]:
    """Deals of several replications (common horizon) stacked, and the horizon in days."""
    from salessim.results.simulation import simulate

    runs = [simulate(load_scenario(data), seed=s) for s in seeds]
    deals = pd.concat([r.deals.assign(replication=k) for k, r in enumerate(runs)], ignore_index=True)
    return deals, runs[0].horizon_days


def _rep_sd(closed: pd.DataFrame) -> float:
    """Rep heterogeneity measured on simulated closed deals as on the export (mean over replications)."""
    sds = []
    for _, g in closed.groupby("replication"):
        frame = pd.DataFrame({"status": g["outcome"].astype(str), "segment": g["segment"].astype(str),
                              "product": g["product"].astype(str), "owner": g["rep"].astype(str),
                              "amount": g["amount"].to_numpy()})
        sds.append(rep_productivity(frame)[1])
    return float(np.mean(sds))


def refine(data: dict[str, Any], fit: Fit, iterations: int = 2, seed: int = 0,
           replications: int = 3) -> tuple[dict[str, Any], dict[str, float], tuple[pd.DataFrame, int, int] | None]:
    """Simulate and correct conversions and durations so the simulated flow matches the data.

    Each iteration runs ``replications`` replications (pooled: staffing and behaviour make single
    runs noisy) and rescales every conversion by
    ``target / simulated win rate`` (stages keep their shares of the log-losses), every duration by
    ``data's median won cycle / simulated one`` and the inbound lead rate so that inbound plus the
    leads reps self-source (behaviour) equals the fitted opportunities per year, and sets
    ``org.skill.sd`` to the part of the fitted rep heterogeneity the engine does not already
    produce (effort, ramp-up, workload); a last
    pooled run checks the result. Returns the data and the check (simulated ``win_rate``,
    ``median_won_days``, ``opportunities_per_year``, ``self_sourced_per_year``, ``rep_sd``; empty without a
    run) and the last run (pooled deals, horizon days, replications; None without a run). With a stage history the fitted stages are realised values (they already include slipped
    deals and rep effort), so they are scaled by one common factor too; their relative shape stays.
    """
    check: dict[str, float] = {}
    rounds = max(iterations, 0)
    last = None
    if iterations <= 0:
        return data, check, last
    seeds = [seed + k for k in range(max(replications, 1))]
    for i in range(rounds + 1):
        d, h = _pooled_run(data, seeds)
        last = (d, h, len(seeds))
        h_total = h * len(seeds)
        closed = d[d["close_day"].between(0, h, inclusive="left")]
        won = closed[closed["outcome"] == "won"]
        if len(won) < 20:
            break
        created = d[d["created_day"].between(0, h, inclusive="left")]
        per_year = 365.25 / h_total
        self_sourced = float((created["source"] == "self-sourced").sum()) * per_year if "source" in created else 0.0
        check = {"win_rate": len(won) / len(closed), "median_won_days": float(won["cycle_days"].median()),
                 "opportunities_per_year": len(created) * per_year, "self_sourced_per_year": self_sourced,
                 "rep_sd": _rep_sd(closed)}
        if i == rounds:
            break
        # Reps differ in the engine by skill and by what it adds (effort, ramp-up, workload): give
        # skill only the part of the fitted heterogeneity the rest does not already produce.
        skill = data["org"]["skill"]["sd"]
        extra2 = max(check["rep_sd"] ** 2 - skill**2, 0.0)
        data["org"]["skill"]["sd"] = round(float(min(np.sqrt(max(fit.skill_sd**2 - extra2, 0.0)), 1.0)), 4)
        # Opportunities = inbound leads + what reps self-source (behaviour): solve for inbound.
        inbound = check["opportunities_per_year"] - self_sourced
        if inbound > 0:
            target = max(fit.arrivals.leads_per_year - self_sourced, 0.05 * fit.arrivals.leads_per_year)
            data["market"]["leads_per_year"] = round(float(data["market"]["leads_per_year"] * target / inbound), 2)
        stages = data["funnel"]["stages"]
        conv = _loss_share_conversions(np.array([s["conversion"] for s in stages]), min(
            np.prod([s["conversion"] for s in stages]) * fit.win_rate / check["win_rate"], 0.999))
        c = fit.won_cycle.data_quantile(0.5) / check["median_won_days"]
        for st, cv in zip(stages, conv, strict=True):
            st["conversion"] = round(float(cv), 5)
            st["duration"] = _scale_duration(st["duration"], c)
    load_scenario(data)
    return data, check, last


def write_scenario(data: dict[str, Any], path: str | Path, assumptions: list[str], summary: pd.DataFrame,
                   not_validated: str | None = None) -> Path:
    """Write the scenario YAML with a header that states the fit and every assumption;
    ``not_validated`` (the failed checks) marks it as not validated against the data."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    head = []
    if not_validated:
        head += [f"# NOT VALIDATED: the simulation does not reproduce the export ({not_validated});",
                 "# written with --accept-mismatch. Treat its results as indicative only."]
        data = {**data, "description": f"NOT VALIDATED against the export ({not_validated}). {data['description']}"}
    head.append("# Calibrated by `salessim calibrate`. Fitted values:")
    for r in summary.itertuples():
        if np.isfinite(r.value):
            v = f"{r.value:.1%}" if r.unit == "%" else (f"{r.value:,.0f} {r.unit}" if abs(r.value) >= 100
                                                         else f"{r.value:.4g} {r.unit}")
        else:
            v = r.unit
        head.append(f"#   {r.parameter}: {v}")
    head.append("# Assumptions:")
    head += [f"#   - {a}" for a in assumptions]
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text("\n".join(head) + "\n" + body, encoding="utf-8")
    return path
