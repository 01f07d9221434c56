"""Plans compared at equal cost: a plan's money scaled so that it pays a given amount at target.

A plan's pay for given credited amounts and quotas is proportional to its money fields: base
salary, target incentive, commission rates, bonus amounts, pools, caps, draws (a rate multiple
or a share of the target incentive already follows the target incentive; attainment bounds and
deal thresholds are not money). Multiplying all of them by one factor ``k`` multiplies pay at
every attainment by ``k`` and keeps the plan's shape: pay mix, leverage, tier breaks, caps
relative to target. :func:`cost_matched` picks ``k`` so that a rep with ``annual_quota`` paid
at ``attainment`` (1.0 = 100%) earns ``target`` (currency, total pay for a year), to the cent.
"""

from __future__ import annotations

from typing import Any

from salessim.comp.curve import pay_curve
from salessim.comp.plan import CompPlan, PlanError, load_plan

#: Money fields of plan components (scaled); rate multiples and target shares follow the target incentive.
_COMPONENT_MONEY = ("pool_rate", "pool_per_member", "per_deal")


def _scale_cap(cap: dict[str, Any] | None, k: float) -> dict[str, Any] | None:
    if not cap:
        return cap
    return {f: (v * k if v is not None else None) for f, v in cap.items()}


def scale_money(plan: CompPlan, factor: float, name: str | None = None) -> CompPlan:
    """``plan`` with every money field multiplied by ``factor`` (> 0): pay at every attainment
    scales by ``factor``; ``name`` (default: the plan's) names the new plan."""
    if not factor > 0:
        raise PlanError(f"{plan.name}: pay scale factor must be above 0, got {factor!r}")
    k = float(factor)
    d = plan.to_dict()
    d["name"] = name or plan.name
    d["pay"] = {"base_salary": d["pay"]["base_salary"] * k, "target_incentive": d["pay"]["target_incentive"] * k}
    for comp in d.get("components", []):
        if "cap" in comp:
            comp["cap"] = _scale_cap(comp["cap"], k)
        if comp.get("type") == "commission":
            if comp.get("rate") is not None:  # a flat rate: its one tier is implied
                comp["rate"] *= k
                comp.pop("tiers", None)
            else:
                for tier in comp["tiers"]:
                    if tier.get("rate") is not None:
                        tier["rate"] *= k
        elif comp.get("type") == "quota_bonus":
            for step in comp["thresholds"]:
                if step.get("amount") is not None:
                    step["amount"] *= k
        for field in _COMPONENT_MONEY:
            if comp.get(field) is not None:
                comp[field] *= k
        if comp.get("type") == "spif" and comp.get("rate") is not None:
            comp["rate"] *= k
    d["caps"] = _scale_cap(d.get("caps"), k)
    if d.get("draw"):
        d["draw"]["amount"] *= k
    if d.get("clawback") and d["clawback"].get("rate") is not None:
        d["clawback"]["rate"] *= k
    return load_plan(d)


def pay_at(plan: CompPlan, annual_quota: float, attainment: float = 1.0) -> float:
    """Total annual pay (currency) of a rep with ``annual_quota`` booking evenly at ``attainment``
    (:func:`~salessim.comp.pay_curve`: base plus commissions and quota bonuses, no team awards)."""
    c = pay_curve(plan, [attainment], annual_quota=annual_quota)
    return float(c.loc[c["component"] == "total", "amount"].iloc[0])


def cost_matched(plan: CompPlan, target: float, annual_quota: float, attainment: float = 1.0,
                 name: str | None = None) -> CompPlan:
    """``plan`` scaled (:func:`scale_money`) so that a rep with ``annual_quota`` at ``attainment``
    earns ``target`` a year: the closest the cents-rounded statements allow (a cent or two; the
    factor is bisected until the rounded pay matches). ``name``: default ``<plan> (cost-matched)``."""
    name = name or f"{plan.name} (cost-matched)"
    now = pay_at(plan, annual_quota, attainment)
    if not now > 0 or not target > 0:
        raise PlanError(f"{plan.name}: cannot match pay at {attainment:.0%} attainment: the plan pays {now:,.2f} and "
                        f"the target is {target:,.2f} (both must be above 0)")
    k = target / now
    best = scale_money(plan, k, name)
    gap = pay_at(best, annual_quota, attainment) - target
    lo, hi = (k, k * (1 + 1e-6)) if gap < 0 else (k * (1 - 1e-6), k)
    for _ in range(40):  # cents rounding makes pay a staircase in k: bisect to the closest step
        if abs(gap) < 0.005:
            break
        mid = (lo + hi) / 2
        scaled = scale_money(plan, mid, name)
        g = pay_at(scaled, annual_quota, attainment) - target
        if abs(g) < abs(gap):
            best, gap = scaled, g
        lo, hi = (mid, hi) if g < 0 else (lo, mid)
    return best
