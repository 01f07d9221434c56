"""Start a run from today's pipeline: open deals placed at their stage and age on clock day 0.

:func:`seed_pipeline` adds one deal per row of an open-deals frame before the first work step
(a run with an initial pipeline usually has no warm-up: the pipeline *is* the warm-up). Each deal
is placed in its stage with the days left in it drawn from the stage's duration distribution
*conditioned on the days it has already spent there* (``Duration.remaining``: inverse cdf on
``[F(age), 1]``), so a deal older than the stage's usual duration tends to leave it sooner; its
later stages, conversions and (when missing) amount use fresh dice like any new deal. All dice
come from the run's own ``pipeline`` stream: a run without an initial pipeline draws nothing from
it and stays bit-identical.

Columns of the frame (one row per open deal; indices are the scenario's own):

=================  ====================================================================
``rep``            rep slot owning the deal (0 .. reps-1)
``stage``          funnel stage index the deal is in (0 .. stages-1)
``days_in_stage``  days already spent in that stage (>= 0)
``age_days``       days since the deal was created (>= ``days_in_stage``)
``amount``         the deal's value; NaN: drawn from the segment's deal-size distribution
``segment``        segment index; ``product``: product index
``account``        optional account index; missing or -1: an account of the rep's territory
``win_probability``  optional chance the deal is eventually won (e.g. from the fitted cycle
                   model given its age); NaN or missing: the funnel's conversions decide. A
                   deal drawn to win passes its remaining stages; one drawn to lose is lost
                   when it leaves its current stage (slipped deals can still be lost earlier)
=================  ====================================================================

Seeded deals get the first deal indices (0 .. n-1) in the run, are not counted as leads or stage
entries of any measured month, and are credited like any other deal when they are won.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special

if TYPE_CHECKING:
    from salessim.engine.floor import SalesFloor

#: Columns an open-deals frame must have (``account`` is optional).
COLUMNS = ("rep", "stage", "days_in_stage", "age_days", "amount", "segment", "product")


def _check(frame: pd.DataFrame, floor: SalesFloor) -> None:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"initial pipeline: missing columns {missing} (needs {list(COLUMNS)})")
    bounds = {"rep": floor.n_reps, "stage": floor.n_stages, "segment": len(floor.seg_median),
              "product": len(floor.prod_size)}
    for col, n in bounds.items():
        v = frame[col].to_numpy()
        if len(v) and (v.min() < 0 or v.max() >= n):
            raise ValueError(f"initial pipeline: {col} must lie in 0..{n - 1}")
    for col in ("days_in_stage", "age_days"):
        v = frame[col].to_numpy(float)
        if not np.all(np.isfinite(v) & (v >= 0)):
            raise ValueError(f"initial pipeline: {col} must be finite and >= 0")


def seed_pipeline(floor: SalesFloor, frame: pd.DataFrame) -> np.ndarray:
    """Add the open deals of ``frame`` to ``floor`` (before its run); returns their indices."""
    _check(frame, floor)
    k, S = len(frame), floor.n_stages
    if k == 0:
        return np.empty(0, dtype=np.int64)
    rng = floor.rng["pipeline"]
    dice = rng.random((k, 2 * S + 3))  # amount, conversions, durations, account, outcome
    rep = frame["rep"].to_numpy(np.int64)
    stage = frame["stage"].to_numpy(np.int64)
    segment = frame["segment"].to_numpy(np.int64)
    product = frame["product"].to_numpy(np.int64)
    in_stage = frame["days_in_stage"].to_numpy(float)
    age = np.maximum(frame["age_days"].to_numpy(float), in_stage)
    account = frame["account"].to_numpy(np.int64) if "account" in frame else np.full(k, -1, np.int64)
    draw = account < 0
    if draw.any():  # an account of the owner's territory, by lead weight (as a self-sourced lead)
        pos = np.searchsorted(floor._terr_key, rep[draw] + dice[draw, 2 * S + 1], side="right")
        account = account.copy()
        account[draw] = floor._terr_accounts[np.minimum(pos, len(floor._terr_accounts) - 1)]
    given = frame["amount"].to_numpy(float)
    drawn = floor.conditions.size * floor.seg_median[segment] * floor.prod_size[product] * np.exp(
        floor.seg_sigma[segment] * special.ndtri(dice[:, 0]))
    channel, routed = floor.structure.route(account, drawn)
    amount = np.where(np.isfinite(given) & (given > 0), given, routed)
    u_conv = dice[:, 1 : S + 1].copy()
    if "win_probability" in frame:
        p_win = frame["win_probability"].to_numpy(float)
        pinned = np.isfinite(p_win)
        if np.any(pinned & ((p_win < 0) | (p_win > 1))):
            raise ValueError("initial pipeline: win_probability must lie in [0, 1]")
        wins = pinned & (dice[:, 2 * S + 2] < np.where(pinned, p_win, 0.0))
        later = np.arange(S)[None, :] >= stage[:, None]
        u_conv[wins[:, None] & later] = 0.0  # passes every remaining stage
        loses = np.flatnonzero(pinned & ~wins)
        u_conv[loses, stage[loses]] = 1.0  # fails on leaving the current stage
    idx = floor.pipe.add(
        account=account, rep=rep, segment=segment, product=product,
        created=-age, amount=amount, list_amount=amount, stage=stage,
        outcome=np.zeros(k, np.int8), close=np.full(k, np.nan), clock=np.zeros(k), entered=-in_stage,
        source=np.zeros(k, np.int8), moved=np.zeros(k, np.int8), channel=channel,
        specialist=np.full(k, -1, np.int64), extra_hours=np.zeros(k),
        u_conv=u_conv, u_dur=dice[:, S + 1 : 2 * S + 1],
    )
    # Days left in the current stage, conditioned on the days already spent in it. Durations are
    # multiplied by segment, conditions and structure (as on entry): condition in base days.
    p = floor.pipe
    mult = np.broadcast_to(floor.seg_dur[segment] * floor.conditions.duration * floor.structure.duration_multiplier(idx), (k,))
    left = np.empty(k)
    for s in np.unique(stage):
        m = stage == s
        left[m] = floor.scenario.funnel.stages[s].duration.remaining(p.u_dur[idx[m], s], in_stage[m] / mult[m])
    p.cols["remaining"][idx] = left * mult
    floor.structure.join_specialists(idx, stage)
    floor.open = np.concatenate([floor.open, idx])
    return idx
