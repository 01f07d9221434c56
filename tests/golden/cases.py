"""Golden cases: what the simulator computes today, pinned as digests of its tables.

Every example scenario x 3 seeds, midmarket under every example plan, and midmarket under one
event of every kind (restore paths included: a manager coming back, a freeze ending). A digest is
a SHA-256 over each table's column names, dtypes and values, with floats rounded to 30 mantissa
bits (~9 significant digits) so that the last-bit noise of a different CPU does not count, while
any real change (a random draw, a rule, a column) does.

Re-record after a change that is *meant* to move results: ``make golden`` (then say in the commit
why and by how much: ``python -m tests.golden.record --diff`` prints the KPI changes).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "data" / "scenarios"
PLANS = ROOT / "data" / "plans"
GOLDEN = Path(__file__).with_name("golden.json")
TABLES = ("deals", "ledger", "statements", "customers", "customer_events", "reps", "accounts",
          "event_costs", "event_log", "kpis")

#: One event of every kind on midmarket, dated in measured months (restores inside the horizon).
EVENTS: dict[str, list[dict]] = {
    "demand_shock": [{"kind": "demand_shock", "at": 3, "factor": 0.7, "until": 6, "recovery_months": 2}],
    "price_pressure": [{"kind": "price_pressure", "at": 2, "size_factor": 0.9, "discount": 0.05, "until": 8}],
    "competitor": [{"kind": "competitor", "at": 4, "region": "North", "win_factor": 0.85, "lead_factor": 0.9,
                    "ramp_months": 3}],
    "seasonality_change": [{"kind": "seasonality_change", "at": 5,
                            "seasonality": [1.2, 1.1, 1, 1, 1, 0.9, 0.8, 0.8, 1, 1, 1.1, 1.1]}],
    "churn_spike": [{"kind": "churn_spike", "at": 3, "factor": 2.0, "months": 3}],
    "key_account_loss": [{"kind": "key_account_loss", "at": 4, "rank": 1}],
    "reps_leave": [{"kind": "reps_leave", "at": 4, "top": 3, "pipeline_loss": 0.3}],
    "hiring_freeze": [{"kind": "hiring_freeze", "at": 2, "until": 6}],
    "manager_leaves": [{"kind": "manager_leaves", "at": 3, "region": "North", "vacancy_months": 3}],
    "plan_change": [{"kind": "plan_change", "at": 7, "plan": str(PLANS / "linear_commission.yaml")}],
    "quota_change": [{"kind": "quota_change", "at": 4, "factor": 1.2}],
    "reterritory": [{"kind": "reterritory", "at": 6}],
    "training": [{"kind": "training", "at": 3, "skill_gain": 0.1, "cost": 50000, "cost_per_rep": 500}],
    "process_standardisation": [{"kind": "process_standardisation", "at": 3, "cost": 80000}],
    "crm_adoption": [{"kind": "crm_adoption", "at": 2, "slip_factor": 0.7, "cost": 150000,
                      "cost_per_rep_month": 60}],
    "add_sdrs": [{"kind": "add_sdrs", "at": 3, "sdrs": 4, "cost_per_sdr_month": 6000}],
    "add_partners": [{"kind": "add_partners", "at": 3, "lead_uplift": 0.1, "monthly_cost": 10000}],
}


def cases() -> dict[str, tuple[Path, dict, int]]:
    """Case id -> (scenario file, overrides, seed)."""
    out: dict[str, tuple[Path, dict, int]] = {}
    for f in sorted(SCENARIOS.glob("*.yaml")):
        for seed in (1, 2, 3):
            out[f"{f.stem}/seed{seed}"] = (f, {}, seed)
    for p in sorted(PLANS.glob("*.yaml")):
        out[f"midmarket+plan:{p.stem}/seed1"] = (SCENARIOS / "midmarket.yaml", {"plan": str(p)}, 1)
    for kind, events in EVENTS.items():
        out[f"midmarket+event:{kind}/seed1"] = (SCENARIOS / "midmarket.yaml", {"events": events}, 1)
    return out


def run_case(path: Path, overrides: dict, seed: int):
    import salessim

    return salessim.simulate(salessim.load_scenario(path, **overrides), seed=seed)


def _canonical(col: pd.Series) -> np.ndarray | pd.Series:
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or isinstance(col.dtype, pd.PeriodDtype):
        return col.astype(str)
    if pd.api.types.is_float_dtype(col.dtype):
        x = col.to_numpy(dtype=np.float64, na_value=np.nan)
        m, e = np.frexp(x)
        return pd.Series(np.ldexp(np.round(m * 2.0**30) / 2.0**30, e) + 0.0)  # +0.0: -0.0 == 0.0
    return col


def digest(df: pd.DataFrame | None, exact: bool = False) -> str:
    """SHA-256 of a table (column names, dtypes, values); ``None`` for an absent table."""
    if df is None:
        return "none"
    h = hashlib.sha256()
    h.update(repr([(str(c), str(df[c].dtype)) for c in df.columns]).encode())
    h.update(str(len(df)).encode())
    for c in df.columns:
        col = df[c].reset_index(drop=True)
        values = col.astype(str) if exact and not pd.api.types.is_numeric_dtype(col.dtype) else (
            col if exact else _canonical(col))
        if exact and pd.api.types.is_float_dtype(col.dtype):
            h.update(col.to_numpy(dtype=np.float64, na_value=np.nan).tobytes())
            continue
        h.update(pd.util.hash_pandas_object(pd.Series(values), index=False).to_numpy().tobytes())
    return h.hexdigest()[:24]


def record(result) -> dict:
    """Digests (rounded and exact) of every table of a run, plus its KPIs in clear for diffs."""
    tables = {t: (result.kpis() if t == "kpis" else getattr(result, t)) for t in TABLES}
    kpis = result.kpis()
    return {
        "digest": {t: digest(df) for t, df in tables.items()},
        "exact": {t: digest(df, exact=True) for t, df in tables.items()},
        "rows": {t: (None if df is None else len(df)) for t, df in tables.items()},
        "kpis": {str(k): float(v) for k, v in zip(kpis["kpi"], kpis["value"], strict=True)},
    }
