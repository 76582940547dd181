"""Database tables (SQLAlchemy 2). Money columns are integer fen; JSON columns hold inputs,
worksheets and versions exactly as rated, so a quote can be re-rated and explained later.

Every business table carries ``tenant_id``; every query filters on it (see ``storage.repos``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER primary keys


def utcnow() -> dt.datetime:
    """Timestamps are stored in UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base; JSON maps to JSONB-free portable JSON."""

    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[Any]: JSON}


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str | None] = mapped_column(String(60))
    authority: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("tenant_id", "identifier_hash"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    identifier_hash: Mapped[str] = mapped_column(String(64))
    identifier_enc: Mapped[str] = mapped_column(Text)
    identifier_check_ok: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str] = mapped_column(String(200))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    province: Mapped[str | None] = mapped_column(String(2))
    entity_type: Mapped[str] = mapped_column(String(30))
    size_class: Mapped[str | None] = mapped_column(String(10))
    industry: Mapped[str | None] = mapped_column(String(5))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_key: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    channel: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CustomerChannel(Base):
    """A channel that serves a customer: it registered the customer or presented its identifier
    (or, before migration 0007, wrote a quote or policy for it). A channel key sees and quotes
    the customers linked to it (``storage.repos``); ``customers.channel`` stays the registering
    channel, the one shown the stored name and phone (``services.customers``)."""

    __tablename__ = "customer_channels"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True,
                                             autoincrement=False)
    channel: Mapped[str] = mapped_column(String(60), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Quote(Base):
    __tablename__ = "quotes"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_code: Mapped[str] = mapped_column(String(40))
    product_version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    money: Mapped[dict[str, Any]] = mapped_column(JSON)
    worksheet: Mapped[list[Any]] = mapped_column(JSON)
    premium_fen: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    renewal_of: Mapped[int | None] = mapped_column(ForeignKey("policies.id", use_alter=True))
    # an underwriter's loading or discount, a rating input (underwriting.adjustment): None = none
    adjustment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_key: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    channel: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Referral(Base):
    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    decided_by_key: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Policy(Base):
    __tablename__ = "policies"
    # the duplicate-cover check of every quote. Led by tenant_id so that SQLite, which has no
    # statistics, prefers it to the tenant_id index (it searched the tenant's whole book)
    __table_args__ = (Index("ix_policies_tenant_customer_product", "tenant_id", "customer_id",
                            "product_code"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_code: Mapped[str] = mapped_column(String(40), index=True)
    product_version: Mapped[str] = mapped_column(String(20))
    line: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    money: Mapped[dict[str, Any]] = mapped_column(JSON)
    annual_premium_fen: Mapped[int] = mapped_column(BigInteger)
    adjustment: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the quote's, re-applied on changes
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_key: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    channel: Mapped[str | None] = mapped_column(String(60))


class PremiumTransaction(Base):
    __tablename__ = "premium_transactions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    effective_date: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    transaction_date: Mapped[dt.date] = mapped_column(Date)
    premium_fen: Mapped[int] = mapped_column(BigInteger)
    vat_fen: Mapped[int] = mapped_column(BigInteger)
    annual_premium_after_fen: Mapped[int] = mapped_column(BigInteger)
    inputs_after: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_key: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (UniqueConstraint("policy_id", "sequence"),)


class IdempotencyRecord(Base):
    """A stored response, unique per tenant, key and caller (``services.idempotency.caller_of``:
    the API key, or the role and channel of an actor without one; never NULL, since NULLs are
    distinct in a unique constraint)."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("tenant_id", "key", "caller", name="uq_idempotency_records_tenant_key_caller"),
                      Index("ix_idempotency_records_created_at", "created_at"))
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    key: Mapped[str] = mapped_column(String(255))
    caller: Mapped[str] = mapped_column(String(80))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


import sme_insure.storage.audit_schema  # noqa: E402 (audit trail and jobs, same Base)
import sme_insure.storage.claims_schema  # noqa: E402, F401 (claims tables, same Base)
