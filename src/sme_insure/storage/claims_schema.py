"""Claims tables on the same ``Base``: claims, their append-only transaction rows, documents.

``claim_transactions`` carries every column of the claim-transaction contract
(:mod:`sme_insure.reserving.transactions`): the line, product and segment columns and the loss,
report and transaction dates are copied onto each row when it is written, so reserving reads the
rows as they are (``claim_id`` and ``policy_id`` are given as claim and policy numbers by
:func:`sme_insure.services.claims_reporting.claim_transactions_frame`). Rows are never updated or
deleted. The running balances on ``claims`` are a cache of the sums of its rows, updated in the
same transaction and reconciled by a test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sme_insure.storage.schema import Base, Id, utcnow


class Claim(Base):
    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(60))
    product_code: Mapped[str] = mapped_column(String(40))
    product_version: Mapped[str] = mapped_column(String(20))
    line: Mapped[str] = mapped_column(String(30))
    region: Mapped[str | None] = mapped_column(String(10))
    size_class: Mapped[str | None] = mapped_column(String(10))
    entity_type: Mapped[str | None] = mapped_column(String(30))
    coverage: Mapped[str] = mapped_column(String(60))
    peril: Mapped[str] = mapped_column(String(60))
    subject_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    subject_enc: Mapped[str | None] = mapped_column(Text)
    loss_date: Mapped[dt.date] = mapped_column(Date)
    report_date: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone_enc: Mapped[str | None] = mapped_column(Text)
    bank_account_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    bank_account_enc: Mapped[str | None] = mapped_column(Text)
    estimated_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), index=True)
    route: Mapped[str] = mapped_column(String(20))
    queue: Mapped[str] = mapped_column(String(30), index=True)
    authority_level: Mapped[str] = mapped_column(String(30))
    handler_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    triage: Mapped[dict[str, Any]] = mapped_column(JSON)
    cover: Mapped[dict[str, Any]] = mapped_column(JSON)
    documents_required: Mapped[list[Any]] = mapped_column(JSON)
    docs_complete_on: Mapped[dt.date | None] = mapped_column(Date)
    waiting_until: Mapped[dt.date | None] = mapped_column(Date)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    agreed_fen: Mapped[int | None] = mapped_column(BigInteger)
    agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    refusal_decided_on: Mapped[dt.date | None] = mapped_column(Date)
    refusal_notice_on: Mapped[dt.date | None] = mapped_column(Date)
    first_paid_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_in_full_on: Mapped[dt.date | None] = mapped_column(Date)
    certain_part_paid_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    report_to_decision_days: Mapped[int | None] = mapped_column(Integer)
    report_to_payment_days: Mapped[int | None] = mapped_column(Integer)
    payments_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    recoveries_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reserve_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_key: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ClaimTransaction(Base):
    __tablename__ = "claim_transactions"
    __table_args__ = (UniqueConstraint("claim_id", "sequence"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    coverage: Mapped[str] = mapped_column(String(60))
    line: Mapped[str] = mapped_column(String(30))
    product_code: Mapped[str] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(10))
    size_class: Mapped[str | None] = mapped_column(String(10))
    entity_type: Mapped[str | None] = mapped_column(String(30))
    loss_date: Mapped[dt.date] = mapped_column(Date)
    report_date: Mapped[dt.date] = mapped_column(Date)
    transaction_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    paid_fen: Mapped[int] = mapped_column(BigInteger)
    case_reserve_change_fen: Mapped[int] = mapped_column(BigInteger)
    payment_type: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_key: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ClaimDocument(Base):
    __tablename__ = "claim_documents"
    __table_args__ = (UniqueConstraint("claim_id", "doc_type", "sha256"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by_key: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
