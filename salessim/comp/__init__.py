"""Compensation plans: a YAML plan language and an exact, explained payout engine (pure, no SimPy).

* :func:`load_plan` -> :class:`CompPlan` (frozen, validated).
* ``plan.statements(performance)`` -> line-item statements (see :mod:`salessim.comp.payout`).
* ``plan.period_payout(...)`` / ``plan.marginal_value(...)`` -> engine-facing, vectorised over reps.
* ``plan.pay_curve(...)`` -> payout by component against attainment.
* :mod:`salessim.comp.analysis` -> cost of sales, leverage, pay-for-performance, distributions.
"""

from salessim.comp.payout import statements, summary
from salessim.comp.performance import read_performance
from salessim.comp.plan import CompPlan, PlanError, load_plan

__all__ = ["CompPlan", "PlanError", "load_plan", "read_performance", "statements", "summary"]
