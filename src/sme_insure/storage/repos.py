"""Tenant-scoped reads. Another tenant's object (or, for a channel key, another channel's) is
simply not found: callers get a 404, never a hint that it exists."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from sqlalchemy import Select, bindparam, select
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
    params = {"obj_id": obj_id, "tenant_id": tenant_id, "channel": channel}
    found = session.scalars(_by_id(model, channel is not None, for_update), params).first()
    if found is None:
        raise NotFoundError(model.__tablename__.rstrip("s"), obj_id)
    return found


@cache
def _by_id(model: type[T], by_channel: bool, for_update: bool) -> Select[tuple[T]]:
    """The statement of :func:`get_scoped`, built once per shape with bound parameters: building
    and keying a statement for each call cost more than running it on SQLite."""
    query = select(model).where(model.tenant_id == bindparam("tenant_id"), model.id == bindparam("obj_id"))
    if by_channel:
        query = query.where(model.channel == bindparam("channel"))
    return query.with_for_update() if for_update else query
