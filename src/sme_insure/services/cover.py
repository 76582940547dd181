"""Duplicate cover: an issued policy of the same customer and product whose period overlaps
another. Quotes are referred for it (see :mod:`.quotes`); binding and reinstatement look again,
since a policy may have been issued in between."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sme_insure.policies.states import PolicyStatus
from sme_insure.storage.schema import Customer, Policy

_LOCK_CUSTOMER = select(Customer.id).where(Customer.id == bindparam("customer_id")).with_for_update()
_OVERLAPPING = select(Policy.number).where(
    Policy.tenant_id == bindparam("tenant_id"), Policy.customer_id == bindparam("customer_id"),
    Policy.product_code == bindparam("code"), Policy.status == PolicyStatus.ISSUED.value,
    Policy.start_date < bindparam("end"), Policy.end_date > bindparam("start"),
    Policy.id != bindparam("excluding")).limit(1)


def overlapping_policy(session: Session, *, tenant_id: int, customer_id: int, code: str,
                       start: dt.date, end: dt.date, excluding: int = 0) -> str | None:
    """The number of an issued policy of the customer for ``code`` overlapping ``[start, end)``
    (other than ``excluding``), or ``None``. The customer's row is locked first, so that two
    writers for one customer take turns (PostgreSQL; SQLite has one writer at a time)."""
    session.execute(_LOCK_CUSTOMER, {"customer_id": customer_id})
    return session.scalar(_OVERLAPPING, {"tenant_id": tenant_id, "customer_id": customer_id,
                                         "code": code, "start": start, "end": end,
                                         "excluding": excluding})
