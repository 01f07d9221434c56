"""A plan with a team award still has a pay curve (a rep alone: no team, so no team pay)."""

from pathlib import Path

from salessim.comp import load_plan, pay_curve

PLAN = Path(__file__).resolve().parents[2] / "data" / "plans" / "monthly_quarterly_team_breakthrough.yaml"


def test_pay_curve_of_a_team_plan_has_no_team_pay():
    curve = pay_curve(load_plan(PLAN), [0.0, 1.0, 1.5])
    total = curve[curve["component"] == "total"]["amount"].to_numpy()
    assert len(total) == 3 and (total[1:] >= total[:-1]).all()  # pay does not fall with attainment
    team = curve[curve["item"].str.contains("team")]
    assert (team["amount"] == 0).all()
