"""Results of one run as tidy pandas frames (the KPIs are computed in :mod:`salessim.results.kpis`).

* ``deals``: one row per opportunity still relevant in the measured window (open at its start or
  created later). Days are counted from the scenario's ``start_date`` (negative = warm-up).
* ``ledger``: one row per rep and measured month.
* ``reps``, ``accounts``: the org and the market as simulated.
* ``kpis()``: one row per KPI: ``kpi``, ``value``, ``unit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from salessim.results.kpis import closed_in_window, headline_kpis
from salessim.scenario import Scenario


@dataclass(frozen=True)
class SimResult:
    """Tables of one simulation run (scenario + seed)."""

    scenario: Scenario
    seed: int | None
    deals: pd.DataFrame
    ledger: pd.DataFrame
    reps: pd.DataFrame
    accounts: pd.DataFrame
    #: the pay statements without their ``explanation`` column while that is unwritten (see
    #: :attr:`statements`); complete statements may be given here too
    statement_lines: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    customer_events: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    event_costs: pd.DataFrame | None = None
    event_log: pd.DataFrame | None = None
    #: writes the statements' ``explanation`` column (in their row order) when first read
    statement_explanations: Callable[[], Any] | None = field(default=None, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def statements(self) -> pd.DataFrame | None:
        """Pay statements (:func:`salessim.comp.payout.statements`' columns, plus ``plan`` when an
        event changed the plan). The plain-English ``explanation`` of each line is written on
        first read (it is most of their cost and few callers read it); the frame is then kept."""
        if self.statement_explanations is None:
            return self.statement_lines
        if "statements" not in self._cache:
            lines = self.statement_lines.copy(deep=False)
            lines.insert(lines.columns.get_loc("amount") + 1, "explanation", self.statement_explanations())
            self._cache["statements"] = lines
        return self._cache["statements"]

    def __getstate__(self) -> dict:
        """Pickled with the explanations written (the function that writes them stays behind)."""
        statements = self.statements
        state = dict(self.__dict__, statement_lines=statements, statement_explanations=None)
        state["_cache"] = {k: v for k, v in self._cache.items() if k != "statements"}
        return state

    @property
    def stage_names(self) -> list[str]:
        return self.scenario.funnel.stage_names

    def kpis(self) -> pd.DataFrame:
        """Headline KPIs of the measured window (tidy: kpi, value, unit)."""
        if "kpis" not in self._cache:
            self._cache["kpis"] = headline_kpis(self)
        return self._cache["kpis"].copy()

    def stage_conversion(self) -> pd.DataFrame:
        """Per stage: deals that left it in the window, how many moved on, and the conversion."""
        return stage_conversion(self.deals, self.stage_names, self.horizon_days)

    @cached_property
    def horizon_days(self) -> int:
        cal = self.scenario.calendar
        end = pd.Timestamp(cal.start_date) + pd.DateOffset(months=cal.horizon_months)
        return int((end - pd.Timestamp(cal.start_date)).days)


def stage_conversion(deals: pd.DataFrame, stage_names: list[str], horizon_days: int) -> pd.DataFrame:
    """Stage-to-stage conversion among deals that ended (won or lost) in the measured window.

    A deal lost in stage *s* left *s* without moving on; a deal that reached a later stage (or was
    won) passed *s*. Open deals are excluded (their fate in the current stage is unknown).
    """
    closed = deals[closed_in_window(deals, horizon_days)]
    reached = closed["stage_index"].to_numpy()
    n = len(stage_names)
    rows = []
    for s, name in enumerate(stage_names):
        passed = int((reached > s).sum())
        exited = passed + int(((reached == s) & (closed["outcome"] == "lost").to_numpy()).sum())
        nxt = stage_names[s + 1] if s + 1 < n else "closed won"
        rows.append({"stage": name, "next_stage": nxt, "exited": exited, "moved_on": passed,
                     "conversion": passed / exited if exited else np.nan})
    return pd.DataFrame(rows)
