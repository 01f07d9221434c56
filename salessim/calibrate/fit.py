"""Fitting a sales organisation to validated CRM deals (pure pandas/numpy/scipy, no simulation).

Inputs are the clean ``deals`` of :class:`~salessim.calibrate.validate.CrmImport` (created /
closed dates, status won/lost/open, amount, owner, optional segment/product/region/account) and
optionally its stage ``history``. Every deal counts as a lead entering the first funnel stage.
Units: days, the export's currency, fractions for rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salessim.calibrate.behaviour import estimate_behaviour
from salessim.calibrate.cycle import WonCycle, choose_won_cycle
from salessim.calibrate.survival import (
    CycleFit,
    DurationFit,
    aalen_johansen,
    fit_cycle,
    fit_duration,
)

MIN_GROUP_CLOSED = 30  # fewer closed deals than this: a group's multiplier is shrunk to 1


def _days(a: pd.Series, b: pd.Series | pd.Timestamp) -> np.ndarray:
    return ((b - a).dt.days if isinstance(b, pd.Series) else (b - a).dt.days).to_numpy(dtype=np.int64)


def cycle_days(deals: pd.DataFrame, as_of: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole days created→close for won and lost deals, and age at ``as_of`` for open ones."""
    won, lost, op = (deals["status"] == s for s in ("won", "lost", "open"))
    return (_days(deals.loc[won, "created"], deals.loc[won, "closed"]),
            _days(deals.loc[lost, "created"], deals.loc[lost, "closed"]),
            np.maximum(_days(deals.loc[op, "created"], as_of), 0))


# --------------------------------------------------------------------------- arrivals


@dataclass(frozen=True)
class Arrivals:
    """Lead (opportunity) arrivals: yearly rate, seasonality Jan..Dec (mean 1), monthly counts."""

    leads_per_year: float
    seasonality: list[float]
    monthly: pd.DataFrame
    full_months: int


def fit_arrivals(deals: pd.DataFrame, as_of: pd.Timestamp) -> Arrivals:
    """Rate from whole calendar months inside [first, last created date] (not after ``as_of``);
    partial edge months are left out (an export filtered by created date ends at its last lead).

    Seasonality is each calendar month's daily rate over the mean of the observed months;
    calendar months never observed get 1.0, empty ones 0.05 (the scenario needs a positive rate).
    """
    created = deals["created"]
    first, last = created.min(), min(created.max(), as_of)
    start = first if first.day == 1 else (first + pd.offsets.MonthBegin(1))
    end = (last + pd.Timedelta(days=1)).to_period("M").to_timestamp()  # first day after the last full month
    months = pd.period_range(start, end - pd.Timedelta(days=1), freq="M") if end > start else pd.PeriodIndex([], freq="M")
    counts = created.dt.to_period("M").value_counts().reindex(months, fill_value=0)
    if len(months) == 0:  # less than one full month: use the raw span
        span = max((last - first).days + 1, 1)
        return Arrivals(len(deals) / span * 365.25, [1.0] * 12, pd.DataFrame(columns=["month", "leads", "days"]), 0)
    days = np.array([m.days_in_month for m in months])
    monthly = pd.DataFrame({"month": months, "leads": counts.to_numpy(), "days": days})
    rate = monthly["leads"].sum() / days.sum()
    by_cal = monthly.assign(cal=[m.month for m in months]).groupby("cal")[["leads", "days"]].sum()
    daily = by_cal["leads"] / by_cal["days"]
    factors = (daily / daily.mean()).reindex(range(1, 13)).fillna(1.0).clip(lower=0.05)
    factors = factors / factors.mean()
    return Arrivals(float(rate * 365.25), [round(float(f), 4) for f in factors], monthly, len(months))


# --------------------------------------------------------------------------- win rates


def win_rates(deals: pd.DataFrame, as_of: pd.Timestamp, by: str | None = None) -> pd.DataFrame:
    """Censoring-aware win rate (Aalen-Johansen) overall or per group, with deal counts.

    ``multiplier`` is the group's rate over the overall rate, shrunk toward 1 for small groups
    (weight closed / (closed + MIN_GROUP_CLOSED)); ``median_won_days`` the group's median won cycle.
    """
    overall = aalen_johansen(*cycle_days(deals, as_of))
    groups = [(None, deals)] if by is None else list(deals.groupby(by, sort=True, observed=True))
    rows = []
    for key, g in groups:
        inc = aalen_johansen(*cycle_days(g, as_of))
        closed = int((g["status"] != "open").sum())
        w = closed / (closed + MIN_GROUP_CLOSED)
        rate = inc.share_a
        rows.append({
            "group": "all" if key is None else key, "deals": len(g), "won": int((g["status"] == "won").sum()),
            "lost": int((g["status"] == "lost").sum()), "open": int((g["status"] == "open").sum()),
            "closed_win_rate": _ratio((g["status"] == "won").sum(), closed),
            "win_rate": rate,
            "multiplier": 1.0 + w * (rate / overall.share_a - 1.0) if closed else 1.0,
            "median_won_days": inc.median_a(),
        })
    return pd.DataFrame(rows)


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


# --------------------------------------------------------------------------- deal size


@dataclass(frozen=True)
class DealSizes:
    """Lognormal won-deal amounts: log a = segment effect + product effect + noise."""

    segments: pd.DataFrame  # segment, deals, median, sigma
    products: pd.DataFrame  # product, deals, size_multiplier (reference product = 1)
    median: float
    n: int


def censoring_weights(deals: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Inverse-probability-of-censoring weights for won deals (1 / share of deals followed that long).

    A deal won after ``d`` days can only be in the export if it was created at least ``d`` days
    before ``as_of``; long-cycle (often large) wins are under-represented near the snapshot. Each
    won deal counts ``1 / G(d)`` with ``G(d)`` the share of all deals created ``d`` or more days
    before ``as_of`` (capped at 20). Other deals get weight 1.
    """
    follow = np.sort(_days(deals["created"], as_of))
    won = deals["status"] == "won"
    d = _days(deals.loc[won, "created"], deals.loc[won, "closed"])
    g = 1.0 - np.searchsorted(follow, d, side="left") / len(follow)
    w = pd.Series(1.0, index=deals.index)
    w[won] = 1.0 / np.maximum(g, 0.05)
    return w


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    o = np.argsort(x)
    cw = np.cumsum(w[o])
    return float(x[o][np.searchsorted(cw, cw[-1] / 2)])


def fit_deal_sizes(deals: pd.DataFrame, as_of: pd.Timestamp) -> DealSizes:
    """Weighted least squares on log amounts of won deals with amount > 0 (all deals if < 30 won).

    Won deals carry :func:`censoring_weights`. The most common product is the reference
    (multiplier 1); a segment's ``median`` is for that product, ``sigma`` the residual log-sd
    within the segment; ``median`` the weighted median won amount.
    """
    weights = censoring_weights(deals, as_of)
    d = deals[(deals["amount"] > 0) & (deals["status"] == "won")]
    if len(d) < 30:
        d = deals[deals["amount"] > 0]
    wt = weights[d.index].to_numpy()
    seg = d["segment"].fillna("all").astype(str)
    prod = d["product"].fillna("all").astype(str)
    segs = sorted(seg.unique())
    prods = list(prod.value_counts().index)  # most common first = reference
    y = np.log(d["amount"].to_numpy())
    si = pd.Categorical(seg, segs).codes
    pi = pd.Categorical(prod, prods).codes
    X = np.zeros((len(d), len(segs) + len(prods) - 1))
    X[np.arange(len(d)), si] = 1.0
    mask = pi > 0
    X[np.flatnonzero(mask), len(segs) + pi[mask] - 1] = 1.0
    sw = np.sqrt(wt)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
    resid = y - X @ beta
    sig = [float(np.sqrt(np.average(resid[si == i] ** 2, weights=wt[si == i]))) if (si == i).sum() > 1 else 0.8
           for i in range(len(segs))]
    segments = pd.DataFrame({"segment": segs, "deals": np.bincount(si, minlength=len(segs)),
                             "median": np.exp(beta[: len(segs)]), "sigma": sig})
    products = pd.DataFrame({"product": prods, "deals": np.bincount(pi, minlength=len(prods)),
                             "size_multiplier": np.exp(np.concatenate([[0.0], beta[len(segs):]]))})
    return DealSizes(segments, products, _weighted_median(d["amount"].to_numpy(), wt), len(d))


# --------------------------------------------------------------------------- reps


def rep_productivity(deals: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Per-rep win-rate multiplier, standardised for segment/product mix and shrunk to the team.

    Expected wins ``E_r`` use each closed deal's (segment, product) cell win rate; the raw
    multiplier is ``O_r / E_r``. The between-rep variance ``tau2`` is estimated by the method of
    moments (observed spread minus binomial noise); each rep's multiplier is shrunk toward 1
    with weight ``tau2 / (tau2 + noise_r)``. Returns the table and ``sd = sqrt(tau2)``.
    """
    closed = deals[deals["status"] != "open"].copy()
    closed["won"] = (closed["status"] == "won").astype(float)
    cell = [closed["segment"].astype(object).fillna("all"), closed["product"].astype(object).fillna("all")]
    closed["p"] = closed.groupby(cell)["won"].transform("mean").clip(1e-6, 1 - 1e-6)
    closed["v"] = closed["p"] * (1 - closed["p"])
    closed["booked"] = closed["amount"].where(closed["won"] > 0, 0.0)
    g = closed.groupby("owner", sort=True).agg(closed=("won", "size"), won=("won", "sum"), expected=("p", "sum"),
                                                 var=("v", "sum"), bookings=("booked", "sum"))
    g["raw"] = g["won"] / g["expected"]
    g["noise"] = g["var"] / g["expected"] ** 2
    ok = g["expected"] >= 1.0
    tau2 = float(max(0.0, ((g.loc[ok, "raw"] - 1) ** 2 - g.loc[ok, "noise"]).mean())) if ok.any() else 0.0
    g["weight"] = tau2 / (tau2 + g["noise"]) if tau2 > 0 else 0.0
    g["skill"] = 1 + g["weight"] * (g["raw"] - 1)
    g["open"] = deals[deals["status"] == "open"].groupby("owner").size().reindex(g.index, fill_value=0)
    return g.reset_index().rename(columns={"owner": "rep"}), float(np.sqrt(tau2))


# --------------------------------------------------------------------------- stages


def fit_stages(history: pd.DataFrame, deals: pd.DataFrame, n_stages: int, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per funnel stage from a stage history: censoring-aware conversion and a duration fit.

    Each entry into a working stage ends at the next entry (moved on if to a later stage or won),
    at the deal's loss (lost in that stage) or is still running at ``as_of`` (censored).
    Moves back to an earlier stage are not counted as exits. Durations: lognormal vs gamma by AIC.
    """
    h = history[(history["stage_index"] >= 0) & (history["stage_index"] < n_stages)]
    h = h.sort_values(["opportunity_id", "entered", "stage_index"], kind="stable")
    nxt_same = h["opportunity_id"].shift(-1) == h["opportunity_id"]
    h = h.assign(next_stage=h["stage_index"].shift(-1).where(nxt_same), next_date=h["entered"].shift(-1).where(nxt_same))
    info = deals.set_index("opportunity_id")[["status", "closed"]]
    h = h.join(info, on="opportunity_id", how="inner")
    last = h["next_stage"].isna()
    moved = (~last & (h["next_stage"] > h["stage_index"])) | (last & (h["status"] == "won"))
    lost = last & (h["status"] == "lost")
    open_ = last & (h["status"] == "open")
    end = h["next_date"].where(~last, h["closed"]).where(~open_, as_of)
    dur = np.maximum(_days(h["entered"], end), 0)
    rows = []
    for s in range(n_stages):
        m = (h["stage_index"] == s).to_numpy()
        mv, ls, op = (x.to_numpy() & m for x in (moved, lost, open_))
        inc = aalen_johansen(dur[mv], dur[ls], dur[op])
        ended = mv | ls
        fit: DurationFit | None = fit_duration(dur[ended], dur[op]) if ended.sum() >= 10 else None
        rows.append({"stage_index": s, "entered": int(m.sum()), "moved_on": int(mv.sum()), "lost": int(ls.sum()),
                     "open": int(op.sum()), "conversion": inc.share_a,
                     "duration": fit.family if fit else None,
                     "duration_params": fit.params() if fit else None,
                     "median_days": fit.median_days if fit else float("nan")})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- everything


@dataclass
class Fit:
    """All fitted quantities of one export; ``assumptions`` lists what the fit took for granted."""

    as_of: pd.Timestamp
    n_deals: int
    arrivals: Arrivals
    cycle: CycleFit
    win_overall: pd.DataFrame
    win_by_segment: pd.DataFrame | None
    win_by_product: pd.DataFrame | None
    deal_sizes: DealSizes
    reps: pd.DataFrame
    skill_sd: float
    stages: pd.DataFrame | None
    segment_shares: pd.DataFrame
    product_shares: pd.DataFrame
    regions: list[str]
    n_accounts: int | None
    assumptions: list[str] = field(default_factory=list)
    check: dict[str, float] = field(default_factory=dict)  # simulated win rate / median cycle of the scenario
    won_cycle: WonCycle | None = None  # the won-cycle distribution chosen by goodness of fit to the data
    behaviour: pd.DataFrame | None = None  # estimates from history (bunching, rep spread, turnover)
    attrition: float | None = None  # yearly quit probability to set (None: keep the base's)

    @property
    def win_rate(self) -> float:
        return self.cycle.win_rate

    def summary(self, currency: str = "currency") -> pd.DataFrame:
        """Headline fitted parameters (tidy: parameter, value, unit)."""
        rows = [
            ("opportunities", self.n_deals, "deals"),
            ("leads per year", self.arrivals.leads_per_year, "leads/yr"),
            ("win rate (mixture model)", self.cycle.win_rate, "%"),
            ("win rate (Aalen-Johansen)", float(self.win_overall["win_rate"].iloc[0]), "%"),
            ("win rate (closed deals only)", float(self.win_overall["closed_win_rate"].iloc[0]), "%"),
            ("median won cycle (data, censoring-aware)", self.won_cycle.data_quantile(0.5), "days"),
            (f"median won cycle (chosen: {self.won_cycle.kind})", self.won_cycle.median_days, "days"),
            ("median lost cycle", self.cycle.median_lost_days, "days"),
            (f"parametric cycle family (AIC {', '.join(f'{k} {v:,.0f}' for k, v in self.cycle.aic.items())})", np.nan, self.cycle.family),
            ("median won deal size", self.deal_sizes.median, currency),
            ("rep skill sd (between-rep, shrunk)", self.skill_sd, "x"),
            ("reps", len(self.reps), "reps"),
        ]
        return pd.DataFrame(rows, columns=["parameter", "value", "unit"])


def fit_crm(deals: pd.DataFrame, as_of: pd.Timestamp, history: pd.DataFrame | None = None, n_stages: int = 5,
            base_quit: float | None = None) -> Fit:
    """Fit everything the scenario needs from clean deals (and a stage history when given);
    ``base_quit``: the base scenario's yearly quit rate (kept unless the data contradict it)."""
    as_of = pd.Timestamp(as_of)
    won_d, lost_d, open_a = cycle_days(deals, as_of)
    overall = win_rates(deals, as_of)
    cycle = fit_cycle(won_d, lost_d, open_a, p0=float(overall["win_rate"].iloc[0]))
    has = {c: deals[c].notna().any() for c in ("segment", "product", "region", "account")}
    seg_win = win_rates(deals.assign(segment=deals["segment"].fillna("(none)")), as_of, "segment") if has["segment"] else None
    prod_win = win_rates(deals.assign(product=deals["product"].fillna("(none)")), as_of, "product") if has["product"] else None
    reps, sd = rep_productivity(deals)
    won_cycle = choose_won_cycle(cycle, won_d, lost_d, open_a)
    behaviour = estimate_behaviour(deals, as_of, reps, sd, base_quit)
    turn = behaviour[behaviour["set to"] == "staffing.attrition.base_annual_quit"]
    stages = fit_stages(history, deals, n_stages, as_of) if history is not None and len(history) else None
    seg = deals["segment"].fillna("all")
    if has["account"]:
        acc = deals.dropna(subset=["account"]).assign(segment=seg).groupby("segment")["account"].nunique()
        leads = seg.value_counts()
        seg_shares = pd.DataFrame({"accounts": acc, "leads": leads}).fillna(0)
    else:
        seg_shares = pd.DataFrame({"accounts": np.nan, "leads": seg.value_counts()})
    seg_shares = seg_shares.rename_axis("segment").reset_index()
    prod_shares = deals["product"].fillna("all").value_counts().rename_axis("product").reset_index(name="leads")
    assumptions = [
        "every opportunity in the export is a lead entering the first funnel stage",
        "open deals' close dates are expected dates and are ignored; open deals are right-censored at the as-of date "
        f"({as_of.date()})",
        "dates are whole days: a deal closed d days after creation closed in [d, d+1)",
        "segment and product win/size effects are multiplicative and independent (fitted as margins)",
    ]
    arrivals = fit_arrivals(deals, as_of)
    seen = {int(p.month) for p in arrivals.monthly["month"]} if len(arrivals.monthly) else set()
    if len(seen) < 12:
        assumptions.append(f"only {len(seen)} of 12 calendar months fully observed: the others take the base "
                           "scenario's seasonality (flat by default)")
    if not has["segment"]:
        assumptions.append("no segment column: one segment 'all'")
    if not has["product"]:
        assumptions.append("no product column: one product 'all'")
    if stages is None:
        assumptions.append("no stage history: stage structure kept from the base scenario; conversions set so "
                           "each stage keeps its share of the base's losses and their product is the fitted win "
                           "rate; durations carry the won-cycle distribution chosen by fit to the data")
    amounts = deals["amount"].isna().sum()
    if amounts:
        assumptions.append(f"{amounts:,} deals without an amount count for arrivals, win rate and cycle, "
                           "not for the deal-size fit")
    assumptions.append(f"won cycle: {won_cycle.kind} chosen (KS distance to the data curve at most "
                       f"{won_cycle.ks_tolerance:.3f} for a parametric family, then AIC; else the data curve)")
    return Fit(
        as_of=as_of, n_deals=len(deals), arrivals=arrivals, cycle=cycle, win_overall=overall,
        win_by_segment=seg_win, win_by_product=prod_win, deal_sizes=fit_deal_sizes(deals, as_of), reps=reps, skill_sd=sd,
        stages=stages, segment_shares=seg_shares, product_shares=prod_shares,
        regions=sorted(deals["region"].dropna().unique().tolist()) if has["region"] else [],
        n_accounts=int(deals["account"].nunique()) if has["account"] else None, assumptions=assumptions,
        won_cycle=won_cycle, behaviour=behaviour,
        attrition=float(np.clip(turn["value"].iloc[0], 0.0, 0.9)) if len(turn) else None,
    )
