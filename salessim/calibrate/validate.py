"""Validation of a CRM export: every row is either kept (clean) or quarantined with its reason.

Rules (each a reason code in the quarantine file and in the printed counts):

* ``missing id``, ``duplicate id`` (the first occurrence is kept, later ones quarantined)
* ``bad created date`` (missing or unparseable; an open deal in the first funnel stage without
  one is a lead not yet engaged and takes the mapping's ``first_seen`` date when it has one),
  ``bad close date`` (present but unparseable), ``no close date`` (won/lost
  deal without one), ``close before create``
* ``missing amount`` (a won deal without one; open and lost deals without a value are kept and
  left out of the deal-size fit), ``bad amount`` (unparseable), ``negative amount``
* ``unknown stage``: neither a won/lost value of the mapping, nor an open stage it lists, nor a
  stage of the funnel
* ``unknown owner``: owner missing, or not in the team file when one is given
* ``after as-of``: created (or closed) after the snapshot date, when one is given

Open deals' close dates are *expected* close dates in most CRMs: they are kept in the table but
never used as outcomes. Nothing is dropped silently: ``kept + quarantined == rows`` always.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from salessim.calibrate.mapping import Mapping, norm, norm_series
from salessim.calibrate.reader import (
    detect_currency,
    implausible_dates,
    parse_amounts,
    parse_dates,
    read_table,
)
from salessim.errors import SalessimError
from salessim.text_files import CSV_ENCODING

DEAL_COLUMNS = ["opportunity_id", "owner", "account", "product", "segment", "region", "created", "closed",
                "status", "stage", "amount", "line"]


@dataclass
class ValidationReport:
    """Row counts of one import: read, kept, quarantined, and quarantined rows per reason."""

    source: str
    rows: int
    kept: int
    quarantined: int
    reasons: dict[str, int]
    history_rows: int = 0
    history_kept: int = 0
    encoding: str = ""
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """Tidy counts: one row per reason (``rows``) plus totals."""
        rows = [("rows read", self.rows), ("kept", self.kept), ("quarantined", self.quarantined)]
        rows += [(f"  {k}", v) for k, v in sorted(self.reasons.items(), key=lambda kv: -kv[1])]
        if self.history_rows:
            rows += [("history rows read", self.history_rows), ("history rows kept", self.history_kept)]
        return pd.DataFrame(rows, columns=["count", "rows"])

    def __str__(self) -> str:
        t = self.table()
        w = max(len(c) for c in t["count"])
        lines = [f"{self.source} ({self.encoding})"] + [f"  {r.count:<{w}}  {r.rows:>8,}" for r in t.itertuples()]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


@dataclass
class CrmImport:
    """A validated export: clean deals, optional stage history, the quarantine, the report."""

    deals: pd.DataFrame
    history: pd.DataFrame | None
    quarantine: pd.DataFrame
    report: ValidationReport
    as_of: pd.Timestamp
    currency: str | None
    mapping: Mapping

    def write_quarantine(self, path: str | Path) -> Path:
        """The quarantined rows, each with its reason(s), as CSV (UTF-8 with BOM, Excel-friendly)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.quarantine.to_csv(path, index=False, encoding=CSV_ENCODING)
        return path


def _canonical(values: pd.Series, known: list[str] | None = None) -> pd.Series:
    """Names that differ only in case/spacing mapped to one spelling (a known name, else the commonest)."""
    keys = norm_series(values)
    spelling = {norm(k): k for k in known or []}
    for key, grp in values.groupby(keys, sort=False):
        if key and key not in spelling:
            # Prefer a tidy spelling (single spaces) in mixed case ("Core Platform" over
            # "core platform" / "CORE PLATFORM"), then the commonest.
            counts = grp.value_counts()
            tidy = [v for v in counts.index if v == " ".join(v.split())]
            mixed = [v for v in tidy if v != v.lower() and v != v.upper()]
            spelling[key] = (mixed or tidy or [" ".join(counts.index[0].split())])[0]
    out = keys.map(spelling)
    return out.where(values != "", None)


def _team_names(path: str | Path) -> set[str]:
    team, _ = read_table(path)
    if team.empty:
        raise SalessimError(f"{path}: the team file has no rows")
    col = next((c for c in team.columns if norm(c) in {"owner", "rep", "name", "sales rep", "负责人", "姓名"}),
               team.columns[0])
    return {norm(v) for v in team[col] if v}


def import_crm(
    path: str | Path,
    mapping: Mapping,
    funnel_stages: list[str],
    history_path: str | Path | None = None,
    team_path: str | Path | None = None,
    as_of: str | pd.Timestamp | None = None,
    products: list[str] | None = None,
    segments: list[str] | None = None,
) -> CrmImport:
    """Read, map, parse and validate an export (and its stage history). See the module docstring."""
    raw, encoding = read_table(path)
    cols = mapping.resolve(list(raw.columns), str(path))
    n = len(raw)
    get = {k: raw[v] for k, v in cols.items()}
    empty = pd.Series("", index=raw.index, dtype=str)
    reasons: dict[str, pd.Series] = {}

    def flag(code: str, mask: pd.Series, detail: pd.Series | str) -> None:
        if mask.any():
            reasons[code] = pd.Series(np.where(mask, detail, ""), index=raw.index).where(mask, "")

    ids = get["opportunity_id"]
    flag("missing id", ids == "", "opportunity id is empty")
    dup = (ids != "") & ids.duplicated(keep="first")
    if dup.any():
        first_line = pd.Series(raw.index, index=raw.index).groupby(ids).transform("min")
        flag("duplicate id", dup, "duplicate opportunity id '" + ids + "' (first on line " + first_line.astype(str) + ")")

    created = parse_dates(get["created"], mapping.dayfirst)
    closed = parse_dates(get["closed"], mapping.dayfirst)
    stage_raw = get["stage"]
    stage_key = norm_series(stage_raw)
    status = stage_key.map(mapping.status_of()).fillna("open")
    stage_map = mapping.stage_map(funnel_stages)
    # Leads not yet engaged: open, first funnel stage, no engage date -> their first-seen date.
    first_stage = stage_key.map(stage_map).map(norm) == norm(funnel_stages[0])
    lead = (get["created"] == "") & (status == "open") & first_stage
    if "first_seen" in get:
        created = created.where(~lead, parse_dates(get["first_seen"], mapping.dayfirst))
    leads_dated = int((lead & created.notna()).sum())
    flag("bad created date", created.isna(), "created date '" + get["created"] + "' does not parse"
         + np.where(lead, " (a lead in the first stage: map columns.first_seen to its created date)", ""))
    known_open = stage_key.isin(list(stage_map))
    unknown = (status == "open") & ~known_open
    flag("unknown stage", unknown,
         "stage '" + stage_raw + f"' is not a won/lost value nor an open stage of mapping '{mapping.name}' or the funnel")
    is_closed = status != "open"
    bad_close = (get["closed"] != "") & closed.isna()
    flag("bad close date", bad_close & is_closed, "close date '" + get["closed"] + "' does not parse")
    flag("no close date", is_closed & (get["closed"] == ""), "won/lost deal without a close date")
    flag("close before create", is_closed & (closed < created),
         "close date " + get["closed"] + " is before created date " + get["created"])
    flag("implausible date", *implausible_dates(created, closed.where(is_closed)))

    amount = parse_amounts(get["amount"])
    flag("missing amount", (get["amount"] == "") & (status == "won"), "won deal without an amount")
    flag("bad amount", (get["amount"] != "") & amount.isna(), "amount '" + get["amount"] + "' does not parse")
    flag("negative amount", amount < 0, "amount " + get["amount"] + " is negative")

    owner = get["owner"]
    flag("unknown owner", owner == "", "owner is empty")
    if team_path is not None:
        team = _team_names(team_path)
        flag("unknown owner", (owner != "") & ~norm_series(owner).isin(list(team)),
             "owner '" + owner + f"' is not in the team file {Path(team_path).name}")

    if as_of is not None:
        as_of = pd.Timestamp(as_of).normalize()
        flag("after as-of", (created > as_of) | (is_closed & (closed > as_of)),
             f"created or closed after the as-of date {as_of.date()}")

    reason_frame = pd.DataFrame(reasons, index=raw.index) if reasons else pd.DataFrame(index=raw.index)
    bad = (reason_frame != "").any(axis=1) if reasons else pd.Series(False, index=raw.index)
    quarantine = raw[bad].copy()
    if reasons:
        codes = reason_frame[bad].apply(lambda r: "; ".join(k for k, v in r.items() if v), axis=1)
        details = reason_frame[bad].apply(lambda r: "; ".join(v for v in r if v), axis=1)
    else:
        codes = details = pd.Series(dtype=str)
    quarantine.insert(0, "detail", details)
    quarantine.insert(0, "reason", codes)
    quarantine.insert(0, "line", quarantine.index)
    quarantine.insert(0, "table", "opportunities")
    counts = {k: int((v[bad] != "").sum()) for k, v in reasons.items()}

    ok = ~bad
    opt = {k: (get.get(k, empty)) for k in ("account", "product", "segment", "region")}
    deals = pd.DataFrame({
        "opportunity_id": ids[ok],
        "owner": owner[ok],
        "account": opt["account"][ok].where(opt["account"][ok] != "", None),
        "product": _canonical(opt["product"][ok], products),
        "segment": _canonical(opt["segment"][ok], segments),
        "region": _canonical(opt["region"][ok]),
        "created": created[ok],
        "closed": closed[ok].where(is_closed[ok]),
        "expected_close": closed[ok].where(~is_closed[ok]),
        "status": status[ok],
        "stage": stage_key[ok].map(stage_map).where(status[ok] == "open"),
        "amount": amount[ok],
        "line": raw.index[ok.to_numpy()],
    }).reset_index(drop=True)
    if as_of is None:
        as_of = max(deals["created"].max(), deals["closed"].max())
    notes = []
    no_value = int(deals["amount"].isna().sum())
    if no_value:
        notes.append(f"{no_value:,} open/lost deals have no amount: kept (arrivals, win rate, cycle), "
                     "left out of the deal-size fit")
    if leads_dated:
        notes.append(f"{leads_dated:,} open first-stage rows have no engage date: counted as leads from their "
                     "first-seen date")
    zero = int((deals["amount"] == 0).sum())
    if zero:
        notes.append(f"{zero:,} deals have amount 0: kept, but left out of the deal-size fit")
    n_open_unmapped = int(((deals["status"] == "open") & deals["stage"].isna()).sum())
    if n_open_unmapped:
        notes.append(f"{n_open_unmapped:,} open deals are in stages outside the funnel (kept as open, stage unknown)")
    currency = mapping.currency or detect_currency(get["amount"])

    history = None
    h_rows = h_kept = 0
    if history_path is not None:
        history, hq = _import_history(history_path, mapping, funnel_stages, deals["opportunity_id"], as_of)
        h_rows, h_kept = len(history) + len(hq), len(history)
        for code in hq["reason"].str.split("; ").explode():
            counts[f"history: {code}"] = counts.get(f"history: {code}", 0) + 1
        quarantine = pd.concat([quarantine, hq], ignore_index=True)
    report = ValidationReport(str(path), n, int(ok.sum()), int(bad.sum()), counts, h_rows, h_kept, encoding, notes)
    return CrmImport(deals, history, quarantine.reset_index(drop=True), report, pd.Timestamp(as_of), currency, mapping)


def _import_history(path, mapping: Mapping, funnel_stages: list[str], ids: pd.Series, as_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage history rows (opportunity, stage, entered): clean table and quarantined rows."""
    raw, _ = read_table(path)
    cols = mapping.resolve(list(raw.columns), str(path), table="history")
    oid, stage_raw = raw[cols["opportunity_id"]], raw[cols["stage"]]
    entered = parse_dates(raw[cols["entered"]], mapping.dayfirst)
    key = norm_series(stage_raw)
    status = key.map(mapping.status_of())
    index = {norm(s): i for i, s in enumerate(funnel_stages)}
    smap = mapping.stage_map(funnel_stages)
    lookup = {k: index.get(norm(smap[k])) if smap.get(k) else None for k in pd.unique(key.to_numpy())}
    stage_idx = key.map(lookup)
    stage_idx = stage_idx.where(status.isna(), status.map({"won": len(funnel_stages), "lost": -1}))
    checks = {
        "bad entered date": entered.isna(),
        "unknown opportunity": ~oid.isin(ids.astype(oid.dtype)),
        "unknown stage": stage_idx.isna() & ~key.isin(list(smap)),
        "after as-of": entered > as_of,
        "stage outside funnel": stage_idx.isna() & key.isin(list(smap)),
    }
    reason = pd.Series("", index=raw.index)
    for code, m in checks.items():
        reason = reason.where(~m, reason + np.where(reason == "", "", "; ") + code)
    bad = reason != ""
    q = raw[bad].copy()
    q.insert(0, "detail", "stage history row: " + reason[bad])
    q.insert(0, "reason", reason[bad])
    q.insert(0, "line", q.index)
    q.insert(0, "table", "history")
    clean = pd.DataFrame({"opportunity_id": oid[~bad], "stage_index": stage_idx[~bad],
                          "entered": entered[~bad]}).reset_index(drop=True)
    clean = clean.astype({"stage_index": int})
    return clean, q
