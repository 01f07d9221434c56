"""Questions the simulation asks of a plan: what a period pays, what one more deal is worth,
and the pay curve. Vectorised over reps (numpy arrays), no per-rep Python loops.

The engine-facing functions use the plan's *primary measure* (``bookings`` if the plan has it)
and the components on it that are measured on the plan's ``period`` (commissions and quota
bonuses). They share the formulas and the cent rounding of the statements engine, and equal its
variable pay exactly when :func:`engine_exact` is true (a hypothesis property checks it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from salessim.comp import components as cc
from salessim.comp.payout import cents, ledger
from salessim.comp.performance import Performance
from salessim.comp.plan import PERIOD_MONTHS, Commission, CompPlan, QuotaBonus


def engine_components(plan: CompPlan) -> list[Commission | QuotaBonus]:
    """Components the engine-facing functions evaluate: commissions and quota bonuses on the
    primary measure, measured on the plan's period."""
    m = plan.primary_measure
    return [c for c in plan.components if isinstance(c, Commission | QuotaBonus)
            and c.measure == m and plan.component_period(c) == plan.period]


def engine_exact(plan: CompPlan) -> bool:
    """True when :func:`period_payout` equals the statements engine's variable pay for reps paid
    only on the primary measure: every variable component is an engine component, all share one
    basis (YTD or not), there is no per-period cap, and (without true-up) no year cap. Without
    true-up the credit must also be non-negative in every period: a negative period's carried
    balance (``negative_balance``) is not part of the engine-facing state."""
    comps = engine_components(plan)
    others = [c for c in plan.components if c not in comps]
    if others or not comps or plan.draw is not None:
        return False
    ytd = {plan.component_true_up(c) for c in comps}
    if len(ytd) != 1:
        return False
    if any(c.cap.period is not None for c in comps) or plan.caps.period is not None:
        return False
    if not ytd.pop() and (any(c.cap.year is not None for c in comps) or plan.caps.year is not None):
        return False
    return plan.negative_balance != "pay_negative"


def period_payout(plan: CompPlan, credited: Any, quota: Any, *, ytd_credited: Any = 0.0,
                  ytd_quota: Any = 0.0, ytd_paid: Any = 0.0, ytd_periods: Any = 0,
                  target_incentive: Any = None) -> np.ndarray:
    """Variable pay (currency, whole cents) each rep receives for the current period.

    ``credited``: the primary measure credited in the current plan period so far (or expected by
    its end); ``quota``: the rep's quota for the period (pro-rated); ``ytd_credited``,
    ``ytd_quota``: fiscal year to date *before* this period; ``ytd_paid``: variable pay already
    paid this fiscal year by these components; ``ytd_periods``: completed plan periods this fiscal
    year (scales the target incentive for ``multiple`` rates and ``target_share`` bonuses);
    ``target_incentive``: annual target incentive per rep (default: the plan's).
    Tiers, gates, retroactive rates, caps (year caps on components and on total variable) and the
    YTD true-up apply; pay never goes below zero (a shortfall is carried, as in the statements).
    """
    C, Q = np.asarray(credited, float), np.asarray(quota, float)
    yc, yq, paid = (np.asarray(x, float) for x in (ytd_credited, ytd_quota, ytd_paid))
    shape = np.broadcast_shapes(C.shape, Q.shape, yc.shape, yq.shape, paid.shape)
    ti_year = plan.pay.target_incentive if target_incentive is None else np.asarray(target_incentive, float)
    ti_year = ti_year * plan.measure(plan.primary_measure).weight
    months = PERIOD_MONTHS[plan.period]
    n_done = np.asarray(ytd_periods, float)
    cum = np.zeros(shape, np.int64)  # YTD-basis components: cumulative earned this year (cents)
    now = np.zeros(shape, np.int64)  # period-basis components: earned this period (cents)
    for comp in engine_components(plan):
        ytd = plan.component_true_up(comp)
        if ytd:
            c, q, ti = yc + C, yq + Q, ti_year * months / 12.0 * (n_done + 1)
        else:
            c, q, ti = C, Q, ti_year * months / 12.0
        c, q, ti = np.broadcast_arrays(c, q, np.asarray(ti, float))
        if isinstance(comp, Commission):
            lines = cc.commission(comp, c, q, ti)
        else:
            lines = cc.quota_bonus(comp, c, q, ti, n_done + 1 if ytd else 1.0)
        earned = cents(lines).sum(axis=0)
        if ytd:
            if comp.cap.year is not None:
                earned = np.minimum(earned, int(cents(comp.cap.year)))
            cum = cum + earned
        else:
            if comp.cap.period is not None:
                earned = np.minimum(earned, int(cents(comp.cap.period)))
            now = now + earned
    paid_c = cents(paid)
    if plan.caps.year is not None:
        cum = np.minimum(cum, int(cents(plan.caps.year)))
    pay = cum - paid_c + now
    if plan.caps.year is not None:
        pay = np.minimum(pay, int(cents(plan.caps.year)) - paid_c)
    if plan.caps.period is not None:
        pay = np.minimum(pay, int(cents(plan.caps.period)))
    if plan.negative_balance != "pay_negative":
        pay = np.maximum(pay, 0)
    return pay / 100.0


def marginal_value(plan: CompPlan, credited: Any, quota: Any, amount: Any, **state: Any) -> np.ndarray:
    """What one more deal of ``amount`` (currency, per rep or scalar) credited now adds to the
    rep's variable pay for the period: ``period_payout(credited + amount) - period_payout(credited)``
    with the same YTD state (see :func:`period_payout` for the arguments)."""
    with_deal = period_payout(plan, np.asarray(credited, float) + np.asarray(amount, float), quota, **state)
    without = period_payout(plan, credited, quota, **state)
    return with_deal - without


def _synthetic(plan: CompPlan, attainment: np.ndarray, annual_quota: float, fiscal_year: int) -> Performance:
    """A performance set of one rep per attainment level, booking evenly every month of a year."""
    n, T = len(attainment), 12
    present = np.ones((n, T), bool)
    credited, quota = {}, {}
    for m in plan.measures:
        q_month = annual_quota / 12.0 if m.quota == "data" else m.quota / 12.0
        quota[m.name] = np.full((n, T), q_month)
        credited[m.name] = attainment[:, None] * q_month * np.ones((1, T))
    periods = pd.period_range(pd.Period(f"{fiscal_year}-{plan.fiscal_year_start_month:02d}", "M"), periods=T, freq="M")
    return Performance(
        source="<pay curve>", reps=np.asarray([f"{a:.4f}" for a in attainment], dtype=object), periods=periods,
        grain=1, fiscal_year=np.full(T, fiscal_year), fiscal_month=np.arange(T), present=present,
        share=np.ones((n, T)), credited=credited, quota=quota, base_annual=np.full((n, T), plan.pay.base_salary),
        ti_annual=np.full((n, T), plan.pay.target_incentive), team=np.full((n, T), -1, np.int64), teams=[],
        deals=pd.DataFrame({"r": [], "t": [], "measure": [], "deal": [], "credited": []}),
        churn=pd.DataFrame({"r": [], "t": [], "measure": [], "deal": [], "credited": [], "won_t": [],
                            "won_period": [], "months": []}))


def pay_curve(plan: CompPlan, attainment: Any = None, *, annual_quota: float = 1_000_000.0,
              fiscal_year: int = 2026) -> pd.DataFrame:
    """Annual pay against attainment, by component (tidy: ``attainment, item, component,
    amount``, plus rows with component ``variable`` and ``total``).

    Each attainment level is one rep with quota ``annual_quota`` on every measure taking its quota
    from the data, booking evenly in each month of a full fiscal year; the statements engine
    computes the year (so monthly/quarterly timing, true-up and caps are as in real statements).
    No team bonus, SPIF, clawback or draw applies (a tenured rep working alone).
    """
    grid = np.linspace(0.0, 2.0, 41) if attainment is None else np.asarray(attainment, float).ravel()
    led = ledger(plan, _synthetic(plan, grid, annual_quota, fiscal_year), include_draw=False)
    rows = []
    for b in led.blocks:
        total = b.amount.sum(axis=1)
        rows.append(pd.DataFrame({"attainment": grid, "item": b.item, "component": b.component, "amount": total / 100.0}))
    out = pd.concat(rows, ignore_index=True)
    out = out.groupby(["attainment", "item", "component"], sort=False, as_index=False)["amount"].sum()
    used = out.groupby(["item", "component"], sort=False)["amount"].transform(lambda a: (a != 0).any())
    out = out[used | out["item"].isin(["base", "commission", "quota_bonus"])]
    var = led.variable.sum(axis=1) / 100.0
    tot = led.total.sum(axis=1) / 100.0
    extra = pd.DataFrame({"attainment": np.r_[grid, grid], "item": ["variable"] * len(grid) + ["total"] * len(grid),
                          "component": ["variable"] * len(grid) + ["total"] * len(grid), "amount": np.r_[var, tot]})
    out = pd.concat([out, extra], ignore_index=True)
    out["item"] = out["item"].astype("string")
    out["component"] = out["component"].astype("string")
    return out.sort_values(["attainment"], kind="stable", ignore_index=True)
