"""Which deals each rep works first, and which products they prospect, from what the plan pays.

:class:`DealPriorities` is a part the :class:`salessim.engine.floor.SalesFloor` holds
(``floor.priorities``). Each work step it values every open deal to its rep per hour needed
(:mod:`salessim.model.deal_choice`): what crediting it adds to the rep's plan-year value
(:meth:`salessim.engine.foresight.Foresight.deal_value`, read through ``floor.decisions``), plus
the SPIFs it qualifies for if it closes as expected, times its chance to close won, over the rep
hours it still needs. With ``value_basis: spif`` (default) only a SPIF's share of a deal's pay
moves it forward in the nearest-to-close queue; with ``plan`` the floor works the deals in the
blend of the value order and the nearest-to-close one (cherry-picking). It also gives each rep's product shares of self-sourced leads while a SPIF
pays on some products. Without a plan (or with ``behaviour.enabled`` or
``behaviour.deal_choice.enabled`` off) the nearest-to-close order and the market's product mix
stand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from salessim.comp.plan import Spif
from salessim.model.deal_choice import (
    blended_order,
    prospecting_shares,
    spif_order,
    win_and_hours_to_close,
)


@dataclass(frozen=True)
class SpifTerms:
    """One SPIF in engine units: which deals qualify and what each pays."""

    product_ok: np.ndarray  #: (P,) bool
    segment_ok: np.ndarray  #: (G,) bool
    start: float  #: first clock day of the window
    end: float  #: clock day after its last day
    per_deal: float  #: currency per qualifying deal (0 if paid as a rate)
    rate: float  #: share of the credited amount (0 if paid per deal)
    min_amount: float  #: currency


class DealPriorities:
    """The reps' deal order and prospecting mix on ``floor`` (reads its deals, reps and plan)."""

    def __init__(self, floor) -> None:
        self.floor = f = floor
        s = f.scenario
        self.settings = dc = s.behaviour.deal_choice
        inc = f.decisions.incentive
        self.on = inc is not None and s.behaviour.enabled and dc.enabled
        stages = s.funnel.stages
        n_seg, n_prod = len(f.seg_win), len(f.prod_win)
        mult = (f.seg_win[:, None] * f.prod_win[None, :]).ravel()
        win, need = win_and_hours_to_close(f.conv, np.array([st.rep_hours for st in stages]), mult)
        self.win_from = win.reshape(len(stages), n_seg, n_prod)  # (stage, segment, product)
        self.hours_from = need.reshape(len(stages), n_seg, n_prod) * f.seg_hours[None, :, None]
        medians = np.array([st.duration.quantile(np.array([0.5]))[0] for st in stages])
        self.after = np.concatenate([np.cumsum(medians[::-1])[::-1][1:], [0.0]])  # median days after a stage
        self.cycle_days = float(medians.sum())
        self._plan = None
        self._spifs: list[SpifTerms] = []

    # ------------------------------------------------------------------ the plan's SPIFs

    def spifs(self) -> list[SpifTerms]:
        """The SPIFs of the plan in force (rebuilt when an event changes the plan)."""
        plan = self.floor.decisions.incentive.plan
        if plan is not self._plan:
            self._plan, self._spifs = plan, [self._terms(c) for c in plan.components
                                             if isinstance(c, Spif) and c.measure == plan.primary_measure]
        return self._spifs

    def _terms(self, c: Spif) -> SpifTerms:
        m = self.floor.scenario.market
        start0 = self.floor.clock.sim_start
        day = lambda t: float((np.datetime64(t.date(), "D") - start0).astype(np.int64))  # noqa: E731
        start = day(pd.Period(c.start, freq="M").start_time)
        end = day(pd.Period(c.end, freq="M").end_time) + 1.0
        prods = np.array([c.products is None or p.name in c.products for p in m.products])
        segs = np.array([c.segments is None or g.name in c.segments for g in m.segments])
        return SpifTerms(prods, segs, start, end, float(c.per_deal or 0.0), float(c.rate or 0.0), float(c.min_amount))

    def spif_pay(self, idx: np.ndarray, due: np.ndarray) -> np.ndarray:
        """SPIF pay (currency) deals ``idx`` earn if they close won on clock days ``due``."""
        p = self.floor.pipe
        out = np.zeros(len(idx))
        amount = p.amount[idx]
        for sp in self.spifs():
            ok = (sp.product_ok[p.product[idx]] & sp.segment_ok[p.segment[idx]] & (amount >= sp.min_amount)
                  & (due >= sp.start) & (due < sp.end))
            out += ok * (sp.per_deal + sp.rate * amount)
        return out

    # ------------------------------------------------------------------ the work order

    def order(self, o: np.ndarray, rep: np.ndarray, stage: np.ndarray, close_order: np.ndarray,
              t0: float, month: int, short: np.ndarray) -> np.ndarray:
        """The order the reps work open deals ``o`` in (a permutation grouped by rep);
        ``close_order`` is the nearest-to-close one. Only reps ``short`` of hours (bool per rep)
        re-order: the others work every deal whatever the order."""
        w = self.settings.value_weight
        if not self.on or w == 0.0 or not len(o) or not short.any():
            return close_order
        if self.settings.value_basis == "spif" and not self.spifs():  # no SPIF moves any deal forward
            return close_order
        f, p = self.floor, self.floor.pipe
        seg, prod = p.segment[o], p.product[o]
        spif = np.zeros(len(o))
        if self.spifs():
            due = p.clock[o] + p.remaining[o] + self.after[stage] * f.seg_dur[seg]
            spif = self.spif_pay(o, due) * short[rep]
        if self.settings.value_basis == "spif" and not spif.any():
            return close_order
        pos = f.decisions.position(t0, month)
        if self.settings.value_basis == "spif":  # only deals a SPIF pays on need their commission value
            share = np.zeros(len(o))
            i = np.flatnonzero(spif > 0)
            r = rep[i]
            pay = pos.foresight.deal_value(pos.step, pos.rho[r], pos.p[r], pos.y0[r], p.amount[o[i]] / pos.annual_quota[r])
            share[i] = spif[i] / (np.maximum(pay, 0.0) + spif[i])
            return spif_order(rep, close_order, share, w, f.n_reps)
        pay = pos.foresight.deal_value(pos.step, pos.rho[rep], pos.p[rep], pos.y0[rep], p.amount[o] / pos.annual_quota[rep])
        value = (pay + spif) * self.win_from[stage, seg, prod] / np.maximum(self.hours_from[stage, seg, prod], 1e-9)
        return blended_order(rep, close_order, value, w, f.n_reps)

    # ------------------------------------------------------------------ prospecting

    def _segment_mix(self, n_seg: int) -> np.ndarray:
        """Each rep's territory lead flow by segment, ``(reps, segments)`` (sums to 1; cached
        until an event changes the territories or the accounts)."""
        f = self.floor
        key = (id(f.territory), id(f.accounts))
        if getattr(self, "_mix_key", None) != key:
            w = f.accounts["lead_weight"].to_numpy()
            mix = np.bincount(f.territory * n_seg + f.acc_segment, w, f.n_reps * n_seg).reshape(f.n_reps, n_seg)
            self._mix = mix / np.maximum(mix.sum(axis=1, keepdims=True), 1e-300)
            self._mix_key = key
        return self._mix

    def product_shares(self, t0: float, month: int) -> np.ndarray | None:
        """Each rep's product shares of self-sourced leads ``(reps, products)`` while a SPIF pays
        on deals found now (closing a typical cycle later); ``None`` for the market's mix."""
        if not self.on or self.settings.prospecting_tilt == 0.0 or not self.spifs():
            return None
        f = self.floor
        due = t0 + self.cycle_days
        live = [sp for sp in self.spifs() if sp.start <= due < sp.end]
        if not live:
            return None
        share = np.diff(np.concatenate([[0.0], f.prod_cdf]))
        n_seg = len(f.seg_win)
        seg_w = self._segment_mix(n_seg)
        median = f.seg_median[:, None] * f.prod_size[None, :]  # (segment, product)
        mean = median * np.exp(f.seg_sigma[:, None] ** 2 / 2)
        extra = np.zeros((n_seg, len(share)))
        for sp in live:
            sigma = np.maximum(f.seg_sigma[:, None], 1e-9)
            reach = special.ndtr((np.log(median) - np.log(max(sp.min_amount, 1e-9))) / sigma)  # P(amount >= min)
            extra += sp.product_ok[None, :] * sp.segment_ok[:, None] * reach * (sp.per_deal + sp.rate * mean)
        extra_rep = seg_w @ extra  # (reps, products)
        pos = f.decisions.position(t0, month)
        typical = seg_w @ mean  # a typical deal of each product in the rep's territory (currency)
        credit = typical / pos.annual_quota[:, None]
        reps = np.repeat(np.arange(f.n_reps), len(share))
        pay = pos.foresight.deal_value(pos.step, pos.rho[reps], pos.p[reps], pos.y0[reps], credit.ravel()).reshape(credit.shape)
        return prospecting_shares(share, extra_rep, np.maximum(pay, 0.0), self.settings.prospecting_tilt, self.settings.max_tilt)
