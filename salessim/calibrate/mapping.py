"""Column mappings: how a CRM export's headers and stage values map to salessim's fields.

A mapping names, for each of our fields, the export column(s) that hold it. Each entry may list
several candidate headers; the first one present in the file is used (headers are compared
case-, space- and BOM-insensitively, so ``"Close Date "`` matches ``close date``). Stage values
are mapped to outcomes (``won`` / ``lost``; anything listed under ``open`` or matching a funnel
stage is an open deal) and, optionally, to the scenario's stage names.

Presets: ``generic``, ``salesforce``, ``hubspot``, ``zoho`` and ``fxiaoke`` (纷享销客). A user
mapping YAML may start from a preset (``preset: salesforce``) and override any part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salessim.errors import SalessimError
from salessim.inputs import read_mapping

#: Our fields. Required ones must be found in the export, the others are used when present.
REQUIRED = ("opportunity_id", "owner", "created", "closed", "stage", "amount")
OPTIONAL = ("account", "product", "segment", "region", "name", "first_seen")
HISTORY_FIELDS = ("opportunity_id", "stage", "entered")


def norm(text: Any) -> str:
    """Header / value key: case-folded, BOM and surrounding spaces removed, inner spaces collapsed."""
    return " ".join(str(text).replace("\ufeff", "").replace("_", " ").casefold().split())


def norm_series(values: pd.Series) -> pd.Series:
    """:func:`norm` of every value, computed once per distinct value."""
    codes, uniq = pd.factorize(values.astype(str))
    keys = np.array([norm(u) for u in uniq], dtype=object)
    return pd.Series(keys[codes], index=values.index, dtype=object)


@dataclass(frozen=True)
class Mapping:
    """How one export maps to salessim (see the module docstring)."""

    name: str
    columns: dict[str, list[str]]
    won: list[str]
    lost: list[str]
    open: list[str] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)
    history: dict[str, list[str]] = field(default_factory=dict)
    dayfirst: bool = False
    currency: str | None = None

    def status_of(self) -> dict[str, str]:
        """Normalised stage value → ``won`` / ``lost``."""
        out = {norm(v): "lost" for v in self.lost}
        out.update({norm(v): "won" for v in self.won})
        return out

    def stage_map(self, funnel_stages: list[str]) -> dict[str, str | None]:
        """Normalised open-stage value → scenario stage name (None: open, stage not in the funnel)."""
        out: dict[str, str | None] = {norm(v): None for v in self.open}
        out.update({norm(s): s for s in funnel_stages})
        by_norm = {norm(s): s for s in funnel_stages}
        for value, target in self.stages.items():
            out[norm(value)] = by_norm.get(norm(target), target)
        return out

    def resolve(self, headers: list[str], source: str, table: str = "opportunities") -> dict[str, str]:
        """Our field → the export's actual header. A missing required column is one clear error."""
        spec = self.columns if table == "opportunities" else self.history
        required = REQUIRED if table == "opportunities" else HISTORY_FIELDS
        by_norm = {norm(h): h for h in headers}
        found: dict[str, str] = {}
        for ours, candidates in spec.items():
            hit = next((by_norm[norm(c)] for c in candidates if norm(c) in by_norm), None)
            if hit is not None:
                found[ours] = hit
        for ours in required:
            if ours not in found:
                cands = " / ".join(repr(c) for c in spec.get(ours, [])) or "(none listed)"
                raise SalessimError(
                    f"{source}: missing required column for '{ours}': mapping '{self.name}' expects "
                    f"{cands}; the file has {len(headers)} columns ({', '.join(headers[:8])}"
                    f"{', ...' if len(headers) > 8 else ''}). Add the header under "
                    f"{'history' if table != 'opportunities' else 'columns'}.{ours} in a mapping YAML, "
                    f"or pick a --preset ({', '.join(PRESETS)})"
                )
        return found


def _cols(**kw: str | list[str]) -> dict[str, list[str]]:
    return {k: [v] if isinstance(v, str) else list(v) for k, v in kw.items()}


PRESETS: dict[str, dict[str, Any]] = {
    "generic": {
        "columns": _cols(
            opportunity_id=["opportunity_id", "id", "deal_id"], owner=["owner", "rep", "sales_rep"],
            account=["account", "account_name", "company"], product=["product", "product_line"],
            segment=["segment", "tier"], region=["region", "territory"], name=["name", "opportunity_name"],
            created=["created", "created_date", "create_date"], closed=["closed", "close_date", "closed_date"],
            stage=["stage", "status"], amount=["amount", "value", "deal_size"],
        ),
        "history": _cols(opportunity_id=["opportunity_id", "id", "deal_id"], stage=["stage", "to_stage"],
                         entered=["entered", "entered_date", "date"]),
        "won": ["closed won", "won", "win"],
        "lost": ["closed lost", "lost", "loss", "no decision"],
    },
    "salesforce": {
        "columns": _cols(
            opportunity_id=["Opportunity ID", "Id", "Opportunity Id"],
            owner=["Opportunity Owner", "Owner Name", "Owner", "OwnerId"],
            account=["Account Name", "Account", "AccountId"], product=["Product Name", "Product", "Product Family"],
            segment=["Segment", "Account Type", "Type"], region=["Region", "Billing State/Province", "Territory"],
            name=["Opportunity Name", "Name"], created=["Created Date", "CreatedDate"],
            closed=["Close Date", "CloseDate"], stage=["Stage", "StageName"], amount=["Amount"],
        ),
        # OpportunityHistory report / object.
        "history": _cols(opportunity_id=["Opportunity ID", "OpportunityId"], stage=["To Stage", "Stage", "StageName"],
                         entered=["Last Modified", "Edit Date", "CreatedDate", "Created Date"]),
        "won": ["Closed Won"],
        "lost": ["Closed Lost"],
        "open": ["Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
                 "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review"],
        "stages": {"Qualification": "needs analysis", "Value Proposition": "demo",
                   "Proposal/Price Quote": "proposal", "Negotiation/Review": "negotiation"},
    },
    "hubspot": {
        "columns": _cols(
            opportunity_id=["Record ID", "Deal ID", "hs_object_id"], owner=["Deal owner", "Deal Owner", "hubspot_owner_id"],
            account=["Associated Company", "Company name", "Associated Company (Primary)"],
            product=["Product", "Line items", "Deal type"], segment=["Segment", "Company size"],
            region=["Region", "Country/Region"], name=["Deal Name"], created=["Create Date", "createdate"],
            closed=["Close Date", "closedate"], stage=["Deal Stage", "dealstage"], amount=["Amount", "amount"],
        ),
        "history": _cols(opportunity_id=["Record ID", "Deal ID"], stage=["Deal Stage", "Stage"],
                         entered=["Date entered", "Entered", "Timestamp"]),
        "won": ["Closed won", "closedwon"],
        "lost": ["Closed lost", "closedlost"],
        "open": ["Appointment scheduled", "Qualified to buy", "Presentation scheduled",
                 "Decision maker bought-in", "Contract sent"],
        "stages": {"Appointment scheduled": "prospecting", "Qualified to buy": "needs analysis",
                   "Presentation scheduled": "demo", "Decision maker bought-in": "proposal",
                   "Contract sent": "negotiation"},
    },
    "zoho": {
        "columns": _cols(
            opportunity_id=["Record Id", "Deal Id", "商机编号", "记录 ID"], owner=["Deal Owner", "商机所有者", "负责人"],
            account=["Account Name", "客户名称"], product=["Product", "产品", "产品名称"], segment=["Segment", "客户级别"],
            region=["Region", "区域"], name=["Deal Name", "商机名称"], created=["Created Time", "创建时间"],
            closed=["Closing Date", "结束日期", "结单日期"], stage=["Stage", "阶段", "商机阶段"], amount=["Amount", "金额"],
        ),
        "history": _cols(opportunity_id=["Deal Id", "Record Id", "商机编号"], stage=["Stage", "阶段"],
                         entered=["Modified Time", "Last Activity Time", "修改时间"]),
        "won": ["Closed Won", "赢单", "成交"],
        "lost": ["Closed Lost", "Closed-Lost to Competition", "输单", "丢单"],
        "open": ["Qualification", "Needs Analysis", "Value Proposition", "Identify Decision Makers",
                 "Proposal/Price Quote", "Negotiation/Review", "资格审查", "需求分析", "价值主张", "报价", "谈判"],
        "stages": {"Qualification": "prospecting", "Value Proposition": "demo", "Identify Decision Makers": "demo",
                   "Proposal/Price Quote": "proposal", "Negotiation/Review": "negotiation",
                   "资格审查": "prospecting", "需求分析": "needs analysis", "价值主张": "demo",
                   "报价": "proposal", "谈判": "negotiation"},
    },
    "fxiaoke": {
        "columns": _cols(
            opportunity_id=["商机编号", "编号", "商机ID", "商机名称"], owner=["负责人", "商机负责人"],
            account=["客户名称", "客户"], product=["产品", "产品名称"], segment=["客户级别", "客户等级"],
            region=["区域", "地区", "所属区域"], name=["商机名称"], created=["创建时间", "创建日期"],
            closed=["结单日期", "预计成交日期", "结单时间"], stage=["商机阶段", "阶段", "阶段状态"], amount=["金额", "商机金额", "销售金额"],
        ),
        "history": _cols(opportunity_id=["商机编号", "商机名称"], stage=["商机阶段", "阶段"],
                         entered=["进入时间", "变更时间", "修改时间"]),
        "won": ["赢单", "成交"],
        "lost": ["输单", "无效"],
        "open": ["初步接洽", "验证客户", "需求确定", "方案演示", "方案/报价", "谈判审核"],
        "stages": {"初步接洽": "prospecting", "验证客户": "prospecting", "需求确定": "needs analysis",
                   "方案演示": "demo", "方案/报价": "proposal", "谈判审核": "negotiation"},
        "dayfirst": False,
        "currency": "CNY",
    },
}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def build_mapping(spec: dict[str, Any], name: str, source: str = "<mapping>") -> Mapping:
    """A :class:`Mapping` from a preset name plus overrides (the YAML's content)."""
    known = {"preset", "columns", "history", "won", "lost", "open", "stages", "dayfirst", "currency"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise SalessimError(f"{source}: {unknown[0]}: unknown mapping key (expected one of {sorted(known)})")
    base_name = spec.get("preset", "generic")
    if base_name not in PRESETS:
        raise SalessimError(f"{source}: preset: unknown preset '{base_name}' (choose from {sorted(PRESETS)})")
    base = PRESETS[base_name]
    columns = {k: list(v) for k, v in base["columns"].items()}
    for k, v in (spec.get("columns") or {}).items():
        if k not in REQUIRED + OPTIONAL:
            raise SalessimError(f"{source}: columns.{k}: unknown field (expected one of {list(REQUIRED + OPTIONAL)})")
        columns[k] = _as_list(v)
    history = {k: list(v) for k, v in base.get("history", {}).items()}
    for k, v in (spec.get("history") or {}).items():
        if k not in HISTORY_FIELDS:
            raise SalessimError(f"{source}: history.{k}: unknown field (expected one of {list(HISTORY_FIELDS)})")
        history[k] = _as_list(v)
    return Mapping(
        name=name,
        columns=columns,
        history=history,
        won=_as_list(spec["won"]) if "won" in spec else list(base["won"]),
        lost=_as_list(spec["lost"]) if "lost" in spec else list(base["lost"]),
        open=_as_list(spec.get("open", [])) + list(base.get("open", [])),
        stages={**base.get("stages", {}), **{str(k): str(v) for k, v in (spec.get("stages") or {}).items()}},
        dayfirst=bool(spec.get("dayfirst", base.get("dayfirst", False))),
        currency=spec.get("currency", base.get("currency")),
    )


def load_mapping(mapping: str | Path | dict[str, Any] | Mapping | None = None, preset: str | None = None) -> Mapping:
    """A mapping from a YAML path, a dict, a preset name, or the generic preset by default."""
    if isinstance(mapping, Mapping):
        return mapping
    if mapping is None:
        name = preset or "generic"
        return build_mapping({"preset": name}, name, "--preset")
    if isinstance(mapping, dict):
        return build_mapping(mapping, "<mapping>")
    path = Path(mapping)
    if not path.exists():
        if str(mapping) in PRESETS:
            return build_mapping({"preset": str(mapping)}, str(mapping))
        raise SalessimError(f"{path}: mapping file not found")
    data = read_mapping(path, what="keys", allow_empty=True)  # an empty file: the preset as it is
    if preset and "preset" not in data:
        data["preset"] = preset
    return build_mapping(data, str(path), str(path))
