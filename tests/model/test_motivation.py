"""Non-monetary incentives (salessim.model.motivation): hand-computed expectations."""

from __future__ import annotations

import numpy as np
import pytest

from salessim.model.motivation import (
    CareerPath,
    Morale,
    Recognition,
    award_effort_boost,
    career_quit_factor,
    champions,
    contenders,
    in_line,
    monthly_promotion_probability,
    morale_effort_factor,
    morale_quit_factor,
    next_morale,
    recognition_quit_factor,
    target_excess,
)
from salessim.model.staffing import Attrition, monthly_quit_probability


def test_champions_are_the_top_booker_of_each_region() -> None:
    won = champions(np.array([5.0, 3.0, 0.0, 9.0, 9.0, 0.0]), np.array([0, 0, 0, 1, 1, 2]), np.ones(6, bool), 1)
    assert won.tolist() == [True, False, False, True, False, False]  # ties: lower index; zero bookings never win


def test_contenders_can_still_pass_the_winning_line() -> None:
    race = contenders(np.array([100.0, 90.0, 10.0]), np.full(3, 10.0), np.zeros(3, int), np.ones(3, bool), 1, 1.4)
    # projections 110, 100, 20; at full effort 114, 104, 24: the leader beats 100, the second misses 110
    assert race.tolist() == [True, False, False]


def test_award_effort_boost_is_its_marginal_value_over_the_effort_cost() -> None:
    r = Recognition()
    boost = award_effort_boost(np.array([2.0, 5.0, 11.0]), r, 60_000, 0.8, 1.4)
    expected = (1500 * 0.5 / 0.4 * 5 / 10) / (60_000 * 5 / 365.25 / 0.2)
    assert boost == pytest.approx([expected, expected, 0.0])
    assert award_effort_boost(np.array([5.0]), Recognition(enabled=False), 60_000, 0.8, 1.4) == pytest.approx([0.0])
    assert recognition_quit_factor(np.array([0, 11, 12]), r) == pytest.approx([0.7, 0.7, 1.0])


def test_career_prospects_lower_the_quit_hazard() -> None:
    c = CareerPath()
    line = in_line(np.array([13.0, 13.0, 5.0]), np.array([1.1, 0.9, 1.5]), c)
    assert line.tolist() == [True, False, False]
    assert monthly_promotion_probability(line, c) == pytest.approx([1 - 0.8 ** (1 / 12), 0.0, 0.0])
    f = career_quit_factor(np.array([True, True, False]), np.array([True, False, False]), c)
    assert f == pytest.approx([0.6, 0.8, 1.0])
    assert career_quit_factor(line, line, CareerPath(enabled=False)) == pytest.approx([1.0, 1.0, 1.0])


def test_targets_out_of_proportion_lower_morale_which_raises_quitting_and_lowers_effort() -> None:
    m = Morale()
    excess = target_excess(np.array([120.0, 60.0]), np.array([1.0, 1.0]), 200.0, 2.0)
    assert excess == pytest.approx([0.2, -0.4])
    after = next_morale(np.ones(3), np.array([0.35, 0.1, -0.4]), m)
    assert after == pytest.approx([1 + 0.3 * (np.exp(-2 * 0.2) - 1), 1.0, 1.0])
    assert morale_quit_factor(np.array([0.8]), m) == pytest.approx([np.exp(0.3)])
    assert morale_effort_factor(np.array([0.8]), m) == pytest.approx([0.96])
    assert next_morale(np.array([0.5]), np.array([3.0]), Morale(enabled=False)) == pytest.approx([1.0])


def test_hazard_factor_multiplies_the_non_poaching_hazard() -> None:
    a = Attrition(base_annual_quit=0.24)
    one = monthly_quit_probability(np.ones(1), np.ones(1), np.zeros(1, bool), a)
    two = monthly_quit_probability(np.ones(1), np.ones(1), np.zeros(1, bool), a, np.array([2.0]))
    base = -np.log(1 - 0.24) / 12
    assert one == pytest.approx([1 - np.exp(-base)])
    assert two == pytest.approx([1 - np.exp(-2 * base)])
