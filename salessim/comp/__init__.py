"""Compensation plans: a YAML plan language and an exact, explained payout engine (pure, no SimPy).

* :func:`load_plan` -> :class:`CompPlan` (frozen, validated; data only).
* :func:`statements` ``(plan, performance)`` -> line-item statements (see :mod:`salessim.comp.payout`).
* :func:`period_payout` / :func:`marginal_value` ``(plan, ...)`` -> engine-facing, vectorised over reps.
* :func:`pay_curve` ``(plan, ...)`` -> payout by component against attainment.
* :mod:`salessim.comp.analysis` -> cost of sales, leverage, pay-for-performance, distributions.
"""

from salessim.comp.curve import marginal_value, pay_curve, period_payout
from salessim.comp.payout import statements, summary
from salessim.comp.performance import read_performance
from salessim.comp.plan import CompPlan, PlanError, load_plan

__all__ = [
    "CompPlan", "PlanError", "load_plan", "marginal_value", "pay_curve", "period_payout", "read_performance",
    "statements", "summary",
]
