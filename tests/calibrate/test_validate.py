"""Validation: every defect quarantined with its reason, counts printed, nothing dropped silently."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import CRM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salessim.calibrate.mapping import load_mapping
from salessim.calibrate.validate import import_crm


def test_defective_file(truth, stages, tmp_path) -> None:
    crm = import_crm(CRM / "defective.csv", load_mapping(), stages, team_path=CRM / "team.csv")
    r = crm.report
    assert r.rows == truth["defect_rows"] == 202
    # Each injected defect is found exactly once per injected row (truth.yaml lists them); the
    # injected missing amount is on a lost deal, which is kept (noted, out of the deal-size fit).
    defects = {k: v for k, v in truth["defects"].items() if k != "missing amount"}
    assert r.reasons == defects
    assert r.quarantined == sum(defects.values()) == 12
    assert any("1 open/lost deals have no amount" in n for n in r.notes)
    assert r.kept + r.quarantined == r.rows
    assert len(crm.deals) == r.kept and len(crm.quarantine) == r.quarantined
    q = crm.write_quarantine(tmp_path / "q.csv")
    back = pd.read_csv(q, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert (back["reason"] != "").all() and (back["detail"] != "").all()
    row = back.set_index("line").loc["19"]
    assert row["reason"] == "bad created date" and "'yesterday'" in row["detail"]
    dup = back[back["reason"] == "duplicate id"]
    assert dup["detail"].str.contains("first on line").all()
    text = str(r)
    for reason, n in defects.items():
        assert f"{reason}" in text and f"{n:>8,}" in text


def test_clean_sample_files_have_no_quarantine(stages) -> None:
    for name, preset in [("opportunities.csv", "generic"), ("salesforce_snapshot.csv", "salesforce"),
                         ("fxiaoke_gbk.csv", "fxiaoke")]:
        crm = import_crm(CRM / name, load_mapping(preset=preset), stages)
        assert crm.report.quarantined == 0, (name, crm.report.reasons)


def test_messy_salesforce_values_are_normalised(stages) -> None:
    crm = import_crm(CRM / "salesforce_snapshot.csv", load_mapping(preset="salesforce"), stages,
                     products=["Core Platform", "Analytics", "Professional Services"])
    d = crm.deals
    assert sorted(d["product"].unique()) == ["Analytics", "Core Platform", "Professional Services"]
    assert d["owner"].nunique() == 20  # trailing spaces stripped
    clean = import_crm(CRM / "opportunities.csv", load_mapping(), stages).deals
    pd.testing.assert_series_equal(d["amount"], clean["amount"])
    pd.testing.assert_series_equal(d["created"], clean["created"])  # mixed US/ISO dates
    assert crm.currency == "USD"


def test_open_deals_close_dates_are_not_outcomes(stages) -> None:
    d = import_crm(CRM / "opportunities.csv", load_mapping(), stages).deals
    open_ = d["status"] == "open"
    assert open_.any() and d.loc[open_, "closed"].isna().all() and d.loc[open_, "expected_close"].notna().all()
    assert d.loc[open_, "stage"].isin(stages).all()


def test_as_of_quarantines_later_rows(stages) -> None:
    crm = import_crm(CRM / "defective.csv", load_mapping(), stages, as_of="2026-02-15")
    assert crm.report.reasons["after as-of"] > 0 and crm.report.kept > 100
    assert crm.deals["closed"].max() <= pd.Timestamp("2026-02-15") == crm.as_of


def test_history_rows_are_validated_too(stages, tmp_path) -> None:
    hist = pd.read_csv(CRM / "stage_history.csv", dtype=str).head(300)
    hist.loc[0, "entered"] = "not a date"
    hist.loc[1, "opportunity_id"] = "OPP-XXXXXX"
    hist.loc[2, "stage"] = "limbo"
    hist.to_csv(tmp_path / "h.csv", index=False)
    crm = import_crm(CRM / "opportunities.csv", load_mapping(), stages, history_path=tmp_path / "h.csv")
    assert crm.report.history_rows == 300 and crm.report.history_kept == 297
    assert {"history: bad entered date", "history: unknown opportunity", "history: unknown stage"} <= set(crm.report.reasons)


CLEAN = pd.read_csv(CRM / "defective.csv", dtype=str, keep_default_na=False).head(40)
CORRUPTIONS = {"created": ["", "31/31/2026", "someday"], "close_date": ["", "1999-01-01", "bad"],
               "amount": ["", "-1", "abc"], "stage": ["??", ""], "opportunity_id": ["", "OPP-001296"], "owner": [""]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 39), st.sampled_from(sorted(CORRUPTIONS)), st.integers(0, 2)), max_size=25))
def test_no_row_is_dropped_silently(tmp_path_factory, edits) -> None:
    df = CLEAN.copy()
    for row, col, k in edits:
        values = CORRUPTIONS[col]
        df.loc[row, col] = values[k % len(values)]
    path = tmp_path_factory.mktemp("prop") / "x.csv"
    df.to_csv(path, index=False)
    crm = import_crm(path, load_mapping(), ["prospecting", "needs analysis", "demo", "proposal", "negotiation"])
    r = crm.report
    assert r.kept + r.quarantined == r.rows == 40
    assert (crm.quarantine["reason"] != "").all()
    assert set(crm.deals["line"]).isdisjoint(set(crm.quarantine["line"]))
    assert crm.deals["opportunity_id"].is_unique
    assert (crm.deals["amount"].dropna() >= 0).all() and crm.deals["created"].notna().all()
    assert (crm.deals.loc[crm.deals["amount"].isna(), "status"] != "won").all()


def test_every_required_column_missing_is_named(stages, tmp_path) -> None:
    df = CLEAN.drop(columns=["amount"])
    df.to_csv(tmp_path / "x.csv", index=False)
    with pytest.raises(Exception, match=r"x.csv: missing required column for 'amount': mapping 'generic'"):
        import_crm(tmp_path / "x.csv", load_mapping(), stages)
