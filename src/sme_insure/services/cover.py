"""Duplicate cover: a policy of the same customer and product that covers part of the same
period. Quotes are referred for it (see :mod:`.quotes`); binding and reinstatement look again,
since a policy may have been issued in between.

A policy covers ``[start_date, cancelled_on or end_date)``: a policy cancelled with a future
date still covers until then; a flat cancellation (on its start date) never covered at all.

The overlapping policy is named only to callers who may see it (:meth:`.Actor.sees_business_of`):
another channel's policy, or any policy to a visitor of the public pages, is "an existing
policy". The decision (referral at quote, refusal at bind) is the same for everyone; the stored
reason keeps the number, with the policy's channel, so underwriters still see which one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, func, select
from sqlalchemy.orm import Session

from sme_insure.catalogue.terms import Text
from sme_insure.policies.states import Decision, PolicyStatus
from sme_insure.services.actor import Actor
from sme_insure.storage.schema import Customer, Policy
from sme_insure.underwriting import Reason

EVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DUPLICATE_COVER = "DUPLICATE_COVER"
WITHHELD = {"zh": "同一客户已有重叠保单", "en": "overlaps an existing policy of this customer"}


@dataclass(frozen=True)
class Overlap:
    """A policy of the customer covering part of the period, and the channel that wrote it."""

    number: str
    channel: str | None

    def named_for(self, actor: Actor) -> str:
        """``policy <number>`` if the actor may see the policy, else ``another policy``."""
        return f"policy {self.number}" if actor.sees_business_of(self.channel) else "another policy"

    def reason(self) -> Reason:
        """The referral reason; it names the policy (see :func:`shown_reasons`)."""
        return Reason(DUPLICATE_COVER, Decision.REFER, Text(
            zh=f"同一客户已有重叠保单 {self.number}", en=f"overlaps policy {self.number} of this customer"))


def stored_reasons(reasons: list[dict[str, str]], overlap: Overlap | None) -> list[dict[str, Any]]:
    """Reasons as stored: the duplicate-cover reason also records the overlapping policy's channel."""
    if overlap is None:
        return reasons
    return [{**r, "policy_channel": overlap.channel} if r["code"] == DUPLICATE_COVER else r
            for r in reasons]


def shown_reasons(reasons: list[dict[str, Any]], actor: Actor) -> list[dict[str, Any]]:
    """Stored reasons as ``actor`` may see them: a duplicate-cover reason naming a policy the
    actor may not see says "an existing policy" instead (so does one stored before the policy's
    channel was recorded, unless the actor sees every channel)."""
    return [{**r, **WITHHELD} if r.get("code") == DUPLICATE_COVER
            and not actor.sees_business_of(r.get("policy_channel")) else r for r in reasons]


def covers(start: BindParameter[dt.date], end: BindParameter[dt.date]) -> ColumnElement[bool]:
    """The policy's cover overlaps ``[start, end)``."""
    until = func.coalesce(Policy.cancelled_on, Policy.end_date)
    return and_(Policy.status.in_([PolicyStatus.ISSUED.value, PolicyStatus.CANCELLED.value]),
                Policy.start_date < end, until > start, until > Policy.start_date)


_LOCK_CUSTOMER = select(Customer.id).where(Customer.id == bindparam("customer_id")).with_for_update()
_OVERLAPPING = select(Policy.number, Policy.channel).where(
    Policy.tenant_id == bindparam("tenant_id"), Policy.customer_id == bindparam("customer_id"),
    Policy.product_code == bindparam("code"), covers(bindparam("start"), bindparam("end")),
    Policy.id != bindparam("excluding"), Policy.issued_at >= bindparam("issued_since")).limit(1)


def overlapping_policy(session: Session, *, tenant_id: int, customer_id: int, code: str,
                       start: dt.date, end: dt.date, excluding: int = 0,
                       issued_since: dt.datetime = EVER) -> Overlap | None:
    """A policy of the customer for ``code`` covering part of ``[start, end)``
    (other than ``excluding``; issued at or after ``issued_since``), or ``None``. The
    customer's row is locked first, so that two writers for one customer take turns
    (PostgreSQL; SQLite has one writer at a time)."""
    session.execute(_LOCK_CUSTOMER, {"customer_id": customer_id})
    row = session.execute(_OVERLAPPING, {"tenant_id": tenant_id, "customer_id": customer_id,
                                         "code": code, "start": start, "end": end,
                                         "excluding": excluding, "issued_since": issued_since}).first()
    return None if row is None else Overlap(row.number, row.channel)


_OVERLAP_BY_ID = select(Policy.number, Policy.channel).where(Policy.id == bindparam("policy_id"))


def overlap_of(session: Session, policy_id: int | None) -> Overlap | None:
    """The :class:`Overlap` of a policy found overlapping by id (``None`` for none)."""
    if policy_id is None:
        return None
    row = session.execute(_OVERLAP_BY_ID, {"policy_id": policy_id}).one()
    return Overlap(row.number, row.channel)
