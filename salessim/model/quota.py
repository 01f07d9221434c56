"""Quota (target) setting: how a company target becomes rep quotas, month by month.

Pure numpy/pandas/scipy. Money is in the scenario's currency; every allocation is made in whole
cents with largest-remainder rounding, so rep quotas add up to the company target x
(1 + over_assignment) exactly, to the cent, and a rep's months add up to its annual quota.

Strategies (:data:`STRATEGIES`) each give raw per-rep amounts that are then scaled to the target:

* ``top_down`` — the target split by territory potential (optionally via region targets first).
* ``historical_growth`` — last year's result x (1 + growth).
* ``equal_split`` — the same quota for everyone (or per unit of capacity).
* ``capacity_based`` — productivity per selling hour x selling hours x ramp x months staffed.
* ``bottom_up`` — reps' forecasts, corrected for padding, blended with a top-down split.
* ``ratchet`` — next quota = weighted average of last quota and last result, with a larger weight
  on the result after a beat than after a miss (Leone, Misra & Zimmerman 2004: quotas follow a
  weighted average of last year's sales and quota and rise more after a beat than they fall after
  a miss; the default weights are assumptions, not their estimates).

When no target is given, the strategy's own total is the target (over-assignment still applies).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator
from scipy import stats

from salessim.errors import SalessimError
from salessim.inputs import Frozen, Money, limited

STRATEGIES = ("top_down", "historical_growth", "equal_split", "capacity_based", "bottom_up", "ratchet")
#: Ratchet weights on last year's result (rest on last year's quota): assumptions that follow the
#: direction of Leone, Misra & Zimmerman (2004), a beat moves the quota more than a miss.
RATCHET_UP, RATCHET_DOWN = 0.5, 0.25
#: Spread of a rep's annual bookings around its expectation (coefficient of variation): assumption.
BOOKINGS_CV = 0.3


# --------------------------------------------------------------------------- cents


def _cents(amount: float, what: str = "target") -> int:
    if not np.isfinite(amount) or amount < 0:
        raise SalessimError(f"quota: {what} must be a finite amount >= 0, got {amount}")
    return int(round(amount * 100))


def allocate_cents(weights: Sequence[float], total_cents: int) -> np.ndarray:
    """Integer cents proportional to ``weights`` that sum to ``total_cents`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or len(w) == 0:
        raise SalessimError("quota: weights must be a non-empty list, one per rep")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise SalessimError(f"quota: weights must be finite and >= 0, got min {np.nanmin(w):g}")
    if w.sum() <= 0:
        if total_cents == 0:
            return np.zeros(len(w), np.int64)
        raise SalessimError("quota: cannot split a target over weights that are all zero")
    exact = total_cents * (w / w.sum())
    base = np.floor(exact).astype(np.int64)
    short = int(total_cents - base.sum())
    base[np.argsort(-(exact - base), kind="stable")[:short]] += 1
    return base


def allocate(weights: Sequence[float], target: float, over_assignment: float = 0.0) -> np.ndarray:
    """Quotas (currency) proportional to ``weights``, summing to ``target x (1 + over_assignment)``
    rounded to the cent, exactly."""
    if not 0 <= over_assignment <= 1:
        raise SalessimError(f"quota.over_assignment: must be between 0 and 1, got {over_assignment}")
    return allocate_cents(weights, _cents(target * (1 + over_assignment))) / 100


def _finish(raw: np.ndarray, target: float | None, over_assignment: float) -> np.ndarray:
    raw = np.asarray(raw, dtype=float)
    if np.any(raw < 0):
        raise SalessimError(f"quota: raw quotas must be >= 0, got {raw.min():g} (rep {int(np.argmin(raw))})")
    return allocate(raw, float(raw.sum()) if target is None else target, over_assignment)


def _vector(values, n: int | None, name: str) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim == 0 and n is not None:
        v = np.full(n, float(v))
    if v.ndim != 1 or (n is not None and len(v) != n):
        raise SalessimError(f"quota: {name}: expected {n} values, one per rep, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise SalessimError(f"quota: {name}: values must be finite")
    return v


# --------------------------------------------------------------------------- strategies


def top_down(
    target: float,
    potential: Sequence[float],
    over_assignment: float = 0.0,
    *,
    regions: Sequence[str] | None = None,
    region_targets: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Company target split by territory potential (currency per rep).

    With ``region_targets`` (which must sum to ``target``) the total is first split over regions in
    proportion to their targets, then within each region by potential.
    """
    pot = _vector(potential, None, "potential")
    if np.any(pot < 0):
        raise SalessimError(f"quota: potential: negative potential {pot.min():g} for rep {int(np.argmin(pot))}")
    if region_targets is None:
        return allocate(pot, target, over_assignment)
    if regions is None or len(regions) != len(pot):
        raise SalessimError("quota: region_targets need the region of every rep ('regions')")
    check_region_targets(region_targets, target)
    reg = np.asarray([str(r) for r in regions])
    missing = sorted(str(r) for r in set(reg) - set(region_targets))
    if missing:
        raise SalessimError(f"quota.region_targets: no target for region(s) {missing}")
    names = sorted(region_targets)
    region_total = allocate_cents([region_targets[r] for r in names], _cents(target * (1 + over_assignment)))
    out = np.zeros(len(pot), np.int64)
    for r, cents in zip(names, region_total, strict=True):
        m = reg == r
        if not m.any():
            if cents:
                raise SalessimError(f"quota.region_targets: region '{r}' has a target but no rep")
            continue
        out[m] = allocate_cents(pot[m], int(cents))
    return out / 100


def check_region_targets(region_targets: Mapping[str, float], target: float) -> None:
    """Raise if region targets do not add up to the company target (to the cent)."""
    total = sum(region_targets.values())
    if any(v < 0 for v in region_targets.values()):
        raise SalessimError("quota.region_targets: targets must be >= 0")
    if abs(_cents(total, "region targets") - _cents(target)) > 0:
        raise SalessimError(f"quota.region_targets: region targets sum to {total:,.2f} but the annual target is {target:,.2f}")


def equal_split(target: float, n_reps: int, over_assignment: float = 0.0,
                capacity: Sequence[float] | None = None) -> np.ndarray:
    """The same quota per rep (or per unit of ``capacity``, e.g. selling hours)."""
    if n_reps < 1:
        raise SalessimError(f"quota: n_reps must be >= 1, got {n_reps}")
    w = np.ones(n_reps) if capacity is None else _vector(capacity, n_reps, "capacity")
    return allocate(w, target, over_assignment)


def historical_growth(last_result: Sequence[float], growth: float = 0.1, target: float | None = None,
                      over_assignment: float = 0.0, *, floor: float = 0.0) -> np.ndarray:
    """Last year's result x (1 + ``growth``); ``floor`` (currency) keeps a rep with a bad or
    missing year from getting a zero quota. Scaled to ``target`` when one is given."""
    last = _vector(last_result, None, "last_result")
    if growth <= -1:
        raise SalessimError(f"quota.growth: must be > -1 (-100%), got {growth}")
    return _finish(np.maximum(last * (1 + growth), floor), target, over_assignment)


def ramp_factors(tenure_months: Sequence[float], ramp_months: float = 5.0, months: int = 12) -> np.ndarray:
    """Productivity factor (0-1) of each rep in each of the next ``months`` months: a linear ramp
    over ``ramp_months`` from hire (median AE ramp ~5 months, Bridge Group; secondary).
    Negative tenure = hired that many months from now (factor 0 until then)."""
    t = np.asarray(tenure_months, dtype=float)[:, None] + np.arange(months)[None, :] + 0.5
    if ramp_months <= 0:
        return (t > 0).astype(float)
    return np.clip(t / ramp_months, 0.0, 1.0)


def capacity_based(
    productivity_per_hour: float | Sequence[float],
    selling_hours: float | Sequence[float],
    ramp: float | Sequence[float] | np.ndarray = 1.0,
    vacancy_months: float | Sequence[float] = 0.0,
    target: float | None = None,
    over_assignment: float = 0.0,
    n_reps: int | None = None,
) -> np.ndarray:
    """What each rep can sell: productivity (currency per selling hour) x selling hours per year x
    mean ramp factor (scalar, per rep, or reps x months from :func:`ramp_factors`) x the share of
    the year the seat is filled (1 - vacancy_months / 12)."""
    r = np.asarray(ramp, dtype=float)
    if n_reps is None:
        sizes = [np.size(x) for x in (productivity_per_hour, selling_hours, vacancy_months) if np.ndim(x) == 1]
        n_reps = sizes[0] if sizes else (len(r) if r.ndim >= 1 else None)
    if n_reps is None:
        raise SalessimError("quota: capacity_based needs per-rep arrays or n_reps")
    prod = _vector(productivity_per_hour, n_reps, "productivity_per_hour")
    hours = _vector(selling_hours, n_reps, "selling_hours")
    vac = _vector(vacancy_months, n_reps, "vacancy_months")
    ramp_mean = _vector(r.mean(axis=1) if r.ndim == 2 else r, n_reps, "ramp")
    if np.any(prod < 0) or np.any(hours < 0) or np.any((ramp_mean < 0) | (ramp_mean > 1)) or np.any((vac < 0) | (vac > 12)):
        raise SalessimError("quota: capacity_based: productivity and hours must be >= 0, ramp within 0-1, vacancy within 0-12 months")
    return _finish(prod * hours * ramp_mean * (1 - vac / 12), target, over_assignment)


def bottom_up(
    forecasts: Sequence[float],
    padding: float = 0.0,
    top_down_quotas: Sequence[float] | None = None,
    blend: float = 0.5,
    target: float | None = None,
    over_assignment: float = 0.0,
) -> np.ndarray:
    """Reps' forecasts x (1 + ``padding``), ``padding`` being how much reps are believed to
    under-call (sandbag), blended with a top-down split: ``blend x forecast + (1 - blend) x
    top_down``. Without ``top_down_quotas`` the forecasts alone are used."""
    f = _vector(forecasts, None, "forecasts")
    if np.any(f < 0):
        raise SalessimError("quota: forecasts must be >= 0")
    if not -0.5 <= padding <= 1 or not 0 <= blend <= 1:
        raise SalessimError(f"quota: padding must lie in -0.5..1 and blend in 0..1, got {padding}, {blend}")
    raw = f * (1 + padding)
    if top_down_quotas is not None:
        raw = blend * raw + (1 - blend) * _vector(top_down_quotas, len(f), "top_down_quotas")
    return _finish(raw, target, over_assignment)


def ratchet(
    last_quota: Sequence[float],
    last_result: Sequence[float],
    up_weight: float = RATCHET_UP,
    down_weight: float = RATCHET_DOWN,
    growth: float = 0.0,
    target: float | None = None,
    over_assignment: float = 0.0,
) -> np.ndarray:
    """Next quota = (last quota + w x (result - last quota)) x (1 + growth), with w = ``up_weight``
    after a beat (result > quota) and ``down_weight`` after a miss."""
    q = _vector(last_quota, None, "last_quota")
    res = _vector(last_result, len(q), "last_result")
    if not (0 <= up_weight <= 1 and 0 <= down_weight <= 1):
        raise SalessimError(f"quota.ratchet: weights must lie in 0..1, got up {up_weight}, down {down_weight}")
    w = np.where(res > q, up_weight, down_weight)
    return _finish(np.maximum(q + w * (res - q), 0.0) * (1 + growth), target, over_assignment)


def check_reconciles(quotas: Sequence[float], target: float, over_assignment: float = 0.0) -> None:
    """Raise if ``quotas`` (e.g. typed in by hand) do not sum to target x (1 + over_assignment)."""
    got = int(np.round(np.asarray(quotas, dtype=float) * 100).sum())
    want = _cents(target * (1 + over_assignment))
    if got != want:
        raise SalessimError(f"quota: rep quotas sum to {got / 100:,.2f} but target x (1 + over_assignment) is {want / 100:,.2f}")


# --------------------------------------------------------------------------- over the year


def split_quota(
    annual: Sequence[float] | pd.Series,
    seasonality_by_month: Sequence[float] | None = None,
    fiscal_year_start_month: int = 1,
    *,
    fiscal_year: int = 2026,
    start_month: Sequence[int] | None = None,
    end_month: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Annual quotas by month: ``rep, fiscal_month (1-12), month (Period), quarter, quota``.

    ``seasonality_by_month`` gives the relative size of Jan..Dec (default: flat).
    ``fiscal_year`` is the calendar year in which the fiscal year starts. Hires and leavers are
    pro-rated: ``start_month`` / ``end_month`` are each rep's first / last active fiscal month
    (1-12); a rep's quota is its annual quota x the seasonal share of its active months, to the
    cent, and months outside are 0. The amount pro-rated away is not given to other reps.
    """
    if isinstance(annual, pd.Series):
        reps, amounts = annual.index.to_numpy(), annual.to_numpy(dtype=float)
    else:
        amounts = _vector(annual, None, "annual")
        reps = np.arange(len(amounts))
    n = len(amounts)
    if not 1 <= fiscal_year_start_month <= 12:
        raise SalessimError(f"quota: fiscal_year_start_month must be 1-12, got {fiscal_year_start_month}")
    season = np.ones(12) if seasonality_by_month is None else np.asarray(seasonality_by_month, dtype=float)
    if season.shape != (12,) or np.any(~np.isfinite(season)) or np.any(season <= 0):
        raise SalessimError("quota.seasonality: expected 12 positive numbers (Jan..Dec)")
    cal_month = (fiscal_year_start_month - 1 + np.arange(12)) % 12 + 1
    fiscal_season = season[cal_month - 1]
    first = np.ones(n, np.int64) if start_month is None else _vector(start_month, n, "start_month").astype(np.int64)
    last = np.full(n, 12, np.int64) if end_month is None else _vector(end_month, n, "end_month").astype(np.int64)
    if np.any((first < 1) | (first > 12) | (last < 1) | (last > 12) | (last < first)):
        raise SalessimError("quota: start_month and end_month must be fiscal months 1-12 with start <= end")
    fm = np.arange(1, 13)
    active = (fm[None, :] >= first[:, None]) & (fm[None, :] <= last[:, None])
    weights = active * fiscal_season[None, :]
    cents = np.zeros((n, 12), np.int64)
    for i in range(n):
        total = _cents(amounts[i], f"annual quota of rep {reps[i]}")
        prorated = int(round(total * weights[i].sum() / fiscal_season.sum()))
        cents[i] = allocate_cents(weights[i], prorated)
    year = fiscal_year + (fiscal_year_start_month - 1 + np.arange(12)) // 12
    periods = pd.PeriodIndex.from_fields(year=year, month=cal_month, freq="M")
    return pd.DataFrame(
        {
            "rep": np.repeat(reps, 12),
            "fiscal_month": np.tile(fm, n),
            "month": np.tile(periods, n),
            "quarter": np.tile((fm - 1) // 3 + 1, n),
            "quota": cents.ravel() / 100,
        }
    )


def by_quarter(monthly: pd.DataFrame) -> pd.DataFrame:
    """Roll a :func:`split_quota` frame up to ``rep, quarter, quota`` (summed in cents)."""
    cents = np.round(monthly["quota"].to_numpy() * 100).astype(np.int64)
    out = monthly.assign(cents=cents).groupby(["rep", "quarter"], as_index=False, sort=True)["cents"].sum()
    return out.assign(quota=out.pop("cents") / 100)


# --------------------------------------------------------------------------- attainability, fairness


def attainability(quota: Sequence[float], expected_bookings: Sequence[float], cv: float = BOOKINGS_CV) -> pd.DataFrame:
    """Expected attainment per rep: ``rep, quota, expected_bookings, expected_attainment,
    p_attain, attainment_p10, attainment_p50, attainment_p90``.

    A rep's annual bookings are lognormal with mean ``expected_bookings`` and coefficient of
    variation ``cv`` (scalar or per rep); ``p_attain`` = P(bookings >= quota). Compare the mean of
    ``p_attain`` with the 54-60% of reps at quota found by CSO Insights (secondary).
    """
    q = _vector(quota, None, "quota")
    mu_b = _vector(expected_bookings, len(q), "expected_bookings")
    c = _vector(cv, len(q), "cv")
    if np.any(q <= 0) or np.any(mu_b < 0) or np.any(c <= 0):
        raise SalessimError("quota: attainability needs quotas > 0, expected bookings >= 0 and cv > 0")
    sigma = np.sqrt(np.log1p(c**2))
    with np.errstate(divide="ignore"):
        mu = np.log(mu_b) - sigma**2 / 2
    dist = stats.lognorm(s=sigma, scale=np.exp(mu))
    return pd.DataFrame(
        {
            "rep": np.arange(len(q)),
            "quota": q,
            "expected_bookings": mu_b,
            "expected_attainment": mu_b / q,
            "p_attain": dist.sf(q),
            "attainment_p10": dist.ppf(0.1) / q,
            "attainment_p50": dist.ppf(0.5) / q,
            "attainment_p90": dist.ppf(0.9) / q,
        }
    )


def attainability_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Tidy ``metric, value, unit`` from :func:`attainability`: expected share of reps at quota,
    median and spread of expected attainment."""
    e = table["expected_attainment"].to_numpy()
    return pd.DataFrame(
        [
            ("expected_share_at_quota", float(table["p_attain"].mean()), "share"),
            ("median_expected_attainment", float(np.median(e)), "ratio"),
            ("p10_expected_attainment", float(np.quantile(e, 0.1)), "ratio"),
            ("p90_expected_attainment", float(np.quantile(e, 0.9)), "ratio"),
        ],
        columns=["metric", "value", "unit"],
    )


def fairness(attainment: Sequence[float], potential: Sequence[float]) -> pd.DataFrame:
    """Does attainment depend on the territory? Tidy ``metric, value, unit``: Pearson and
    Spearman correlation of attainment with territory potential (0 = fair; > 0 = rich territories
    make quota more easily), their p-values, and the slope (attainment points per unit of
    potential relative to the mean territory)."""
    a = _vector(attainment, None, "attainment")
    p = _vector(potential, len(a), "potential")
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(p) == 0:
        raise SalessimError("quota: fairness needs at least 3 reps with varying attainment and potential")
    pear, spear = stats.pearsonr(p, a), stats.spearmanr(p, a)
    slope = stats.linregress(p / p.mean(), a).slope
    return pd.DataFrame(
        [
            ("pearson_r", float(pear.statistic), "correlation"),
            ("pearson_p", float(pear.pvalue), "p-value"),
            ("spearman_rho", float(spear.statistic), "correlation"),
            ("spearman_p", float(spear.pvalue), "p-value"),
            ("slope_per_potential_index", float(slope), "attainment per unit"),
        ],
        columns=["metric", "value", "unit"],
    )


# --------------------------------------------------------------------------- scenario model


class QuotaPlan(Frozen):
    """Scenario section ``quota:`` (drop-in replacement for ``scenario.Quota``)."""

    strategy: Literal["top_down", "historical_growth", "equal_split", "capacity_based", "bottom_up", "ratchet"] = "top_down"
    annual_target: Annotated[float, limited("money")] | None = Field(None, gt=0.0, description="company target (currency); default: expected bookings")
    over_assignment: float = Field(0.0, ge=0.0, le=0.5, description="rep quotas sum to target x (1 + this)")
    potential: Literal["workable", "accounts"] = Field(
        "workable", description="what territories are weighed by (top_down, and the history other strategies start "
        "from): 'workable' = what the rep can sell with their hours and own prospecting; 'accounts' = the "
        "accounts' potential alone, blind to the rep's capacity")
    region_targets: dict[str, Money] | None = Field(
        None, description="top_down only: targets per region (currency), must sum to annual_target")
    growth: float = Field(0.10, gt=-1.0, le=5.0, description="historical_growth and ratchet: yearly growth (0.1 = +10%)")
    ratchet_up: float = Field(RATCHET_UP, ge=0.0, le=1.0, description="weight on last result after a beat")
    ratchet_down: float = Field(RATCHET_DOWN, ge=0.0, le=1.0, description="weight on last result after a miss")
    padding: float = Field(0.0, ge=-0.5, le=1.0, description="bottom_up: how much reps under-call (0.1 = forecasts 10% low)")
    blend: float = Field(0.5, ge=0.0, le=1.0, description="bottom_up: weight on forecasts vs the top-down split")
    ramp_months: float = Field(5.0, ge=0.0, le=24.0, description="capacity_based: months to full productivity (Bridge Group, secondary)")
    seasonality: list[Annotated[float, Field(gt=0.0)]] | None = Field(
        None, min_length=12, max_length=12, description="quota weight of Jan..Dec; default: the market's lead seasonality")
    bookings_cv: float = Field(BOOKINGS_CV, gt=0.0, le=3.0, description="spread of a rep's annual bookings (attainability)")

    @model_validator(mode="after")
    def _check(self) -> QuotaPlan:
        if self.region_targets is not None:
            if self.strategy != "top_down":
                raise ValueError(f"region_targets only apply to strategy top_down, not {self.strategy}")
            if self.annual_target is None:
                raise ValueError("region_targets need an annual_target to reconcile with")
            try:
                check_region_targets(self.region_targets, self.annual_target)
            except SalessimError as e:
                raise ValueError(str(e).removeprefix("quota.region_targets: ")) from None
        return self


def set_quotas(
    plan: QuotaPlan,
    n_reps: int,
    *,
    target: float | None = None,
    potential: Sequence[float] | None = None,
    regions: Sequence[str] | None = None,
    last_result: Sequence[float] | None = None,
    last_quota: Sequence[float] | None = None,
    forecasts: Sequence[float] | None = None,
    productivity_per_hour: float | Sequence[float] | None = None,
    selling_hours: float | Sequence[float] | None = None,
    tenure_months: Sequence[float] | None = None,
    vacancy_months: float | Sequence[float] = 0.0,
) -> pd.DataFrame:
    """Annual quota per rep (``rep, quota``) following ``plan``.

    The company target is ``plan.annual_target``, else ``target`` (e.g. the engine's expected
    bookings); quotas sum to it x (1 + ``plan.over_assignment``) to the cent. Each strategy
    needs its inputs: ``potential`` (top_down, bottom_up), ``last_result`` (historical_growth,
    ratchet), ``last_quota`` (ratchet), ``forecasts`` (bottom_up), ``productivity_per_hour`` and
    ``selling_hours`` per year (capacity_based; ``tenure_months`` for ramp, ``vacancy_months``).
    """
    goal = plan.annual_target if plan.annual_target is not None else target
    oa, s = plan.over_assignment, plan.strategy

    def need(**inputs) -> None:
        missing = [k for k, v in inputs.items() if v is None]
        if missing:
            raise SalessimError(f"quota: strategy '{s}' needs {', '.join(missing)}")

    if s in ("top_down", "equal_split"):
        need(target=goal)
    if s == "top_down":
        need(potential=potential)
        q = top_down(goal, potential, oa, regions=regions, region_targets=plan.region_targets)
    elif s == "equal_split":
        q = equal_split(goal, n_reps, oa)
    elif s == "historical_growth":
        need(last_result=last_result)
        q = historical_growth(last_result, plan.growth, goal, oa)
    elif s == "capacity_based":
        need(productivity_per_hour=productivity_per_hour, selling_hours=selling_hours)
        ramp = 1.0 if tenure_months is None else ramp_factors(tenure_months, plan.ramp_months)
        q = capacity_based(productivity_per_hour, selling_hours, ramp, vacancy_months, goal, oa, n_reps=n_reps)
    elif s == "bottom_up":
        need(forecasts=forecasts)
        td = None if potential is None or goal is None else top_down(goal, potential)
        q = bottom_up(forecasts, plan.padding, td, plan.blend, goal, oa)
    else:
        need(last_quota=last_quota, last_result=last_result)
        q = ratchet(last_quota, last_result, plan.ratchet_up, plan.ratchet_down, plan.growth, goal, oa)
    if len(q) != n_reps:
        raise SalessimError(f"quota: strategy '{s}' got inputs for {len(q)} reps, expected {n_reps}")
    return pd.DataFrame({"rep": np.arange(n_reps), "quota": q})
