"""The comp plan as the reps see it during a run.

:class:`Incentive` wraps a :class:`salessim.comp.CompPlan` for the engine: it keeps each rep's
fiscal-year-to-date state (credited, quota, variable pay already paid, completed periods) and
answers "what does this period pay if I end it with ``credited``?" vectorised over reps, using
the comp layer's :func:`salessim.comp.curve.period_payout` (same formulas and rounding as the statements).
Money in the scenario currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from salessim.comp.curve import engine_components, pay_curve, period_payout
from salessim.comp.plan import PERIOD_MONTHS, CompPlan, Spif


@dataclass
class Incentive:
    """A plan in force for ``n_reps`` reps, with their year-to-date state."""

    plan: CompPlan
    n_reps: int
    state: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.new_year()
        # ``ytd_paid`` counts only what the year-to-date (true-up) components paid
        ytd = [c for c in engine_components(self.plan) if self.plan.component_true_up(c)]
        self._ytd_plan = self.plan.model_copy(update={"components": ytd}) if ytd else None

    def unseen_target(self, annual_quota: float) -> float:
        """Target pay (currency per year) of the components the running pay estimate does not
        price (other periods, team awards, SPIFs): what they pay at 100% of an ``annual_quota``
        (the pay curve of the plan restricted to them), so a removed component stops counting."""
        seen = set(map(id, engine_components(self.plan)))
        others = [c for c in self.plan.components if id(c) not in seen and not isinstance(c, Spif)]
        if not others:
            return 0.0
        curve = pay_curve(self.plan.model_copy(update={"components": others}), [1.0], annual_quota=annual_quota)
        return float(curve.loc[curve["item"] == "variable", "amount"].sum())

    @property
    def period_months(self) -> int:
        return PERIOD_MONTHS[self.plan.period]

    @property
    def base_salary(self) -> float:
        """Annual base salary (currency)."""
        return float(self.plan.pay.base_salary)

    def new_year(self) -> None:
        """Reset the year-to-date state at a fiscal year start."""
        n = self.n_reps
        self.state = {"ytd_credited": np.zeros(n), "ytd_quota": np.zeros(n), "ytd_paid": np.zeros(n),
                      "ytd_periods": np.zeros(n)}

    def start(self, rep: int) -> None:
        """A hire in slot ``rep`` starts their own plan year: no year-to-date credit or pay."""
        for v in self.state.values():
            v[rep] = 0.0

    def pay(self, credited: np.ndarray, quota: np.ndarray, reps: np.ndarray | None = None,
            ahead: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """Variable pay (currency) for the current period if rep ``reps[i]`` ends it having been
        credited ``credited[i, ...]`` against ``quota[i]``. ``ahead`` replaces the YTD state (for
        valuing the next period)."""
        credited = np.asarray(credited, float)
        reps = np.arange(len(credited)) if reps is None else np.asarray(reps)
        st = self.state if ahead is None else ahead
        extra = (1,) * (credited.ndim - 1)
        kw = {k: v[reps].reshape(-1, *extra) for k, v in st.items()}
        q = np.asarray(quota, float).reshape(-1, *extra)
        return period_payout(self.plan, credited, q, **kw)

    def close_period(self, credited: np.ndarray, quota: np.ndarray) -> np.ndarray:
        """Pay every rep for a finished period and roll the year-to-date state forward."""
        paid = self.pay(credited, quota)
        s = self.state
        s["ytd_paid"] = s["ytd_paid"] + self._ytd_part(credited, quota, s)
        s["ytd_credited"] = s["ytd_credited"] + credited
        s["ytd_quota"] = s["ytd_quota"] + quota
        s["ytd_periods"] = s["ytd_periods"] + 1
        return paid

    def _ytd_part(self, credited: np.ndarray, quota: np.ndarray, state: dict[str, np.ndarray]) -> np.ndarray:
        if self._ytd_plan is None:
            return np.zeros(self.n_reps)
        return period_payout(self._ytd_plan, credited, quota, **state)

    def next_period_state(self, credited: np.ndarray, quota: np.ndarray, new_year: bool) -> dict[str, np.ndarray]:
        """The YTD state a rep expects at the start of the next period (for timing decisions)."""
        if new_year:
            z = np.zeros(self.n_reps)
            return {"ytd_credited": z, "ytd_quota": z, "ytd_paid": z, "ytd_periods": z}
        s = self.state
        return {"ytd_credited": s["ytd_credited"] + credited, "ytd_quota": s["ytd_quota"] + quota,
                "ytd_paid": s["ytd_paid"] + self._ytd_part(credited, quota, s), "ytd_periods": s["ytd_periods"] + 1}
