"""Tenant-scoped reads. Another tenant's object (or, for a channel key, another channel's) is
simply not found: callers get a 404, never a hint that it exists."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from sme_insure.errors import NotFoundError
from sme_insure.storage.schema import Customer, Policy, Quote

T = TypeVar("T", Customer, Quote, Policy)


def scoped(model: type[T], tenant_id: int, channel: str | None) -> Select[tuple[T]]:
    """``SELECT model`` limited to the tenant, and to the channel when one is given."""
    query = select(model).where(model.tenant_id == tenant_id)
    if channel is not None:
        query = query.where(model.channel == channel)
    return query


def get_scoped(session: Session, model: type[T], obj_id: int, tenant_id: int,
               channel: str | None, *, for_update: bool = False) -> T:
    """One object by id within the scope, or :class:`NotFoundError`."""
    query = scoped(model, tenant_id, channel).where(model.id == obj_id)
    if for_update:
        query = query.with_for_update()
    found = session.scalars(query).first()
    if found is None:
        raise NotFoundError(model.__tablename__.rstrip("s"), obj_id)
    return found
