"""Tenant-scoped reads. Another tenant's object (or, for a channel key, another channel's) is
simply not found: callers get a 404, never a hint that it exists. A quote or policy is in a
channel's scope when written through it; a customer when linked to it (``customer_channels``:
the channel registered it or presented its identifier), so one customer serves every channel
that knows it."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, exists, select
from sqlalchemy.orm import Session

from sme_insure.errors import NotFoundError
from sme_insure.storage.schema import Customer, CustomerChannel, Policy, Quote

T = TypeVar("T", Customer, Quote, Policy)


def scoped(model: type[T], tenant_id: int, channel: str | None) -> Select[tuple[T]]:
    """``SELECT model`` limited to the tenant, and to the channel when one is given."""
    query = select(model).where(model.tenant_id == tenant_id)
    if channel is not None:
        query = query.where(in_channel(model, channel))
    return query


def in_channel(model: type[T], channel: object) -> ColumnElement[bool]:
    """The condition that puts a row of ``model`` in ``channel``'s scope (a value or a bound
    parameter): a customer linked to the channel, a quote or policy written through it."""
    if model is Customer:
        return exists().where(CustomerChannel.customer_id == Customer.id,
                              CustomerChannel.channel == channel)
    return model.channel == channel


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
        query = query.where(in_channel(model, bindparam("channel")))
    return query.with_for_update() if for_update else query
