"""Mapping presets and user mappings; a missing required column is one clear error."""

from __future__ import annotations

import pytest

from salessim.calibrate.mapping import PRESETS, REQUIRED, load_mapping, norm
from salessim.errors import SalessimError

EXPORT_HEADERS = {  # headers as the CRMs write them (one typical export each)
    "salesforce": ["Opportunity ID", "Opportunity Name", "Opportunity Owner", "Account Name", "Stage", "Amount",
                   "Created Date", "Close Date"],
    "hubspot": ["Record ID", "Deal Name", "Deal Stage", "Amount", "Create Date", "Close Date", "Deal owner"],
    "zoho": ["Record Id", "Deal Name", "Deal Owner", "Account Name", "Stage", "Amount", "Created Time", "Closing Date"],
    "fxiaoke": ["商机名称", "负责人", "客户名称", "商机阶段", "金额", "创建时间", "结单日期"],
    "generic": ["opportunity_id", "owner", "created", "close_date", "stage", "amount"],
}


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_each_preset_resolves_its_export(preset: str) -> None:
    found = load_mapping(preset=preset).resolve(EXPORT_HEADERS[preset], "x.csv")
    assert set(REQUIRED) <= set(found)


def test_chinese_zoho_headers_and_values() -> None:
    m = load_mapping(preset="zoho")
    found = m.resolve(["商机编号", "商机所有者", "阶段", "金额", "创建时间", "结束日期"], "zoho.csv")
    assert found["owner"] == "商机所有者"
    assert m.status_of()[norm("赢单")] == "won" and m.status_of()[norm("输单")] == "lost"


def test_headers_match_ignoring_case_spaces_and_bom() -> None:
    found = load_mapping(preset="salesforce").resolve(
        ["\ufeffopportunity id", " OPPORTUNITY OWNER ", "stage", "amount", "created  date", "close date"], "x.csv")
    assert found["opportunity_id"] == "\ufeffopportunity id"


def test_missing_required_column_names_column_and_mapping() -> None:
    with pytest.raises(SalessimError) as e:
        load_mapping(preset="hubspot").resolve(["Record ID", "Deal Stage", "Amount", "Create Date", "Close Date"], "deals.csv")
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("deals.csv: missing required column for 'owner'") and "mapping 'hubspot'" in msg
    assert "'Deal owner'" in msg


def test_user_mapping_yaml_extends_a_preset(tmp_path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("preset: salesforce\ncolumns:\n  owner: [Account Executive]\nwon: [Booked]\n"
                    "stages:\n  Discovery Call: prospecting\n", encoding="utf-8")
    m = load_mapping(path)
    assert m.columns["owner"] == ["Account Executive"]
    assert m.columns["amount"] == ["Amount"]  # from the preset
    assert m.status_of() == {"closed lost": "lost", "booked": "won"}
    assert m.stage_map(["prospecting", "demo"])["discovery call"] == "prospecting"


@pytest.mark.parametrize(("text", "match"), [
    ("colums: {}\n", "colums: unknown mapping key"),
    ("preset: pipedrive\n", "unknown preset 'pipedrive'"),
    ("columns:\n  revenue: Amount\n", "columns.revenue: unknown field"),
])
def test_bad_mapping_files(tmp_path, text: str, match: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SalessimError, match=match):
        load_mapping(path)
