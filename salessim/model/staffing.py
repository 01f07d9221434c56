"""Attrition, vacancies, hiring and ramp-up: pure functions the engine's staffing process calls.

Defaults (sources in docs/behaviour.md):
* annual rep turnover ~26% field / 27% inside sales (DePaul University Center for Sales
  Leadership, secondary; 25-35% published): ``base_annual_quit`` 0.14 plus the pay, attainment
  and non-monetary terms lands the default midmarket org at ~30% averaged over 24 seeds
  (``python -m salessim.analysis.staffing``);
* ramp to full deal capacity: ``months_to_full`` 3, the end of the training system's
  sales-skills programme (seed deck: onboarding in the first 1-2 weeks, skills training in
  months 1-3; :mod:`salessim.model.training`), starting from ``start_capacity``. Bookings lag
  capacity by the sales cycle: the measured ramp (months until hires book 90% of a tenured
  rep in a comparable territory, :func:`salessim.analysis.staffing.ramp_months`) is the figure
  to compare with the published ~5 months (Bridge Group SaaS AE reports, secondary);
* a hire takes over the open pipeline of the territory from the colleagues who covered it
  (``Hiring.inherit_share`` of it; deals in the last stage stay with whoever is closing them);
* vacancy: ~2 months to fill (assumption; longer with a higher hiring bar).
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field

from salessim.inputs import Frozen, Probability

Fraction = Probability


class Attrition(Frozen):
    """Monthly quit hazard: base x exp(pay lag) x exp(attainment shortfall) + poaching of stars."""

    enabled: bool = True
    base_annual_quit: Fraction = Field(
        0.14, description="quit rate of a rep paid at market and on quota (set so that midmarket, with the pay, "
        "attainment and non-monetary terms, lands at ~30% a year over 24 seeds)")
    pay_sensitivity: Annotated[float, Field(ge=0.0, le=20.0)] = Field(
        2.0, description="log hazard per unit of relative pay lag (pay 20% below market → x1.5)"
    )
    attainment_sensitivity: Annotated[float, Field(ge=0.0, le=20.0)] = Field(
        1.0, description="log hazard per unit of attainment shortfall below 100%"
    )
    poaching_annual: Fraction = Field(0.08, description="extra yearly chance a top-decile rep is hired away")


class Hiring(Frozen):
    """Filling vacancies: search time and the quality of hires."""

    enabled: bool = True
    median_vacancy_days: Annotated[float, Field(gt=0.0, le=730.0)] = Field(60.0, description="days to fill a vacancy at bar 0.5")
    hiring_bar: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.5, description="share of the candidate pool rejected; a higher bar means better hires, longer searches"
    )
    pipeline_loss: Fraction = Field(0.3, description="share of a leaver's open deals that die with the departure")
    vacancy_lead_loss: Fraction = Field(0.3, description="share of a vacant territory's new leads nobody picks up")
    freeze: bool = Field(False, description="hiring freeze: vacancies stay open")
    inherit_share: Fraction = Field(
        1.0, description="share of the territory's open deals (before the last stage) colleagues hand to a hire after onboarding"
    )


class Ramp(Frozen):
    """New-hire capacity: nothing during onboarding (``behaviour.training.onboarding.days``), then
    linear to full."""

    months_to_full: Annotated[float, Field(gt=0.0, le=36.0)] = Field(
        3.0, description="months to full deal capacity: the end of the sales-skills programme (seed deck: months 1-3); "
        "bookings lag capacity by the sales cycle, so hires reach 90% of a tenured rep's bookings ~2 months later")
    start_capacity: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.5, description="share of a ramped rep's deal capacity a hire has right after onboarding (assumption, 0.3-0.7): "
        "full hours, but each deal takes longer")


def monthly_quit_probability(
    pay_ratio: np.ndarray,
    attainment: np.ndarray,
    top_decile: np.ndarray,
    attrition: Attrition,
    hazard_factor: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Chance each rep quits this month.

    ``pay_ratio`` is the rep's year-to-date pay over the market's pay for the same time (1 = at
    market), ``attainment`` year-to-date bookings over quota, ``top_decile`` marks the stars,
    ``hazard_factor`` multiplies the (non-poaching) hazard: the non-monetary terms of
    :mod:`salessim.model.motivation` (recognition, career prospects, morale).
    """
    base = -np.log1p(-attrition.base_annual_quit) / 12  # monthly hazard
    lag = np.maximum(1.0 - pay_ratio, 0.0)
    short = np.clip(1.0 - attainment, 0.0, 1.0)
    hazard = base * np.exp(attrition.pay_sensitivity * lag + attrition.attainment_sensitivity * short) * hazard_factor
    hazard = hazard + top_decile * (-np.log1p(-attrition.poaching_annual) / 12)
    return 1.0 - np.exp(-hazard)


def ramp_factor(tenure_days: np.ndarray, onboarding_days: float, months_to_full: float, start: float = 0.0) -> np.ndarray:
    """Capacity of reps with the given tenure (0 → 1): 0 during onboarding, then ``start``
    rising linearly to full after ``months_to_full`` months."""
    full = months_to_full * 30.44
    span = max(full - onboarding_days, 1e-9)
    linear = np.clip((tenure_days - onboarding_days) / span, 0.0, 1.0)
    return np.where(tenure_days < onboarding_days, 0.0, start + (1.0 - start) * linear)


def vacancy_days(u: float, hiring: Hiring) -> float:
    """Days to fill one vacancy from a uniform draw: lognormal (sd 0.5) around a median that
    grows with the bar (each candidate passes with probability ``1 - bar``)."""
    from scipy.special import ndtri

    median = hiring.median_vacancy_days * 0.5 / (1.0 - hiring.hiring_bar)
    return float(median * np.exp(0.5 * ndtri(u)))


def hire_skill(u: float, sd: float, hiring: Hiring) -> float:
    """Skill (win multiplier) of a new hire from a uniform draw ``u``.

    Candidates' skill is lognormal with log-sd matching the org's ``sd``; the bar rejects the
    weakest share. The pool is centred so that hires at the default bar (0.5) have mean skill 1,
    like the incumbents: a higher bar gives better hires (and longer vacancies), a lower one worse.
    """
    from scipy.special import ndtr, ndtri

    if sd == 0:
        return 1.0
    sigma = float(np.sqrt(np.log1p(sd**2)))
    centre = -np.log(2 * ndtr(sigma)) - sigma**2 / 2
    q = hiring.hiring_bar + (1.0 - hiring.hiring_bar) * u
    return float(np.exp(centre + sigma * ndtri(min(q, 1 - 1e-12))))


class Staffing(Frozen):
    """Attrition, hiring and ramp-up of reps (see :mod:`salessim.model.staffing`)."""

    attrition: Attrition = Attrition()
    hiring: Hiring = Hiring()
    ramp: Ramp = Ramp()

