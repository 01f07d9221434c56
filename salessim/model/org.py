"""Org structures: who works which accounts, with what help, at what management cost.

Pure configuration and arithmetic; the engine reads the roster and routing this module builds.
Structures (``org.structure``):

* ``line``: one sales director, first-line managers, reps own deals end to end; territories
  ignore regions (short decision chain, no local knowledge premium).
* ``regional``: a manager team per region; reps work only their region's accounts and convert
  local accounts better (``regional.local_win_multiplier``) at the cost of a regional director
  per region.
* ``matrix``: regional account executives plus product specialists who join deals of their
  product lines from a stage on: higher win rates, a hand-off delay, coordination hours for the
  AE, and double credit (the specialist is credited too: comp cost rises by the overlay share).
* ``channel``: accounts of some segments are served by partners, who convert at their own rate
  and keep a margin; direct reps may get overlay credit on partner deals.
* ``key_account``: A accounts get dedicated senior key-account managers, C accounts a low-touch
  inside team (fewer hours per deal, lower conversion, lower cost), B accounts the AEs.

Costs are fully loaded annual costs in the scenario currency; every default is an assumption
(no published source in REFERENCES.md) and is listed in docs/org_structures.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from salessim.inputs import Frozen, PositiveFloat

Money = Annotated[float, Field(ge=0.0)]
Multiplier = Annotated[float, Field(gt=0.0, le=5.0)]

AE, KAM, LOW_TOUCH, SPECIALIST = 0, 1, 2, 3
ROLE_NAMES = ["account executive", "key-account manager", "low-touch rep", "specialist"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Management(_Model):
    span: int = Field(8, ge=2, le=30, description="reps per first-line manager (assumption: 6-10 is usual)")
    manager_cost: Money = Field(200_000, description="first-line manager, per year")
    director_cost: Money = Field(300_000, description="sales director, per year")


class Regional(_Model):
    local_win_multiplier: Multiplier = Field(1.08, description="win probability on accounts of the rep's own region")
    regional_director_cost: Money = Field(250_000, description="per region, per year")


class Matrix(_Model):
    specialists: int = Field(8, ge=1, le=500)
    products: list[str] | None = Field(None, description="product lines specialists join (default: all but the first)")
    from_stage: int = Field(2, ge=1, description="stage index from which a specialist joins (2 = the third stage)")
    win_multiplier: Multiplier = Field(1.25, description="win probability of a supported deal")
    handoff_days: Annotated[float, Field(ge=0.0, le=60.0)] = Field(4.0, description="delay when the specialist joins")
    coordination_hours: Annotated[float, Field(ge=0.0, le=40.0)] = Field(1.5, description="extra AE hours per supported deal")
    specialist_hours: Annotated[float, Field(gt=0.0, le=200.0)] = Field(5.0, description="specialist hours per supported deal")
    weekly_hours: Annotated[float, Field(gt=0.0, le=80.0)] = 35.0


class Channel(_Model):
    segments: list[str] = Field(default_factory=lambda: ["C"], min_length=1, description="segments partners serve")
    win_multiplier: Multiplier = Field(0.9, description="partners' win probability relative to the funnel's")
    duration_multiplier: Multiplier = Field(1.2, description="partners' stage durations relative to the funnel's")
    partner_margin: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(0.25, description="share of the deal partners keep")
    overlay_credit: bool = Field(True, description="the territory's rep is credited on partner deals too")
    channel_managers: int = Field(2, ge=0, le=100)
    channel_manager_cost: Money = 180_000


class KeyAccount(_Model):
    key_segment: str = "A"
    key_account_managers: int | None = Field(None, ge=1, description="default: sized to the key segment's share of the workload")
    kam_win_multiplier: Multiplier = Field(1.15, description="senior, dedicated: better conversion")
    kam_cost_multiplier: Multiplier = Field(1.4, description="cost of a KAM relative to an AE")
    low_touch_segment: str = "C"
    low_touch_reps: int | None = Field(None, ge=1, description="default: sized to the low-touch segment's (reduced) workload")
    low_touch_hours_multiplier: Multiplier = Field(0.4, description="rep hours per deal relative to an AE")
    low_touch_win_multiplier: Multiplier = Field(0.85)
    low_touch_cost_multiplier: Multiplier = Field(0.6, description="cost of a low-touch rep relative to an AE")


class OrgDesign(_Model):
    """Structure-specific settings (only the chosen structure's section is used)."""

    management: Management = Management()
    regional: Regional = Regional()
    matrix: Matrix = Matrix()
    channel: Channel = Channel()
    key_account: KeyAccount = KeyAccount()


@dataclass(frozen=True)
class Roster:
    """The reps of a structure: role, region and role multipliers per rep (index = rep)."""

    role: np.ndarray
    region: np.ndarray
    win: np.ndarray
    hours: np.ndarray  # rep hours per deal relative to an AE
    cost_multiplier: np.ndarray


def team_sizes(n_reps: int, workload_share: dict[str, float], k: KeyAccount) -> tuple[int, int]:
    """Key-account managers and low-touch reps of a key-account org: as configured, or sized to
    their segments' share of the workload (low-touch work shrunk by its hours multiplier)."""
    key = workload_share.get(k.key_segment, 0.0)
    low = workload_share.get(k.low_touch_segment, 0.0) * k.low_touch_hours_multiplier
    rest = 1.0 - workload_share.get(k.key_segment, 0.0) - workload_share.get(k.low_touch_segment, 0.0)
    total = key + low + rest
    kams = k.key_account_managers or max(1, round(n_reps * key / total))
    lows = k.low_touch_reps or max(1, round(n_reps * low / total))
    if kams + lows >= n_reps:
        lows = max(1, n_reps - kams - 1)
    return kams, lows


def roster(structure: str, n_reps: int, n_regions: int, design: OrgDesign,
           workload_share: dict[str, float] | None = None) -> Roster:
    """Roles of the ``n_reps`` quota carriers (specialists in a matrix come on top)."""
    role = np.full(n_reps, AE)
    if structure == "key_account":
        kams, lows = team_sizes(n_reps, workload_share or {}, design.key_account)
        role[:kams] = KAM
        role[kams : kams + lows] = LOW_TOUCH
    region = np.zeros(n_reps, dtype=np.int64)
    for r in (AE, KAM, LOW_TOUCH):  # spread each role over the regions in turn
        idx = np.flatnonzero(role == r)
        region[idx] = np.arange(len(idx)) % n_regions
    k = design.key_account
    win = np.select([role == KAM, role == LOW_TOUCH], [k.kam_win_multiplier, k.low_touch_win_multiplier], 1.0)
    hours = np.where(role == LOW_TOUCH, k.low_touch_hours_multiplier, 1.0)
    cost = np.select([role == KAM, role == LOW_TOUCH], [k.kam_cost_multiplier, k.low_touch_cost_multiplier], 1.0)
    return Roster(role=role, region=region, win=win, hours=hours, cost_multiplier=cost)


def management_cost(structure: str, n_reps: int, n_regions: int, design: OrgDesign) -> dict[str, float]:
    """Annual management and overhead cost by item (currency per year)."""
    m = design.management
    per_region = np.bincount(np.arange(n_reps) % n_regions, minlength=n_regions)
    if structure == "line":
        managers = int(np.ceil(n_reps / m.span))
    else:
        managers = int(sum(np.ceil(c / m.span) for c in per_region if c))
    cost = {"sales director": m.director_cost, "first-line managers": managers * m.manager_cost}
    if structure != "line":
        cost["regional directors"] = n_regions * design.regional.regional_director_cost
    if structure == "matrix":  # specialists themselves are paid by the plan (overlay credit)
        x = design.matrix
        cost["specialist managers"] = np.ceil(x.specialists / m.span) * m.manager_cost
    if structure == "channel":
        c = design.channel
        cost["channel managers"] = c.channel_managers * c.channel_manager_cost
    return {k: float(v) for k, v in cost.items()}


def regions_respected(structure: str) -> bool:
    """Whether territories stay within regions (all but the line organisation)."""
    return structure != "line"


Structure = Literal["line", "regional", "matrix", "channel", "key_account"]


class Skill(Frozen):
    """Rep skill: a multiplier on the win probability, lognormal with mean 1 and this sd."""

    sd: Annotated[float, Field(ge=0.0, le=1.0)] = 0.15


class Org(Frozen):
    """The sales organisation. Reps are spread over regions in turn."""

    reps: int = Field(ge=1, description="number of quota-carrying reps")
    weekly_hours: PositiveFloat = Field(
        30.0, le=80.0, description="selling hours a rep has per week (after admin and meetings)"
    )
    skill: Skill = Skill()
    structure: Structure = Field("regional", description="line, regional, matrix, channel or key_account")
    design: OrgDesign = OrgDesign()

