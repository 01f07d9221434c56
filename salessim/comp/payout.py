"""The statements engine: exact, explained payouts per rep, period and line item.

Order of calculation per rep and data period (all vectorised over reps; loops run over the
periods only):

1. **base salary**: annual base x months in the period / 12 x employed share.
2. **components** (commissions, quota bonuses, team bonuses), each at the end of its own
   measurement window. With YTD true-up the window is the fiscal year to date and the line pays
   what was earned year-to-date less what was earned before; without it, the window is the
   component's own month/quarter/year. Amounts are kept in whole cents as *cumulative earned in
   the fiscal year*, so period lines always add up to the year's total: with true-up the
   year-to-date earnings are rounded (a line is rounded YTD less rounded YTD before); without it
   each window's earnings are rounded on their own (a window's pay never depends on another's
   sub-cent remainder).
3. **component caps**, then the **total variable cap** (per period: the excess is forfeited; per
   year: cumulative pay never exceeds it, so a cap hit mid-period pays only the headroom).
4. **SPIFs** (outside caps) and **clawbacks** (negative).
5. **negative balance**: if variable pay nets below zero it is carried forward and recovered from
   later variable pay (``negative_balance`` in the plan).
6. **draw**: guarantee top-ups and recoveries.

Money is handled in integer cents from step 2 on: every line is a whole number of cents and the
total of a rep-period is the sum of its lines, exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salessim.comp import components as cc
from salessim.comp.performance import TENURED, Performance, prepare
from salessim.comp.plan import (
    PERIOD_MONTHS,
    Cap,
    Commission,
    CompPlan,
    PlanError,
    QuotaBonus,
    Spif,
    TeamBonus,
)
from salessim.inputs import limit

COLUMNS = ["rep", "period", "fiscal_year", "item", "component", "detail", "measure", "basis",
           "credited", "quota", "attainment", "amount", "explanation"]
TEXT = ("item", "component", "detail", "measure", "basis")  #: text columns of the statement lines
ITEMS = ["base", "commission", "quota_bonus", "team_bonus", "cap_adjustment", "spif", "clawback",
         "negative_balance", "draw_advance", "draw_recovery"]


def cents(x: np.ndarray) -> np.ndarray:
    """Currency -> integer cents (round half away from zero). An amount that is not finite or
    is above the ``money`` limit raises ``ValueError`` (int64 cents would silently wrap)."""
    x = np.asarray(x, float)
    most = limit("money")
    bad = ~np.isfinite(x) | (np.abs(x) > most)
    if bad.any():
        v = x[bad].flat[0]
        raise ValueError(f"a payout amount of {v:,.6g} is not finite or above the limit of {most:,.0f} "
                         "(check credited, quota, base_salary and target_incentive; set SALESSIM_MAX_MONEY to raise it)")
    return (np.sign(x) * np.floor(np.abs(x) * 100.0 + 0.5 + 1e-7)).astype(np.int64)


def money(c: float) -> str:
    return f"{c / 100:,.2f}"


@dataclass
class Block:
    """One kind of line: per-period amounts in cents ``[n, T]`` and how to explain them."""

    item: str
    component: str
    detail: str
    measure: str
    amount: np.ndarray
    show: np.ndarray
    explain: Callable[[np.ndarray, np.ndarray], list[str]]
    basis: str = ""
    credited: np.ndarray | None = None
    quota: np.ndarray | None = None
    attainment: np.ndarray | None = None


@dataclass
class Rows:
    """Lines that are lists of rows rather than ``[n, T]`` arrays (SPIFs, clawbacks)."""

    item: str
    component: str
    measure: str
    r: np.ndarray
    t: np.ndarray
    amount: np.ndarray
    explanation: list[str]
    detail: list[str]


class Ledger:
    """Everything the engine computed for one performance frame."""

    def __init__(self, plan: CompPlan, perf: Performance, include_draw: bool = True):
        self.plan, self.perf = plan, perf
        n, T = perf.shape
        fy = perf.fiscal_year
        self.new_year = np.r_[True, fy[1:] != fy[:-1]]
        self.blocks: list[Block] = []
        self.rows: list[Rows] = []
        self.capped_cum = np.zeros((n, T), np.int64)  # cumulative-in-year capped variable
        # effective commission rate per measure and won period (NaN: no evaluated window), for clawbacks
        self.commission_rate: dict[str, np.ndarray] = {m.name: np.full((n, T), np.nan) for m in plan.measures}
        self.results: dict[str, np.ndarray] = {}
        self._base()
        for comp in plan.components:
            if not isinstance(comp, Spif):
                self._component(comp)
        self._total_cap()
        variable = self.delta(self.capped_cum)
        for comp in plan.components:
            if isinstance(comp, Spif):
                variable = variable + self._spif(comp)
        if plan.clawback is not None:
            variable = variable + self._clawback()
        variable = self._negative_balance(variable)
        self.variable_paid = variable
        if plan.draw is not None and include_draw:
            variable = self._draw(variable)
        self.variable = variable
        self.total = self.base + variable

    # ------------------------------------------------------------------ helpers

    def delta(self, cum: np.ndarray) -> np.ndarray:
        """Per-period change of a cumulative-in-fiscal-year array (resets at year start)."""
        prev = np.concatenate([np.zeros_like(cum[:, :1]), cum[:, :-1]], axis=1)
        return cum - np.where(self.new_year[None], 0, prev)

    def window_sum(self, x: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Running sum of ``x`` within consecutive groups of periods."""
        cs = np.cumsum(x, axis=1)
        first = np.r_[True, group[1:] != group[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(len(group)), 0))
        before = np.where(start > 0, cs[:, np.maximum(start - 1, 0)], 0)  # keeps integer cents integer
        return cs - before

    def cap(self, X: np.ndarray, cap: Cap, ytd: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative cents after the period cap (excess forfeited) and after the year cap.

        Period cap: a period pays at most ``cap.period`` of what it adds to the year's earnings;
        the excess is forfeited for good (never paid later). With YTD true-up (``ytd``) earnings
        can fall later in the year: the fall first cancels forfeited (never paid) earnings, and
        only what falls below the amount actually paid is taken back, so a forfeited excess is
        never recovered from the rep a second time. Per window, a window's own net returns are
        its own (taken back in full)."""
        Y = X.copy()
        if cap.period is not None:
            cp = int(cents(cap.period))
            forfeit = np.zeros(X.shape[0], np.int64)  # earned in the year and never paid
            paid = np.zeros(X.shape[0], np.int64)
            for t in range(X.shape[1]):
                if self.new_year[t]:
                    forfeit[:] = 0
                    paid[:] = 0
                due = X[:, t] - forfeit - paid
                if ytd:
                    rise = due >= 0
                    pay = np.where(rise, np.minimum(due, cp), np.minimum(0, X[:, t] - paid))
                    forfeit = np.where(rise, forfeit + np.maximum(0, due - cp), np.maximum(0, X[:, t] - paid))
                else:
                    pay = np.minimum(due, cp)
                    forfeit = forfeit + np.maximum(0, due - cp)
                paid = paid + pay
                Y[:, t] = paid
        K = np.minimum(Y, int(cents(cap.year))) if cap.year is not None else Y
        return Y, K

    def _eval_points(self, months: int) -> np.ndarray:
        perf = self.perf
        return (perf.fiscal_month + perf.grain) % months == 0

    def _cumulate(self, lines: np.ndarray, ev: np.ndarray, ytd: bool, group: np.ndarray) -> np.ndarray:
        """Window earnings at evaluation points -> cumulative earned in the fiscal year."""
        if ytd:
            # per rep: the last evaluation this fiscal year at which the rep was employed
            # (a leaver keeps what was earned; nothing is re-evaluated after they leave)
            evr = ev[None] & self.perf.present
            n, T = evr.shape
            last = np.full((n, T), -1)
            cur = np.full(n, -1)
            for t in range(T):
                if self.new_year[t]:
                    cur[:] = -1
                cur = np.where(evr[:, t], t, cur)
                last[:, t] = cur
            out = np.take_along_axis(lines, np.maximum(last, 0)[None], axis=2)
            return np.where(last[None] >= 0, out, 0.0)
        fy = self.perf.fiscal_year
        return np.stack([self.window_sum(np.where(ev, line, 0), fy) for line in lines])

    # ------------------------------------------------------------------ steps

    def _base(self) -> None:
        perf = self.perf
        months = perf.grain
        self.base = cents(perf.base_annual * months / 12.0 * perf.share)
        base_annual, share = perf.base_annual, perf.share

        def explain(r: np.ndarray, t: np.ndarray) -> list[str]:
            return [f"base salary {b:,.2f}/yr x {months}/12" + (f" x {s:.1%} employed" if s < 1 else "")
                    for b, s in zip(base_annual[r, t].tolist(), share[r, t].tolist(), strict=True)]

        self.blocks.append(Block("base", "base salary", "", "", self.base, perf.present, explain))

    def _component(self, comp: Commission | QuotaBonus | TeamBonus) -> None:
        plan, perf = self.plan, self.perf
        months = PERIOD_MONTHS[plan.component_period(comp)]
        ytd = plan.component_true_up(comp)
        measure = plan.measure(comp.measure)
        fy = perf.fiscal_year.astype(np.int64)
        group = fy if ytd else fy * 12 + perf.fiscal_month // months
        ev = self._eval_points(months)
        C = self.window_sum(perf.credited[measure.name], group)
        Q = self.window_sum(perf.quota[measure.name], group)
        ti_period = perf.ti_annual * measure.weight * perf.grain / 12.0 * perf.share
        TI = self.window_sum(ti_period, group)
        att = cc.attainment(C, Q)
        extra: dict[str, np.ndarray] = {}
        if isinstance(comp, Commission):
            lines = cc.commission(comp, C, Q, TI)
            labels = [comp.tier_label(i) for i in range(len(comp.tiers))]
            item = "commission"
        elif isinstance(comp, QuotaBonus):
            windows = (perf.fiscal_month + perf.grain) // months if ytd else np.ones(len(ev))
            lines = cc.quota_bonus(comp, C, Q, TI, np.broadcast_to(windows, C.shape))
            labels = [comp.step_label(i) for i in range(len(comp.thresholds))]
            item = "quota_bonus"
        else:
            share = np.zeros_like(C)
            t_att = np.full_like(C, np.nan)
            pool = np.zeros_like(C)
            for t in np.flatnonzero(ev):
                share[:, t], t_att[:, t], pool[:, t] = cc.team_bonus(
                    comp, C[:, t], Q[:, t], perf.team[:, t], len(perf.teams))
            lines = share[None]
            labels = ["team pool share"]
            item = "team_bonus"
            extra = {"team_att": t_att, "pool": pool}
        lines = np.where(ev[None, None] & perf.present[None], lines, 0.0)
        # [L, n, T] cumulative in year, whole cents. YTD: round what was earned to date (the line
        # is that less what was paid before). Per window: each window's statement stands alone,
        # so round its earnings first; rounding the year-cumulative instead would let one
        # window's sub-cent remainder move another's pay by a cent.
        R = cents(self._cumulate(lines, ev, True, group)) if ytd else self._cumulate(cents(lines), ev, False, group)
        D = np.stack([self.delta(x) for x in R])
        X = R.sum(axis=0)
        Y, K = self.cap(X, comp.cap, ytd)
        self.capped_cum += K
        if item == "commission":
            rate = self._effective_rate(K if ytd else self.delta(K), C, ev, group)
            have = self.commission_rate[measure.name]
            self.commission_rate[measure.name] = np.where(np.isnan(have), rate, have + np.nan_to_num(rate))
        shown = ev[None] & perf.present
        basis = "YTD" if ytd else plan.component_period(comp)
        for i, label in enumerate(labels):
            explain = self._explainer(comp, i, C, Q, TI, att, R[i], ytd, basis, extra)
            show = shown if i == 0 else np.zeros_like(shown)
            self.blocks.append(Block(item, comp.name, label, measure.name, D[i], show, explain, basis, C, Q, att))
        for field, before, after in (("period", X, Y), ("year", Y, K)):
            limit = getattr(comp.cap, field)
            if limit is None:
                continue
            adj = self.delta(after) - self.delta(before)
            self.blocks.append(Block("cap_adjustment", comp.name, f"{field} cap", measure.name, adj,
                                     np.zeros_like(shown), self._cap_explainer(field, limit, before, after, comp.name)))

    def _effective_rate(self, paid: np.ndarray, C: np.ndarray, ev: np.ndarray, group: np.ndarray) -> np.ndarray:
        """[n, T] commission rate a period's credit was paid at (fraction; NaN if its window was not
        evaluated while the rep was present, or had no credit): the pay of the window containing the
        period, after this component's caps, over the window's credit. ``paid`` is the cents paid
        for the window at its evaluation points (YTD: paid to date, so the rate is the year-to-date
        effective rate). Never negative: a fall in true-up pay is not a rate a clawback may apply."""
        n, T = C.shape
        ok = ev[None] & self.perf.present & (C > 0)
        at_eval = np.where(ok, np.maximum(paid, 0) / 100.0 / np.where(C > 0, C, 1.0), np.nan)
        out = np.full((n, T), np.nan)
        cur = np.full(n, np.nan)
        for t in range(T - 1, -1, -1):  # each period takes the evaluation that closes its window
            if t == T - 1 or group[t + 1] != group[t]:
                cur = np.full(n, np.nan)
            if ev[t]:
                cur = at_eval[:, t]
            out[:, t] = cur
        return out

    def _explainer(self, comp: Commission | QuotaBonus | TeamBonus, i: int, C: np.ndarray, Q: np.ndarray,
                   TI: np.ndarray, att: np.ndarray, R: np.ndarray, ytd: bool, basis: str,
                   extra: dict[str, np.ndarray]) -> Callable[[np.ndarray, np.ndarray], list[str]]:
        """Explanation strings for line ``i`` of a component at given (rep, period) indices."""
        new_year = self.new_year

        is_commission, is_bonus = isinstance(comp, Commission), isinstance(comp, QuotaBonus)
        tier = comp.tiers[i] if is_commission else None
        fixed_rate = f"{tier.rate:.2%} of credit" if is_commission and tier.rate is not None else None
        gate = comp.gate if is_commission else 0.0
        retroactive = is_commission and comp.method == "retroactive"
        one_tier = is_commission and len(comp.tiers) == 1
        eps = cc.EPS

        def explain(r: np.ndarray, t: np.ndarray) -> list[str]:
            out = []
            prev = np.where(new_year[t], 0, R[r, np.maximum(t - 1, 0)])
            cols = (C[r, t], Q[r, t], att[r, t], TI[r, t], R[r, t], prev)
            for rr, tt, c, q, a, ti, now, before in zip(r.tolist(), t.tolist(), *(x.tolist() for x in cols), strict=True):
                if q <= 0:
                    head = f"{basis} credited {c:,.2f}, quota 0 (attainment counted as 0%)"
                else:
                    head = f"{basis} credited {c:,.2f} vs quota {q:,.2f} = {a:.1%} attainment"
                if is_commission:
                    rate = fixed_rate if fixed_rate is not None else f"{tier.multiple:g}x base rate (TI {ti:,.2f} / quota)"
                    if gate > 0 and a + eps < gate:
                        body = f"below the {gate:.0%} gate: nothing earned"
                    elif retroactive:
                        reached = cc.retro_tier(comp, np.asarray(a))
                        body = (f"retroactive: {rate} on all credit" if reached == i
                                else f"tier not reached (attainment in {comp.tier_label(int(reached))})")
                    elif one_tier:
                        body = f"{rate} on all credit"
                    elif tier.end is None:
                        body = f"{rate} on credit above {tier.start * q:,.2f}"
                    else:
                        body = f"{rate} on credit from {tier.start * q:,.2f} to {tier.end * q:,.2f}"
                elif is_bonus:
                    step = comp.thresholds[i]
                    k = (self.perf.fiscal_month[tt] + self.perf.grain) // PERIOD_MONTHS[self.plan.component_period(comp)]
                    pay = (f"{step.amount:,.2f}" + (f" x {k} periods YTD" if ytd and k > 1 else "")
                           if step.amount is not None else f"{step.target_share:.1%} of TI {ti:,.2f}")
                    ok = a + cc.EPS >= step.attainment
                    body = f"{'reached' if ok else 'not reached'} {step.attainment:.0%} -> {pay}"
                    if ok and comp.mode == "highest" and now == 0:
                        body += " (a higher step pays instead)"
                else:
                    ta, pool = extra["team_att"][rr, tt], extra["pool"][rr, tt]
                    head = f"team attainment {ta:.1%} (threshold {comp.threshold:.0%})"
                    body = f"pool {pool:,.2f} split {comp.split}"
                if not ytd:
                    tail = f"earned {money(now - before)}"
                elif before:
                    tail = f"earned YTD {money(now)} - {money(before)} before = {money(now - before)}"
                else:
                    tail = f"earned YTD {money(now)}"
                out.append(f"{head}; {body}; {tail}")
            return out

        return explain

    def _cap_explainer(self, field: str, limit: float, before: np.ndarray, after: np.ndarray,
                       what: str) -> Callable[[np.ndarray, np.ndarray], list[str]]:
        def explain(r: np.ndarray, t: np.ndarray) -> list[str]:
            return [f"{what}: {field} cap {limit:,.2f}; uncapped {money(before[rr, tt])} YTD, "
                    f"paid up to {money(after[rr, tt])} YTD" for rr, tt in zip(r, t, strict=True)]

        return explain

    def _total_cap(self) -> None:
        caps = self.plan.caps
        if caps.period is None and caps.year is None:
            return
        X = self.capped_cum
        ytd = any(self.plan.component_true_up(c) for c in self.plan.components if not isinstance(c, Spif))
        Y, K = self.cap(X, caps, ytd)
        for field, before, after in (("period", X, Y), ("year", Y, K)):
            limit = getattr(caps, field)
            if limit is None:
                continue
            adj = self.delta(after) - self.delta(before)
            self.blocks.append(Block("cap_adjustment", "total variable", f"{field} cap", "", adj,
                                     np.zeros_like(self.perf.present),
                                     self._cap_explainer(field, limit, before, after, "total variable")))
        self.capped_cum = K

    def _spif(self, spif: Spif) -> np.ndarray:
        perf = self.perf
        n, T = perf.shape
        d = perf.deals
        out = np.zeros((n, T), np.int64)
        if len(d) == 0:
            return out
        start = pd.Period(spif.start, freq="M").start_time
        end = pd.Period(spif.end, freq="M").end_time
        in_window = np.asarray([(p.start_time >= start) and (p.end_time <= end) for p in perf.periods])
        ok = (d["measure"] == spif.measure).to_numpy() & in_window[d["t"].to_numpy(int)]
        ok &= (d["credited"] > 0).to_numpy() & (d["credited"] >= spif.min_amount).to_numpy()
        for col, allowed in (("product", spif.products), ("segment", spif.segments)):
            if allowed is not None:
                if col not in d:
                    raise ValueError(f"SPIF '{spif.name}' filters on {col} but the data has no {col} column")
                ok &= d[col].isin(allowed).fillna(False).to_numpy(bool)
        q = d[ok]
        if len(q) == 0:
            return out
        each = cents(np.full(len(q), spif.per_deal) if spif.per_deal is not None else spif.rate * q["credited"].to_numpy())
        g = pd.DataFrame({"r": q["r"].to_numpy(int), "t": q["t"].to_numpy(int), "c": each, "credit": q["credited"].to_numpy()})
        agg = g.groupby(["r", "t"], sort=True).agg(c=("c", "sum"), k=("c", "size"), credit=("credit", "sum")).reset_index()
        r, t = agg["r"].to_numpy(), agg["t"].to_numpy()
        np.add.at(out, (r, t), agg["c"].to_numpy())
        how = f"{spif.per_deal:,.2f} per deal" if spif.per_deal is not None else f"{spif.rate:.2%} of credit"
        expl = [f"{k} qualifying deal(s) ({cr:,.2f} credited), {spif.start} to {spif.end}: {how}"
                for k, cr in zip(agg["k"], agg["credit"], strict=True)]
        self.rows.append(Rows("spif", spif.name, spif.measure, r, t, agg["c"].to_numpy(), expl, [""] * len(r)))
        return out

    def _clawback(self) -> np.ndarray:
        perf, cb = self.perf, self.plan.clawback
        n, T = perf.shape
        out = np.zeros((n, T), np.int64)
        ch = perf.churn
        if len(ch) == 0:
            return out
        r, t = ch["r"].to_numpy(int), ch["t"].to_numpy(int)
        won_t, months = ch["won_t"].to_numpy(int), ch["months"].to_numpy(int)
        amount = ch["credited"].to_numpy(float)
        rates = np.zeros(len(ch))
        how = []
        won_period = ch["won_period"].tolist()
        for i, (rr, wt, m) in enumerate(zip(r, won_t, ch["measure"], strict=True)):
            eff = self.commission_rate[m][rr, wt] if 0 <= wt < T else np.nan
            if cb.use_effective_rate and not np.isnan(eff):
                rates[i] = eff
                how.append(f"{eff:.2%} effective commission rate of {won_period[i]}")
            elif cb.rate is not None:
                rates[i] = cb.rate
                how.append(f"clawback rate {cb.rate:.2%}")
            else:
                how.append(f"no rate ({won_period[i]} not in the data and no clawback.rate)")
        eligible = months <= cb.within_months
        # a clawback only ever takes back: never a payment (a negative credit or rate reverses nothing)
        c = np.where(eligible, -cents(np.maximum(amount, 0.0) * rates), 0)
        np.add.at(out, (r, t), c)
        expl = [f"deal {deal} won {wp}, churned after {m} month(s) "
                + (f"<= {cb.within_months}: -{a:,.2f} x {h}" if e else f"> {cb.within_months}: no clawback")
                for deal, wp, m, e, a, h in zip(ch["deal"], ch["won_period"], months, eligible, amount, how, strict=True)]
        self.rows.append(Rows("clawback", "clawback", "", r, t, c, expl, [str(x) for x in ch["deal"]]))
        return out

    def _negative_balance(self, variable: np.ndarray) -> np.ndarray:
        policy = self.plan.negative_balance
        if policy == "pay_negative":
            return variable
        n, T = variable.shape
        carried_in = np.zeros((n, T), np.int64)
        carried_out = np.zeros((n, T), np.int64)
        bal = np.zeros(n, np.int64)
        pay = np.zeros_like(variable)
        for t in range(T):
            if policy == "forgive_at_year_end" and self.new_year[t]:
                bal[:] = 0
            here = self.perf.present[:, t]  # an absent rep's balance waits for their return
            net = variable[:, t] + bal
            carried_in[:, t] = np.where(here, bal, 0)
            new_bal = np.where(here, np.minimum(net, 0), bal)
            carried_out[:, t] = np.where(here, -new_bal, 0)
            pay[:, t] = np.where(here, np.maximum(net, 0), variable[:, t])
            bal = new_bal
        zero = np.zeros_like(self.perf.present)
        self.blocks.append(Block("negative_balance", "negative balance", "recovered from prior periods", "",
                                 carried_in, zero, lambda r, t: [f"negative variable balance brought forward: {money(carried_in[a, b])}" for a, b in zip(r, t, strict=True)]))
        self.blocks.append(Block("negative_balance", "negative balance", "carried forward", "",
                                 carried_out, zero, lambda r, t: [f"variable pay nets to -{money(carried_out[a, b])}: carried forward, recovered from later variable pay" for a, b in zip(r, t, strict=True)]))
        return pay

    def _draw_months(self) -> np.ndarray:
        """[n, T] months of draw guarantee per rep-period (fractions for partial employment).

        With a ``hired`` column: the months of the period inside ``[hired, hired + draw.months)``,
        at most the months employed (``grain x employed_share``), so the hire month is
        pro-rated. Without it: each rep's first ``draw.months`` in the data, pro-rated by
        ``employed_share``."""
        perf, draw = self.perf, self.plan.draw
        n, T = perf.shape
        if perf.hired is None:
            first = np.where(perf.present.any(axis=1), perf.present.argmax(axis=1), T)
            window = (np.arange(T)[None] - first[:, None]) * perf.grain < draw.months
            window &= perf.present & (np.arange(T)[None] >= first[:, None])
            return np.where(window, perf.grain * perf.share, 0.0)
        start = perf.start_months()[None]
        hired = perf.hired[:, None]
        inside = np.minimum(start + perf.grain, hired + draw.months) - np.maximum(start, hired)
        return np.where(perf.present, np.clip(np.minimum(inside, perf.grain * perf.share), 0.0, None), 0.0)

    def _draw(self, variable: np.ndarray) -> np.ndarray:
        perf, draw = self.perf, self.plan.draw
        n, T = perf.shape
        months = self._draw_months()
        window = months > 0
        guarantee = np.where(window, cents(draw.amount * months), 0)
        advance = np.zeros((n, T), np.int64)
        recovery = np.zeros((n, T), np.int64)
        balance = np.zeros((n, T), np.int64)
        bal = np.zeros(n, np.int64)
        for t in range(T):
            v, g = variable[:, t], guarantee[:, t]
            adv = np.where(window[:, t], np.maximum(g - v, 0), 0)  # (pay_negative: no top-up outside)
            room = np.maximum(v - g, 0)
            rec = np.minimum(bal, np.floor(room * draw.recovery_share + 1e-9).astype(np.int64)) if draw.recoverable else 0
            if draw.recoverable:
                bal = bal - rec + adv
            advance[:, t], recovery[:, t], balance[:, t] = adv, -rec if draw.recoverable else 0, bal
        kind = "recoverable" if draw.recoverable else "non-recoverable"
        since = [""] * n
        if perf.hired is not None:
            kind += " new-hire"
            since = ["" if h == TENURED else f" ({draw.months} months from hire in {pd.Period(ordinal=int(h), freq='M')})"
                     for h in perf.hired]
        self.draw_balance = balance
        self.blocks.append(Block("draw_advance", "draw", kind, "", advance, np.zeros_like(window),
                                 lambda r, t: [f"{kind} draw{since[a]} guarantees {money(guarantee[a, b])}; variable pay {money(variable[a, b])}: "
                                               f"advance {money(advance[a, b])}" + (f"; balance owed {money(balance[a, b])}" if draw.recoverable else "")
                                               for a, b in zip(r, t, strict=True)]))
        self.blocks.append(Block("draw_recovery", "draw", kind, "", recovery, np.zeros_like(window),
                                 lambda r, t: [f"recovers {money(-recovery[a, b])} of the draw balance "
                                               f"(max {draw.recovery_share:.0%} of variable pay above the guarantee); balance owed {money(balance[a, b])}"
                                               for a, b in zip(r, t, strict=True)]))
        return variable + advance + recovery

    # ------------------------------------------------------------------ output

    def frame(self) -> pd.DataFrame:
        """The line items as a tidy frame (one row per rep, period and line)."""
        lines, explanations = self.lines()
        if explanations is None:
            return lines
        lines["explanation"] = explanations()
        return lines

    def lines(self) -> tuple[pd.DataFrame, Callable[[], pd.api.extensions.ExtensionArray] | None]:
        """:meth:`frame` without its ``explanation`` column, and a function that writes that
        column in the frame's row order (``None`` when there are no lines: the frame is then
        :meth:`frame`'s). The text is most of the frame's cost, so callers that may never read
        it can defer it."""
        perf = self.perf
        labels = perf.period_labels()
        parts: list[dict] = []
        texts: list[Callable[[], list[str]]] = []  # each part's explanations, written when asked for
        order = 0
        for b in self.blocks:
            order += 1
            mask = (b.amount != 0) | b.show
            r, t = np.nonzero(mask)
            if len(r) == 0:
                continue
            nan = np.full(len(r), np.nan)
            parts.append({
                "r": r, "t": t, "order": np.full(len(r), order), "item": b.item, "component": b.component,
                "detail": b.detail, "measure": b.measure, "basis": b.basis,
                "credited": b.credited[r, t] if b.credited is not None else nan,
                "quota": b.quota[r, t] if b.quota is not None else nan,
                "attainment": b.attainment[r, t] if b.attainment is not None else nan,
                "cents": b.amount[r, t],
            })
            texts.append(lambda explain=b.explain, r=r, t=t: explain(r, t))
        for rows in self.rows:
            order += 1
            k = len(rows.r)
            parts.append({"r": rows.r, "t": rows.t, "order": np.full(k, order), "item": rows.item,
                          "component": rows.component, "detail": rows.detail, "measure": rows.measure,
                          "basis": "", "credited": np.full(k, np.nan), "quota": np.full(k, np.nan),
                          "attainment": np.full(k, np.nan), "cents": rows.amount})
            texts.append(lambda explanation=rows.explanation: explanation)
        if not parts:
            return pd.DataFrame(columns=COLUMNS), None
        sizes = [len(p["r"]) for p in parts]
        text = {k: _text_codes([p[k] for p in parts], sizes) for k in TEXT}
        cols = {k: np.concatenate([np.broadcast_to(np.asarray(p[k]), (n,)) for p, n in zip(parts, sizes, strict=True)])
                for k in parts[0] if k not in TEXT}
        by_line = np.lexsort((cols["order"], cols["t"], cols["r"]))  # rep, period, then block order (stable)
        df = {k: v[by_line] for k, v in cols.items()}
        item_labels, item_codes = text.pop("item")
        item_codes = np.array([ITEMS.index(x) if x in ITEMS else -1 for x in item_labels], dtype=np.int64)[item_codes]
        r, t = df["r"].astype(int), df["t"].astype(int)
        self._reconcile(r, t, df["cents"].astype(np.int64))
        lines = pd.DataFrame({
            "rep": pd.array(perf.reps, dtype="string").take(r),  # each label converted once, then taken
            "period": pd.array(labels, dtype="string").take(t),
            "fiscal_year": perf.fiscal_year[t],
            "item": pd.Categorical.from_codes(item_codes[by_line], categories=ITEMS),
            **{col: pd.array(labels, dtype="string").take(codes[by_line]) for col, (labels, codes) in text.items()},
            **{col: df[col].astype(float) for col in ("credited", "quota", "attainment")},
            "amount": df["cents"].astype(np.int64) / 100.0,
        })

        def explanations() -> pd.api.extensions.ExtensionArray:
            text = np.concatenate([np.asarray(f(), dtype=object) for f in texts])
            return pd.array(text[by_line], dtype="string")

        return lines, explanations

    def _reconcile(self, r: np.ndarray, t: np.ndarray, line_cents: np.ndarray) -> None:
        """Each rep-period's lines sum to its total pay, to the cent, within the money limit."""
        summed = np.zeros_like(self.total)
        np.add.at(summed, (r, t), line_cents)
        exact = np.zeros(self.total.shape, dtype=object)
        np.add.at(exact, (r, t), line_cents.astype(object))
        wrong = (summed != self.total) | (exact != summed) | (np.abs(summed) > int(limit("money")) * 100)
        if wrong.any():
            a, b = (int(x[0]) for x in np.nonzero(wrong))
            raise ValueError(f"statement of rep {self.perf.reps[a]}, {self.perf.periods[b]} does not reconcile: lines sum "
                             f"to {money(int(exact[a, b]))}, total pay {money(int(self.total[a, b]))}; nothing was written")


def _text_codes(parts: list, sizes: list[int]) -> tuple[list, np.ndarray]:
    """A text column of statement lines from its parts, each a string for all of the part's
    ``sizes[i]`` lines or one value per line: the distinct values and each line's index into
    them (each value converted to text once, by the caller)."""
    labels: dict = {}
    codes = []
    for v, n in zip(parts, sizes, strict=True):
        if np.ndim(v) == 0:
            codes.append(np.full(n, labels.setdefault(v, len(labels)), dtype=np.int64))
        else:
            c, uniques = pd.factorize(np.asarray(v, dtype=object), use_na_sentinel=False)
            codes.append(np.array([labels.setdefault(x, len(labels)) for x in uniques], dtype=np.int64)[c])
    return list(labels), np.concatenate(codes)


def ledger(plan: CompPlan, performance: pd.DataFrame | Performance, include_draw: bool = True) -> Ledger:
    """Run the engine and keep its arrays (for analyses and the engine-facing API)."""
    perf = performance if isinstance(performance, Performance) else prepare(plan, performance)
    try:
        return Ledger(plan, perf, include_draw)
    except ValueError as e:
        raise PlanError(f"{perf.source}: {e}") from None


def statements(plan: CompPlan, performance: pd.DataFrame | Performance) -> pd.DataFrame:
    """Payout statements: one row per rep, period and line item, with an explanation each.

    Columns: ``rep, period, fiscal_year, item, component, detail, measure, basis, credited,
    quota, attainment, amount, explanation``. ``credited``/``quota``/``attainment`` are the
    measurement window's (year-to-date with true-up). ``amount`` is in currency with whole cents;
    a rep-period's lines sum to its total pay (:func:`summary`).
    """
    return ledger(plan, performance).frame()


def summary(statements: pd.DataFrame, by: str = "period") -> pd.DataFrame:
    """Totals per rep and ``period`` (or ``fiscal_year``): one column per item, plus
    ``variable`` and ``total``. Sums are done in integer cents, so they reconcile exactly."""
    keys = ["rep", "period", "fiscal_year"] if by == "period" else ["rep", "fiscal_year"]
    c = statements.assign(cents=np.rint(statements["amount"].to_numpy(float) * 100).astype(np.int64))
    wide = c.pivot_table(index=keys, columns="item", values="cents", aggfunc="sum", fill_value=0, observed=True, sort=False)
    wide = wide.reindex(columns=[i for i in ITEMS if i in wide.columns])
    total = wide.sum(axis=1)
    base = wide.get("base", 0)
    out = (wide / 100.0).assign(variable=(total - base) / 100.0, total=total / 100.0)
    out.columns.name = None
    return out.reset_index()
