"""Org structures: who works which accounts, with what help, at what management cost.

Pure configuration and arithmetic; the engine reads the roster and routing this module builds.
Each structure is an :class:`OrgStructure` subclass (chosen once per org by :func:`structure_of`)
that answers the pure questions: roster, account routing, credit, management cost and headcount,
validation against the market and funnel. Structures (``org.structure``):

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
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from salessim.inputs import Frozen, Money, PositiveFloat, limited

Multiplier = Annotated[float, Field(gt=0.0, le=5.0)]

AE, KAM, LOW_TOUCH, SPECIALIST = 0, 1, 2, 3
ROLE_NAMES = ["account executive", "key-account manager", "low-touch rep", "specialist"]


class Management(Frozen):
    span: int = Field(8, ge=2, le=30, description="reps per first-line manager (assumption: 6-10 is usual)")
    manager_cost: Money = Field(200_000, description="first-line manager, per year")
    director_cost: Money = Field(300_000, description="sales director, per year")


class RegionalDesign(Frozen):
    local_win_multiplier: Multiplier = Field(1.08, description="win probability on accounts of the rep's own region")
    regional_director_cost: Money = Field(250_000, description="per region, per year")


class MatrixDesign(Frozen):
    specialists: int = Field(8, ge=1, le=500)
    products: list[str] | None = Field(None, description="product lines specialists join (default: all but the first)")
    from_stage: int = Field(2, ge=1, description="stage index from which a specialist joins (2 = the third stage)")
    win_multiplier: Multiplier = Field(1.25, description="win probability of a supported deal")
    handoff_days: Annotated[float, Field(ge=0.0, le=60.0)] = Field(4.0, description="delay when the specialist joins")
    coordination_hours: Annotated[float, Field(ge=0.0, le=40.0)] = Field(1.5, description="extra AE hours per supported deal")
    specialist_hours: Annotated[float, Field(gt=0.0, le=200.0)] = Field(5.0, description="specialist hours per supported deal")
    weekly_hours: Annotated[float, Field(gt=0.0, le=80.0)] = 35.0


class ChannelDesign(Frozen):
    segments: list[str] = Field(default_factory=lambda: ["C"], min_length=1, description="segments partners serve")
    win_multiplier: Multiplier = Field(0.9, description="partners' win probability relative to the funnel's")
    duration_multiplier: Multiplier = Field(1.2, description="partners' stage durations relative to the funnel's")
    partner_margin: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(0.25, description="share of the deal partners keep")
    overlay_credit: bool = Field(True, description="the territory's rep is credited on partner deals too")
    channel_managers: int = Field(2, ge=0, le=100)
    channel_manager_cost: Money = 180_000


class KeyAccountDesign(Frozen):
    key_segment: str = "A"
    key_account_managers: int | None = Field(None, ge=1, description="default: sized to the key segment's share of the workload")
    kam_win_multiplier: Multiplier = Field(1.15, description="senior, dedicated: better conversion")
    kam_cost_multiplier: Multiplier = Field(1.4, description="cost of a KAM relative to an AE")
    low_touch_segment: str = "C"
    low_touch_reps: int | None = Field(None, ge=1, description="default: sized to the low-touch segment's (reduced) workload")
    low_touch_hours_multiplier: Multiplier = Field(0.4, description="rep hours per deal relative to an AE")
    low_touch_win_multiplier: Multiplier = Field(0.85)
    low_touch_cost_multiplier: Multiplier = Field(0.6, description="cost of a low-touch rep relative to an AE")


class OrgDesign(Frozen):
    """Structure-specific settings (only the chosen structure's section is used)."""

    management: Management = Management()
    regional: RegionalDesign = RegionalDesign()
    matrix: MatrixDesign = MatrixDesign()
    channel: ChannelDesign = ChannelDesign()
    key_account: KeyAccountDesign = KeyAccountDesign()


@dataclass(frozen=True)
class Roster:
    """The reps of a structure: role, region and role multipliers per rep (index = rep)."""

    role: np.ndarray
    region: np.ndarray
    win: np.ndarray
    hours: np.ndarray  # rep hours per deal relative to an AE
    cost_multiplier: np.ndarray


STRUCTURES: dict[str, type[OrgStructure]] = {}  # name -> strategy, filled as the classes are defined


def team_sizes(n_reps: int, workload_share: dict[str, float], k: KeyAccountDesign) -> tuple[int, int]:
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


class OrgStructure:
    """An org structure's pure rules, for one scenario's org (``structure_of(org)``).

    The base class is the region-organised direct sales force every structure starts from: reps
    are account executives spread over the regions, work only their region's accounts, convert
    local accounts better and need a first-line manager per ``span`` reps of a region plus a
    regional director per region. A structure is one subclass with a ``name``: it registers
    itself, becomes a valid ``org.structure`` and overrides only what differs.
    """

    name: ClassVar[str]
    regions_respected: ClassVar[bool] = True  # territories stay within regions

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        STRUCTURES[cls.name] = cls

    def __init__(self, org: Org) -> None:
        self.org, self.design = org, org.design

    # -- who sells
    def roles(self, workload_share: dict[str, float]) -> np.ndarray:
        """Role of each of the ``org.reps`` quota carriers (``AE``, ``KAM``, ``LOW_TOUCH``)."""
        return np.full(self.org.reps, AE)

    def role_multipliers(self, role: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Win, hours-per-deal and cost multipliers of each rep's role (1 for an AE)."""
        one = np.ones(len(role))
        return one, one.copy(), one.copy()

    def roster(self, n_regions: int, workload_share: dict[str, float] | None = None) -> Roster:
        """Roles of the quota carriers (specialists in a matrix come on top), each role spread
        over the regions in turn."""
        role = self.roles(workload_share or {})
        region = np.zeros(len(role), dtype=np.int64)
        for r in (AE, KAM, LOW_TOUCH):
            idx = np.flatnonzero(role == r)
            region[idx] = np.arange(len(idx)) % n_regions
        win, hours, cost = self.role_multipliers(role)
        return Roster(role=role, region=region, win=win, hours=hours, cost_multiplier=cost)

    def account_roles(self, segment: np.ndarray) -> np.ndarray:
        """Role whose reps serve each account (by the account's segment name)."""
        return np.zeros(len(segment), dtype=np.int64)

    def partner_accounts(self, segment: np.ndarray) -> np.ndarray:
        """Which accounts (by segment name) partners serve instead of reps."""
        return np.zeros(len(segment), dtype=bool)

    @property
    def local_win_multiplier(self) -> float:
        """Win-probability factor of deals of accounts in the rep's own region."""
        return self.design.regional.local_win_multiplier

    # -- credit
    @property
    def partner_credit(self) -> bool:
        """Whether the territory's rep is credited on partner deals (no partners: moot)."""
        return True

    @property
    def specialists(self) -> int:
        """Overlay specialists credited on the deals they support (on top of the reps)."""
        return 0

    # -- management
    def first_line_managers(self, n_regions: int) -> int:
        """First-line managers: one per ``span`` reps of each region."""
        m = self.design.management
        per_region = np.bincount(np.arange(self.org.reps) % n_regions, minlength=n_regions)
        return int(sum(np.ceil(c / m.span) for c in per_region if c))

    def overhead(self, n_regions: int) -> dict[str, float]:
        """Management cost beyond the director and first-line managers (currency per year)."""
        return {"regional directors": n_regions * self.design.regional.regional_director_cost}

    def management_cost(self, n_regions: int) -> dict[str, float]:
        """Annual management and overhead cost by item (currency per year)."""
        m = self.design.management
        cost = {"sales director": m.director_cost, "first-line managers": self.first_line_managers(n_regions) * m.manager_cost}
        cost.update(self.overhead(n_regions))
        return {k: float(v) for k, v in cost.items()}

    def management_heads(self, n_regions: int) -> int:
        """Managers: the sales director, first-line and regional (and specialist) managers."""
        return 1 + self.first_line_managers(n_regions) + n_regions

    def extra_heads(self) -> int:
        """Heads beyond reps and managers: overlay specialists, channel managers."""
        return 0

    # -- validation
    def check(self, segments: list[str], products: list[str], n_stages: int) -> None:
        """Raise ``ValueError`` (naming the field) if the design does not fit the market and funnel."""


class Line(OrgStructure):
    """One sales director and first-line managers; reps own deals end to end and territories
    ignore regions (no local knowledge premium, no regional directors)."""

    name = "line"
    regions_respected = False

    @property
    def local_win_multiplier(self) -> float:
        return 1.0

    def first_line_managers(self, n_regions: int) -> int:
        return int(np.ceil(self.org.reps / self.design.management.span))

    def overhead(self, n_regions: int) -> dict[str, float]:
        return {}

    def management_heads(self, n_regions: int) -> int:
        return 1 + self.first_line_managers(n_regions)


class Regional(OrgStructure):
    """A manager team per region; reps work only their region's accounts."""

    name = "regional"


class Matrix(OrgStructure):
    """Regional AEs plus product specialists who join deals of their product lines from a stage on
    and are credited too (overlay double credit); specialists have their own managers."""

    name = "matrix"

    @property
    def specialists(self) -> int:
        return self.design.matrix.specialists

    def specialist_managers(self) -> int:
        """Managers of the specialists: one per ``span``."""
        return int(np.ceil(self.design.matrix.specialists / self.design.management.span))

    def overhead(self, n_regions: int) -> dict[str, float]:
        # specialists themselves are paid by the plan (overlay credit)
        return {**super().overhead(n_regions), "specialist managers": self.specialist_managers() * self.design.management.manager_cost}

    def management_heads(self, n_regions: int) -> int:
        return super().management_heads(n_regions) + self.specialist_managers()

    def extra_heads(self) -> int:
        return self.design.matrix.specialists

    def check(self, segments: list[str], products: list[str], n_stages: int) -> None:
        m = self.design.matrix
        bad = [x for x in m.products or [] if x not in products]
        if bad:
            raise ValueError(f"org.design.matrix.products: unknown product '{bad[0]}' (products: {', '.join(products)})")
        if m.from_stage >= n_stages:
            raise ValueError(f"org.design.matrix.from_stage: {m.from_stage} is past the last stage "
                             f"(the funnel has {n_stages})")


class Channel(OrgStructure):
    """Partners serve the accounts of some segments at their own rates and keep a margin; channel
    managers run them; the territory's rep is credited on partner deals with ``overlay_credit``."""

    name = "channel"

    def partner_accounts(self, segment: np.ndarray) -> np.ndarray:
        return np.isin(segment, self.design.channel.segments)

    @property
    def partner_credit(self) -> bool:
        return self.design.channel.overlay_credit

    def overhead(self, n_regions: int) -> dict[str, float]:
        c = self.design.channel
        return {**super().overhead(n_regions), "channel managers": c.channel_managers * c.channel_manager_cost}

    def extra_heads(self) -> int:
        return self.design.channel.channel_managers

    def check(self, segments: list[str], products: list[str], n_stages: int) -> None:
        bad = [x for x in self.design.channel.segments if x not in segments]
        if bad:
            raise ValueError(f"org.design.channel.segments: unknown segment '{bad[0]}' (segments: {', '.join(segments)})")


class KeyAccount(OrgStructure):
    """Key-account managers for the key segment, a low-touch inside team for the low-touch
    segment, account executives for the rest."""

    name = "key_account"

    def roles(self, workload_share: dict[str, float]) -> np.ndarray:
        role = super().roles(workload_share)
        kams, lows = team_sizes(self.org.reps, workload_share, self.design.key_account)
        role[:kams] = KAM
        role[kams : kams + lows] = LOW_TOUCH
        return role

    def role_multipliers(self, role: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        k = self.design.key_account
        win = np.select([role == KAM, role == LOW_TOUCH], [k.kam_win_multiplier, k.low_touch_win_multiplier], 1.0)
        hours = np.where(role == LOW_TOUCH, k.low_touch_hours_multiplier, 1.0)
        cost = np.select([role == KAM, role == LOW_TOUCH], [k.kam_cost_multiplier, k.low_touch_cost_multiplier], 1.0)
        return win, hours, cost

    def account_roles(self, segment: np.ndarray) -> np.ndarray:
        k = self.design.key_account
        group = super().account_roles(segment)
        group[segment == k.key_segment] = KAM
        group[segment == k.low_touch_segment] = LOW_TOUCH
        return group

    def check(self, segments: list[str], products: list[str], n_stages: int) -> None:
        k = self.design.key_account
        for field in ("key_segment", "low_touch_segment"):
            if getattr(k, field) not in segments:
                raise ValueError(f"org.design.key_account.{field}: unknown segment '{getattr(k, field)}' (segments: {', '.join(segments)})")
        if (k.key_account_managers or 1) + (k.low_touch_reps or 1) >= self.org.reps:
            raise ValueError(f"org.design.key_account: {k.key_account_managers} key-account managers + {k.low_touch_reps} "
                             f"low-touch reps leave no account executives among org.reps = {self.org.reps}")


def structure_of(org: Org) -> OrgStructure:
    """The strategy of ``org.structure``, for this org."""
    return STRUCTURES[org.structure](org)


Structure = Literal[tuple(STRUCTURES)]  # the registered names, in order


class Skill(Frozen):
    """Rep skill: a multiplier on the win probability, lognormal with mean 1 and this sd."""

    sd: Annotated[float, Field(ge=0.0, le=1.0)] = 0.15


class Org(Frozen):
    """The sales organisation. Reps are spread over regions in turn."""

    reps: Annotated[int, Field(ge=1, description="number of quota-carrying reps"), limited("reps")]
    weekly_hours: PositiveFloat = Field(
        30.0, le=80.0, description="selling hours a rep has per week (after admin and meetings)"
    )
    skill: Skill = Skill()
    structure: Structure = Field("regional", description=f"{', '.join(list(STRUCTURES)[:-1])} or {list(STRUCTURES)[-1]}")
    design: OrgDesign = OrgDesign()

