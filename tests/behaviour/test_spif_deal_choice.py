"""Seeded, paired tests: a SPIF shifts the product mix of what reps win (docs/behaviour.md,
"Which deals reps work and source").

The same 30-rep midmarket org under the launch-SPIF plan (``data/plans/spif.yaml``: a linear 10%
commission plus 1,000 per Analytics deal of at least 5,000 closed in Q2 2026) and under the same
plan without the SPIF, with common random numbers (same seeds). The SPIF is outside the effort
valuation, so only which deals reps work and which products they prospect differ.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import salessim
from salessim.experiments.statistics import confidence_interval

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"org.reps": 30, "market.accounts": 600, "market.leads_per_year": 15600, "quota.annual_target": 42_000_000}
SPIF_PLAN = yaml.safe_load((ROOT / "data/plans/spif.yaml").read_text())
NO_SPIF = {**SPIF_PLAN, "name": "linear", "components": [c for c in SPIF_PLAN["components"] if c["type"] != "spif"]}
WINDOW = ("2026-04-01", "2026-07-01")  # the SPIF's months


def run(plan: dict, seed: int, **overrides) -> salessim.SimResult:
    sc = salessim.load_scenario(ROOT / "data/scenarios/midmarket.yaml", **{**SMALL, "plan": plan, **overrides})
    return salessim.simulate(sc, seed=seed)


def in_window(r: salessim.SimResult):
    d = r.deals
    return d[(d["outcome"] == "won") & (d["close_date"] >= WINDOW[0]) & (d["close_date"] < WINDOW[1])]


def ci(values) -> tuple[float, float]:
    c = confidence_interval(np.asarray(values, float))
    return c.low, c.high


@pytest.mark.slow
def test_a_spif_raises_its_products_share_of_won_deals_and_its_cost_is_in_the_statements() -> None:
    diffs = []
    for seed in range(10):
        with_spif, without = run(SPIF_PLAN, seed), run(NO_SPIF, seed)
        a, b = in_window(with_spif), in_window(without)
        diffs.append((a["product"] == "Analytics").mean() - (b["product"] == "Analytics").mean())
        # the statements pay 1,000 for every qualifying won deal of the window (every deal is direct)
        st = with_spif.statements
        paid = st.loc[st["item"] == "spif", "amount"].sum()
        qualifying = int(((a["product"] == "Analytics") & (a["amount"] >= 5000)).sum())
        assert qualifying > 0 and paid == pytest.approx(1000 * qualifying), (seed, paid, qualifying)
        assert (without.statements["item"] != "spif").all()
    low, high = ci(diffs)
    # measured when written: +1.3 pt (se 0.26 pt) over 10 seeds
    assert low > 0, (low, high)


@pytest.mark.slow
def test_products_outside_the_spif_lose_won_deals_only_when_hours_bind() -> None:
    """With prospecting untilted, the shift comes from the work order: reps short of hours move
    SPIF deals forward, so fewer Core/Services deals get worked and won. With hours to spare the
    order does not matter and the two runs are identical."""
    fixed_mix = {"behaviour.deal_choice.prospecting_tilt": 0.0}
    # hours bind: 18 selling hours a week, 97% of capacity worked. At the default 35 hours (73%
    # worked) few reps are short of hours: -0.7 deals [-3.1, +1.7] over 32 seeds (2026-12-03); the
    # -3.4 to -5.6 measured there before came from colleagues overloaded covering the seats the
    # warm-up's quit burst had emptied
    binding = {**fixed_mix, "org.weekly_hours": 18.0}
    lost = []
    for seed in range(32):  # per-seed sd ~12 deals for an effect of ~5: 16 seeds left the interval touching 0
        a, b = in_window(run(SPIF_PLAN, seed, **binding)), in_window(run(NO_SPIF, seed, **binding))
        lost.append(int((a["product"] != "Analytics").sum()) - int((b["product"] != "Analytics").sum()))
    low, high = ci(lost)
    # measured when written: -4.6 deals (se 1.7) over 10 seeds; at 18 hours -5.1 [-9.4, -0.9] over 32 (2026-12-03)
    assert high < 0, (low, high)
    slack = {**fixed_mix, "org.weekly_hours": 80.0, "market.leads_per_year": 5000}
    for seed in range(2):
        a, b = run(SPIF_PLAN, seed, **slack), run(NO_SPIF, seed, **slack)
        assert (a.deals["outcome"].to_numpy() == b.deals["outcome"].to_numpy()).all()
        assert np.array_equal(a.ledger["hours_worked"].to_numpy(), b.ledger["hours_worked"].to_numpy())
