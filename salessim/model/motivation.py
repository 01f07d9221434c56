"""Non-monetary incentives and design pitfalls: pure utility and hazard terms (no SimPy).

* **Recognition**: a monthly sales-champion award per region (the top ``winners_per_region``
  reps by the month's bookings). It is worth ``award_value`` (currency-equivalent utility) to a
  rep. In the month's last ``window_days`` a *contender* (a rep who could still reach the
  winning line by pushing) raises effort by the award's marginal value over the marginal cost of
  effort (the same quadratic cost the effort choice uses); winners quit less for
  ``memory_months`` (hazard x ``winner_quit_factor``).
* **Career paths**: a rep with ``min_tenure_months`` of tenure and year-to-date attainment at or
  above ``performance_bar`` is in line for promotion, promoted with ``promotion_annual`` a year.
  Reps in line quit less (x ``prospect_quit_factor``), promoted reps less still (x
  ``promoted_quit_factor``). Promotion is up the sales ladder (account executive → senior): the
  promoted rep *stays in the slot* (counted as staying, no vacancy).
* **Morale** (0-1, 1 = fine): falls when a rep's quota is out of proportion to what the
  territory supports (quota over the bookings the org makes per unit of territory potential,
  above ``tolerance``), recovers when it is not; moves ``adjustment`` of the way to its target
  each month. Lost morale raises quitting (log hazard + ``quit_sensitivity`` x lost morale) and
  lowers effort (x (1 - ``effort_sensitivity`` x lost morale)).

Every default is an assumption (docs/behaviour.md lists ranges); the seed deck names the
pitfalls ("rewards that don't match the difficulty", "ignoring team incentives breeds internal
competition"). Money in the scenario currency, time in days or months as named.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field

from salessim.inputs import Frozen

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Factor = Annotated[float, Field(gt=0.0, le=1.0)]


class Recognition(Frozen):
    """A monthly sales-champion award."""

    enabled: bool = True
    winners_per_region: int = Field(1, ge=1, le=50)
    award_value: Annotated[float, Field(ge=0.0)] = Field(
        1_500, description="utility of winning, currency-equivalent (assumption: 500-5,000)")
    window_days: Annotated[float, Field(ge=1.0, le=28.0)] = Field(10.0, description="days before month end contenders push")
    win_chance_slope: Fraction = Field(
        0.5, description="gain in a contender's chance of winning from normal to maximum effort (assumption)")
    winner_quit_factor: Factor = Field(0.7, description="quit hazard x of a recent winner (assumption, 0.5-0.9)")
    memory_months: int = Field(12, ge=1, le=36, description="months a win keeps a rep attached")


class CareerPath(Frozen):
    """Promotion up the sales ladder."""

    enabled: bool = True
    min_tenure_months: int = Field(12, ge=0, le=120)
    performance_bar: Annotated[float, Field(ge=0.0, le=3.0)] = Field(1.0, description="YTD attainment to be in line")
    promotion_annual: Fraction = Field(0.2, description="yearly chance a rep in line is promoted (assumption)")
    prospect_quit_factor: Factor = Field(0.8, description="quit hazard x of a rep in line (assumption, 0.6-0.95)")
    promoted_quit_factor: Factor = Field(0.6, description="quit hazard x of a promoted rep (assumption, 0.4-0.9)")


class Morale(Frozen):
    """Morale under targets out of proportion to what territories support."""

    enabled: bool = True
    tolerance: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.15, description="quota up to this share above what the territory supports is taken in stride")
    sensitivity: Annotated[float, Field(ge=0.0, le=20.0)] = Field(2.0, description="target morale = exp(-sensitivity x excess)")
    adjustment: Factor = Field(0.3, description="share of the gap to the target closed each month")
    quit_sensitivity: Annotated[float, Field(ge=0.0, le=20.0)] = Field(1.5, description="log quit hazard per unit of lost morale")
    effort_sensitivity: Fraction = Field(0.2, description="effort x (1 - this x lost morale)")


class Motivation(Frozen):
    """Non-monetary incentives (see :mod:`salessim.model.motivation`)."""

    recognition: Recognition = Recognition()
    career: CareerPath = CareerPath()
    morale: Morale = Morale()


# ----------------------------------------------------------------------------- recognition


def champions(bookings: np.ndarray, region: np.ndarray, active: np.ndarray, winners: int) -> np.ndarray:
    """The month's champions: per region, the ``winners`` active reps with the most bookings
    (ties broken by rep index; nobody with zero bookings wins)."""
    out = np.zeros(len(bookings), dtype=bool)
    for g in np.unique(region):
        reps = np.flatnonzero((region == g) & active & (bookings > 0))
        order = reps[np.lexsort((reps, -bookings[reps]))]
        out[order[:winners]] = True
    return out


def contenders(booked: np.ndarray, rest: np.ndarray, region: np.ndarray, active: np.ndarray,
               winners: int, max_effort: float) -> np.ndarray:
    """Reps who can still win: with ``rest`` (expected bookings to month end at normal effort)
    raised to ``max_effort``, they would pass the region's ``winners``-th projection at normal
    effort (``booked + rest``) of the other reps."""
    projected = booked + rest
    best = booked + max_effort * rest
    out = np.zeros(len(booked), dtype=bool)
    for g in np.unique(region):
        reps = np.flatnonzero((region == g) & active)
        if len(reps) <= winners:
            out[reps] = True
            continue
        top = np.sort(projected[reps])[::-1][: winners + 1]
        # the line a rep must pass: the winners-th best of the others
        line = np.where(projected[reps] >= top[winners - 1], top[winners], top[winners - 1])
        out[reps] = best[reps] > line
    return out


def award_effort_boost(days_left: np.ndarray, recognition: Recognition, variable_pay: float,
                       intrinsic: float, max_effort: float) -> np.ndarray:
    """Extra effort of a contender ``days_left`` before the month end: the award's marginal
    value over the curvature of the effort cost (the quadratic cost of
    :func:`salessim.model.behaviour.choose_effort`: ``variable_pay`` x days/365.25 / (1 -
    ``intrinsic``)). Going from normal to ``max_effort`` for the whole window raises the chance
    of winning by ``win_chance_slope``; with fewer days left effort moves less of the month, so
    the marginal chance shrinks with ``days_left / window_days``, like the cost: the boost is
    the same throughout the window."""
    if not recognition.enabled:
        return np.zeros(len(days_left))
    w = recognition.window_days
    d = np.maximum(np.asarray(days_left, float), 1e-9)
    marginal_value = recognition.award_value * recognition.win_chance_slope / max(max_effort - 1.0, 1e-9) * d / w
    curvature = variable_pay * d / 365.25 / max(1.0 - intrinsic, 1e-6)
    return np.where(d <= w, marginal_value / curvature, 0.0)


def recognition_quit_factor(months_since_win: np.ndarray, recognition: Recognition) -> np.ndarray:
    """Quit-hazard multiplier of recent champions (1 for everyone else)."""
    if not recognition.enabled:
        return np.ones(len(months_since_win))
    recent = np.asarray(months_since_win) < recognition.memory_months
    return np.where(recent, recognition.winner_quit_factor, 1.0)


# ----------------------------------------------------------------------------- career


def in_line(tenure_months: np.ndarray, attainment: np.ndarray, career: CareerPath) -> np.ndarray:
    """Reps in line for promotion: long enough in post and at the performance bar."""
    return (np.asarray(tenure_months) >= career.min_tenure_months) & (np.asarray(attainment) >= career.performance_bar)


def monthly_promotion_probability(candidates: np.ndarray, career: CareerPath) -> np.ndarray:
    """Chance each rep is promoted this month (0 unless in line)."""
    if not career.enabled:
        return np.zeros(len(candidates))
    return np.where(candidates, 1.0 - (1.0 - career.promotion_annual) ** (1 / 12), 0.0)


def career_quit_factor(candidates: np.ndarray, promoted: np.ndarray, career: CareerPath) -> np.ndarray:
    """Quit-hazard multiplier of career prospects: promoted < in line < 1."""
    if not career.enabled:
        return np.ones(len(candidates))
    return np.where(promoted, career.promoted_quit_factor, np.where(candidates, career.prospect_quit_factor, 1.0))


# ----------------------------------------------------------------------------- morale


def target_excess(quota: np.ndarray, potential: np.ndarray, org_bookings: float, org_potential: float) -> np.ndarray:
    """How far each rep's quota lies above what the territory supports: quota over (potential x
    the org's bookings per unit of potential), minus 1 (0 = in proportion; same period)."""
    per_potential = org_bookings / max(org_potential, 1e-12)
    supported = np.asarray(potential, float) * per_potential
    return np.asarray(quota, float) / np.maximum(supported, 1e-9) - 1.0


def next_morale(morale: np.ndarray, excess: np.ndarray, m: Morale) -> np.ndarray:
    """Morale after a month: ``adjustment`` of the way to exp(-sensitivity x (excess - tolerance)+)."""
    target = np.exp(-m.sensitivity * np.maximum(np.asarray(excess) - m.tolerance, 0.0))
    return morale + m.adjustment * (target - morale) if m.enabled else np.ones(len(morale))


def morale_quit_factor(morale: np.ndarray, m: Morale) -> np.ndarray:
    """Quit-hazard multiplier of lost morale (1 at full morale)."""
    return np.exp(m.quit_sensitivity * (1.0 - np.asarray(morale))) if m.enabled else np.ones(len(morale))


def morale_effort_factor(morale: np.ndarray, m: Morale) -> np.ndarray:
    """Effort multiplier of lost morale (1 at full morale)."""
    return 1.0 - m.effort_sensitivity * (1.0 - np.asarray(morale)) if m.enabled else np.ones(len(morale))
