"""Back-test: passes on an export from the same company, fails when the later window changed."""

from __future__ import annotations

import pytest
from conftest import CRM

from salessim.calibrate.backtest import backtest, snapshot_at
from salessim.calibrate.mapping import load_mapping
from salessim.calibrate.validate import import_crm
from salessim.scenario import load_scenario


@pytest.fixture(scope="module")
def crm(stages):
    return import_crm(CRM / "salesforce_snapshot.csv", load_mapping(preset="salesforce"), stages)


def test_snapshot_at_reopens_later_closes(crm) -> None:
    import pandas as pd

    cut = pd.Timestamp("2026-10-01")
    snap = snapshot_at(crm, cut)
    assert snap.as_of == pd.Timestamp("2026-09-30")
    assert (snap.deals["created"] < cut).all()
    assert (snap.deals["closed"].dropna() < cut).all()
    later = crm.deals[(crm.deals["created"] < cut) & (crm.deals["closed"] >= cut)]
    assert snap.deals.set_index("opportunity_id").loc[later["opportunity_id"], "status"].eq("open").all()


def test_backtest_passes_on_the_same_company(crm) -> None:
    """Base = the company's own stage structure and seasonality (9 training months cannot show Q4's)."""
    r = backtest(crm, load_scenario(CRM / "truth_scenario.yaml"), test_months=3, seeds=(0, 1, 2))
    assert list(r.table["metric"]) == ["win rate", "bookings per month", "cycle-time KS", "median deal size",
                                       "per-rep bookings KS"]
    assert r.passed, str(r)
    assert "overall: PASS" in str(r)


def test_backtest_fails_when_deals_got_bigger(crm) -> None:
    """Amounts of deals closed in the test window x1.5: deal size and bookings must fail."""
    import dataclasses

    import pandas as pd

    d = crm.deals.copy()
    late = d["closed"] >= pd.Timestamp("2026-10-01")
    d.loc[late, "amount"] *= 1.5
    r = backtest(dataclasses.replace(crm, deals=d), test_months=3, seeds=(0,))
    t = r.table.set_index("metric")
    assert not t.loc["median deal size", "passed"] and not t.loc["bookings per month", "passed"]
    assert t.loc["win rate", "passed"]
    assert not r.passed and "FAIL" in str(r)
