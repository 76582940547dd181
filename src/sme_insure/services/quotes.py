"""Quotes: price, underwrite, store; compare plan options side by side; referral decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sme_insure.catalogue.terms import Text
from sme_insure.errors import InputError, Issue, StateError
from sme_insure.policies.states import Decision, QuoteStatus
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.services.customers import customer_type
from sme_insure.services.pricing import Priced, add_months, price, reasons_json, status_for
from sme_insure.services.schedule_sealing import seal_inputs, unseal_inputs
from sme_insure.storage.repos import get_scoped
from sme_insure.storage.schema import Customer, Policy, Quote, Referral
from sme_insure.underwriting import Reason, eligibility_reasons


def _flags(session: Session, customer: Customer, code: str, start: dt.date, end: dt.date) -> list[Reason]:
    """Referral reasons found outside the risk: identifier checks, declarations, duplicate cover."""
    reasons = [Reason(f.split(":")[0], Decision.REFER, Text(zh="客户资料需人工复核", en=f))
               for f in customer.details.get("flags", [])]
    overlapping = session.scalars(select(Policy.number).where(
        Policy.tenant_id == customer.tenant_id, Policy.customer_id == customer.id,
        Policy.product_code == code, Policy.status == "issued",
        Policy.start_date < end, Policy.end_date > start)).first()
    if overlapping:
        reasons.append(Reason("DUPLICATE_COVER", Decision.REFER, Text(
            zh=f"同一客户已有重叠保单 {overlapping}", en=f"overlaps policy {overlapping} of this customer")))
    return reasons


def create_quote(session: Session, services: Services, actor: Actor, *, product_code: str,
                 customer_id: int, inputs: dict[str, Any], start_date: dt.date,
                 renewal_of: int | None = None) -> Quote:
    """Price and underwrite one risk for a customer; a referral is queued for underwriters."""
    authorize(actor, Action.QUOTE)
    today = services.today()
    if start_date < today:
        raise InputError([Issue("start_date", start_date.isoformat(), f"must be on or after {today}")])
    customer = get_scoped(session, Customer, customer_id, actor.tenant_id, None)
    product = services.catalogue.get(product_code, as_of=start_date)
    end = add_months(start_date, product.policy.term_months)
    extra = eligibility_reasons(product, customer_type(customer), customer.industry)
    extra += _flags(session, customer, product_code, start_date, end)
    priced = price(services.rater, product_code, inputs, as_of=start_date, extra=extra)
    status = status_for(priced.decision.decision)
    if renewal_of is not None and status == QuoteStatus.QUOTED:
        status = QuoteStatus.OFFERED
    quote = Quote(
        tenant_id=actor.tenant_id, customer_id=customer.id, product_code=product.code,
        product_version=product.version, status=status, decision=str(priced.decision.decision),
        reasons=reasons_json(priced.decision), inputs=seal_inputs(services.vault, inputs),
        versions=priced.versions,
        money=priced.money, worksheet=priced.worksheet, premium_fen=priced.premium_fen,
        start_date=start_date, end_date=end,
        valid_until=today + dt.timedelta(days=product.underwriting.quote_valid_days),
        renewal_of=renewal_of, created_by_key=actor.key_id, channel=actor.channel)
    session.add(quote)
    session.flush()
    if status == QuoteStatus.REFERRED:
        session.add(Referral(tenant_id=actor.tenant_id, quote_id=quote.id, status="pending"))
    audit.record(session, actor, "quote.create", "quote", quote.id, {
        "customer_id": customer.id, "product": product.code, "version": product.version, "status": status,
        "decision": quote.decision, "premium_fen": quote.premium_fen, "renewal_of": renewal_of})
    return quote


def compare_quotes(session: Session, services: Services, actor: Actor, *, product_code: str,
                   customer_id: int, inputs: dict[str, Any], options: list[dict[str, Any]],
                   start_date: dt.date) -> list[Quote]:
    """One quote per plan option (each option overrides some inputs), side by side."""
    if not 1 <= len(options) <= 10:
        raise InputError([Issue("options", len(options), "give between 1 and 10 options")])
    return [create_quote(session, services, actor, product_code=product_code,
                         customer_id=customer_id, inputs={**inputs, **option}, start_date=start_date)
            for option in options]


def rerate(services: Services, stored: Quote | Policy) -> Priced:
    """A stored quote or policy re-rated on its recorded product and table versions, its
    schedule unsealed: the premium must come out identical (the record is reproducible)."""
    return price(services.rater, stored.product_code, unseal_inputs(services.vault, stored.inputs),
                 as_of=stored.start_date, product_version=stored.product_version,
                 table_versions=stored.versions["tables"])


def get_quote(session: Session, actor: Actor, quote_id: int) -> Quote:
    """A quote of this tenant (and channel)."""
    authorize(actor, Action.READ_POLICIES)
    return get_scoped(session, Quote, quote_id, actor.tenant_id, actor.channel_scope)


def check_bindable(quote: Quote, today: dt.date, consent: bool) -> None:
    """Refuse, with the reason, a quote that cannot be bound now."""
    status = QuoteStatus(quote.status)
    if status is QuoteStatus.BOUND:
        raise StateError(f"quote {quote.id} is already bound")
    if not status.bindable:
        raise StateError(f"quote {quote.id} is {status}: only an accepted or approved quote binds")
    if quote.valid_until < today:
        raise StateError(f"quote {quote.id} expired on {quote.valid_until}; ask for a new quote")
    if status is QuoteStatus.OFFERED and not consent:
        raise StateError("a renewal is bound only with the customer's consent (consent: true)")
