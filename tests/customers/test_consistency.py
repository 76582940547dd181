"""Referral reasons for declarations that do not add up."""

from __future__ import annotations

import pytest

from sme_insure.customers import (
    AmountUnit,
    ConsistencyReason,
    Declaration,
    EntityType,
    IndustryGroup,
    SizeClass,
    UsccEntityKind,
    check_declaration,
    is_size_classified,
)
from sme_insure.errors import InputError

Reason = ConsistencyReason


def _retail(**overrides: object) -> Declaration:
    fields: dict[str, object] = {
        "entity_type": EntityType.ENTERPRISE,
        "industry_group": IndustryGroup.RETAIL,
        "unit": AmountUnit.WAN_CNY,
        "size_class": SizeClass.MICRO,
        "employees": 6,
        "revenue": 60,
    }
    return Declaration(**(fields | overrides))  # type: ignore[arg-type]


def test_a_consistent_declaration_is_not_referred() -> None:
    report = check_declaration(_retail())
    assert report.derived_size_class is SizeClass.MICRO
    assert not report.refer
    assert report.reasons == ()


def test_says_micro_figures_say_medium() -> None:
    report = check_declaration(_retail(employees=60, revenue=600))
    assert report.derived_size_class is SizeClass.MEDIUM
    assert report.reasons == (Reason.SIZE_CLASS_MISMATCH,)
    assert "declared micro, figures give medium" in report.findings[0].detail


def test_figures_in_cny_are_converted() -> None:
    report = check_declaration(_retail(unit=AmountUnit.CNY, revenue=600_000))
    assert report.derived_size_class is SizeClass.MICRO and not report.refer


def test_missing_figures_prevent_the_check() -> None:
    report = check_declaration(_retail(revenue=None))
    assert report.derived_size_class is None
    assert report.reasons == (Reason.FIGURES_MISSING,)


@pytest.mark.parametrize(
    "entity",
    [EntityType.INDIVIDUAL_BUSINESS, EntityType.FARMERS_COOPERATIVE, EntityType.NATURAL_PERSON],
)
def test_only_enterprises_have_a_size_class(entity: EntityType) -> None:
    assert not is_size_classified(entity)
    report = check_declaration(_retail(entity_type=entity))
    assert report.derived_size_class is None
    assert report.reasons == (Reason.SIZE_CLASS_NOT_APPLICABLE,)
    assert not check_declaration(_retail(entity_type=entity, size_class=None)).refer


def test_industry_code_of_another_group() -> None:
    assert check_declaration(_retail(industry_code="5110")).reasons == (
        Reason.INDUSTRY_CODE_MISMATCH,
    )
    assert not check_declaration(_retail(industry_code="5211")).refer
    assert not check_declaration(_retail(industry_code="F")).refer  # F holds retail


def test_uscc_entity_type_disagrees() -> None:
    declared = _retail(uscc_kind=UsccEntityKind.INDIVIDUAL_BUSINESS)
    assert check_declaration(declared).reasons == (Reason.ENTITY_TYPE_MISMATCH,)
    assert not check_declaration(_retail(uscc_kind=UsccEntityKind.ENTERPRISE)).refer


@pytest.mark.parametrize(
    ("employees", "revenue", "reason"),
    [
        (9, 1, Reason.REVENUE_PER_EMPLOYEE_LOW),  # 0.11 万元 a head
        (2, 30_000, Reason.REVENUE_PER_EMPLOYEE_HIGH),  # 15,000 万元 a head
    ],
)
def test_absurd_revenue_per_employee(employees: int, revenue: float, reason: Reason) -> None:
    report = check_declaration(_retail(size_class=None, employees=employees, revenue=revenue))
    assert report.reasons == (reason,)


def test_zero_revenue_is_not_absurd() -> None:
    assert not check_declaration(_retail(revenue=0)).refer


def test_every_rule_can_fire_at_once() -> None:
    report = check_declaration(
        _retail(employees=50, revenue=600_000, industry_code="51",
                uscc_kind=UsccEntityKind.FARMERS_COOPERATIVE)
    )  # fmt: skip
    assert report.reasons == (
        Reason.SIZE_CLASS_MISMATCH,
        Reason.INDUSTRY_CODE_MISMATCH,
        Reason.ENTITY_TYPE_MISMATCH,
        Reason.REVENUE_PER_EMPLOYEE_HIGH,
    )


def test_impossible_declarations_raise() -> None:
    with pytest.raises(InputError) as caught:
        _retail(entity_type="company", unit="usd", employees=-1)
    assert [i.field for i in caught.value.issues] == ["entity_type", "unit", "employees"]


def test_enum_fields_accept_their_values() -> None:
    declared = _retail(entity_type="enterprise", industry_group="retail", unit="cny")
    assert declared.entity_type is EntityType.ENTERPRISE
    assert declared.unit is AmountUnit.CNY
