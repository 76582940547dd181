"""Duplicate cover: a policy of the same customer and product that covers part of the same
period. Quotes are referred for it (see :mod:`.quotes`); binding and reinstatement look again,
since a policy may have been issued in between.

A policy covers ``[start_date, cancelled_on or end_date)``: a policy cancelled with a future
date still covers until then; a flat cancellation (on its start date) never covered at all."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, func, select
from sqlalchemy.orm import Session

from sme_insure.policies.states import PolicyStatus
from sme_insure.storage.schema import Customer, Policy

EVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def covers(start: BindParameter[dt.date], end: BindParameter[dt.date]) -> ColumnElement[bool]:
    """The policy's cover overlaps ``[start, end)``."""
    until = func.coalesce(Policy.cancelled_on, Policy.end_date)
    return and_(Policy.status.in_([PolicyStatus.ISSUED.value, PolicyStatus.CANCELLED.value]),
                Policy.start_date < end, until > start, until > Policy.start_date)


_LOCK_CUSTOMER = select(Customer.id).where(Customer.id == bindparam("customer_id")).with_for_update()
_OVERLAPPING = select(Policy.number).where(
    Policy.tenant_id == bindparam("tenant_id"), Policy.customer_id == bindparam("customer_id"),
    Policy.product_code == bindparam("code"), covers(bindparam("start"), bindparam("end")),
    Policy.id != bindparam("excluding"), Policy.issued_at >= bindparam("issued_since")).limit(1)


def overlapping_policy(session: Session, *, tenant_id: int, customer_id: int, code: str,
                       start: dt.date, end: dt.date, excluding: int = 0,
                       issued_since: dt.datetime = EVER) -> str | None:
    """The number of a policy of the customer for ``code`` covering part of ``[start, end)``
    (other than ``excluding``; issued at or after ``issued_since``), or ``None``. The
    customer's row is locked first, so that two writers for one customer take turns
    (PostgreSQL; SQLite has one writer at a time)."""
    session.execute(_LOCK_CUSTOMER, {"customer_id": customer_id})
    return session.scalar(_OVERLAPPING, {"tenant_id": tenant_id, "customer_id": customer_id,
                                         "code": code, "start": start, "end": end,
                                         "excluding": excluding, "issued_since": issued_since})
