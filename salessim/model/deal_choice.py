"""Which deals a rep works when hours are short, and which products they prospect: pure rules.

Reps with more open deals than hours work first the deals worth most to them per hour. A deal's
value per hour is ``v = (c + s) x pi / h``: ``c`` what crediting the deal adds to the rep's
plan-year value (the whole plan at their marginal rate, :meth:`salessim.engine.foresight.Foresight.deal_value`),
``s`` the SPIFs it qualifies for, ``pi`` its chance to close won from its stage and ``h`` the rep
hours it still needs. The sales process asks for the deals nearest to closing first. Two bases
(:attr:`DealChoice.value_basis`), both with the weight ``w`` = :attr:`DealChoice.value_weight`:

* ``spif`` (default): reps keep the nearest-to-close order and move a deal forward by ``w`` x
  the share of its pay a SPIF adds, ``s / (c + s)``, in units of their queue
  (:func:`spif_order`): without a SPIF the order is the nearest-to-close one;
* ``plan``: cherry-picking on the whole plan: each deal's position is ``(1 - w) x rank_close + w
  x rank_value`` (ranks by ``v`` within the rep, 0 = first, over the rep's open deals;
  :func:`blended_order`).

Self-sourced leads: a product's share of a rep's prospecting is its market share tilted by the
extra pay a SPIF adds to a deal of it, ``share_k (1 + tilt x s_k / c_k)`` (at most
``max_tilt`` x the market share: only so many accounts need each product), renormalised.

Money in the scenario currency, hours in rep hours.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from salessim.inputs import Frozen


class DealChoice(Frozen):
    """Scenario section ``behaviour.deal_choice``: how pay steers which deals reps work and source."""

    enabled: bool = True
    value_basis: Literal["spif", "plan"] = Field(
        "spif", description="what re-orders the nearest-to-close order: the SPIFs' share of a deal's pay "
        "(spif) or the whole plan's pay per hour (plan: cherry-picking big deals)"
    )
    value_weight: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.5, description="weight of pay against the nearest-to-close order when hours are short "
        "(0 = sales-process order; assumption, range 0.25-0.75)"
    )
    prospecting_tilt: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="elasticity of a product's share of self-sourced leads to the extra pay a SPIF "
        "adds per deal (share x (1 + tilt x SPIF / commission); assumption, range 0.5-2)"
    )
    max_tilt: Annotated[float, Field(ge=1.0, le=10.0)] = Field(
        2.0, description="most a SPIF can multiply a product's share of a rep's prospecting "
        "(accounts without a need for the product do not buy it; assumption, range 1.5-3)"
    )


def blended_order(rep: np.ndarray, close_order: np.ndarray, value: np.ndarray, weight: float,
                  n_reps: int) -> np.ndarray:
    """The order reps work their deals in: a permutation of the deals, grouped by rep.

    ``close_order``: the nearest-to-close order (a permutation grouped by rep); ``value``: each
    deal's value per hour (currency/hour). Ties in value share their rank, so equal values keep the
    nearest-to-close order whatever ``weight``.
    """
    n = len(rep)
    rank_close, count = _close_rank(rep, close_order, n_reps)
    first = np.searchsorted(rep[close_order], np.arange(n_reps))
    by_value = np.lexsort((-value, rep))
    v_s, r_s = value[by_value], rep[by_value]
    new = np.ones(n, dtype=bool)
    new[1:] = (r_s[1:] != r_s[:-1]) | (v_s[1:] != v_s[:-1])
    group_start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    rank_value = np.empty(n)
    rank_value[by_value] = group_start - first[r_s]
    key = ((1.0 - weight) * rank_close + weight * rank_value) / count
    return np.lexsort((rank_close, key, rep))


def _close_rank(rep: np.ndarray, close_order: np.ndarray, n_reps: int) -> tuple[np.ndarray, np.ndarray]:
    """Each deal's place in its rep's nearest-to-close queue (0 = first) and the queue's length."""
    n = len(rep)
    first = np.searchsorted(rep[close_order], np.arange(n_reps))
    rank = np.empty(n)
    rank[close_order] = np.arange(n) - first[rep[close_order]]
    return rank, np.maximum(np.bincount(rep, minlength=n_reps).astype(float), 1.0)[rep]


def spif_order(rep: np.ndarray, close_order: np.ndarray, spif_share: np.ndarray, weight: float,
               n_reps: int) -> np.ndarray:
    """The nearest-to-close order with each deal moved forward by ``weight`` x ``spif_share`` (the
    share of its pay a SPIF adds, 0-1) of its rep's queue. Deals without a SPIF keep their order."""
    rank, count = _close_rank(rep, close_order, n_reps)
    return np.lexsort((rank, rank / count - weight * spif_share, rep))


def prospecting_shares(share: np.ndarray, extra: np.ndarray, pay: np.ndarray, tilt: float,
                       max_tilt: float) -> np.ndarray:
    """Each rep's product shares of self-sourced leads, ``(reps, products)``.

    ``share``: the market's product shares (sum 1); ``extra``: the SPIF pay of a typical deal of
    each product per rep ``(reps, products)``; ``pay``: what the plan pays on it otherwise (same
    shape, currency).
    """
    ratio = np.divide(extra, pay, out=np.full_like(extra, np.inf), where=pay > 0)
    ratio = np.where(extra > 0, ratio, 0.0)
    mult = np.minimum(1.0 + tilt * ratio, max_tilt)
    w = share[None, :] * mult
    return w / w.sum(axis=1, keepdims=True)


def win_and_hours_to_close(conversion: np.ndarray, hours: np.ndarray, multiplier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From each stage, the chance to close won and the expected rep hours still needed.

    ``conversion``/``hours``: per stage (S,); ``multiplier``: overall win multipliers (M,), applied
    per stage as ``multiplier ** (1 / S)`` like the engine. Returns two ``(S, M)`` arrays.
    """
    S = len(conversion)
    p = np.minimum(np.asarray(conversion, float)[:, None] * np.asarray(multiplier, float)[None, :] ** (1.0 / S), 1.0)
    win, need = np.empty_like(p), np.empty_like(p)
    win[-1], need[-1] = p[-1], hours[-1]
    for s in range(S - 2, -1, -1):
        win[s] = p[s] * win[s + 1]
        need[s] = hours[s] + p[s] * need[s + 1]
    return win, need
