"""The structure of a simulated org, built once per scenario: accounts, reps' roles, territories
and annual quotas.

The market and its territories are the *company's* structure, not replication noise: they are
drawn from the scenario's own ``seed`` and are the same in every replication (the ``seed`` given
to :func:`salessim.simulate` varies the dynamics: leads, deal outcomes, reps, quitting). That is
what makes a territory or org design comparable across replications, and lets the (MILP-based)
territory design be computed once per scenario and kept in :data:`LAYOUTS`.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salessim.engine.streams import layout_stream
from salessim.model import quota as quotas
from salessim.model.market import expected_bookings, make_accounts
from salessim.model.org import OrgStructure, Roster, structure_of
from salessim.model.territory import design_territories, scenario_workload, workable_potential
from salessim.scenario import Scenario


@dataclass(frozen=True)
class OrgLayout:
    """Accounts, reps and territories of a scenario (index = account / rep)."""

    accounts: pd.DataFrame
    roster: Roster
    territory: np.ndarray  # rep of each account
    partner: np.ndarray  # account served by partners (channel structure)
    annual_quota: np.ndarray  # currency per rep, first fiscal year
    expected_annual: float  # unconstrained funnel expectation (currency per year)


#: Weeks in a year: reps' selling hours and own prospecting are per week.
WEEKS_PER_YEAR = 52.18

#: The parts of a scenario its layout depends on: the layout's cache key.
LAYOUT_FIELDS = ("seed", "market", "funnel", "org", "territories", "quota", "behaviour")


def layout_key(scenario: Scenario) -> str:
    """Canonical JSON of the scenario parts the layout depends on (:data:`LAYOUT_FIELDS`)."""
    data = scenario.to_dict()
    return json.dumps({k: data[k] for k in LAYOUT_FIELDS}, sort_keys=True, default=str)


class LayoutCache:
    """Org layouts by :func:`layout_key`, at most ``size`` (the least recently used goes first).

    A layout is a pure function of its key (see :func:`salessim.engine.streams.layout_stream`),
    so a cached layout equals a fresh one and no result depends on what is cached: the cache
    only saves the time (a territory MILP can take seconds per scenario).
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[str, OrgLayout] = OrderedDict()

    def get(self, scenario: Scenario) -> OrgLayout:
        """The scenario's layout, built on first use."""
        key = layout_key(scenario)
        if key in self._items:
            self._items.move_to_end(key)
        else:
            self._items[key] = _layout(scenario)
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return self._items[key]

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


#: The cache :func:`layout` uses (``LAYOUTS.clear()`` empties it).
LAYOUTS = LayoutCache()


def layout(scenario: Scenario) -> OrgLayout:
    """The scenario's org layout, from :data:`LAYOUTS`."""
    return LAYOUTS.get(scenario)


def _layout(scenario: Scenario) -> OrgLayout:
    s = scenario
    rng = layout_stream(s.seed)
    accounts = make_accounts(s.market, rng)
    n_regions = len(s.market.regions)
    accounts = accounts.assign(workload_hours=scenario_workload(accounts, s, s.territories.base_hours_per_account))
    load = accounts.groupby("segment", observed=True)["workload_hours"].sum()
    structure = structure_of(s.org)
    ros = structure.roster(n_regions, (load / load.sum()).to_dict())
    territory = _territories(s, structure, accounts, ros, rng)
    partner = structure.partner_accounts(accounts["segment"].astype(str).to_numpy())
    self_sourced = s.behaviour.effort.prospecting_leads_per_week * WEEKS_PER_YEAR * s.org.reps
    expected = expected_bookings(s.market, s.funnel, self_sourced)
    annual = _annual_quota(s, accounts, territory, ros, expected, rng)
    return OrgLayout(accounts, ros, territory, partner, annual, expected)


def _territories(s: Scenario, structure: OrgStructure, accounts: pd.DataFrame, ros: Roster,
                 rng: np.random.Generator) -> np.ndarray:
    """Assign accounts to reps within each role's segment (key-account model) and region."""
    t = s.territories
    n = len(accounts)
    segment = accounts["segment"].astype(str).to_numpy()
    group = structure.account_roles(segment)  # role serving each account
    capacity = s.org.weekly_hours / ros.hours
    out = np.empty(n, dtype=np.int64)
    regions = np.asarray(s.market.regions, dtype=object)
    for g in np.unique(group):
        acc = np.flatnonzero(group == g)
        reps = np.flatnonzero(ros.role == g)
        sub = accounts.iloc[acc].reset_index(drop=True)
        rep_regions = regions[ros.region[reps]] if structure.regions_respected else None
        if rep_regions is not None:  # a region without reps of this role: its accounts go to all
            missing = ~sub["region"].astype(str).isin(set(rep_regions))
            if missing.any():
                rep_regions = None
        kw = {"rep_regions": rep_regions, "rep_capacity_hours": capacity[reps], "tolerance": t.tolerance,
              "rng": rng, "drift": t.drift, "time_limit": t.time_limit_s}
        if t.strategy == "min_disruption":
            kw["current"] = design_territories(sub, len(reps), "as_is", **kw)
            kw["balance_on"] = t.balance_on
            kw["exact"] = t.exact
        local = design_territories(sub, len(reps), t.strategy, workload=sub["workload_hours"].to_numpy(), **kw)
        out[acc] = reps[local]
    return out


def _annual_quota(s: Scenario, accounts: pd.DataFrame, territory: np.ndarray, ros: Roster,
                  expected: float, rng: np.random.Generator) -> np.ndarray:
    """First-year annual quota per rep (currency) by the scenario's quota strategy.

    Strategies that need history (historical growth, bottom-up, ratchet) get a synthetic last
    year: each rep's expected share of the target with lognormal luck (``quota.bookings_cv``)."""
    q = s.quota
    n = s.org.reps
    target = q.annual_target or 0.85 * expected
    weight = quota_basis(s, accounts, territory, ros)
    share = weight / weight.sum()
    sigma = np.sqrt(np.log1p(q.bookings_cv**2))
    last = target * share * rng.lognormal(-(sigma**2) / 2, sigma, n)
    hours = s.org.weekly_hours * 46 / ros.hours  # ~46 selling weeks a year
    table = quotas.set_quotas(
        q, n, target=target, potential=share, regions=list(np.asarray(s.market.regions)[ros.region]),
        last_result=last, last_quota=target * share, forecasts=last,
        productivity_per_hour=target / hours.sum(), selling_hours=hours,
    )
    return table["quota"].to_numpy(dtype=float)


def quota_basis(s: Scenario, accounts: pd.DataFrame, territory: np.ndarray, ros: Roster) -> np.ndarray:
    """What the company splits its target by, per rep (relative units): what each territory's
    rep can sell (:func:`workable`, ``quota.potential: workable``, the default) or its accounts'
    potential alone (``accounts``)."""
    if s.quota.potential == "accounts":
        return np.bincount(territory, accounts["potential"].to_numpy(), len(ros.role))
    return workable(s, accounts, territory, ros)


def workable(s: Scenario, accounts: pd.DataFrame, territory: np.ndarray, ros: Roster) -> np.ndarray:
    """Per rep, what its territory can yield in a year with the rep's hours and own prospecting,
    in units of account potential (:func:`salessim.model.territory.workable_potential`)."""
    n = len(ros.role)
    potential = np.bincount(territory, accounts["potential"].to_numpy(), n)
    lead_share = np.bincount(territory, accounts["lead_weight"].to_numpy(), n)
    upkeep = s.territories.base_hours_per_account * np.bincount(territory, minlength=n)
    lead_hours = np.bincount(territory, accounts["workload_hours"].to_numpy(), n) - upkeep
    inbound = s.market.leads_per_year
    return workable_potential(
        potential, lead_share, inbound, s.behaviour.effort.prospecting_leads_per_week * WEEKS_PER_YEAR,
        np.divide(lead_hours, inbound * lead_share, out=np.zeros(n), where=lead_share > 0), upkeep, s.org.weekly_hours * WEEKS_PER_YEAR / ros.hours)


def monthly_quota(s: Scenario, clock, annual: np.ndarray) -> np.ndarray:
    """Quota per simulated month and rep (currency): annual quotas spread by the quota
    seasonality (default: the market's lead seasonality)."""
    season = np.asarray(s.quota.seasonality or s.market.seasonality, dtype=float)
    season = season / season.mean()
    factors = season[clock.calendar_month - 1]
    return (annual[None, :] / 12.0) * factors[:, None]
