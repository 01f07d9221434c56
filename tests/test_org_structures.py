"""The org structures' pure rules, one test per structure (hand-computed), and their engine side.

The org for the hand computations: 10 reps over 4 regions (3, 3, 2, 2 reps), span 8, so one
first-line manager per region, or ceil(10 / 8) = 2 in a line org. Default costs: director 300k,
first-line manager 200k, regional director 250k.
"""

from __future__ import annotations

import typing
from pathlib import Path

import numpy as np
import pytest

import salessim
from salessim.engine.floor import SalesFloor
from salessim.engine.structures import DirectSales, Partners, Specialists
from salessim.model.org import (
    AE,
    KAM,
    LOW_TOUCH,
    STRUCTURES,
    Channel,
    KeyAccount,
    Line,
    Matrix,
    Org,
    Regional,
    Structure,
    structure_of,
)

ROOT = Path(__file__).resolve().parents[1]
REGIONS = 4
SEGMENTS, PRODUCTS, STAGES = ["A", "B", "C"], ["Core", "Analytics"], 5


def org(structure: str, **design) -> Org:
    return Org(reps=10, structure=structure, design=design)


def test_every_structure_name_is_a_registered_strategy() -> None:
    assert list(STRUCTURES) == list(typing.get_args(Structure)) == ["line", "regional", "matrix", "channel", "key_account"]
    for name, cls in STRUCTURES.items():
        assert type(structure_of(org(name))) is cls
    with pytest.raises(ValueError, match="structure"):
        org("hierarchy")


def test_line() -> None:
    s = structure_of(org("line"))
    assert isinstance(s, Line) and not s.regions_respected and s.local_win_multiplier == 1.0
    assert s.management_cost(REGIONS) == {"sales director": 300_000.0, "first-line managers": 400_000.0}
    assert (s.management_heads(REGIONS), s.extra_heads(), s.specialists) == (3, 0, 0)
    ros = s.roster(REGIONS)
    assert (ros.role == AE).all() and ros.region.tolist() == [0, 1, 2, 3, 0, 1, 2, 3, 0, 1]
    assert (ros.win == 1).all() and (ros.hours == 1).all() and (ros.cost_multiplier == 1).all()
    assert not s.partner_accounts(np.array(SEGMENTS)).any() and s.partner_credit


def test_regional() -> None:
    s = structure_of(org("regional", regional={"local_win_multiplier": 1.1}))
    assert isinstance(s, Regional) and s.regions_respected and s.local_win_multiplier == 1.1
    assert s.management_cost(REGIONS) == {"sales director": 300_000.0, "first-line managers": 800_000.0,
                                          "regional directors": 1_000_000.0}
    assert (s.management_heads(REGIONS), s.extra_heads()) == (9, 0)
    assert (s.account_roles(np.array(SEGMENTS)) == AE).all()
    s.check(SEGMENTS, PRODUCTS, STAGES)


def test_matrix() -> None:
    s = structure_of(org("matrix", matrix={"specialists": 9}))
    assert isinstance(s, Matrix) and s.specialists == 9
    # 9 specialists at span 8: two specialist managers
    assert s.management_cost(REGIONS)["specialist managers"] == 400_000.0
    assert (s.management_heads(REGIONS), s.extra_heads()) == (11, 9)
    with pytest.raises(ValueError, match="org.design.matrix.products: unknown product 'Nope'"):
        structure_of(org("matrix", matrix={"products": ["Nope"]})).check(SEGMENTS, PRODUCTS, STAGES)
    with pytest.raises(ValueError, match="from_stage: 5 is past the last stage"):
        structure_of(org("matrix", matrix={"from_stage": 5})).check(SEGMENTS, PRODUCTS, STAGES)


def test_channel() -> None:
    s = structure_of(org("channel", channel={"segments": ["B", "C"], "overlay_credit": False}))
    assert isinstance(s, Channel) and not s.partner_credit
    assert s.partner_accounts(np.array(["A", "C", "B", "A"])).tolist() == [False, True, True, False]
    assert s.management_cost(REGIONS)["channel managers"] == 2 * 180_000.0
    assert (s.management_heads(REGIONS), s.extra_heads()) == (9, 2)
    with pytest.raises(ValueError, match="org.design.channel.segments: unknown segment 'Z'"):
        structure_of(org("channel", channel={"segments": ["Z"]})).check(SEGMENTS, PRODUCTS, STAGES)


def test_key_account() -> None:
    """Workload A 60%, B 30%, C 10% (low touch at 0.4 of the hours: 4%): 10 x 0.6 / 0.94 -> 6
    key-account managers, 10 x 0.04 / 0.94 -> 0, at least 1 low-touch rep, 3 account executives."""
    s = structure_of(org("key_account"))
    assert isinstance(s, KeyAccount)
    ros = s.roster(REGIONS, {"A": 0.6, "B": 0.3, "C": 0.1})
    assert ros.role.tolist() == [KAM] * 6 + [LOW_TOUCH] + [AE] * 3
    assert ros.region.tolist() == [0, 1, 2, 3, 0, 1, 0, 0, 1, 2]  # each role spread over the regions
    assert ros.win.tolist() == [1.15] * 6 + [0.85] + [1.0] * 3
    assert ros.hours.tolist() == [1.0] * 6 + [0.4] + [1.0] * 3
    assert ros.cost_multiplier.tolist() == [1.4] * 6 + [0.6] + [1.0] * 3
    assert s.account_roles(np.array(["C", "A", "B"])).tolist() == [LOW_TOUCH, KAM, AE]
    assert s.management_heads(REGIONS) == 9
    with pytest.raises(ValueError, match="key_segment: unknown segment 'Q'"):
        structure_of(org("key_account", key_account={"key_segment": "Q"})).check(SEGMENTS, PRODUCTS, STAGES)
    with pytest.raises(ValueError, match="leave no account executives among org.reps = 10"):
        structure_of(org("key_account", key_account={"key_account_managers": 6, "low_touch_reps": 4})).check(
            SEGMENTS, PRODUCTS, STAGES)


@pytest.mark.parametrize(("structure", "kind"), [
    ("line", DirectSales), ("regional", DirectSales), ("key_account", DirectSales),
    ("channel", Partners), ("matrix", Specialists),
])
def test_the_floor_holds_its_structures_engine_strategy(structure, kind) -> None:
    sc = salessim.load_scenario(ROOT / "data/scenarios/midmarket.yaml", **{
        "org.reps": 20, "market.accounts": 300, "org.structure": structure})
    floor = SalesFloor(sc, seed=0)
    assert type(floor.structure) is kind
    assert floor.structure.local_win == (1.0 if structure == "line" else sc.org.design.regional.local_win_multiplier)
