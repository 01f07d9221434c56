"""Customer lifecycle after the sale: renewals, expansion, churn, clawback triggers and lifetime value.

Every won deal is a contract: ``amount`` (currency) buys ``term_months`` of service, recognised
evenly over the term. Each month after the sale the customer may churn (a monthly hazard derived
from the segment's annual churn probability); a customer still there at the end of a term renews,
and the contract value changes by an expansion rate drawn at each renewal (negative = downsell).

Pure numpy/pandas, no SimPy. Time is in days from the scenario start; one contract month is
``MONTH_DAYS`` (365.25 / 12) days. Only what happens before ``horizon_days`` is known: a churn
that would come later is not in the results (right-censored).

Public API: :class:`CustomerLifecycle` (scenario config), :func:`simulate_customers`,
:func:`clawback_rows`, :func:`customer_kpis`, :func:`lifetime_value_factor`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from salessim.errors import SalessimError
from salessim.inputs import Frozen

#: Days in one contract month (average Gregorian month).
MONTH_DAYS = 365.25 / 12
#: Expansion draws below this are clipped: a renewal never loses more than 95% of its value.
MIN_EXPANSION = -0.95
EVENTS = ["renewal", "expansion", "churn"]
DEAL_COLUMNS = ("deal_id", "account", "segment", "product", "rep", "amount", "close_day")
#: Optional won-deal column: multiplies the customer's log-survival (2 = churns as if twice as long).
CHURN_MULTIPLIER = "churn_multiplier"

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class SegmentLifecycle(Frozen):
    """Post-sale behaviour of one account segment. Fractions are 0-1."""

    annual_churn: Probability = Field(0.15, description="probability a customer leaves within a year")
    term_months: int = Field(12, ge=1, le=120, description="contract (renewal) term, months")
    expansion_mean: float = Field(
        0.05, gt=-1.0, le=2.0, description="mean change of contract value at each renewal (fraction)"
    )
    expansion_sd: float = Field(0.05, ge=0.0, le=1.0, description="sd of that change (fraction)")
    gross_margin: Probability = Field(0.70, description="gross margin on recognised revenue")

    @property
    def monthly_churn(self) -> float:
        """Monthly hazard h with 1 - (1 - h)^12 = annual_churn."""
        return float(1.0 - (1.0 - self.annual_churn) ** (1.0 / 12.0))


#: Built-in starting points for segments named A, B and C (see docs/customers.md for sources).
BUILTIN_SEGMENTS: dict[str, SegmentLifecycle] = {
    "A": SegmentLifecycle(annual_churn=0.10, expansion_mean=0.10, expansion_sd=0.10, gross_margin=0.60),
    "B": SegmentLifecycle(annual_churn=0.15, expansion_mean=0.05, expansion_sd=0.08, gross_margin=0.70),
    "C": SegmentLifecycle(annual_churn=0.25, expansion_mean=0.00, expansion_sd=0.05, gross_margin=0.75),
}


class CustomerLifecycle(Frozen):
    """The ``customers:`` section of a scenario.

    Segments named A, B or C start from :data:`BUILTIN_SEGMENTS`, any other segment from
    ``default``; an entry in ``segments`` overrides only the fields it sets.
    """

    enabled: bool = True
    discount_rate: float = Field(0.10, ge=0.0, le=1.0, description="annual discount rate for LTV")
    ltv_years: float | None = Field(
        10.0, gt=0.0, le=100.0, description="LTV horizon in years (null: unlimited)"
    )
    follow_months: int = Field(
        0, ge=0, le=120, description="months customers are followed after the measured horizon"
    )
    default: SegmentLifecycle = SegmentLifecycle()
    segments: dict[str, SegmentLifecycle] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> CustomerLifecycle:
        if self.ltv_years is None:
            for name in sorted({*BUILTIN_SEGMENTS, *self.segments}) + [None]:
                seg = self.default if name is None else self.for_segment(name)
                if _growth_per_term(seg, self.discount_rate) >= 1.0:
                    where = "default" if name is None else f"segments.{name}"
                    raise ValueError(
                        f"{where}: lifetime value is unbounded (expansion outgrows churn and "
                        "discounting); set ltv_years"
                    )
        return self

    def horizon_days(self, measured_days: int) -> int:
        """Days to follow customers: the measured horizon plus ``follow_months`` (no new sales)."""
        return int(measured_days + round(self.follow_months * MONTH_DAYS))

    def for_segment(self, name: str) -> SegmentLifecycle:
        """The resolved parameters of segment ``name``."""
        base = BUILTIN_SEGMENTS.get(name, self.default)
        user = self.segments.get(name)
        if user is None:
            return base
        fields = base.model_dump() | user.model_dump(include=user.model_fields_set)
        return SegmentLifecycle(**fields)

    def check_segments(self, names: Iterable[str], where: str = "customers") -> None:
        """Raise :class:`SalessimError` if ``segments`` names a segment the scenario lacks."""
        names = list(names)
        for name in self.segments:
            if name not in names:
                raise SalessimError(
                    f"{where}.segments.{name}: unknown segment; the scenario's segments are "
                    f"{', '.join(names)}"
                )

    def margin_months(self, name: str) -> float:
        """LTV per unit of monthly revenue for segment ``name``: discounted expected margin months."""
        seg = self.for_segment(name)
        return lifetime_value_factor(seg, self.discount_rate, self.ltv_years) * seg.gross_margin


def lifecycle_from(data: Mapping[str, Any] | CustomerLifecycle, source: str = "<mapping>") -> CustomerLifecycle:
    """Validate a ``customers:`` mapping; errors are one line: ``source: customers.field: reason``."""
    if isinstance(data, CustomerLifecycle):
        return data
    try:
        return CustomerLifecycle.model_validate(dict(data))
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(p) for p in ("customers", *first["loc"]))
        msg = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        msg = msg.removeprefix("Value error, ")
        if not first["loc"] and ": " in msg:  # model-level check: "segments.A: reason"
            where, msg = msg.split(": ", 1)
            loc = f"{loc}.{where}"
        raise SalessimError(f"{source}: {loc}: {msg}") from None


def _growth_per_term(seg: SegmentLifecycle, discount_rate: float) -> float:
    """Factor by which expected discounted revenue grows from one term to the next."""
    years = seg.term_months / 12.0
    return (1.0 + seg.expansion_mean) * (1.0 - seg.annual_churn) ** years * (1.0 + discount_rate) ** -years


def lifetime_value_factor(seg: SegmentLifecycle, discount_rate: float, ltv_years: float | None) -> float:
    """Sum over months k of q^k (1 + g)^floor(k / T): expected discounted months of revenue.

    q = (1 - h) / (1 + r)^(1/12) is survival times discounting per month; revenue is received at
    the start of each month the customer is there (month 0 always) and grows by the mean expansion
    g at each renewal (every T months). Finite horizon: the first round(12 * ltv_years) months.
    """
    one = np.ones(1)
    months = _ltv_months(one * seg.monthly_churn, one * seg.term_months, one * seg.expansion_mean,
                         discount_rate, ltv_years)
    return float(months[0])


def _ltv_months(hazard: np.ndarray, term: np.ndarray, growth: np.ndarray, discount_rate: float,
                ltv_years: float | None) -> np.ndarray:
    """Vectorised closed form of :func:`lifetime_value_factor` (monthly hazard, term, mean growth)."""
    q = (1.0 - hazard) * (1.0 + discount_rate) ** (-1.0 / 12.0)
    rho = (1.0 + growth) * q**term

    def geometric(x: np.ndarray, m: np.ndarray | float) -> np.ndarray:  # sum_{k<m} x^k
        with np.errstate(divide="ignore", invalid="ignore"):
            if np.isinf(m).all():
                return np.where(x < 1.0, 1.0 / (1.0 - x), np.inf)
            return np.where(x == 1.0, m, (1.0 - x**m) / (1.0 - x))

    per_term = geometric(q, term)
    if ltv_years is None:
        return per_term * geometric(rho, np.inf)
    full, rest = np.divmod(round(12 * ltv_years), term)
    return per_term * geometric(rho, full) + rho**full * geometric(q, rest)


# --------------------------------------------------------------------------- simulation


def _check_deals(won_deals: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    if horizon_days <= 0:
        raise SalessimError(f"customers: horizon_days: must be positive, got {horizon_days}")
    missing = [c for c in DEAL_COLUMNS if c not in won_deals.columns]
    if missing:
        raise SalessimError(f"won_deals: missing columns: {', '.join(missing)}")
    optional = [CHURN_MULTIPLIER] if CHURN_MULTIPLIER in won_deals.columns else []
    columns = [*DEAL_COLUMNS, *optional]
    deals = won_deals if list(won_deals.columns) == columns else won_deals.loc[:, columns]
    for col in ("deal_id", "segment"):
        if deals[col].isna().any():
            raise SalessimError(f"won_deals: {col}: {int(deals[col].isna().sum())} rows are missing")
    dup = deals["deal_id"].duplicated()
    if dup.any():
        raise SalessimError(f"won_deals: deal_id: duplicated id {deals['deal_id'][dup].iloc[0]}")
    for col in ("amount", "close_day", *optional):
        values = pd.to_numeric(deals[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | ((values >= horizon_days) if col == "close_day" else (values < 0))
        if bad.any():
            reason = f"must be < horizon ({horizon_days} days)" if col == "close_day" else "must be a finite number >= 0"
            raise SalessimError(f"won_deals: {col}: {int(bad.sum())} rows {reason} (deal_id {deals['deal_id'][bad].iloc[0]})")
    if deals["deal_id"].is_monotonic_increasing:  # already in deal_id order (the simulator's)
        return deals.reset_index(drop=True)
    return deals.sort_values("deal_id", kind="stable", ignore_index=True)


def _unique_text(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values.astype(str).to_numpy(), return_inverse=True)``; a categorical's from its
    codes (each category converted to text once)."""
    if isinstance(values.dtype, pd.CategoricalDtype) and (values.cat.codes >= 0).all():
        codes = values.cat.codes.to_numpy()
        used = np.unique(codes)
        names, inverse = np.unique(values.cat.categories.astype(str).to_numpy(object)[used], return_inverse=True)
        lookup = np.zeros(len(values.cat.categories), dtype=inverse.dtype)
        lookup[used] = inverse
        return names, lookup[codes]
    return np.unique(values.astype(str).to_numpy(), return_inverse=True)


@dataclass(frozen=True)
class ChurnShock:
    """A time-limited change of churn (scenario events): from ``from_day`` to ``until_day`` (days
    from the scenario start) the monthly survival of matching customers is raised to ``factor``
    (2 = churn as if two months passed per month). ``factor=inf`` makes them leave at the first
    month end in the window (a lost account). ``segment``/``account`` None match every customer."""

    from_day: float
    until_day: float
    factor: float
    segment: str | None = None
    account: int | None = None


def simulate_customers(
    won_deals: pd.DataFrame,
    config: CustomerLifecycle,
    horizon_days: int,
    rng: np.random.Generator,
    shocks: Sequence[ChurnShock] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Follow every won deal as a customer until ``horizon_days``.

    ``won_deals``: one row per won deal with ``deal_id, account, segment, product, rep, amount``
    (contract value of one term, currency) and ``close_day`` (days from scenario start, < horizon;
    negative for deals won in the warm-up). Rows are processed in ``deal_id`` order, so the result
    does not depend on the input order.

    Returns ``(customers, events)``; see docs/customers.md for every column. Random numbers: one
    uniform per customer (churn month, by inversion, so raising retention only delays or removes
    churns of the same customers) and then one normal per customer and possible renewal.
    """
    deals = _check_deals(won_deals, horizon_days)
    n = len(deals)
    if not config.enabled or n == 0:
        return _empty_customers(deals), _empty_events(deals)

    names, seg_code = _unique_text(deals["segment"])
    params = [config.for_segment(str(s)) for s in names]

    def per(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in params], dtype=float)[seg_code]

    hazard, term = per("monthly_churn"), per("term_months").astype(np.int64)
    if CHURN_MULTIPLIER in deals.columns:
        # Survival (1 - h) raised to the multiplier: annual churn 1 - (1 - p)^m.
        hazard = 1.0 - (1.0 - hazard) ** deals[CHURN_MULTIPLIER].to_numpy(dtype=float)
    exp_mean, exp_sd = per("expansion_mean"), per("expansion_sd")
    ltv_months = _ltv_months(hazard, term, exp_mean, config.discount_rate, config.ltv_years)
    if not np.isfinite(ltv_months).all():
        raise SalessimError(
            f"won_deals: {CHURN_MULTIPLIER}: makes lifetime value unbounded for ltv_years: null (deal_id "
            f"{deals['deal_id'].iloc[np.flatnonzero(~np.isfinite(ltv_months))[0]]})"
        )
    amount = deals["amount"].to_numpy(dtype=float)
    start = deals["close_day"].to_numpy(dtype=float)

    # Churn month K >= 1 (churn at the end of month K after the sale): geometric by inversion.
    u = 1.0 - rng.random(n)  # in (0, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.ceil(np.log(u) / np.log1p(-hazard))
    churn_month = np.where(hazard <= 0.0, np.inf, np.maximum(k, 1.0))
    churn_month = np.where(hazard >= 1.0, 1.0, churn_month)
    if shocks:
        churn_month = _shocked_churn_month(churn_month, u, hazard, start, names[seg_code], deals["account"].to_numpy(),
                                           horizon_days, shocks)
    # Month ends that fall inside [0, horizon): k_first .. k_last.
    k_last = np.ceil((horizon_days - start) / MONTH_DAYS).astype(np.int64) - 1
    k_first = _first_window_month(start)
    churned = churn_month <= k_last

    # Contract value of each term j = 0..J (renewal j happens at month j * T).
    n_terms = int((k_last // term).max()) + 1
    z = rng.standard_normal((n, n_terms - 1))
    growth = np.maximum(exp_mean[:, None] + exp_sd[:, None] * z, MIN_EXPANSION)
    value = amount[:, None] * np.cumprod(np.hstack([np.ones((n, 1)), 1.0 + growth]), axis=1)
    renewal_month = term[:, None] * np.arange(1, n_terms)
    renewed = (renewal_month <= k_last[:, None]) & (churn_month[:, None] > renewal_month)
    renewals = renewed.sum(axis=1)
    delta = np.diff(value, axis=1)

    # Window [0, horizon) statistics per term: revenue, monthly churn draws at risk, value at risk.
    j = np.arange(n_terms)
    term_first = term[:, None] * j  # first month index of term j (months since sale)
    term_end = np.minimum(term_first + term[:, None], churn_month[:, None])  # active until (months)
    day_a = start[:, None] + term_first * MONTH_DAYS
    day_b = start[:, None] + term_end * MONTH_DAYS
    overlap = np.clip(np.minimum(day_b, horizon_days) - np.maximum(day_a, 0.0), 0.0, None)
    revenue = (value / (term[:, None] * MONTH_DAYS) * overlap).sum(axis=1)
    draw_hi = np.minimum(np.minimum(term_first + term[:, None], churn_month[:, None]), k_last[:, None])
    draw_lo = np.maximum(term_first + 1, k_first[:, None])
    draws = np.clip(draw_hi - draw_lo + 1, 0, None)
    months_at_risk = draws.sum(axis=1).astype(np.int64)
    value_at_risk = (draws * value).sum(axis=1)

    idx = np.arange(n)
    k_churn = np.where(churned, churn_month, 1).astype(np.int64)
    churn_term = (k_churn - 1) // term
    in_window_churn = churned & (k_churn >= k_first)
    in_window_renewal = renewed & (renewal_month >= k_first[:, None])
    expansion_w = np.where(in_window_renewal, np.maximum(delta, 0.0), 0.0).sum(axis=1)
    contraction_w = np.where(in_window_renewal, np.maximum(-delta, 0.0), 0.0).sum(axis=1)
    renewed_w = np.where(in_window_renewal, value[:, :-1], 0.0).sum(axis=1)
    churn_day = np.where(churned, start + k_churn * MONTH_DAYS, np.nan)

    customers = pd.concat([deals.drop(columns="close_day"), pd.DataFrame(dict(  # one frame: not 16 inserts
        start_day=start,
        term_months=term,
        status=pd.Categorical.from_codes(churned.astype(np.int8), ["active", "churned"]),
        churn_day=churn_day,
        churn_month=np.where(churned, k_churn, np.nan),
        churned_at_renewal=churned & (k_churn % term == 0),
        renewals=renewals,
        contract_value=np.where(churned, 0.0, value[idx, renewals]),
        revenue=revenue,
        months_at_risk=months_at_risk,
        value_at_risk=value_at_risk,
        churned_value=np.where(in_window_churn, value[idx, churn_term], 0.0),
        renewed_value=renewed_w,
        expansion_value=expansion_w,
        contraction_value=contraction_w,
        ltv=amount / term * per("gross_margin") * ltv_months,
    ), index=deals.index)], axis=1)
    events = _events(deals, start, renewed, renewal_month, value, delta, churned, k_churn, churn_term)
    return customers, events


def _shocked_churn_month(churn_month: np.ndarray, u: np.ndarray, hazard: np.ndarray, start: np.ndarray,
                         segment: np.ndarray, account: np.ndarray, horizon_days: int,
                         shocks: Sequence[ChurnShock]) -> np.ndarray:
    """Churn months under churn shocks, from the same uniforms: month k after the sale counts as
    ``factor`` base months when its end falls in a shock window; the customer churns in the first
    month whose cumulated base months reach -log(u)/-log(1-h). Customers no shock touches keep
    their month exactly."""
    n_months = int(np.ceil((horizon_days - start.min()) / MONTH_DAYS)) + 1
    ends = start[:, None] + np.arange(1, n_months + 1)[None, :] * MONTH_DAYS  # end day of month k
    mult = np.ones((len(start), n_months))
    forced = np.full(len(start), np.inf)
    for sh in shocks:
        who = np.ones(len(start), dtype=bool)
        if sh.segment is not None:
            who &= segment == sh.segment
        if sh.account is not None:
            who &= account == sh.account
        inside = who[:, None] & (ends >= sh.from_day) & (ends < sh.until_day)
        if np.isinf(sh.factor):
            first = np.where(inside.any(axis=1), inside.argmax(axis=1) + 1.0, np.inf)
            forced = np.minimum(forced, first)
        else:
            mult = np.where(inside, mult * sh.factor, mult)
    touched = (mult != 1.0).any(axis=1)
    out = churn_month.copy()
    if touched.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            need = np.log(u[touched]) / np.log1p(-hazard[touched])  # base months survived
        need = np.where(hazard[touched] <= 0.0, np.inf, need)
        reached = np.cumsum(mult[touched], axis=1) >= need[:, None]
        k = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1.0, np.inf)
        out[touched] = np.where(hazard[touched] >= 1.0, 1.0, k)
    return np.minimum(out, forced)


def _first_window_month(start: np.ndarray) -> np.ndarray:
    """First month index k >= 1 whose month end (start + k months) is on or after day 0."""
    return np.maximum(1, np.ceil(-np.asarray(start, dtype=float) / MONTH_DAYS)).astype(np.int64)


def _events(
    deals: pd.DataFrame,
    start: np.ndarray,
    renewed: np.ndarray,
    renewal_month: np.ndarray,
    value: np.ndarray,
    delta: np.ndarray,
    churned: np.ndarray,
    k_churn: np.ndarray,
    churn_term: np.ndarray,
) -> pd.DataFrame:
    """Tidy events before the horizon: renewals (new contract value), expansions (change), churns."""
    ri, rj = np.nonzero(renewed)
    grown = delta[ri, rj] != 0.0
    ei, ej = ri[grown], rj[grown]
    ci = np.flatnonzero(churned)
    row = np.concatenate([ri, ei, ci])
    month = np.concatenate([renewal_month[ri, rj], renewal_month[ei, ej], k_churn[ci]])
    kind = np.concatenate([np.zeros(len(ri), np.int8), np.ones(len(ei), np.int8), np.full(len(ci), 2, np.int8)])
    amount = np.concatenate([value[ri, rj + 1], delta[ei, ej], value[ci, churn_term[ci]]])
    day = start[row] + month * MONTH_DAYS
    order = np.lexsort((kind, deals["deal_id"].to_numpy()[row], day))
    row = row[order]
    ids = deals.iloc[row].reset_index(drop=True)
    return pd.DataFrame(
        {
            "deal_id": ids["deal_id"],
            "account": ids["account"],
            "segment": ids["segment"],
            "rep": ids["rep"],
            "day": day[order],
            "month": month[order].astype(np.int64),
            "event": pd.Categorical.from_codes(kind[order], EVENTS),
            "amount": amount[order],
        }
    )


def _empty_customers(deals: pd.DataFrame) -> pd.DataFrame:
    empty = deals.iloc[:0].drop(columns="close_day")
    floats = ("start_day", "churn_day", "churn_month", "contract_value", "revenue", "value_at_risk",
              "churned_value", "renewed_value", "expansion_value", "contraction_value", "ltv")
    cols: dict[str, Any] = {c: np.array([], float) for c in floats}
    cols |= {"term_months": np.array([], np.int64), "renewals": np.array([], np.int64),
             "months_at_risk": np.array([], np.int64), "churned_at_renewal": np.array([], bool),
             "status": pd.Categorical([], ["active", "churned"])}
    order = ["start_day", "term_months", "status", "churn_day", "churn_month", "churned_at_renewal",
             "renewals", "contract_value", "revenue", "months_at_risk", "value_at_risk",
             "churned_value", "renewed_value", "expansion_value", "contraction_value", "ltv"]
    return empty.assign(**{c: cols[c] for c in order})


def _empty_events(deals: pd.DataFrame) -> pd.DataFrame:
    base = deals.iloc[:0][["deal_id", "account", "segment", "rep"]].reset_index(drop=True)
    return base.assign(day=np.array([], float), month=np.array([], np.int64),
                       event=pd.Categorical([], EVENTS), amount=np.array([], float))


# --------------------------------------------------------------------------- downstream frames


def clawback_rows(customers: pd.DataFrame, window_months: int, since_day: float | None = None) -> pd.DataFrame:
    """Deals whose customer churned within ``window_months`` months of the sale (clawback triggers).

    One row per such deal, sorted by churn day: ``rep, deal_id, account, segment, product,
    sale_day, churn_day`` (days from scenario start), ``months_to_churn`` (1..window_months) and
    ``amount`` (the deal's original contract value, i.e. the credited booking). Churns after the
    horizon are unknown and never appear; ``since_day`` (e.g. 0) drops churns before that day,
    such as those of warm-up customers that churned before the first pay period.
    """
    if isinstance(window_months, bool) or not isinstance(window_months, int | np.integer) or window_months < 0:
        raise SalessimError(f"clawback: window_months: must be a whole number of months >= 0, got {window_months!r}")
    hit = customers["churn_month"].le(window_months).to_numpy()  # NaN (active) compares False
    if since_day is not None:
        hit = hit & customers["churn_day"].ge(since_day).to_numpy()
    c = customers[hit]
    out = pd.DataFrame(
        {
            "rep": c["rep"],
            "deal_id": c["deal_id"],
            "account": c["account"],
            "segment": c["segment"],
            "product": c["product"],
            "sale_day": c["start_day"],
            "churn_day": c["churn_day"],
            "months_to_churn": c["churn_month"].astype(np.int64),
            "amount": c["amount"],
        }
    )
    return out.sort_values(["churn_day", "deal_id"], kind="stable", ignore_index=True)


def customer_kpis(customers: pd.DataFrame, horizon_days: int, currency: str = "USD") -> pd.DataFrame:
    """Customer KPIs of the window [0, horizon) as a tidy frame (kpi, value, unit).

    Rates are annualised from what the window shows, so they compare across horizons:

    * logo churn = 1 - (1 - m)^12, m = churns / monthly churn draws at risk;
    * churn survival of value S = (1 - churned value / value at risk)^12;
    * gross revenue retention = S x (1 - downsell / renewed value)^(12 / T);
    * net revenue retention = S x (1 + (expansion - downsell) / renewed value)^(12 / T),
      T = the renewal term (months, weighted by renewed value). With no renewal in the window
      the expansion side is unknown: NRR is NaN and GRR counts churn only.

    Average customer lifetime = 1 / m (months). LTV averages are over customers won in the window.
    """
    c = customers
    start = c["start_day"].to_numpy(dtype=float)
    k_first = _first_window_month(start)
    churns = float(c["churn_month"].ge(pd.Series(k_first, index=c.index)).sum())
    monthly_logo = _ratio(churns, c["months_at_risk"].sum())
    survival = (1.0 - _ratio(c["churned_value"].sum(), c["value_at_risk"].sum())) ** 12
    renewed = float(c["renewed_value"].sum())
    expansion, downsell = float(c["expansion_value"].sum()), float(c["contraction_value"].sum())
    if renewed > 0:
        per_year = 12.0 / _ratio((c["term_months"] * c["renewed_value"]).sum(), renewed)
        grr = survival * (1.0 - downsell / renewed) ** per_year
        nrr = survival * (1.0 + (expansion - downsell) / renewed) ** per_year
    else:
        grr, nrr = survival, np.nan
    new = c[(start >= 0) & (start < horizon_days)]
    rows = [
        ("new customers", float(len(new)), "customers"),
        ("customers at horizon", float((c["status"] == "active").sum()), "customers"),
        ("customers churned", churns, "customers"),
        ("logo churn rate (annualised)", 1.0 - (1.0 - monthly_logo) ** 12, "%"),
        ("gross revenue retention (annualised)", grr, "%"),
        ("net revenue retention (annualised)", nrr, "%"),
        ("average customer lifetime", 1.0 / monthly_logo if monthly_logo > 0 else np.inf, "months"),
        ("expansion bookings", expansion, currency),
        ("customer revenue recognised", float(c["revenue"].sum()), currency),
        ("average LTV", float(new["ltv"].mean()) if len(new) else np.nan, currency),
    ]
    seg = new["segment"].astype(str)
    for name in sorted(seg.unique()):
        rows.append((f"average LTV: {name}", float(new.loc[seg == name, "ltv"].mean()), currency))
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")
