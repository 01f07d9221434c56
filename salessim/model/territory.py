"""Territory design: which rep serves which account, and how balanced the result is.

Pure numpy/pandas/scipy. The accounts frame is the one :func:`salessim.model.market.make_accounts`
returns (``account, segment, region, x_km, y_km, lead_weight, potential``). Units: potential is
relative to the mean account (mean 1), workload is rep hours per year, coordinates are km.

Strategies (:data:`STRATEGIES`):

* ``as_is`` — historical territories: compact, drawn once by account count and grown unevenly
  since (each rep's account count drifts by a lognormal factor with log-sd ``drift``), blind to
  potential and workload, so some hold far more work than one rep can do and others too little,
  as found in practice (ZS Associates: 25% over-, 31% under-loaded; secondary).
* ``geographic`` — capacitated k-means: equal account counts (±1; per capacity share) per rep,
  minimising the distance of accounts to their territory centre. Each step solves the transport
  LP with HiGHS (:func:`scipy.optimize.linprog`); the count constraints make it totally
  unimodular, so its optimum is already integral. Centres start from a recursive coordinate
  bisection and move to their territory's centroid (three Lloyd iterations).
* ``balanced_potential`` / ``balanced_workload`` — the same districting model (Hess et al. 1965;
  Zoltners & Sinha 2005) with a balance band instead of counts: every rep's potential (workload)
  within ``tolerance / 2`` of its fair share in the LP. The LP vertex splits at most ~2k accounts;
  they go to their largest share, and single-account moves (each the one that most reduces the
  band violation) bring every rep within ``tolerance``; if that gets stuck a small MILP
  (:func:`scipy.optimize.milp`) re-places the split and boundary accounts, then the full MILP.
* ``min_disruption`` — start from ``current`` and move as few accounts as possible until every
  territory is within ``tolerance`` of its fair share of ``balance_on``. The model is a MILP
  (objective: number of moved accounts, a tiny distance tie-break). By default its LP relaxation
  (band ``0.8 x tolerance``) is rounded as above (fast; 13% more moves than the optimum on the
  midmarket example); ``exact=True`` solves the MILP itself (HiGHS, seconds to minutes).

Fair shares follow ``rep_capacity_hours`` (a rep with half the selling hours gets half the work);
with ``rep_regions`` every rep only gets accounts of its own region, and balance is per region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from salessim.errors import SalessimError
from salessim.inputs import Frozen
from salessim.model import districting

STRATEGIES = ("as_is", "balanced_potential", "balanced_workload", "geographic", "min_disruption")
MEASURES = ("potential", "workload")
#: Default log-sd of the account counts of as-is territories (assumption; see the docs for the
#: over/under-loaded shares it gives on the midmarket example).
DRIFT = 0.2


# --------------------------------------------------------------------------- workload


def workload_hours(
    lead_weight: np.ndarray,
    leads_per_year: float,
    stage_hours: Sequence[float],
    stage_conversion: Sequence[float],
    hours_multiplier: np.ndarray | float = 1.0,
    win_multiplier: np.ndarray | float = 1.0,
    base_hours: float = 0.0,
    duration_multiplier: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Annual rep hours needed to serve each account (hours/year).

    An account receives ``leads_per_year * lead_weight`` leads a year; a lead needs the rep hours
    of every stage it reaches. Stage ``s`` is reached with probability ``prod(conversion[:s])``,
    each conversion scaled by ``win_multiplier ** (1 / n_stages)`` as in the engine. Hours are
    scaled by the account's segment ``hours_multiplier`` and ``duration_multiplier``: the engine
    works a deal the stage's hours per week of its mean duration for as long as the deal sits in
    the stage, so a segment whose stages last 1.3x as long takes 1.3x the hours. ``base_hours``
    adds account upkeep (calls, QBRs) that does not depend on lead flow.
    """
    w = np.asarray(lead_weight, dtype=float)
    hours = np.asarray(stage_hours, dtype=float)
    conv = np.asarray(stage_conversion, dtype=float)
    if hours.shape != conv.shape or hours.ndim != 1 or len(hours) == 0:
        raise SalessimError("workload_hours: stage_hours and stage_conversion must be equal-length lists")
    if np.any(w < 0) or leads_per_year < 0 or np.any(hours < 0) or base_hours < 0:
        raise SalessimError("workload_hours: lead weights, leads, hours and base_hours must be >= 0")
    mult = np.broadcast_to(np.asarray(win_multiplier, dtype=float), w.shape)[:, None] ** (1 / len(conv))
    p_pass = np.minimum(conv[None, :] * mult, 1.0)
    reach = np.cumprod(np.hstack([np.ones((len(w), 1)), p_pass[:, :-1]]), axis=1)
    per_lead = ((reach * hours[None, :]).sum(axis=1) * np.asarray(hours_multiplier, dtype=float)
                * np.asarray(duration_multiplier, dtype=float))
    return leads_per_year * w * per_lead + base_hours


def scenario_workload(accounts: pd.DataFrame, scenario, base_hours: float = 0.0) -> np.ndarray:
    """:func:`workload_hours` with the inputs taken from a scenario's market and funnel."""
    seg = {s.name: s for s in scenario.market.segments}
    names = accounts["segment"].astype(str)
    return workload_hours(
        accounts["lead_weight"].to_numpy(),
        scenario.market.leads_per_year,
        [s.rep_hours for s in scenario.funnel.stages],
        [s.conversion for s in scenario.funnel.stages],
        names.map(lambda n: seg[n].hours_multiplier).to_numpy(dtype=float),
        names.map(lambda n: seg[n].win_multiplier).to_numpy(dtype=float),
        base_hours,
        names.map(lambda n: seg[n].duration_multiplier).to_numpy(dtype=float),
    )


# --------------------------------------------------------------------------- design


def workable_potential(
    potential: np.ndarray,
    lead_share: np.ndarray,
    inbound_leads: float,
    own_leads: float | np.ndarray,
    hours_per_lead: np.ndarray,
    upkeep_hours: np.ndarray,
    capacity_hours: np.ndarray,
) -> np.ndarray:
    """What each territory can yield in a year with its rep's hours, in the units of ``potential``.

    Per territory: ``potential`` (value of its inbound leads) and ``lead_share`` (its share of the
    market's ``inbound_leads`` a year); its rep adds ``own_leads`` a year (self-sourced, at the
    territory's value per lead). Working all of them takes ``upkeep_hours`` + leads x
    ``hours_per_lead``; a rep with ``capacity_hours`` (a year) covers the share min(1, capacity /
    hours) of that value. An under-loaded territory yields more than its potential (its rep
    prospects), an over-loaded one less (deals wait and slip); one without leads, nothing.
    """
    pot, share = np.asarray(potential, float), np.asarray(lead_share, float)
    if np.any(share < 0) or np.any(pot < 0) or inbound_leads <= 0:
        raise SalessimError("workable_potential: needs inbound leads > 0, lead shares and potential >= 0")
    inbound = inbound_leads * share
    leads = inbound + np.asarray(own_leads, float)
    hours = np.asarray(upkeep_hours, float) + leads * np.nan_to_num(np.asarray(hours_per_lead, float))
    covered = np.minimum(1.0, np.asarray(capacity_hours, float) / np.maximum(hours, 1e-12))
    with np.errstate(divide="ignore", invalid="ignore"):  # a territory without leads yields nothing
        return np.where(share > 0, pot * (leads / inbound) * covered, 0.0)


def design_territories(
    accounts: pd.DataFrame,
    n_reps: int,
    strategy: str,
    *,
    rep_regions: Sequence | None = None,
    rep_capacity_hours: Sequence[float] | None = None,
    current: Sequence[int] | None = None,
    tolerance: float = 0.1,
    rng: np.random.Generator | None = None,
    workload: Sequence[float] | None = None,
    balance_on: str = "workload",
    drift: float = DRIFT,
    exact: bool = False,
    time_limit: float = 60.0,
) -> np.ndarray:
    """Rep index (0..n_reps-1) of every account, in the accounts' row order.

    ``workload`` (hours/year per account; default: an ``accounts["workload_hours"]`` column) is
    needed by ``balanced_workload`` and by ``min_disruption`` with ``balance_on="workload"``.
    ``rep_regions`` gives each rep's region (names as in ``accounts["region"]``);
    ``rep_capacity_hours`` each rep's selling hours (fair shares are proportional to it).
    ``tolerance`` is the allowed relative deviation from a fair share (0.1 = ±10%); balanced
    designs aim at half of it. ``rng`` draws the as-is drift (None: fixed seed 0); the other
    strategies are deterministic.
    ``exact=True`` makes ``min_disruption`` solve the exact MILP (fewest moves; seconds to minutes)
    instead of rounding its LP relaxation (a few more moves, well under a second for 2,000
    accounts). ``time_limit`` (seconds) caps each MILP; the best solution found by then is used.
    Raises :class:`SalessimError` on bad input (more reps than accounts, negative potential...).
    """
    if strategy not in STRATEGIES:
        raise SalessimError(f"territories.strategy: unknown strategy '{strategy}' (choose from {', '.join(STRATEGIES)})")
    if balance_on not in MEASURES:
        raise SalessimError(f"territories.balance_on: unknown measure '{balance_on}' (choose from {', '.join(MEASURES)})")
    if not 0 < tolerance < 1:
        raise SalessimError(f"territories.tolerance: must be between 0 and 1, got {tolerance}")
    xy, potential = _check_accounts(accounts, n_reps)
    n = len(accounts)
    cap = _rep_vector(rep_capacity_hours, n_reps, "rep_capacity_hours", positive=True)
    regions, rep_reg = _regions(accounts, n_reps, rep_regions)
    rng = np.random.default_rng(0) if rng is None else rng
    load = None
    if strategy == "balanced_workload" or (strategy == "min_disruption" and balance_on == "workload"):
        load = _workload(accounts, workload)
    cur = None
    if strategy == "min_disruption":
        if current is None:
            raise SalessimError("territories: min_disruption needs the current assignment ('current')")
        cur = _check_assignment(current, n, n_reps, "current")
        bad = np.flatnonzero(rep_reg[cur] != regions)
        if rep_regions is not None and len(bad):
            raise SalessimError(f"territories.current: account {accounts['account'].iloc[bad[0]]} is assigned to a rep of another region")

    out = np.empty(n, dtype=np.int64)
    for r in np.unique(rep_reg):
        acc = np.flatnonzero(regions == r)
        reps = np.flatnonzero(rep_reg == r)
        p, c = xy[acc], cap[reps]
        if strategy == "as_is":
            local = districting.as_is(p, c, drift, rng, time_limit)
        elif strategy == "geographic":  # equal counts (per capacity share), largest remainder
            counts = districting.largest_remainder(len(acc) * c / c.sum(), len(acc))
            local = districting.aligned(p, np.ones(len(acc)), c, 0.0, time_limit, counts=counts)
        elif strategy == "balanced_potential":
            local = districting.aligned(p, potential[acc], c, tolerance / 2, time_limit)
        elif strategy == "balanced_workload":
            local = districting.aligned(p, load[acc], c, tolerance / 2, time_limit)
        else:
            measure = load[acc] if balance_on == "workload" else potential[acc]
            local = districting.min_disruption(p, measure, c, np.searchsorted(reps, cur[acc]), tolerance, time_limit, exact)
        out[acc] = reps[local]
    return out


def _check_accounts(accounts: pd.DataFrame, n_reps: int) -> tuple[np.ndarray, np.ndarray]:
    missing = {"x_km", "y_km", "potential"} - set(accounts.columns)
    if missing:
        raise SalessimError(f"territories: accounts: missing columns {sorted(missing)}")
    if not isinstance(n_reps, int | np.integer) or n_reps < 1:
        raise SalessimError(f"territories: n_reps must be a positive integer, got {n_reps!r}")
    if n_reps > len(accounts):
        raise SalessimError(f"territories: n_reps ({n_reps}) exceeds the number of accounts ({len(accounts)}): every rep needs at least one account")
    pot = accounts["potential"].to_numpy(dtype=float)
    xy = accounts[["x_km", "y_km"]].to_numpy(dtype=float)
    if not np.all(np.isfinite(pot)) or not np.all(np.isfinite(xy)):
        raise SalessimError("territories: accounts: potential and coordinates must be finite numbers")
    if np.any(pot < 0):
        i = int(np.argmax(pot < 0))
        raise SalessimError(f"territories: accounts.potential: negative potential {pot[i]:g} for account {accounts['account'].iloc[i] if 'account' in accounts else i}")
    return xy, pot


def _workload(accounts: pd.DataFrame, workload) -> np.ndarray:
    if workload is None:
        if "workload_hours" not in accounts.columns:
            raise SalessimError("territories: workload balance needs 'workload' or an accounts.workload_hours column (see workload_hours())")
        workload = accounts["workload_hours"]
    w = np.asarray(workload, dtype=float)
    if w.shape != (len(accounts),):
        raise SalessimError(f"territories: workload: expected {len(accounts)} values, got {w.size}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise SalessimError("territories: workload: hours must be finite and >= 0")
    return w


def _rep_vector(values, n_reps: int, name: str, positive: bool) -> np.ndarray:
    if values is None:
        return np.ones(n_reps)
    v = np.asarray(values, dtype=float)
    if v.shape != (n_reps,):
        raise SalessimError(f"territories: {name}: expected {n_reps} values (one per rep), got {v.size}")
    if not np.all(np.isfinite(v)) or (positive and np.any(v <= 0)):
        raise SalessimError(f"territories: {name}: values must be finite and > 0")
    return v


def _regions(accounts: pd.DataFrame, n_reps: int, rep_regions) -> tuple[np.ndarray, np.ndarray]:
    """Region code of each account and of each rep (all zero when regions are ignored)."""
    if rep_regions is None:
        return np.zeros(len(accounts), np.int64), np.zeros(n_reps, np.int64)
    if "region" not in accounts.columns:
        raise SalessimError("territories: rep_regions given but accounts have no 'region' column")
    rr = np.asarray([str(x) for x in rep_regions])
    if rr.shape != (n_reps,):
        raise SalessimError(f"territories: rep_regions: expected {n_reps} values (one per rep), got {rr.size}")
    names = sorted(set(accounts["region"].astype(str)) | set(rr))
    acc = np.searchsorted(names, accounts["region"].astype(str).to_numpy())
    rep = np.searchsorted(names, rr)
    for code, name in enumerate(names):
        n_acc, n_rep = int(np.sum(acc == code)), int(np.sum(rep == code))
        if n_acc and not n_rep:
            raise SalessimError(f"territories: rep_regions: region '{name}' has {n_acc} accounts but no rep")
        if n_rep > n_acc:
            raise SalessimError(f"territories: rep_regions: region '{name}' has {n_rep} reps but only {n_acc} accounts")
    return acc, rep


def _check_assignment(assignment, n: int, n_reps: int, name: str) -> np.ndarray:
    a = np.asarray(assignment)
    if a.shape != (n,) or not np.issubdtype(a.dtype, np.integer):
        raise SalessimError(f"territories: {name}: expected {n} integer rep indices, got shape {a.shape} of {a.dtype}")
    if len(a) and (a.min() < 0 or a.max() >= n_reps):
        raise SalessimError(f"territories: {name}: rep indices must lie in 0..{n_reps - 1}")
    return a.astype(np.int64)


# --------------------------------------------------------------------------- reporting


def territory_summary(
    accounts: pd.DataFrame,
    assignment: Sequence[int],
    n_reps: int | None = None,
    *,
    workload: Sequence[float] | None = None,
    rep_capacity_hours: Sequence[float] | None = None,
    rep_regions: Sequence | None = None,
    tolerance: float = 0.1,
) -> pd.DataFrame:
    """One row per rep: accounts, potential, workload (hours/yr), load indices and status.

    ``potential_index``/``workload_index`` = the rep's total over its fair share (market total x the
    rep's share of capacity; with ``rep_regions``: its region's total x its share of the region); ``status`` is ``over`` / ``under`` when the workload index (potential
    index if no workload is known) lies outside ``1 ± tolerance``. With capacities:
    ``utilisation`` = workload / capacity hours and ``coverage`` = min(1, capacity / workload), the
    share of the territory's work the rep can do (an over-loaded territory leaves the rest untouched).
    """
    a = np.asarray(assignment, dtype=np.int64)
    k = int(a.max()) + 1 if n_reps is None else n_reps
    a = _check_assignment(a, len(accounts), k, "assignment")
    cap = _rep_vector(rep_capacity_hours, k, "rep_capacity_hours", positive=True)
    _, rep_reg = _regions(accounts, k, rep_regions)
    region_cap = np.bincount(rep_reg, cap)[rep_reg]

    def fair(total_per_rep: np.ndarray) -> np.ndarray:  # region (or market) total x capacity share
        return np.bincount(rep_reg, total_per_rep)[rep_reg] * cap / region_cap

    pot = np.bincount(a, accounts["potential"].to_numpy(dtype=float), k)
    df = pd.DataFrame({"rep": np.arange(k), "accounts": np.bincount(a, minlength=k), "potential": pot,
                       "potential_index": pot / fair(pot)})
    if rep_regions is not None:
        df.insert(1, "region", np.asarray([str(x) for x in rep_regions]))
    index = df["potential_index"].to_numpy()
    if workload is not None or "workload_hours" in accounts.columns:
        wl = np.bincount(a, _workload(accounts, workload), k)
        df["workload_hours"] = wl
        df["workload_index"] = index = wl / fair(wl)
        if rep_capacity_hours is not None:
            df["utilisation"] = wl / cap
            df["coverage"] = np.minimum(1.0, cap / np.maximum(wl, 1e-12))
    df["status"] = np.where(index > 1 + tolerance, "over", np.where(index < 1 - tolerance, "under", "ok"))
    return df


def moves(current: Sequence[int], new: Sequence[int], accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Accounts that change hands: ``account, from_rep, to_rep``."""
    cur, nxt = np.asarray(current), np.asarray(new)
    if cur.shape != nxt.shape:
        raise SalessimError(f"territories: current and new assignments differ in length ({cur.size} vs {nxt.size})")
    i = np.flatnonzero(cur != nxt)
    ids = accounts["account"].to_numpy()[i] if accounts is not None else i
    return pd.DataFrame({"account": ids, "from_rep": cur[i], "to_rep": nxt[i]})


def balance_report(
    accounts: pd.DataFrame,
    assignment: Sequence[int],
    n_reps: int | None = None,
    *,
    workload: Sequence[float] | None = None,
    rep_capacity_hours: Sequence[float] | None = None,
    rep_regions: Sequence | None = None,
    current: Sequence[int] | None = None,
    tolerance: float = 0.1,
) -> pd.DataFrame:
    """Tidy balance metrics: ``metric, measure, value, unit``.

    Per measure (potential, and workload when known): ``cv`` (sd / mean of the per-rep index, so
    part-time reps are judged on their share), ``max_min_ratio`` of the per-rep totals,
    ``share_over`` / ``share_under`` (territories beyond ``1 ± tolerance`` of their fair share).
    With capacities: ``max_utilisation`` and ``potential_covered`` (potential x coverage, summed,
    over total potential: what the reps can work if leads follow potential).
    With ``current``: ``share_moved`` (accounts that change hands) and ``potential_moved``.
    """
    s = territory_summary(accounts, assignment, n_reps, workload=workload, rep_capacity_hours=rep_capacity_hours,
                          rep_regions=rep_regions, tolerance=tolerance)
    rows = []
    for measure in ("potential", "workload"):
        col = "potential" if measure == "potential" else "workload_hours"
        if col not in s:
            continue
        idx, tot = s[f"{measure}_index"].to_numpy(), s[col].to_numpy()
        rows += [
            ("cv", measure, float(idx.std() / idx.mean()) if idx.mean() > 0 else np.nan, "ratio"),
            ("max_min_ratio", measure, float(tot.max() / tot.min()) if tot.min() > 0 else np.inf, "ratio"),
            ("share_over", measure, float(np.mean(idx > 1 + tolerance)), "share"),
            ("share_under", measure, float(np.mean(idx < 1 - tolerance)), "share"),
        ]
    if "utilisation" in s:
        pot = s["potential"].to_numpy()
        rows += [("max_utilisation", "workload", float(s["utilisation"].max()), "ratio"),
                 ("potential_covered", "potential", float((pot * s["coverage"]).sum() / pot.sum()), "share")]
    if current is not None:
        cur = _check_assignment(current, len(accounts), len(s), "current")
        moved = cur != np.asarray(assignment)
        pot = accounts["potential"].to_numpy(dtype=float)
        rows += [("share_moved", "accounts", float(moved.mean()), "share"),
                 ("potential_moved", "potential", float(pot[moved].sum() / pot.sum()) if pot.sum() > 0 else 0.0, "share")]
    return pd.DataFrame(rows, columns=["metric", "measure", "value", "unit"])


# --------------------------------------------------------------------------- scenario model


class SharedTerritories(Frozen):
    """Section ``territories.shared``: regions whose reps share the accounts instead of owning them.

    ``true`` shares every region, a list names the regions, ``false`` (default) keeps territories
    exclusive. In a shared region each new inbound lead is claimed by one of the region's active
    reps (:func:`claim_weights`): under purely individual plans in proportion to the hours they put
    in, whatever their backlog, each claim costing ``claim_hours`` of selling time (racing for
    leads); under a team award ``team_by_capacity`` of the leads follow spare hours and claiming
    costs nothing on them. Reps still prospect their own (nominal) territory; quotas are unchanged.
    """

    enabled: bool = False
    regions: list[str] | None = Field(None, description="regions that share (None: all)")
    claim_hours: float = Field(0.25, ge=0.0, le=5.0, description="rep hours spent per competitively claimed lead "
                               "(watching the queue, racing to call first; assumption, range 0-0.5)")
    team_by_capacity: float = Field(0.8, ge=0.0, le=1.0, description="share of leads routed by spare hours under "
                                    "a team award (assumption, range 0.5-1)")

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, data: Any) -> Any:
        if isinstance(data, str) and data.strip().lower() in ("true", "false", "yes", "no", "on", "off"):
            data = data.strip().lower() in ("true", "yes", "on")
        if isinstance(data, bool):
            return {"enabled": data}
        if isinstance(data, str):  # one region
            return {"enabled": True, "regions": [data]}
        if isinstance(data, list | tuple):
            return {"enabled": True, "regions": list(data)}
        return data

    def shares(self, region: str) -> bool:
        """Whether ``region`` shares its accounts."""
        return self.enabled and (self.regions is None or region in self.regions)


class TerritoryDesign(Frozen):
    """Scenario section ``territories:`` (drop-in replacement for ``scenario.Territories``).

    ``min_disruption`` rebalances the as-is territories of the same market (``drift`` and the
    seed give the as-is design), moving as few accounts as possible.
    """

    strategy: Literal["as_is", "balanced_potential", "balanced_workload", "geographic", "min_disruption"] = "as_is"
    tolerance: float = Field(0.10, gt=0.0, lt=1.0, description="allowed deviation from a rep's fair share (0.1 = ±10%)")
    balance_on: Literal["workload", "potential"] = Field("workload", description="what min_disruption balances")
    drift: float = Field(DRIFT, ge=0.0, le=2.0, description="log-sd of as-is territory sizes (assumption)")
    base_hours_per_account: float = Field(0.0, ge=0.0, description="annual upkeep hours per account on top of lead work")
    exact: bool = Field(False, description="min_disruption: solve the exact MILP (fewest moves, slower)")
    time_limit_s: float = Field(60.0, gt=0.0, le=3600.0, description="cap per MILP solve (seconds)")
    shared: SharedTerritories = Field(default_factory=lambda: SharedTerritories(),
                                      description="regions whose reps share their accounts and claim new leads")


# --------------------------------------------------------------------------- shared territories


def claim_weights(region: np.ndarray, appetite: np.ndarray, spare: np.ndarray, by_capacity: float,
                  n_regions: int) -> np.ndarray:
    """Each rep's share of its region's new leads in a shared territory (sums to 1 per region
    with any weight; reps with no weight get none).

    ``appetite``: the hours a rep puts in (weekly hours x effort x ramp; 0 if vacant), what a
    purely individual rep claims in proportion to, whatever their backlog; ``spare``: hours not
    needed by their open deals; ``by_capacity``: share of the leads routed by spare hours (team
    incentives). Claims are ``(1 - by_capacity) appetite / sum + by_capacity spare / sum``.
    """
    a_tot = np.bincount(region, appetite, n_regions)
    s_tot = np.bincount(region, spare, n_regions)
    a = np.divide(appetite, a_tot[region], out=np.zeros_like(appetite), where=a_tot[region] > 0)
    s = np.divide(spare, s_tot[region], out=a.copy(), where=s_tot[region] > 0)  # nobody spare: by appetite
    return (1.0 - by_capacity) * a + by_capacity * s
