"""What each plan component earns for a measurement window: pure, vectorised formulas.

Every function takes arrays of the window's credited amount ``C``, pro-rated quota ``Q`` and
target incentive ``TI`` (currency, same shape, any number of reps) and returns the amount earned
*for the whole window* per line (tier or step), as a float array ``[lines, ...]``. The statements
engine turns these into period payouts (true-up, caps, rounding to the cent).

Attainment is ``C / Q``; a zero quota gives attainment 0 (no gate, bonus or upper tier is
reached; commissions expressed as ``rate`` pay at the first tier's rate, ``multiple`` pays 0).
"""

from __future__ import annotations

import numpy as np

from salessim.comp.plan import Commission, QuotaBonus, TeamBonus

#: Tolerance for "attainment reached a threshold" so that exactly 100% counts as 100%.
EPS = 1e-12


def attainment(C: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``C / Q`` as a fraction; 0 where the quota is 0."""
    C, Q = np.asarray(C, float), np.asarray(Q, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(Q > 0, C / np.where(Q > 0, Q, 1.0), 0.0)


def commission(comp: Commission, C: np.ndarray, Q: np.ndarray, TI: np.ndarray) -> np.ndarray:
    """Commission earned per tier ``[tiers, ...]`` for the window.

    Marginal: each slice of credit between two tier bounds earns its tier's rate (credit below
    0, i.e. net returns, is charged back at the first tier's rate). Retroactive: the rate of the
    tier the attainment reached applies to all credit. ``multiple`` rates are multiples of the base
    commission rate ``TI / Q``. Nothing is earned while attainment is below ``gate``.
    """
    C, Q, TI = np.broadcast_arrays(np.asarray(C, float), np.asarray(Q, float), np.asarray(TI, float))
    att = attainment(C, Q)
    rates = np.asarray(comp.rates, float)
    k = len(rates)
    if comp.uses_multiple:
        with np.errstate(divide="ignore", invalid="ignore"):
            unit = np.where(Q > 0, TI / np.where(Q > 0, Q, 1.0), 0.0)  # base commission rate
    else:
        unit = np.ones_like(C)
    out = np.zeros((k, *C.shape))
    if comp.method == "marginal":
        bounds = list(comp.bounds) + [np.inf]
        no_quota = Q <= 0
        for i in range(k):
            hi = np.where(no_quota, np.inf, bounds[i + 1] * Q) if i + 1 < k else np.inf
            if i == 0:
                part = np.minimum(C, hi)  # may be negative: net returns at the first tier's rate
            else:
                lo = bounds[i] * Q
                part = np.where(no_quota, 0.0, np.clip(C, lo, hi) - lo)
            out[i] = rates[i] * unit * part
    else:
        tier = np.clip(np.searchsorted(np.asarray(comp.bounds) - EPS, att, side="right") - 1, 0, k - 1)
        earned = rates[tier] * unit * C
        np.put_along_axis(out, tier[None], earned[None], axis=0)
    if comp.gate > 0:
        out = np.where((att + EPS >= comp.gate)[None], out, 0.0)
    return out


def retro_tier(comp: Commission, att: np.ndarray) -> np.ndarray:
    """Index of the tier an attainment reached (retroactive plans)."""
    return np.clip(np.searchsorted(np.asarray(comp.bounds) - EPS, att, side="right") - 1, 0, len(comp.tiers) - 1)


def quota_bonus(comp: QuotaBonus, C: np.ndarray, Q: np.ndarray, TI: np.ndarray,
                windows: np.ndarray | float = 1.0) -> np.ndarray:
    """Bonus earned per step ``[steps, ...]``: a step pays once attainment reaches it (``highest``
    mode pays only the highest step reached). ``target_share`` steps pay that share of ``TI``;
    ``amount`` steps pay ``amount x windows`` (with YTD true-up, the number of bonus periods
    elapsed in the fiscal year, so a missed quarter is caught up when YTD attainment recovers)."""
    C, Q, TI, windows = np.broadcast_arrays(np.asarray(C, float), np.asarray(Q, float), np.asarray(TI, float),
                                            np.asarray(windows, float))
    att = attainment(C, Q)
    steps = comp.thresholds
    reached = np.stack([att + EPS >= s.attainment for s in steps]) if steps else np.zeros((0, *C.shape), bool)
    if comp.mode == "highest":
        top = reached.sum(axis=0) - 1
        reached = np.arange(len(steps)).reshape((-1,) + (1,) * C.ndim) == top[None]
    amounts = np.stack([s.amount * windows if s.amount is not None else s.target_share * TI for s in steps])
    return np.where(reached, amounts, 0.0)


def team_bonus(comp: TeamBonus, C: np.ndarray, Q: np.ndarray, team: np.ndarray,
               n_teams: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each rep's share of the team pool for the window (1-D over reps).

    Returns ``(share, team_attainment, pool)`` per rep. Reps without a team (code -1) get 0.
    """
    C, Q = np.asarray(C, float), np.asarray(Q, float)
    member = team >= 0
    code = np.where(member, team, 0)
    tc = np.bincount(code[member], C[member], n_teams) if n_teams else np.zeros(0)
    tq = np.bincount(code[member], Q[member], n_teams) if n_teams else np.zeros(0)
    size = np.bincount(code[member], minlength=n_teams) if n_teams else np.zeros(0)
    t_att = attainment(tc, tq)
    funded = t_att + EPS >= comp.threshold
    pool = np.where(funded, comp.pool_rate * np.maximum(tc, 0) if comp.pool_rate is not None
                    else comp.pool_per_member * size, 0.0)
    if not n_teams:  # nobody is in a team (e.g. a pay curve for one rep): no team pay
        weight = np.zeros_like(C)
    elif comp.split == "credited":
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = np.where(tc[code] > 0, np.maximum(C, 0) / np.where(tc[code] > 0, tc[code], 1.0),
                              1.0 / np.maximum(size[code], 1))
    else:
        weight = 1.0 / np.maximum(size[code], 1)
    share = np.where(member, pool[code] * weight, 0.0) if n_teams else np.zeros_like(C)
    return share, np.where(member, t_att[code], np.nan) if n_teams else np.full_like(C, np.nan), \
        np.where(member, pool[code], 0.0) if n_teams else np.zeros_like(C)
