"""The engine's parts: the pipeline codes, the recorder's declared columns and the public API
scenario events act through."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import salessim
from salessim.engine.floor import SalesFloor
from salessim.engine.pipeline import Outcome, RepStatus, Timing, labels
from salessim.engine.recorder import COLUMNS

ENGINE = Path(salessim.__file__).parent / "engine"


@pytest.fixture
def floor(small_scenario) -> SalesFloor:
    return SalesFloor(small_scenario, 3).run()


def _direct_open(floor: SalesFloor, rep: int) -> np.ndarray:
    o = floor.open
    return o[(floor.pipe.rep[o] == rep) & (floor.pipe.channel[o] == 0)]


def test_result_labels_come_from_the_codes(small_scenario) -> None:
    r = salessim.simulate(small_scenario, seed=3)
    assert list(r.deals["outcome"].cat.categories) == labels(Outcome) == ["open", "won", "lost"]
    assert list(r.deals["timing"].cat.categories) == labels(Timing) == ["as due", "pulled in", "pushed out", "bargained",
                                                                          "held to period end"]
    assert list(r.ledger["status"].cat.categories) == labels(RepStatus) == ["active", "ramping", "vacant"]


def test_recorder_holds_every_declared_column(floor) -> None:
    rec = floor.recorder
    n_months = len(floor.clock.month_starts) - 1
    for c in COLUMNS:
        a = getattr(rec, c.name)
        assert a.dtype == c.dtype, c.name
        assert a.shape == ((n_months, floor.n_reps, floor.n_stages) if c.per_stage else (n_months, floor.n_reps))
    assert rec.hours_worked.sum() > 0 and rec.stage_entries.sum() > 0


def test_remove_rep_with_full_loss_loses_their_direct_deals(floor) -> None:
    rep = int(np.flatnonzero(floor.active)[0])
    mine = _direct_open(floor, rep)
    assert len(mine)
    floor.remove_rep(rep, 1.0, np.random.default_rng(0))
    assert not floor.active[rep]
    assert (floor.pipe.outcome[mine] == Outcome.LOST).all()
    assert (floor.pipe.close[mine] == float(floor.env.now)).all()
    assert not np.isin(mine, floor.open).any()
    assert floor.recorder.staff_events[-1] == {"rep": rep, "day": float(floor.env.now), "event": "left"}


def test_remove_rep_without_loss_hands_deals_to_region_colleagues(floor) -> None:
    rep = int(np.flatnonzero(floor.active)[0])
    mine = _direct_open(floor, rep)
    floor.remove_rep(rep, 0.0, np.random.default_rng(0))
    new = floor.pipe.rep[mine]
    assert (floor.pipe.outcome[mine] == Outcome.OPEN).all() and np.isin(mine, floor.open).all()
    assert (new != rep).all() and floor.active[new].all()
    assert (floor.rep_region[new] == floor.rep_region[rep]).all()


def test_lose_deals_closes_and_drops_them(floor) -> None:
    some = floor.open[:5]
    floor.lose_deals(some, 123.0)
    assert (floor.pipe.outcome[some] == Outcome.LOST).all() and (floor.pipe.close[some] == 123.0).all()
    assert not np.isin(some, floor.open).any()


def test_remove_account_stops_its_leads(floor) -> None:
    account = int(floor.pipe.account[floor.open[0]])
    n, share = floor.remove_account(account, 100.0)
    assert n >= 1 and 0 < share < 1
    assert floor.accounts["lead_weight"].iloc[account] == 0.0
    assert not (floor.pipe.account[floor.open] == account).any()


def test_events_and_results_use_no_engine_internals() -> None:
    events = (ENGINE / "events.py").read_text()
    assert not re.findall(r"\b(?:f|floor|env|ev)\._\w+", events)
    simulation = (ENGINE.parent / "results" / "simulation.py").read_text()
    assert "getattr(floor" not in simulation and "floor._" not in simulation


def test_a_hire_is_judged_on_their_own_months_not_the_seat_history(small_scenario) -> None:
    from salessim.comp.incentive import Incentive

    floor = SalesFloor(small_scenario, 3, incentive=Incentive(small_scenario.plan, small_scenario.org.reps)).run()
    # The statements pro-rate a hire's quota to the months employed; in the reps' plan-year
    # position the months before the hire count as on pace and a predecessor's bookings are not theirs.
    d = floor.decisions
    month = len(floor.clock.month_starts) - 2  # the last month (December of the measured year)
    first = int(d.year_first[month])
    hire = first + 6  # hired at the start of July
    floor.hired_day[0] = float(floor.clock.month_starts[hire])
    floor.recorder.booked[first:hire, 0] = 1e9  # the predecessor's bookings
    pos = d.position(float(floor.clock.month_starts[month]), month)
    own = floor.recorder.booked[hire : month + 1, 0].sum() + d.quota[first:hire, 0].sum()
    assert pos.y0[0] + pos.p[0] == pytest.approx(own / d.annual_quota(month)[0])
    assert pos.y0[0] + pos.p[0] < 2  # not the predecessor's 1e9
    # ... and an incumbent's position is their whole year
    inc = int(np.flatnonzero(floor.hired_day < 0)[0])
    whole = floor.recorder.booked[first : month + 1, inc].sum()
    assert pos.y0[inc] + pos.p[inc] == pytest.approx(whole / d.annual_quota(month)[inc])


@pytest.mark.parametrize("case", ["distinct", "tied days", "close days", "nan", "one deal"])
def test_close_order_is_the_lexsort_order(floor, case) -> None:
    rng = np.random.default_rng(0)
    n = 1 if case == "one deal" else 5000
    o = np.sort(rng.choice(floor.pipe.n, n, replace=False))
    rep, stage = rng.integers(0, floor.n_reps, n), rng.integers(0, floor.n_stages, n)
    entered = rng.random(n) * 400
    if case == "tied days":
        entered = np.floor(entered)
    elif case == "close days":  # one float step apart, in the same group: the scaled key ties
        entered[1::2], rep[1::2], stage[1::2] = np.nextafter(entered[::2], np.inf), rep[::2], stage[::2]
    elif case == "nan":
        entered[::7] = np.nan
    floor.pipe.cols["entered"][o] = entered
    expected = np.lexsort((entered, -stage, rep))
    assert (floor._close_order(o, rep, stage) == expected).all()
