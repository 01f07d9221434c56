"""Training and coaching rules (salessim.model.training): hand-computed expectations."""

from __future__ import annotations

import numpy as np
import pytest

from salessim.model.org import Org
from salessim.model.staffing import Ramp, ramp_factor
from salessim.model.training import (
    Coaching,
    KnowledgeTraining,
    SkillsTraining,
    Training,
    coaching_factor,
    coaching_hours,
    hire_training_cost,
    knowledge_factor,
    months_to_full,
    session_share_away,
    skills_share_away,
    span_of_control,
    trained_skill,
)


def test_coaching_is_neutral_at_the_reference_span_and_falls_with_the_span() -> None:
    c = Coaching()
    assert coaching_hours(8, c) == pytest.approx(1.25)
    assert coaching_factor(8, c) == pytest.approx(1.0)
    # span 16: 0.625 h per rep-week -> gain 0.1 x (1 - 2^-0.625); reference 1.25 h -> 0.1 x (1 - 2^-1.25)
    assert coaching_factor(16, c) == pytest.approx(1.0351584 / 1.0579552, rel=1e-6)
    factors = [coaching_factor(s, c) for s in (3, 5, 8, 12, 20, 30)]
    assert all(a > b for a, b in zip(factors, factors[1:], strict=False))
    assert coaching_factor(8, Coaching(enabled=False)) == pytest.approx(1 / 1.0579552, rel=1e-6)


def test_span_of_control_comes_from_the_org_structure() -> None:
    assert span_of_control(Org(reps=100), 4) == pytest.approx(100 / 16)  # 4 managers per region of 25 reps
    assert span_of_control(Org(reps=100, structure="line"), 4) == pytest.approx(100 / 13)
    wide = Org(reps=100, design={"management": {"span": 20}})
    assert span_of_control(wide, 4) == pytest.approx(100 / 8)


def test_skills_training_takes_time_in_months_one_to_three_and_speeds_the_ramp() -> None:
    t = Training()
    away = skills_share_away(np.array([0.0, 10.0, 50.0, 200.0]), 7.0, t)
    # 6 working days over 91.32 calendar days; a 7-day step has 5 working days
    assert away == pytest.approx([0.0, 6 * 7 / 91.32 / 5, 6 * 7 / 91.32 / 5, 0.0], rel=1e-4)
    off = Training(skills=SkillsTraining(enabled=False))
    assert skills_share_away(np.array([50.0]), 7.0, off) == pytest.approx([0.0])
    assert months_to_full(3.0, t.skills) == 3.0
    assert months_to_full(3.0, off.skills) == 4.5


def test_knowledge_goes_stale_past_the_interval_and_sessions_take_time() -> None:
    k = KnowledgeTraining()
    assert knowledge_factor(np.array([0.0, 6.0, 8.0, 100.0]), k) == pytest.approx([1.0, 1.0, 0.98, 0.5])
    assert session_share_away(7.0, k) == pytest.approx(0.4)
    assert session_share_away(1.0, k) == 1.0


def test_programme_costs_and_skill_gain() -> None:
    assert hire_training_cost(Training()) == 14_000
    assert hire_training_cost(Training(skills=SkillsTraining(enabled=False))) == 8_000
    assert trained_skill(np.array([1.0, 2.0]), 0.1, 0.5) == pytest.approx([1.05, 2.1])


def test_ramp_starts_after_onboarding_at_the_start_capacity() -> None:
    r = Ramp()
    tenure = np.array([5.0, 10.0, 10 + (3 * 30.44 - 10) / 2, 200.0])
    assert ramp_factor(tenure, 10.0, r.months_to_full, r.start_capacity) == pytest.approx([0.0, 0.5, 0.75, 1.0])
