"""Training and coaching: the programmes of the seed material's training system and managers'
coaching, as pure rules the engine calls (no SimPy).

* **Onboarding** in a hire's first ``days`` (seed training deck: the first 1-2 weeks): no selling,
  a cost per hire.
* **Sales-skills training** in months 1-3 of tenure: ``days`` away from selling spread over those
  months, a cost per hire, a lasting skill gain and a faster ramp (without it a hire needs
  ``ramp_months_saved`` more months to reach full capacity).
* **Professional knowledge** every ``every_months`` months for everyone in post: ``days`` away,
  a cost per rep. Knowledge goes stale: past the programme's interval a rep's skill falls by
  ``decay_per_month`` per month until the next session. The scenario's ``org.skill`` describes
  reps kept current by the programme, so at its default interval the factor is 1.
* **Coaching** by first-line managers: each gives ``manager_hours_per_week`` to their reps, so a
  rep's coaching hours fall with the span of control (reps per first-line manager, from the org
  structure). Skill x (1 + gain(h)) / (1 + gain(h at ``reference_span``)), gain(h) = ``max_gain``
  x (1 - 2^(-h / ``half_effect_hours``)): ``org.skill`` describes reps coached at the reference span.

Effect sizes are assumptions with ranges (docs/behaviour.md); time in days, money in the
scenario currency, skill as a multiplier of the win probability.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field

from salessim.inputs import Frozen

Money = Annotated[float, Field(ge=0.0)]
Days = Annotated[float, Field(ge=0.0, le=90.0)]
Gain = Annotated[float, Field(ge=0.0, le=1.0)]

WORKING_DAYS_PER_WEEK = 5.0
SKILLS_WINDOW_DAYS = 3 * 30.44  # months 1-3 of tenure, after onboarding


class Onboarding(Frozen):
    """A hire's first days: no selling."""

    days: Days = Field(10.0, description="calendar days of onboarding (seed deck: the first 1-2 weeks)")
    cost_per_hire: Money = Field(8_000, description="trainers, travel, materials (assumption)")


class SkillsTraining(Frozen):
    """Sales-skills training in a hire's months 1-3."""

    enabled: bool = True
    days: Days = Field(6.0, description="working days away from selling over months 1-3 (assumption: 2 a month)")
    cost_per_hire: Money = Field(6_000, description="assumption")
    skill_gain: Gain = Field(0.03, description="lasting win-multiplier gain of a trained hire (assumption, 0-0.08)")
    ramp_months_saved: Annotated[float, Field(ge=0.0, le=12.0)] = Field(
        1.5, description="months longer to full capacity without the programme (assumption, 0.5-2.5)")


class KnowledgeTraining(Frozen):
    """Periodic professional-knowledge training for everyone in post."""

    enabled: bool = True
    every_months: int = Field(6, ge=1, le=24, description="seed deck: quarterly or half-yearly")
    days: Days = Field(2.0, description="working days away per session (assumption)")
    cost_per_rep: Money = Field(1_500, description="per rep and session (assumption)")
    decay_per_month: Gain = Field(0.01, description="skill lost per month past the interval (assumption, 0.005-0.02)")


class Coaching(Frozen):
    """First-line managers' coaching, spread over their reps."""

    enabled: bool = True
    manager_hours_per_week: Annotated[float, Field(ge=0.0, le=40.0)] = Field(
        10.0, description="hours a first-line manager coaches per week (assumption, 5-15)")
    half_effect_hours: Annotated[float, Field(gt=0.0, le=20.0)] = Field(
        1.0, description="coaching hours per rep-week giving half the maximum gain (assumption)")
    max_gain: Gain = Field(0.10, description="win-multiplier gain of ample coaching (assumption, 0.05-0.2)")
    reference_span: Annotated[float, Field(ge=1.0, le=50.0)] = Field(
        8.0, description="span at which org.skill is measured (org.design.management.span's default)")


class Training(Frozen):
    """The training system and coaching (see :mod:`salessim.model.training`)."""

    onboarding: Onboarding = Onboarding()
    skills: SkillsTraining = SkillsTraining()
    knowledge: KnowledgeTraining = KnowledgeTraining()
    coaching: Coaching = Coaching()


def coaching_hours(span: float, coaching: Coaching) -> float:
    """Coaching hours per rep and week under a span of control of ``span`` reps per manager."""
    return coaching.manager_hours_per_week / max(span, 1e-9) if coaching.enabled else 0.0


def coaching_factor(span: float, coaching: Coaching) -> float:
    """Skill multiplier from coaching at ``span`` reps per manager, 1 at ``reference_span``
    (falls as the span widens)."""
    def gain(hours: float) -> float:
        return coaching.max_gain * (1.0 - 2.0 ** (-hours / coaching.half_effect_hours))

    reference = gain(coaching.manager_hours_per_week / coaching.reference_span)
    return (1.0 + gain(coaching_hours(span, coaching))) / (1.0 + reference)


def months_to_full(months_with_training: float, skills: SkillsTraining) -> float:
    """Months to full capacity of a hire: the ramp parameter with skills training, longer without."""
    return months_with_training + (0.0 if skills.enabled else skills.ramp_months_saved)


def skills_share_away(tenure_start: np.ndarray, step_days: float, training: Training) -> np.ndarray:
    """Share of a work step's selling hours spent in sales-skills training, for reps whose tenure
    is ``tenure_start`` days at the step's start (the programme runs evenly over months 1-3
    after onboarding)."""
    s = training.skills
    if not s.enabled or s.days == 0:
        return np.zeros(len(tenure_start))
    a = training.onboarding.days
    lo = np.clip(tenure_start, a, a + SKILLS_WINDOW_DAYS)
    hi = np.clip(tenure_start + step_days, a, a + SKILLS_WINDOW_DAYS)
    away_days = s.days * (hi - lo) / SKILLS_WINDOW_DAYS  # working days in the step
    return np.minimum(away_days / (step_days * WORKING_DAYS_PER_WEEK / 7), 1.0)


def session_share_away(step_days: float, knowledge: KnowledgeTraining) -> float:
    """Share of a work step's selling hours a knowledge session takes."""
    return min(knowledge.days / (step_days * WORKING_DAYS_PER_WEEK / 7), 1.0)


def knowledge_factor(months_since_session: np.ndarray, knowledge: KnowledgeTraining) -> np.ndarray:
    """Skill multiplier of stale knowledge: 1 within the programme's interval, then
    ``decay_per_month`` less per month (floored at 0.5)."""
    stale = np.maximum(np.asarray(months_since_session, float) - knowledge.every_months, 0.0)
    return np.maximum(1.0 - knowledge.decay_per_month * stale, 0.5)


def hire_training_cost(training: Training) -> float:
    """Programme cost of one hire: onboarding plus (when run) sales-skills training (currency)."""
    return training.onboarding.cost_per_hire + (training.skills.cost_per_hire if training.skills.enabled else 0.0)


def trained_skill(skill: np.ndarray, gain: float, share: float = 1.0) -> np.ndarray:
    """Skill after a programme with ``gain``, ``share`` of which has taken effect."""
    return np.asarray(skill, float) * (1.0 + gain * share)


def span_of_control(org, n_regions: int) -> float:
    """Reps per first-line manager of ``org`` (a :class:`salessim.model.org.Org`), from its structure."""
    from salessim.model.org import structure_of

    return org.reps / max(structure_of(org).first_line_managers(n_regions), 1)
