"""The funnel of a run: deals reaching each stage, where the bottleneck is, bookings over time.

Conventions follow :meth:`SimResult.stage_conversion`: only deals that *ended* (won or lost) in
the measured window count, because the fate of an open deal in its current stage is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salessim.analysis.periods import period_labels
from salessim.results.tables import SimResult

#: A rep-month counts as saturated when the rep worked at least this share of the hours available.
SATURATED = 0.99
#: Smallest conversion shortfall (fraction, i.e. 1 percentage point) reported as capacity losses.
MIN_SHORTFALL = 0.01
#: Binomial standard errors a shortfall must exceed to count: 3 keeps false alarms under ~1% of
#: runs over a 5-stage funnel when reps have time for every deal.
SIGNIFICANCE_SE = 3.0


def _closed(result: SimResult) -> pd.DataFrame:
    d = result.deals
    return d[d["close_day"].between(0, result.horizon_days, inclusive="left")]


def funnel_table(result: SimResult) -> pd.DataFrame:
    """Deals and value reaching each stage, working stages then ``closed won``.

    Columns: ``stage``, ``deals`` (deals that reached the stage), ``value`` (their amounts,
    currency), ``conversion`` (share of the previous stage's deals that reached this one; NaN for
    the first), ``share_of_leads`` (share of the first stage's deals).
    """
    closed = _closed(result)
    reached = closed["stage_index"].to_numpy()
    amount = closed["amount"].to_numpy()
    names = [*result.stage_names, "closed won"]
    deals = np.array([(reached >= s).sum() for s in range(len(names))], dtype=np.int64)
    value = np.array([amount[reached >= s].sum() for s in range(len(names))])
    with np.errstate(invalid="ignore", divide="ignore"):
        conversion = np.concatenate([[np.nan], deals[1:] / deals[:-1]])
        share = deals / deals[0] if deals[0] else np.full(len(deals), np.nan)
    return pd.DataFrame({"stage": names, "deals": deals, "value": value,
                         "conversion": conversion, "share_of_leads": share})


def conversion_without_walkaways(result: SimResult, seed: int | np.random.SeedSequence | None = None) -> pd.Series:
    """Per working stage, the conversion the same run shows when no deal walks away for lack of
    rep time: the scenario re-simulated with ``funnel.slip_loss_per_week = 0`` on the same seed
    (common random numbers: the same leads and the same conversion dice).

    ``seed``: the seed ``result`` was simulated with (default ``result.seed``).
    """
    from salessim.results.simulation import simulate
    from salessim.scenario import load_scenario

    seed = result.seed if seed is None else seed
    if seed is None:
        raise ValueError("pass the seed the result was simulated with (result.seed is not set)")
    patient = simulate(load_scenario(result.scenario, **{"funnel.slip_loss_per_week": 0.0}), seed=seed)
    return _stage_rates(patient)


def _stage_rates(result: SimResult) -> pd.Series:
    conv = result.stage_conversion()
    return pd.Series(conv["conversion"].to_numpy(), index=conv["stage"], name="expected_conversion")


@dataclass(frozen=True)
class Bottleneck:
    """Where the funnel is held back, and why.

    ``bound`` is ``"capacity"`` when deals die because no rep has time for them (the simulated
    conversion is significantly below the conversion of the same run without walk-aways), else
    ``"conversion"`` (the stage converts as it would with unlimited rep time, and its conversion
    is the lowest, so one percentage point there buys the most wins).
    """

    stage: str
    bound: str
    table: pd.DataFrame
    utilisation: float
    saturated_share: float
    vacant_share: float
    currency: str


def find_bottleneck(result: SimResult, seed: int | np.random.SeedSequence | None = None,
                    without_walkaways: pd.Series | None = None) -> Bottleneck:
    """Classify each working stage as conversion-bound or capacity-bound and pick the bottleneck.

    Per stage: ``exited`` deals, observed ``conversion``, ``expected_conversion`` (the same run
    without walk-aways, :func:`conversion_without_walkaways`; computed from ``seed`` unless
    ``without_walkaways`` gives it), ``shortfall`` (expected - observed, fraction),
    ``significant`` (shortfall above 1 point and 3 binomial standard errors),
    ``lost_for_time`` (deals lost for lack of rep time ≈ exited x shortfall when significant),
    ``lost_for_time_value`` (currency, at the stage's mean deal amount), ``wins_per_point``
    (extra won deals from +1 percentage point of conversion at that stage) and ``bound``.

    The bottleneck is the capacity-bound stage losing the most pipeline value if any, otherwise
    the stage with the most wins per point of conversion (the lowest-converting stage).
    """
    closed = _closed(result)
    conv = result.stage_conversion().set_index("stage")
    exp = conversion_without_walkaways(result, seed) if without_walkaways is None else without_walkaways
    reached = closed["stage_index"].to_numpy()
    amount = closed["amount"].to_numpy()
    won = int((closed["outcome"] == "won").sum())
    rows = []
    for s, name in enumerate(result.stage_names):
        n, obs, e = int(conv.loc[name, "exited"]), float(conv.loc[name, "conversion"]), float(exp[name])
        se = np.sqrt(e * (1 - e) / n) if n else np.nan
        short = e - obs
        sig = bool(n and short > max(MIN_SHORTFALL, SIGNIFICANCE_SE * se))
        lost = n * short if sig else 0.0
        mean_amount = float(amount[reached >= s].mean()) if n else np.nan
        rows.append({
            "stage": name, "exited": n, "conversion": obs, "expected_conversion": e,
            "shortfall": short, "significant": sig, "lost_for_time": lost,
            "lost_for_time_value": lost * mean_amount if sig else 0.0,
            "wins_per_point": won * 0.01 / obs if obs > 0 else np.nan,
            "bound": "capacity" if sig else "conversion",
        })
    table = pd.DataFrame(rows)
    ledger = result.ledger
    cap = ledger["hours_capacity"].to_numpy()
    worked = ledger["hours_worked"].to_numpy()
    staffed = cap > 0
    utilisation = float(worked.sum() / cap.sum()) if cap.sum() else np.nan
    saturated = float(np.mean(worked[staffed] >= SATURATED * cap[staffed])) if staffed.any() else np.nan
    if "status" in ledger.columns:
        vacant = float((ledger["status"].astype(str) == "vacant").mean())
    else:
        vacant = float(np.mean(~staffed)) if len(cap) else 0.0
    capacity = table[table["significant"]]
    if len(capacity):
        stage, bound = str(capacity.loc[capacity["lost_for_time_value"].idxmax(), "stage"]), "capacity"
    else:
        stage, bound = str(table.loc[table["wins_per_point"].idxmax(), "stage"]), "conversion"
    return Bottleneck(stage, bound, table, utilisation, saturated, vacant, result.scenario.currency)


def bookings_over_time(result: SimResult, period: str = "M") -> pd.DataFrame:
    """Team bookings per period (``M``, ``Q`` fiscal quarter, ``Y`` fiscal year).

    Columns: ``period``, ``bookings`` (currency), ``deals_won``, ``leads``,
    ``cumulative_bookings`` (currency, from the start of the horizon).
    """
    ledger = result.ledger.assign(period=period_labels(result.ledger["month"], period, result.scenario.calendar))
    out = (ledger.groupby("period", sort=True)[["bookings", "deals_won", "leads"]].sum().reset_index())
    out["cumulative_bookings"] = out["bookings"].cumsum()
    return out
