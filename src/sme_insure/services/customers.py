"""Registering customers: validate identifiers, derive what can be derived, classify size.

One customer per identifier per tenant, across products and channels: registering a known
identifier returns the existing customer (``created: false``), so there are no duplicates and
duplicate cover is seen whichever channel sold the policies. A channel that presents a
customer's identifier shows it knows the business, and is linked to the customer
(``customer_channels``): it may then read the customer and quote for it (``storage.repos``), as
the channel that registered it may. Nothing is refused because another channel, or the
insurer's staff, registered the identifier first.

What a channel is shown of a customer it did not register is never what another channel stored:
the stored name and phone are shown only to the registering channel and to tenant-wide roles
(:func:`shows_record`). Registering, such a channel is shown what it sent and what that derives
(:func:`derive`: entity type and province from the identifier, size class and flags from its
own figures); reading, the record's non-personal fields, on which its quotes are rated (kind,
entity type, province, size class, industry, flags), with the name and phone withheld. A channel
that never presented the identifier does not find the customer at all (404).

A resident ID with a wrong check character is an input error; a USCC whose check fails is
accepted but flagged, so its quotes are referred.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sme_insure.customers import (
    AmountUnit,
    Declaration,
    EntityType,
    check_declaration,
    classify_size,
    industry_group_for,
    validate_resident_id,
    validate_uscc,
)
from sme_insure.errors import InputError, Issue
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.storage.schema import Customer, CustomerChannel


@dataclass(frozen=True)
class CustomerData:
    """What a channel sends: the identifier and name, and optional figures for the size class."""

    kind: str
    identifier: str
    name: str
    phone: str | None = None
    industry: str | None = None
    employees: int | None = None
    revenue_cny: float | None = None
    assets_cny: float | None = None
    declared_size_class: str | None = None


def _person(data: CustomerData) -> dict[str, Any]:
    rid = validate_resident_id(data.identifier, field_name="identifier")
    return {"entity_type": EntityType.NATURAL_PERSON, "province": rid.province_code,
            "check_ok": True, "details": {"birth_date": rid.birth_date.isoformat(),
                                          "sex": str(rid.sex)}}


def _organisation(data: CustomerData) -> dict[str, Any]:
    result = validate_uscc(data.identifier, field_name="identifier")
    entity = result.entity_kind.entity_type()
    if entity is None:
        raise InputError([Issue("identifier", data.identifier,
                                "registration authority/entity type is not one we insure "
                                "(91 enterprise, 92 individual business, 93 cooperative)")])
    if data.kind != entity:
        raise InputError([Issue("kind", data.kind, f"the USCC says {entity} (position 2 of the code)")])
    flags = [f"USCC_CHECK:{r.reason}" for r in result.reasons]
    out: dict[str, Any] = {"entity_type": entity, "province": result.province_code,
                           "check_ok": result.check_ok, "details": {"flags": flags}}
    if entity is EntityType.ENTERPRISE and data.industry:
        out |= _size(data, out["details"])
    return out


def _size(data: CustomerData, details: dict[str, Any]) -> dict[str, Any]:
    group = industry_group_for(data.industry)  # type: ignore[arg-type]
    figures = {"employees": data.employees, "revenue": data.revenue_cny, "assets": data.assets_cny}
    size = classify_size(group, unit=AmountUnit.CNY, **figures)  # type: ignore[arg-type]
    report = check_declaration(Declaration(
        entity_type=EntityType.ENTERPRISE, industry_group=group, unit=AmountUnit.CNY,
        size_class=data.declared_size_class, industry_code=data.industry, **figures))  # type: ignore[arg-type]
    details["flags"] += [f"CONSISTENCY:{r}" for r in report.reasons]
    details["industry_group"] = str(group)
    return {"size_class": str(size)}


def derive(data: CustomerData) -> dict[str, Any]:
    """What ``data`` says once validated: entity type, province, check flag and details (flags,
    industry group), and the size class of an enterprise that sent its industry."""
    kinds = [str(e) for e in EntityType]
    if data.kind not in kinds:
        raise InputError([Issue("kind", data.kind, f"allowed: {kinds}")])
    return _person(data) if data.kind == EntityType.NATURAL_PERSON else _organisation(data)


def shows_record(actor: Actor, customer: Customer) -> bool:
    """Whether ``actor`` is shown the customer's stored name and phone: tenant-wide roles and
    the channel that registered the customer (another linked channel is not; module docstring)."""
    return actor.channel_scope in (None, customer.channel)


_LINKED = select(CustomerChannel.customer_id).where(
    CustomerChannel.customer_id == bindparam("customer_id"), CustomerChannel.channel == bindparam("channel"))


def link(session: Session, actor: Actor, customer: Customer, channel: str) -> None:
    """Link ``channel`` to the customer, once (of two concurrent links, one is kept); audited,
    since it lets the channel read and quote the customer."""
    if session.scalar(_LINKED, {"customer_id": customer.id, "channel": channel}) is not None:
        return
    try:
        with session.begin_nested():
            session.add(CustomerChannel(customer_id=customer.id, channel=channel,
                                        tenant_id=customer.tenant_id))
    except IntegrityError:
        return
    audit.record(session, actor, "customer.link_channel", "customer", customer.id, {"channel": channel})


def _known(session: Session, actor: Actor, found: Customer, data: CustomerData) -> Customer:
    """An already registered customer, linked to the actor's channel. A channel that did not
    register it is shown what it sent (see the module docstring): that is validated as a new
    registration would be."""
    if not shows_record(actor, found):
        derive(data)
    if actor.channel is not None:
        link(session, actor, found, actor.channel)
    return found


_BY_IDENTIFIER = select(Customer).where(Customer.tenant_id == bindparam("tenant_id"),
                                        Customer.identifier_hash == bindparam("key"))


def register_customer(session: Session, services: Services, actor: Actor,
                      data: CustomerData) -> tuple[Customer, bool]:
    """The customer for ``data.identifier`` (created if new) and whether it was created; of two
    concurrent registrations of one identifier, one creates it and the other finds it. Either
    way the actor's channel is linked to the customer (see the module docstring)."""
    authorize(actor, Action.MANAGE_CUSTOMERS)
    ident = "".join(data.identifier.split()).upper()
    key = services.vault.lookup_hash(ident)
    found = session.scalars(_BY_IDENTIFIER, {"tenant_id": actor.tenant_id, "key": key}).first()
    if found is not None:
        return _known(session, actor, found, data), False
    derived = derive(data)
    customer = Customer(
        tenant_id=actor.tenant_id, kind=str(derived["entity_type"]), identifier_hash=key,
        identifier_enc=services.vault.encrypt(ident), identifier_check_ok=derived["check_ok"],
        name=data.name, phone_enc=services.vault.encrypt(data.phone) if data.phone else None,
        province=derived["province"], entity_type=str(derived["entity_type"]),
        size_class=derived.get("size_class"), industry=data.industry,
        details=derived["details"], created_by_key=actor.key_id, channel=actor.channel)
    try:
        with session.begin_nested():  # a concurrent registration of the same identifier may
            session.add(customer)      # win the race (PostgreSQL): then it is the one found
            session.flush()
    except IntegrityError:
        found = session.scalars(_BY_IDENTIFIER, {"tenant_id": actor.tenant_id, "key": key}).first()
        if found is None:
            raise
        return _known(session, actor, found, data), False
    if customer.channel is not None:
        session.add(CustomerChannel(customer_id=customer.id, channel=customer.channel,
                                    tenant_id=customer.tenant_id))
    audit.record(session, actor, "customer.register", "customer", customer.id, {
        "entity_type": customer.entity_type, "size_class": customer.size_class,
        "identifier_check_ok": customer.identifier_check_ok})  # ids and flags, no personal data
    return customer, True


def customer_type(customer: Customer) -> str:
    """The product-eligibility customer type of a stored customer."""
    if customer.entity_type == EntityType.INDIVIDUAL_BUSINESS:
        return "individual_business"
    if customer.entity_type == EntityType.NATURAL_PERSON:
        return "flexible_worker"
    return f"{customer.size_class or 'micro'}_enterprise"
