"""The SimPy engine: leads arrive, reps spend their limited hours on them, deals move through stages.

Design, for speed (one replication of a 100-rep org must take well under a second):

* SimPy runs the calendar: a *selling* process steps through work steps (a week, cut at month
  starts), a *month-close* process takes snapshots when the selling process signals a month end.
  Later layers (behaviour, staffing, scenario events) add their own processes.
* Deals are not SimPy processes. They live in a struct of numpy arrays (:class:`Pipeline`); each
  work step moves all open deals at once, with every deal's dice drawn once when it is created
  (conversion and duration uniforms per stage), so results do not depend on processing order.
* Capacity: each step a rep has ``weekly_hours`` (pro-rated) and works the deals nearest to closing
  first. Deals the rep has no time for do not progress and are lost with ``slip_loss_per_week``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import simpy
from scipy import special

from salessim.calendar import Clock
from salessim.market import assign_as_is, daily_lead_rate, make_accounts
from salessim.random import streams
from salessim.scenario import Scenario

OPEN, WON, LOST = 0, 1, 2


@dataclass
class Pipeline:
    """Every opportunity of a run as parallel arrays (one index per deal)."""

    n_stages: int
    n: int = 0
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    SPEC = {
        "account": np.int64, "rep": np.int64, "segment": np.int64, "product": np.int64,
        "created": np.float64, "amount": np.float64, "stage": np.int64, "outcome": np.int8,
        "close": np.float64, "remaining": np.float64, "clock": np.float64, "entered": np.float64,
    }

    def __post_init__(self) -> None:
        self._grow(4096)

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * len(self.cols.get("account", ())))
        for name, dtype in self.SPEC.items():
            new = np.zeros(cap, dtype=dtype)
            if name in self.cols:
                new[: self.n] = self.cols[name][: self.n]
            self.cols[name] = new
        for name in ("u_conv", "u_dur"):
            new = np.zeros((cap, self.n_stages))
            if name in self.cols:
                new[: self.n] = self.cols[name][: self.n]
            self.cols[name] = new

    def add(self, **values: np.ndarray) -> np.ndarray:
        """Append deals; returns their indices."""
        k = len(values["account"])
        if self.n + k > len(self.cols["account"]):
            self._grow(self.n + k)
        idx = np.arange(self.n, self.n + k)
        for name, v in values.items():
            self.cols[name][idx] = v
        self.n += k
        return idx

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols", {})
        if name in cols:
            return cols[name][: self.__dict__["n"]]
        raise AttributeError(name)


class SalesFloor:
    """One simulation run of a scenario with a seed. Call :meth:`run` once."""

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence, record_events: bool = False):
        self.scenario = scenario
        self.clock = Clock(scenario.calendar)
        self.rng = streams(seed)
        self.record_events = record_events
        s = scenario
        stages = s.funnel.stages
        self.n_stages = len(stages)
        self.n_reps = s.org.reps
        self.conv = np.array([st.conversion for st in stages])
        mean_days = np.array([st.duration.mean_days for st in stages])
        # Weekly rep hours a deal needs while in a stage: its total hours spread over its duration.
        self.hours_per_week = np.array([st.rep_hours for st in stages]) / np.maximum(1.0, mean_days / 7)
        seg, prod = s.market.segments, s.market.products
        self.seg_win = np.array([x.win_multiplier for x in seg])
        self.seg_dur = np.array([x.duration_multiplier for x in seg])
        self.seg_hours = np.array([x.hours_multiplier for x in seg])
        self.seg_median = np.array([x.deal_size.median for x in seg])
        self.seg_sigma = np.array([x.deal_size.sigma for x in seg])
        self.prod_size = np.array([x.size_multiplier for x in prod])
        self.prod_win = np.array([x.win_multiplier for x in prod])
        self.prod_cdf = np.cumsum([x.share for x in prod])
        self.prod_cdf[-1] = 1.0

        # The org and the market.
        sd = s.org.skill.sd
        sigma = np.sqrt(np.log1p(sd**2))
        self.skill = self.rng["org"].lognormal(-(sigma**2) / 2, sigma, self.n_reps) if sd > 0 else np.ones(self.n_reps)
        self.accounts = make_accounts(s, self.rng["accounts"])
        self.acc_segment = self.accounts["segment"].cat.codes.to_numpy().astype(np.int64)
        self.acc_cdf = np.cumsum(self.accounts["lead_weight"].to_numpy())
        self.acc_cdf[-1] = 1.0
        self.territory = assign_as_is(self.accounts, self.n_reps, len(s.market.regions))
        self.rep_region = np.arange(self.n_reps) % len(s.market.regions)
        self.weekly_hours = np.full(self.n_reps, s.org.weekly_hours)
        self.effort = np.ones(self.n_reps)

        n_months = len(self.clock.month_starts) - 1
        self.lead_rate = daily_lead_rate(s, self.clock.calendar_month)
        self.pipe = Pipeline(self.n_stages)
        self.open = np.empty(0, dtype=np.int64)
        self.hours_worked = np.zeros((n_months, self.n_reps))
        self.hours_capacity = np.zeros((n_months, self.n_reps))
        self.pipeline_value = np.zeros((n_months, self.n_reps))
        self.open_deals = np.zeros((n_months, self.n_reps), dtype=np.int64)
        self.events: list[tuple[np.ndarray, ...]] = []

    # ------------------------------------------------------------------ SimPy processes

    def run(self) -> SalesFloor:
        env = simpy.Environment()
        self.month_end = env.event()
        env.process(self._selling(env))
        env.process(self._month_close(env))
        env.run(until=self.clock.end_day + 1)
        return self

    def _selling(self, env: simpy.Environment):
        steps = self.clock.steps
        month_ends = set(self.clock.month_starts[1:].tolist())
        for t0, t1 in zip(steps[:-1], steps[1:], strict=True):
            month = int(self.clock.month_index(np.array([t0]))[0])
            self._arrivals(float(t0), float(t1), month)
            self._work(float(t0), float(t1), month)
            yield env.timeout(t1 - t0)
            if int(t1) in month_ends:
                done, self.month_end = self.month_end, env.event()
                done.succeed(month)

    def _month_close(self, env: simpy.Environment):
        while True:
            month = yield self.month_end
            o = self.open
            o = o[self.pipe.stage[o] >= 1]  # qualified pipeline: past the first stage
            rep = self.pipe.rep[o]
            self.pipeline_value[month] = np.bincount(rep, self.pipe.amount[o], self.n_reps)
            self.open_deals[month] = np.bincount(rep, minlength=self.n_reps)

    # ------------------------------------------------------------------ the work

    def _arrivals(self, t0: float, t1: float, month: int) -> None:
        """Inbound leads of the step, with each deal's dice drawn once."""
        length = t1 - t0
        rng = self.rng["arrivals"]
        k = int(rng.poisson(self.lead_rate[month] * length))
        if k == 0:
            return
        created = np.sort(t0 + rng.random(k) * length)
        account = np.searchsorted(self.acc_cdf, rng.random(k), side="right")
        product = np.searchsorted(self.prod_cdf, rng.random(k), side="right")
        self._open_deals(created, account, product)

    def _open_deals(self, created: np.ndarray, account: np.ndarray, product: np.ndarray) -> None:
        k, S = len(created), self.n_stages
        dice = self.rng["deals"].random((k, 2 * S + 1))
        segment = self.acc_segment[account]
        amount = self.seg_median[segment] * self.prod_size[product] * np.exp(self.seg_sigma[segment] * special.ndtri(dice[:, 0]))
        idx = self.pipe.add(
            account=account, rep=self.territory[account], segment=segment, product=product,
            created=created, amount=amount, stage=np.zeros(k, np.int64), outcome=np.zeros(k, np.int8),
            close=np.full(k, np.nan), clock=created, entered=created,
            u_conv=dice[:, 1 : S + 1], u_dur=dice[:, S + 1 :],
        )
        self._enter_stage(idx, np.zeros(k, np.int64))
        self.open = np.concatenate([self.open, idx])

    def _enter_stage(self, idx: np.ndarray, stage: np.ndarray) -> None:
        p = self.pipe
        days = np.empty(len(idx))
        for s in np.unique(stage):
            m = stage == s
            days[m] = self.scenario.funnel.stages[s].duration.quantile(p.u_dur[idx[m], s])
        p.cols["remaining"][idx] = days * self.seg_dur[p.segment[idx]]

    def _work(self, t0: float, t1: float, month: int) -> None:
        p, o = self.pipe, self.open
        length = t1 - t0
        cap = self.weekly_hours * self.effort * (length / 7)
        self.hours_capacity[month] += cap
        if len(o) == 0:
            return
        rep, stage = p.rep[o], p.stage[o]
        present = (t1 - p.clock[o]) / length
        demand = self.hours_per_week[stage] * self.seg_hours[p.segment[o]] * (length / 7) * present
        # Each rep works the deals nearest to closing first, oldest first within a stage.
        order = np.lexsort((p.entered[o], -stage, rep))
        r_sorted, d_sorted = rep[order], demand[order]
        cum = np.cumsum(d_sorted)
        first = np.searchsorted(r_sorted, np.arange(self.n_reps))
        before = np.concatenate([[0.0], cum])[first]
        served = np.empty(len(o), dtype=bool)
        served[order] = (cum - d_sorted - before[r_sorted]) < cap[r_sorted]
        self.hours_worked[month] += np.minimum(np.bincount(rep, demand * served, self.n_reps), cap)

        # Deals nobody had time for wait, and some customers walk away.
        waiting = o[~served]
        if len(waiting):
            hazard = 1.0 - (1.0 - self.scenario.funnel.slip_loss_per_week) ** (length / 7)
            u = self.rng["work"].random(len(waiting))
            lost = u < hazard
            start = p.clock[waiting]
            when = start + (t1 - start) * np.where(lost, u / max(hazard, 1e-12), 1.0)
            self._close(waiting[lost], when[lost], LOST)
            p.cols["clock"][waiting[~lost]] = t1
        self._progress(o[served], t1)
        self.open = o[p.outcome[o] == OPEN]

    def _progress(self, idx: np.ndarray, t1: float) -> None:
        """Move worked deals through as many stages as they complete before ``t1``."""
        p, S = self.pipe, self.n_stages
        while len(idx):
            clk, rem = p.clock[idx], p.remaining[idx]
            done = clk + rem <= t1
            rest = idx[~done]
            p.cols["remaining"][rest] = rem[~done] - (t1 - clk[~done])
            p.cols["clock"][rest] = t1
            idx, at = idx[done], (clk + rem)[done]
            if not len(idx):
                return
            s = p.stage[idx]
            mult = (self.seg_win[p.segment[idx]] * self.prod_win[p.product[idx]] * self.skill[p.rep[idx]]) ** (1.0 / S)
            passed = p.u_conv[idx, s] < np.minimum(self.conv[s] * mult, 1.0)
            self._close(idx[~passed], at[~passed], LOST)
            won = passed & (s == S - 1)
            self._close(idx[won], at[won], WON)
            nxt = passed & (s < S - 1)
            idx, at = idx[nxt], at[nxt]
            if self.record_events and len(idx):
                self.events.append((idx.copy(), at.copy(), s[nxt].copy(), s[nxt] + 1))
            p.cols["stage"][idx] += 1
            p.cols["clock"][idx] = at
            p.cols["entered"][idx] = at
            self._enter_stage(idx, p.stage[idx])

    def _close(self, idx: np.ndarray, day: np.ndarray, outcome: int) -> None:
        if not len(idx):
            return
        p = self.pipe
        p.cols["outcome"][idx] = outcome
        p.cols["close"][idx] = day
        if self.record_events:
            s = p.stage[idx]
            to = np.full(len(idx), self.n_stages if outcome == WON else -1)
            self.events.append((idx.copy(), day.copy(), s, to))

    # ------------------------------------------------------------------ tables

    def event_table(self) -> pd.DataFrame:
        """Stage transitions (``to_stage`` = n_stages for won, -1 for lost); clock days."""
        if not self.events:
            return pd.DataFrame(columns=["deal", "clock_day", "from_stage", "to_stage"])
        cols = [np.concatenate(c) for c in zip(*self.events, strict=True)]
        df = pd.DataFrame(dict(zip(["deal", "clock_day", "from_stage", "to_stage"], cols, strict=True)))
        return df.sort_values(["clock_day", "deal"], kind="stable", ignore_index=True)
