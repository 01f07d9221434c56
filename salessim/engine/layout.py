"""The structure of a simulated org, built once per scenario: accounts, reps' roles, territories
and annual quotas.

The market and its territories are the *company's* structure, not replication noise: they are
drawn from the scenario's own ``seed`` and are the same in every replication (the ``seed`` given
to :func:`salessim.simulate` varies the dynamics: leads, deal outcomes, reps, quitting). That is
what makes a territory or org design comparable across replications, and lets the (MILP-based)
territory design be computed once and cached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salessim.model import quota as quotas
from salessim.model.market import expected_bookings, make_accounts
from salessim.model.org import OrgStructure, Roster, structure_of
from salessim.model.territory import design_territories, scenario_workload
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


def layout(scenario: Scenario) -> OrgLayout:
    """The scenario's org layout (cached: scenarios are immutable)."""
    key = json.dumps({k: scenario.to_dict()[k] for k in ("seed", "market", "funnel", "org", "territories", "quota", "behaviour")},
                     sort_keys=True, default=str)
    if key not in _CACHE:
        if len(_CACHE) >= 32:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _layout(scenario)
    return _CACHE[key]


_CACHE: dict[str, OrgLayout] = {}


def _layout(scenario: Scenario) -> OrgLayout:
    s = scenario
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([s.seed, 0x5A1E5])))
    accounts = make_accounts(s.market, rng)
    n_regions = len(s.market.regions)
    accounts = accounts.assign(workload_hours=scenario_workload(accounts, s, s.territories.base_hours_per_account))
    load = accounts.groupby("segment", observed=True)["workload_hours"].sum()
    structure = structure_of(s.org)
    ros = structure.roster(n_regions, (load / load.sum()).to_dict())
    territory = _territories(s, structure, accounts, ros, rng)
    partner = structure.partner_accounts(accounts["segment"].astype(str).to_numpy())
    self_sourced = s.behaviour.effort.prospecting_leads_per_week * 52.18 * s.org.reps
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
    potential = np.bincount(territory, accounts["potential"].to_numpy(), n)  # expected value share
    share = potential / potential.sum()
    sigma = np.sqrt(np.log1p(q.bookings_cv**2))
    last = target * share * rng.lognormal(-(sigma**2) / 2, sigma, n)
    hours = s.org.weekly_hours * 46 / ros.hours  # ~46 selling weeks a year
    table = quotas.set_quotas(
        q, n, target=target, potential=share, regions=list(np.asarray(s.market.regions)[ros.region]),
        last_result=last, last_quota=target * share, forecasts=last,
        productivity_per_hour=target / hours.sum(), selling_hours=hours,
    )
    return table["quota"].to_numpy(dtype=float)


def monthly_quota(s: Scenario, clock, annual: np.ndarray) -> np.ndarray:
    """Quota per simulated month and rep (currency): annual quotas spread by the quota
    seasonality (default: the market's lead seasonality)."""
    season = np.asarray(s.quota.seasonality or s.market.seasonality, dtype=float)
    season = season / season.mean()
    factors = season[clock.calendar_month - 1]
    return (annual[None, :] / 12.0) * factors[:, None]
