"""Quotes: price, underwrite, store; compare plan options side by side; referral decisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from sme_insure.catalogue.terms import Text
from sme_insure.errors import InputError, Issue, NotFoundError, StateError
from sme_insure.policies.states import Decision, QuoteStatus
from sme_insure.policies.term import cover_end
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.services.cover import Overlap, covers, overlap_of, stored_reasons
from sme_insure.services.customers import customer_type
from sme_insure.services.pricing import Priced, price, reasons_json, status_for
from sme_insure.services.products import product_for
from sme_insure.services.schedule_sealing import seal_inputs, unseal_inputs
from sme_insure.storage.repos import get_scoped, in_channel
from sme_insure.storage.schema import Customer, Policy, Quote, Referral, utcnow
from sme_insure.underwriting import Reason, eligibility_reasons
from sme_insure.underwriting.adjustment import UnderwriterAdjustment, adjustment_step


class _Scope(StrEnum):
    """How a quote's customer is found: tenant-wide; linked to the caller's channel; or, for a
    renewal by a channel, as the customer of the renewed policy, which is the channel's own."""

    TENANT = "tenant"
    LINKED = "linked"
    RENEWED_POLICY = "renewed_policy"


@cache
def _customer_and_overlap(scope: _Scope) -> Select[tuple[Customer, int | None]]:
    """Built once per shape: building the statement per quote cost more than running it."""
    query = select(Customer, select(Policy.id).where(
        Policy.tenant_id == Customer.tenant_id, Policy.customer_id == Customer.id,
        Policy.product_code == bindparam("code"), covers(bindparam("start"), bindparam("end")),
    ).limit(1).scalar_subquery()).where(Customer.id == bindparam("customer_id"),
                                        Customer.tenant_id == bindparam("tenant_id"))
    if scope is _Scope.RENEWED_POLICY:
        return query.where(exists().where(
            Policy.id == bindparam("renewal_of"), Policy.customer_id == Customer.id,
            Policy.channel == bindparam("channel")))
    return query.where(in_channel(Customer, bindparam("channel"))) if scope is _Scope.LINKED else query


def _customer(session: Session, actor: Actor, customer_id: int, code: str, start: dt.date,
              end: dt.date, renewal_of: int | None = None) -> tuple[Customer, Overlap | None]:
    """The customer, within the actor's scope as for ``GET /v1/customers/{id}`` (a channel key
    quotes only the customers linked to it: see :mod:`.customers`), and, in the same statement,
    a policy of theirs for this product covering part of ``[start, end)`` (:func:`.cover.covers`):
    duplicate cover. A channel renewing its own policy finds the customer through that policy,
    linked or not (one registered elsewhere before channels were linked, or by a staff key
    carrying a channel name)."""
    channel = actor.channel_scope
    scope = (_Scope.TENANT if channel is None else
             _Scope.LINKED if renewal_of is None else _Scope.RENEWED_POLICY)
    row = session.execute(_customer_and_overlap(scope), {
        "code": code, "start": start, "end": end, "customer_id": customer_id,
        "tenant_id": actor.tenant_id, "channel": channel, "renewal_of": renewal_of}).first()
    if row is None:
        raise NotFoundError("customer", customer_id)
    return row[0], overlap_of(session, row[1])


def _flags(customer: Customer, overlap: Overlap | None) -> list[Reason]:
    """Referral reasons found outside the risk: identifier checks, declarations, duplicate cover."""
    reasons = [Reason(f.split(":")[0], Decision.REFER, Text(zh="客户资料需人工复核", en=f))
               for f in customer.details.get("flags", [])]
    return reasons + ([overlap.reason()] if overlap else [])


def _renewal_reasons(session: Session, renewal_of: int | None) -> list[Reason]:
    """A renewal of a policy an underwriter loaded or discounted is referred: the offer is
    rated without that judgement on last term's risk (it is never inherited silently), and an
    underwriter decides again whether to give it (:mod:`sme_insure.underwriting.adjustment`)."""
    policy = session.get(Policy, renewal_of) if renewal_of is not None else None
    given = UnderwriterAdjustment.from_record(policy.adjustment) if policy is not None else None
    if given is None:
        return []
    shown = f"{given.kind} {given.rate * 100:g} %"
    return [Reason("RENEWAL_OF_ADJUSTED", Decision.REFER, Text(
        zh=f"续保：上期保费经核保人调整（{shown}），需重新核保",
        en=f"renewal of a policy an underwriter adjusted ({shown}): underwrite again"))]


@dataclass(frozen=True)
class QuoteDraft:
    """A risk priced and underwritten for a customer, not yet stored."""

    tenant_id: int
    customer_id: int
    start_date: dt.date
    end_date: dt.date
    inputs: dict[str, Any]
    priced: Priced
    renewal_of: int | None
    overlap: Overlap | None = None


def price_quote(session: Session, services: Services, actor: Actor, *, product_code: str,
                customer_id: int, inputs: dict[str, Any], start_date: dt.date,
                renewal_of: int | None = None) -> QuoteDraft:
    """Price and underwrite one risk for a customer. It only reads, so the API runs it before
    its write transaction: on SQLite the writer lock is then held for the insert alone, and
    server workers rate side by side instead of one after another."""
    authorize(actor, Action.QUOTE)
    today = services.today()
    if start_date < today:
        raise InputError([Issue("start_date", start_date.isoformat(), f"must be on or after {today}")])
    product = product_for(services.catalogue, actor, product_code, as_of=start_date)
    end = cover_end(product, start_date, inputs)
    customer, overlap = _customer(session, actor, customer_id, product_code, start_date, end, renewal_of)
    extra = eligibility_reasons(product, customer_type(customer), customer.industry)
    extra += _flags(customer, overlap)
    extra += _renewal_reasons(session, renewal_of)
    priced = price(services.rater, product_code, inputs, as_of=start_date, extra=extra)
    return QuoteDraft(actor.tenant_id, customer.id, start_date, end, inputs, priced, renewal_of, overlap)


_QUOTES = Quote.__table__
_INSERT_QUOTE = insert(_QUOTES)  # built once: Core, not the ORM's unit of work, on this hot path


def _insert(session: Session, quote: Quote) -> None:
    """Insert a new quote with one Core statement and attach it to the session as stored (the
    ORM's flush of one object cost about twice as much); every column is set beforehand, so
    nothing is left for a refresh to load."""
    values = {c.key: getattr(quote, c.key) for c in _QUOTES.columns if c.key != "id"}
    quote.id = session.execute(_INSERT_QUOTE, values).inserted_primary_key[0]
    make_transient_to_detached(quote)
    session.add(quote)


def store_quote(session: Session, services: Services, actor: Actor, draft: QuoteDraft) -> Quote:
    """Store a priced quote (valid for the product's stated days); a referral is queued for
    underwriters; the audit trail records it."""
    if draft.tenant_id != actor.tenant_id:
        raise StateError("a quote is stored by the tenant that priced it")
    product, status = draft.priced.product, status_for(draft.priced.decision.decision)
    if draft.renewal_of is not None and status == QuoteStatus.QUOTED:
        status = QuoteStatus.OFFERED
    quote = Quote(
        tenant_id=actor.tenant_id, customer_id=draft.customer_id, product_code=product.code,
        product_version=product.version, status=status, decision=str(draft.priced.decision.decision),
        reasons=stored_reasons(reasons_json(draft.priced.decision), draft.overlap),
        inputs=seal_inputs(services.vault, draft.inputs),
        versions=draft.priced.versions, money=draft.priced.money, worksheet=draft.priced.worksheet,
        premium_fen=draft.priced.premium_fen, start_date=draft.start_date, end_date=draft.end_date,
        valid_until=services.today() + dt.timedelta(days=product.underwriting.quote_valid_days),
        renewal_of=draft.renewal_of, created_by_key=actor.key_id, channel=actor.channel,
        created_at=utcnow())
    _insert(session, quote)
    if status == QuoteStatus.REFERRED:
        session.add(Referral(tenant_id=actor.tenant_id, quote_id=quote.id, status="pending"))
    audit.record(session, actor, "quote.create", "quote", quote.id, {
        "customer_id": draft.customer_id, "product": product.code, "version": product.version,
        "status": status, "decision": quote.decision, "premium_fen": quote.premium_fen,
        "renewal_of": draft.renewal_of})
    return quote


def create_quote(session: Session, services: Services, actor: Actor, *, product_code: str,
                 customer_id: int, inputs: dict[str, Any], start_date: dt.date,
                 renewal_of: int | None = None) -> Quote:
    """Price, underwrite and store one risk in the caller's unit of work."""
    draft = price_quote(session, services, actor, product_code=product_code, customer_id=customer_id,
                        inputs=inputs, start_date=start_date, renewal_of=renewal_of)
    return store_quote(session, services, actor, draft)


def price_options(session: Session, services: Services, actor: Actor, *, product_code: str,
                  customer_id: int, inputs: dict[str, Any], options: list[dict[str, Any]],
                  start_date: dt.date) -> list[QuoteDraft]:
    """The plan options priced (each option overrides some inputs); nothing is stored."""
    if not 1 <= len(options) <= 10:
        raise InputError([Issue("options", len(options), "give between 1 and 10 options")])
    return [price_quote(session, services, actor, product_code=product_code, customer_id=customer_id,
                        inputs={**inputs, **option}, start_date=start_date) for option in options]


def rerate(services: Services, stored: Quote | Policy) -> Priced:
    """A stored quote or policy re-rated on its recorded product and table versions and its
    underwriter's adjustment, its schedule unsealed: the premium must come out identical (the
    record is reproducible)."""
    return price(services.rater, stored.product_code, unseal_inputs(services.vault, stored.inputs),
                 as_of=stored.start_date, product_version=stored.product_version,
                 table_versions=stored.versions["tables"], adjustment=adjustment_step(stored.adjustment))


def get_quote(session: Session, actor: Actor, quote_id: int) -> Quote:
    """A quote of this tenant (and channel)."""
    authorize(actor, Action.READ_POLICIES)
    return get_scoped(session, Quote, quote_id, actor.tenant_id, actor.channel_scope)


def check_bindable(quote: Quote, today: dt.date, consent: bool) -> None:
    """Refuse, with the reason, a quote that cannot be bound now. A renewal (``renewal_of`` set)
    needs the customer's consent in every bindable state: an offer referred and approved by an
    underwriter is still an offer to the customer, never renewed without their word."""
    status = QuoteStatus(quote.status)
    if status is QuoteStatus.BOUND:
        raise StateError(f"quote {quote.id} is already bound")
    if not status.bindable:
        raise StateError(f"quote {quote.id} is {status}: only an accepted or approved quote binds")
    if quote.valid_until < today:
        raise StateError(f"quote {quote.id} expired on {quote.valid_until}; ask for a new quote")
    if quote.renewal_of is not None and not consent:
        raise InputError([Issue("consent", consent, (
            f"quote {quote.id} renews policy {quote.renewal_of}: a renewal is bound only with the "
            "customer's consent (send consent: true), whether offered or approved after referral"))],
            context="renewal without consent")
