"""Closed vocabularies of the product catalogue."""

from __future__ import annotations

from enum import StrEnum


class Line(StrEnum):
    """Lines of business, the first grouping of statistics and reserving."""

    PROPERTY = "property"
    SHOP_PACKAGE = "shop_package"
    PUBLIC_LIABILITY = "public_liability"
    PRODUCT_LIABILITY = "product_liability"
    EMPLOYERS_LIABILITY = "employers_liability"
    EXPORT_CREDIT = "export_credit"
    CARGO = "cargo"
    GROUP_ACCIDENT = "group_accident"
    GROUP_HEALTH = "group_health"
    GROUP_TERM_LIFE = "group_term_life"
    PENSION = "pension"


class CustomerType(StrEnum):
    """Who may buy: enterprises by size class, individual business households, and persons."""

    MICRO_ENTERPRISE = "micro_enterprise"
    SMALL_ENTERPRISE = "small_enterprise"
    MEDIUM_ENTERPRISE = "medium_enterprise"
    INDIVIDUAL_BUSINESS = "individual_business"
    EMPLOYEE = "employee"
    FLEXIBLE_WORKER = "flexible_worker"


class InputType(StrEnum):
    """Types of risk inputs. Money is CNY; region is a 2-digit GB/T 2260 province code; industry a
    GB/T 4754 section letter, optionally followed by a 2-digit division (``C``, ``C13``)."""

    CATEGORY = "category"
    MONEY = "money"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    REGION = "region"
    INDUSTRY = "industry"
    BOOLEAN = "boolean"

    @property
    def is_numeric(self) -> bool:
        """Inputs that can be an exposure or a band/interpolation key."""
        return self in (InputType.MONEY, InputType.INTEGER, InputType.NUMBER)

    @property
    def is_level(self) -> bool:
        """Inputs matched exactly against table levels."""
        return self in (InputType.CATEGORY, InputType.REGION, InputType.INDUSTRY, InputType.BOOLEAN)


class TaxTreatment(StrEnum):
    """VAT treatment of a coverage's premium: included in a quoted gross, or exempt."""

    VAT_INCLUDED = "vat_included"
    EXEMPT = "exempt"


class LimitBasis(StrEnum):
    """How a limit applies."""

    PER_OCCURRENCE = "per_occurrence"
    AGGREGATE = "aggregate"
    PER_PERSON = "per_person"
    PER_SHIPMENT = "per_shipment"
    PER_BUYER = "per_buyer"


class DeductibleKind(StrEnum):
    """Kinds of deductible: a fixed amount, a percentage of the loss (with a minimum amount), or
    a time deductible in days (business interruption)."""

    AMOUNT = "amount"
    PERCENT_OF_LOSS = "percent_of_loss"
    DAYS = "days"


class RuleAction(StrEnum):
    """Outcome of an underwriting rule that matches."""

    REFER = "refer"
    DECLINE = "decline"


class Operator(StrEnum):
    """Comparison operators allowed in underwriting conditions (data, never evaluated strings)."""

    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
