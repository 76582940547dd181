"""First notice of loss: find the policy, check the cover on the loss date, ask for the
documents once, triage, set the first reserve and, for a clean small claim whose documents are
all in, pay it at once. Also the claim list."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import Coverage
from sme_insure.catalogue.vocabulary import Line
from sme_insure.claims import ledger
from sme_insure.claims.cover import (
    PolicyFacts,
    ScheduleSubject,
    check_in_force,
    check_loss_date,
    check_person_in_force,
    claim_documents,
    find_coverage,
    rated_inputs,
)
from sme_insure.claims.limits import TableLookup, available, coverage_limits
from sme_insure.claims.parties import normalise_account
from sme_insure.claims.triage import TriageFacts, authority_level, red_flags, triage
from sme_insure.claims.vocabulary import ClaimStatus, Route
from sme_insure.customers import validate_resident_id
from sme_insure.errors import InputError, Issue, NotFoundError, StateError
from sme_insure.policies.states import Role
from sme_insure.services import audit
from sme_insure.services.actor import PERMISSIONS, Action, Actor, authorize
from sme_insure.services.claims_ledger import (
    policy_facts,
    record,
    rules,
    scoped_claims,
    table_lookup,
    used_limits,
)
from sme_insure.services.claims_settlement import settle_fast_track
from sme_insure.services.context import Services
from sme_insure.services.schedule_sealing import SealedSubject
from sme_insure.storage.claims_schema import Claim
from sme_insure.storage.schema import Customer, Policy, Quote

GROUP_LINES = {Line.GROUP_ACCIDENT, Line.GROUP_HEALTH, Line.GROUP_TERM_LIFE}
LIABILITY_LINES = {Line.EMPLOYERS_LIABILITY, Line.PUBLIC_LIABILITY, Line.PRODUCT_LIABILITY}


@dataclass(frozen=True)
class ClaimReport:
    """What the insured tells us at first notice of loss."""

    loss_date: dt.date
    place: str
    peril: str
    estimated_fen: int
    description: str
    contact_name: str
    policy_number: str | None = None
    insured_identifier: str | None = None
    coverage: str | None = None
    contact_phone: str | None = None
    bank_account: str | None = None
    insured_person: str | None = None
    injured_person: str | None = None


def _candidates(session: Session, services: Services, actor: Actor, data: ClaimReport) -> list[Policy]:
    query = select(Policy).where(Policy.tenant_id == actor.tenant_id)
    if actor.channel_scope is not None:
        query = query.where(Policy.channel == actor.channel_scope)
    if data.policy_number:
        query = query.where(Policy.number == data.policy_number.strip()).with_for_update()
    if data.insured_identifier:
        key = services.vault.lookup_hash(data.insured_identifier)
        query = query.join(Customer, Customer.id == Policy.customer_id).where(Customer.identifier_hash == key)
    return list(session.scalars(query.order_by(Policy.id.desc()).limit(50)))


def _check_reference(actor: Actor, data: ClaimReport) -> None:
    """A customer names the policy by its number *and* the insured's identifier: a company's
    USCC is public, so the identifier alone would let anyone find (and learn the number and
    limits of) a company's policy. Other roles, scoped to their tenant or channel, give either."""
    if actor.role is Role.CUSTOMER:
        reason = "a customer gives both the policy number and the insured's identifier"
        missing = [Issue(name, None, reason) for name, value in (
            ("policy_number", data.policy_number), ("insured_identifier", data.insured_identifier))
            if not (value or "").strip()]
        if missing:
            raise InputError(missing)
    elif not data.policy_number and not data.insured_identifier:
        raise InputError([Issue("policy_number", None, "give the policy number or the insured's identifier")])


def find_policy(session: Session, services: Services, actor: Actor, data: ClaimReport) -> Policy:
    """The policy named by number or by the insured's identifier (the one covering the loss
    date), locked for update. A customer must give both. Another tenant's or channel's policy
    is not found; several matches are listed only to a role that may read policies."""
    _check_reference(actor, data)
    found = _candidates(session, services, actor, data)
    if not data.policy_number:
        found = [p for p in found if p.start_date <= data.loss_date < p.end_date] or found
    if not found:
        raise NotFoundError("policy", data.policy_number or "for this insured")
    if len(found) > 1:
        listed = actor.role in PERMISSIONS[Action.READ_POLICIES]  # a caller who may see them
        reason = f"give one of {[p.number for p in found]}" if listed else "give the policy number"
        raise InputError([Issue("policy_number", None, f"several policies match; {reason}")])
    if data.policy_number:
        return found[0]
    return session.scalars(select(Policy).where(Policy.id == found[0].id).with_for_update()).one()


def _person(services: Services, product: Product, data: ClaimReport) -> str | None:
    """The person the claim is about, a resident ID that passes its check: the insured person
    of a group line (required), or the injured employee or third party of a liability line
    (optional; claims naming the same person share a per-person limit)."""
    if product.line in GROUP_LINES:
        if not data.insured_person:
            raise InputError([Issue("insured_person", None, "a group-line claim names the insured person")])
        return validate_resident_id(data.insured_person, as_of=services.today(),
                                    field_name="insured_person").number
    if data.injured_person is None:
        return None
    if product.line not in LIABILITY_LINES:
        raise InputError([Issue("injured_person", None, "only a liability claim names an injured person; "
                                f"lines: {sorted(LIABILITY_LINES)}")])
    return validate_resident_id(data.injured_person, as_of=services.today(),
                                field_name="injured_person").number


def _limit_history(facts: PolicyFacts, product: Product, coverage: Coverage,
                   person: ScheduleSubject | None, loss_date: dt.date,
                   lookup: TableLookup) -> tuple[tuple[dt.date, int], ...]:
    """The coverage's first limit after each premium transaction up to the loss (a person not
    yet on the schedule has none)."""
    out = []
    for day, inputs in facts.history:
        if day > loss_date or not coverage.limits:
            continue
        try:
            merged = rated_inputs(product, inputs, person, loss_date)
        except StateError:
            out.append((day, 0))
            continue
        out.append((day, coverage_limits(coverage, merged, lookup)[0].amount_fen))
    return tuple(out)


def _facts(session: Session, services: Services, claim: Claim, policy: Policy, history: tuple,
           available_fen: int | None) -> TriageFacts:
    window = claim.loss_date - dt.timedelta(days=rules(services).triage.repeat_window_days)
    others = session.scalar(select(func.count()).select_from(Claim).where(
        Claim.tenant_id == policy.tenant_id, Claim.customer_id == policy.customer_id,
        Claim.report_date >= window)) or 0
    seen = claim.bank_account_hash is not None and (session.scalar(
        select(func.count()).select_from(Claim).where(
            Claim.tenant_id == policy.tenant_id, Claim.bank_account_hash == claim.bank_account_hash,
            Claim.customer_id != policy.customer_id)) or 0) > 0
    renewal = session.scalar(select(Quote.renewal_of).where(Quote.id == policy.quote_id)) is not None
    return TriageFacts(claim.loss_date, policy.start_date, renewal, history, int(others), seen,
                       claim.estimated_fen, available_fen)


def _waiting_until(services: Services, product: Product, data: ClaimReport) -> dt.date | None:
    terms = rules(services).product(product.code)
    if terms.waiting_days and data.peril in terms.waiting_perils:
        return data.loss_date + dt.timedelta(days=terms.waiting_days)
    return None


def _new_claim(services: Services, actor: Actor, policy: Policy, customer: Customer, product: Product,
               data: ClaimReport, person: str | None) -> Claim:
    vault = services.vault
    account = normalise_account(data.bank_account) if data.bank_account else None
    return Claim(
        tenant_id=actor.tenant_id, number=f"PENDING-{uuid.uuid4().hex[:24]}",
        policy_id=policy.id, customer_id=policy.customer_id, channel=policy.channel,
        product_code=policy.product_code, product_version=policy.product_version, line=policy.line,
        region=customer.province, size_class=customer.size_class, entity_type=customer.entity_type,
        coverage="", peril=data.peril, subject_hash=vault.lookup_hash(person) if person else None,
        subject_enc=vault.encrypt(person) if person else None,
        loss_date=data.loss_date, report_date=services.today(), place=data.place,
        description=data.description, contact_name=data.contact_name,
        contact_phone_enc=vault.encrypt(data.contact_phone) if data.contact_phone else None,
        bank_account_hash=vault.lookup_hash(account) if account else None,
        bank_account_enc=vault.encrypt(account) if account else None,
        estimated_fen=data.estimated_fen, status=ClaimStatus.OPEN, route=Route.HANDLER,
        queue=policy.line, authority_level="standard", triage={}, cover={}, documents_required=[],
        waiting_until=_waiting_until(services, product, data), payments_fen=0, recoveries_fen=0,
        reserve_fen=0, sequence=0, created_by_key=actor.key_id)


def _cover(session: Session, services: Services, claim: Claim, policy: Policy, facts: PolicyFacts,
           product: Product, data: ClaimReport, person: ScheduleSubject | None) -> TriageFacts:
    """Check the peril and coverage on the loss date, ask for the documents, record the cover
    decision and its limits; return what triage needs."""
    inputs = rated_inputs(product, facts.inputs_at(data.loss_date), person, data.loss_date)
    check_person_in_force(facts, product, inputs, data.loss_date)
    coverage = find_coverage(product, inputs, data.peril, data.coverage)
    claim.coverage = coverage.code
    claim.documents_required = [d.code for d in claim_documents(product, coverage.code)]
    claim.docs_complete_on = None if claim.documents_required else services.today()
    lookup = table_lookup(services, policy)
    used = used_limits(session, policy_id=policy.id, coverage=coverage,
                       subject_hash=claim.subject_hash, exclude_claim=None)
    limits = coverage_limits(coverage, inputs, lookup, used)
    claim.cover = {"decision": "covered", "coverage": coverage.code, "perils": coverage.perils,
                   "limits": [{"basis": lim.basis, "amount_fen": lim.amount_fen, "used_fen": lim.used_fen}
                              for lim in limits], "available_fen": available(limits)}
    history = _limit_history(facts, product, coverage, person, data.loss_date, lookup)
    return _facts(session, services, claim, policy, history, available(limits))


def _route(services: Services, claim: Claim, product: Product, facts: TriageFacts) -> None:
    routed = triage(red_flags(facts, rules(services).triage), estimated_fen=claim.estimated_fen,
                    fast_track_limit=product.claims.fast_track_limit,
                    has_bank_account=claim.bank_account_hash is not None,
                    waiting_until=claim.waiting_until if claim.waiting_until and
                    claim.waiting_until > services.today() else None)
    claim.route = routed.route
    claim.authority_level = authority_level(product.claims.handler_authority, claim.estimated_fen)
    claim.triage = {"flags": [{"code": f.code, "detail": f.detail} for f in routed.flags],
                    "reasons": list(routed.reasons)}


def report_claim(session: Session, services: Services, actor: Actor, data: ClaimReport) -> Claim:
    """Record a first notice of loss, or refuse it with nothing recorded."""
    authorize(actor, Action.REPORT_CLAIMS)
    check_loss_date(data.loss_date, services.today())
    policy = find_policy(session, services, actor, data)
    facts = policy_facts(session, policy)
    check_in_force(facts, data.loss_date)
    product = services.catalogue.get(policy.product_code, policy.product_version)
    person = _person(services, product, data)
    claim = _new_claim(services, actor, policy, session.get_one(Customer, policy.customer_id),
                       product, data, person)
    subject = SealedSubject(services.vault, claim.subject_hash) if claim.subject_hash else None
    _route(services, claim, product, _cover(session, services, claim, policy, facts, product, data, subject))
    session.add(claim)
    session.flush()
    claim.number = f"CL{data.loss_date:%Y}{actor.tenant_id:03d}{claim.id:08d}"
    audit.record(session, actor, "claim.report", "claim", claim.id, {
        "number": claim.number, "policy_id": policy.id, "coverage": claim.coverage, "route": claim.route,
        "estimated_fen": claim.estimated_fen})
    record(session, services, actor, claim, ledger.initial_reserve(claim.estimated_fen,
                                                                   claim.cover["available_fen"]),
           reason="first notice of loss: estimate")
    if claim.route == Route.FAST_TRACK and claim.docs_complete_on is not None:
        settle_fast_track(session, services, actor, claim, policy)
    return claim


def list_claims(session: Session, actor: Actor, *, status: str | None = None, queue: str | None = None,
                policy_id: int | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[Claim]]:
    """Claims in the actor's scope, newest first, with filters; and their total count."""
    authorize(actor, Action.READ_CLAIMS)
    query = scoped_claims(actor)
    for column, value in ((Claim.status, status), (Claim.queue, queue), (Claim.policy_id, policy_id)):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return total, list(session.scalars(query.order_by(Claim.id.desc()).limit(limit).offset(offset)))
