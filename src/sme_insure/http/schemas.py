"""Request and response bodies of the API (kept apart from the domain and storage models)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
)


def _date_text(value: object) -> object:
    """Dates come as ``YYYY-MM-DD`` text; a number is not a date here."""
    if not isinstance(value, str | dt.date):
        raise ValueError("a date as YYYY-MM-DD text")
    return value


DateText = Annotated[dt.date, BeforeValidator(_date_text)]
Inputs = dict[str, str | int | float | bool | None]
Person = dict[str, str | int | float | bool | None]


class In(BaseModel):
    """Request bodies reject unknown fields."""

    model_config = ConfigDict(extra="forbid")


class CustomerIn(In):
    kind: str = Field(description="enterprise, individual_business or natural_person",
                      examples=["enterprise"])
    identifier: str = Field(min_length=1, max_length=40, description="USCC or resident ID number",
                            examples=["91350100M000100Y43"])
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    industry: str | None = Field(default=None, pattern=r"^[A-T](\d{2,4})?$")
    employees: StrictInt | None = Field(default=None, ge=0, le=10_000_000)
    revenue_cny: StrictFloat | None = Field(default=None, ge=0, le=1e13)
    assets_cny: StrictFloat | None = Field(default=None, ge=0, le=1e13)
    declared_size_class: str | None = Field(default=None, pattern=r"^(micro|small|medium|large)$")


class CustomerOut(BaseModel):
    id: StrictInt
    kind: str
    identifier: str = Field(description="Masked unless the role needs the full number")
    name: str | None = Field(description=(
        "The stored name, shown to tenant-wide roles and to the channel that registered the "
        "customer. Another channel linked to it (it presented the identifier) is shown, on "
        "registering, the name it sent and, on reading, null"))
    phone: str | None = Field(description="Masked unless the role needs the full number; as "
                                          "for name, another channel's stored phone is never shown")
    province: str | None
    entity_type: str
    size_class: str | None
    industry: str | None
    flags: list[str]
    created: bool = False


class QuoteIn(In):
    product: str = Field(examples=["SME_PROPERTY"])
    customer_id: StrictInt = Field(ge=1, le=2**53)
    start_date: DateText
    inputs: Inputs
    persons: list[Person] | None = Field(
        default=None, max_length=5000,
        description="Group lines: the schedule of insured persons (id_number, name, "
                    "occupational_class, ...); birth date, sex and age are derived from the ID")

    def all_inputs(self) -> dict:
        """Inputs with the schedule, as the services take them."""
        return {**self.inputs, **({"persons": self.persons} if self.persons is not None else {})}


class CompareIn(QuoteIn):
    options: list[Inputs] = Field(min_length=1, max_length=10,
                                  description="Each option overrides some inputs")


class Reason(BaseModel):
    code: str
    action: str
    zh: str
    en: str


class QuoteOut(BaseModel):
    id: StrictInt
    product: str
    product_version: str
    customer_id: StrictInt
    status: str
    decision: str
    reasons: list[Reason]
    inputs: dict[str, Any]
    money: dict[str, int] = Field(description="Integer fen")
    premium_fen: StrictInt
    start_date: dt.date
    end_date: dt.date
    valid_until: dt.date
    versions: dict[str, Any]
    worksheet: list[dict[str, Any]]
    renewal_of: int | None
    adjustment: dict[str, Any] | None = Field(
        default=None, description="The underwriter's loading or discount, a rating input (kind, rate, factor, by)")


class BindIn(In):
    consent: StrictBool = Field(default=False, description="Customer's consent (required for renewals)")


class PolicyOut(BaseModel):
    id: StrictInt
    number: str
    product: str
    product_version: str
    line: str
    customer_id: StrictInt
    quote_id: StrictInt
    status: str
    start_date: dt.date
    end_date: dt.date
    cancelled_on: dt.date | None
    inputs: dict[str, Any]
    money: dict[str, int]
    annual_premium_fen: StrictInt
    versions: dict[str, Any]
    adjustment: dict[str, Any] | None = Field(
        default=None, description="The underwriter's loading or discount, re-applied by every change")


class PolicyPage(BaseModel):
    items: list[PolicyOut]
    total: StrictInt
    limit: StrictInt
    offset: StrictInt


class EndorsementIn(In):
    effective_date: DateText
    changes: Inputs = Field(default_factory=dict)
    persons: list[Person] | None = Field(
        default=None, max_length=5000, description="Group lines: the whole new roster (bulk change)")
    reason: str = Field(min_length=1, max_length=500)

    def all_changes(self) -> dict:
        """Changes with the new roster, as the services take them."""
        return {**self.changes, **({"persons": self.persons} if self.persons is not None else {})}


class CancellationIn(In):
    effective_date: DateText
    reason: str = Field(min_length=1, max_length=500)


class ReasonIn(In):
    reason: str = Field(min_length=1, max_length=500)


class AdjustmentIn(In):
    actual: Inputs = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=500)


class RenewalIn(In):
    changes: Inputs = Field(default_factory=dict)


class TransactionOut(BaseModel):
    id: StrictInt
    policy_id: StrictInt
    sequence: StrictInt
    kind: str
    effective_date: dt.date
    period_end: dt.date
    transaction_date: dt.date
    premium_fen: StrictInt
    vat_fen: StrictInt
    annual_premium_after_fen: StrictInt
    reason: str | None


class DecisionIn(In):
    approve: StrictBool
    reason: str = Field(min_length=1, max_length=1000)
    loading: StrictFloat = Field(default=0.0, ge=0, le=5)
    discount: StrictFloat = Field(default=0.0, ge=0, lt=1)


class ReferralOut(BaseModel):
    id: StrictInt
    quote_id: StrictInt
    status: str
    quote: QuoteOut
    decision: dict[str, Any] | None


class ProductSummary(BaseModel):
    code: str
    version: str
    line: str
    name: dict[str, str]
    effective_from: dt.date
    effective_to: dt.date | None
    coverages: list[str]


class ProductDetail(ProductSummary):
    definition: dict[str, Any]
    input_schema: dict[str, Any] = Field(description="JSON Schema of the inputs a quote needs")


class DocumentFormat(StrEnum):
    """How a document is rendered: HTML, or PDF for download."""

    HTML = "html"
    PDF = "pdf"
