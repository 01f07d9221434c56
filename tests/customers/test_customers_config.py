"""CustomerLifecycle: defaults, segment resolution, validation and the lifetime-value closed form."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from salessim.errors import SalessimError
from salessim.model.customers import (
    BUILTIN_SEGMENTS,
    CustomerLifecycle,
    SegmentLifecycle,
    lifecycle_from,
    lifetime_value_factor,
)


def test_builtin_defaults_order_retention_by_segment():
    churn = {name: CustomerLifecycle().for_segment(name).annual_churn for name in "ABC"}
    # A (dedicated account manager) keeps customers best, C (self-service) worst.
    assert churn == {"A": 0.10, "B": 0.15, "C": 0.25}
    assert CustomerLifecycle().for_segment("Enterprise") == CustomerLifecycle().default


def test_segment_override_changes_only_the_fields_it_sets():
    cfg = CustomerLifecycle.model_validate({"segments": {"A": {"annual_churn": 0.05}, "SMB": {"term_months": 1}}})
    a = cfg.for_segment("A")
    assert a.annual_churn == 0.05
    assert a.expansion_mean == BUILTIN_SEGMENTS["A"].expansion_mean  # kept from the built-in A
    smb = cfg.for_segment("SMB")
    assert smb.term_months == 1 and smb.annual_churn == cfg.default.annual_churn


def test_monthly_hazard_compounds_to_the_annual_probability():
    seg = SegmentLifecycle(annual_churn=0.2)
    assert 1 - (1 - seg.monthly_churn) ** 12 == pytest.approx(0.2, abs=1e-12)
    assert SegmentLifecycle(annual_churn=0.0).monthly_churn == 0.0
    assert SegmentLifecycle(annual_churn=1.0).monthly_churn == 1.0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"default": {"annual_churn": 1.5}}, "<mapping>: customers.default.annual_churn: Input should be less than or equal to 1"),
        ({"segments": {"C": {"annual_churn": -0.1}}}, "<mapping>: customers.segments.C.annual_churn: Input should be greater than or equal to 0"),
        ({"default": {"gross_margin": 1.2}}, "<mapping>: customers.default.gross_margin: Input should be less than or equal to 1"),
        ({"default": {"term_months": -12}}, "<mapping>: customers.default.term_months: Input should be greater than or equal to 1"),
        ({"default": {"term_months": 0}}, "<mapping>: customers.default.term_months: Input should be greater than or equal to 1"),
        ({"default": {"expansion_sd": -0.1}}, "<mapping>: customers.default.expansion_sd: Input should be greater than or equal to 0"),
        ({"discount_rate": -0.05}, "<mapping>: customers.discount_rate: Input should be greater than or equal to 0"),
        ({"churn": 0.1}, "<mapping>: customers.churn: unknown field"),
        (
            {"ltv_years": None, "default": {"annual_churn": 0.0, "expansion_mean": 0.0}, "discount_rate": 0.0},
            "<mapping>: customers.default: lifetime value is unbounded (expansion outgrows churn and discounting); set ltv_years",
        ),
    ],
)
def test_invalid_config_is_one_line_error(data, expected):
    with pytest.raises(SalessimError) as info:
        lifecycle_from(data)
    assert str(info.value) == expected
    assert "\n" not in str(info.value)
    with pytest.raises(ValidationError):  # direct construction fails too
        CustomerLifecycle.model_validate(data)


def test_check_segments_names_the_unknown_segment():
    cfg = CustomerLifecycle.model_validate({"segments": {"A": {}, "Enterprise": {"annual_churn": 0.05}}})
    cfg.check_segments(["A", "Enterprise", "SMB"])  # fine
    with pytest.raises(SalessimError) as info:
        cfg.check_segments(["A", "B", "C"], where="midmarket.yaml: customers")
    assert str(info.value) == (
        "midmarket.yaml: customers.segments.Enterprise: unknown segment; the scenario's segments are A, B, C"
    )
    CustomerLifecycle().check_segments(["Enterprise"])  # built-in A/B/C are not user entries


# ----------------------------------------------------------------------------- lifetime value


def test_ltv_factor_one_month_when_everyone_churns():
    # annual churn 1 -> monthly hazard 1: only month 0 is paid. Factor 1.
    seg = SegmentLifecycle(annual_churn=1.0, expansion_mean=0.3)
    assert lifetime_value_factor(seg, 0.1, None) == 1.0
    cfg = CustomerLifecycle(default=seg.model_copy(update={"gross_margin": 0.5}))
    # LTV of a 12,000 annual contract = 12,000 / 12 months x 0.5 margin x 1 month = 500.
    assert 12_000 / 12 * cfg.margin_months("X") == pytest.approx(500.0)


def test_ltv_factor_no_churn_no_discount_with_expansion_finite_horizon():
    seg = SegmentLifecycle(annual_churn=0.0, expansion_mean=0.10, term_months=12)
    # 2 years: 12 months at 1.0 + 12 months at 1.1 = 25.2 months of first-year revenue.
    assert lifetime_value_factor(seg, 0.0, 2.0) == pytest.approx(25.2)
    # 2.5 years: + 6 months at 1.21 = 25.2 + 7.26 = 32.46.
    assert lifetime_value_factor(seg, 0.0, 2.5) == pytest.approx(32.46)


def test_ltv_closed_form_known_churn_margin_discount():
    # annual churn 20%, discount 10%/yr, no expansion, unlimited horizon:
    # q = (0.8 / 1.1)^(1/12) = 0.9738112; factor = 1 / (1 - q) = 38.184295 months.
    # LTV(12,000 contract, margin 50%) = 1,000 x 0.5 x 38.184295 = 19,092.15.
    cfg = CustomerLifecycle(
        ltv_years=None, discount_rate=0.10,
        default=SegmentLifecycle(annual_churn=0.2, expansion_mean=0.0, gross_margin=0.5),
    )
    assert 1_000 * cfg.margin_months("X") == pytest.approx(19_092.147, abs=0.01)


@pytest.mark.parametrize(("churn", "g", "r", "years", "term"), [(0.2, 0.1, 0.1, None, 12), (0.3, 0.05, 0.08, 7.25, 6), (0.1, -0.2, 0.0, 3.0, 24)])
def test_ltv_closed_form_matches_month_by_month_sum(churn, g, r, years, term):
    seg = SegmentLifecycle(annual_churn=churn, expansion_mean=g, term_months=term)
    n = round(12 * years) if years else 6000
    q = (1 - seg.monthly_churn) * (1 + r) ** (-1 / 12)
    brute = sum(q**k * (1 + g) ** (k // term) for k in range(n))
    assert lifetime_value_factor(seg, r, years) == pytest.approx(brute, rel=1e-9)


def test_follow_months_extends_the_customer_horizon():
    assert CustomerLifecycle().horizon_days(365) == 365
    # 24 months x 30.4375 days = 730.5 -> rounds to 730 (banker's rounding) + 365 = 1,095.
    assert CustomerLifecycle(follow_months=24).horizon_days(365) == 1095
    assert CustomerLifecycle(follow_months=12).horizon_days(365) == 365 + 365
