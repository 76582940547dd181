"""A person's requests about their data (PIPL arts. 45 and 47): export everything held on them,
decrypted; and erase what the law does not require an insurer to keep.

Erased: the contact phone (on the customer and on claims); on schedules no longer in force
(expired or cancelled policies, their quotes and premium-transaction snapshots, lapsed quotes)
the person's name, and their ID number replaced by a tombstone; the uploaded documents of
closed claims once the retention period of the claims rules has passed; the identifier of the
customer and of the insured person on claims, replaced by the tombstone; the responses stored
for ``Idempotency-Key`` retries that hold any of the values erased (``services.privacy_replays``:
deleted, so a retry runs afresh on what is kept). A document's file is deleted once the erasure
has committed, if no other claim's row holds the same content (``documents_store``): a failed
erasure leaves every file, and a repeated request deletes what an interrupted one left.

Kept (Insurance Law art. 87): policies, premium and claim transactions, amounts, dates, and the
schedules of policies still in force. While one of the person's own policies is in force or a
claim of theirs is open the request is refused: the data is needed to perform the contract.

The tombstone is a hash of the keyed lookup hash, so a later request with the same identifier
still finds the erased records, and the database alone reveals nothing. Schedules are sealed at
rest (``services.schedule_sealing``): a person's rows are found by lookup hash and only theirs
are decrypted for the export; an erased row keeps the tombstone as its hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sme_insure.claims.vocabulary import ClaimStatus
from sme_insure.customers.resident_id import normalise_resident_id
from sme_insure.errors import StateError
from sme_insure.policies.states import PolicyStatus, QuoteStatus
from sme_insure.privacy import ERASED_ID_PREFIX, Vault
from sme_insure.services import audit
from sme_insure.services.claims import GROUP_LINES
from sme_insure.services.claims_ledger import rules
from sme_insure.services.context import Services
from sme_insure.services.documents_store import delete_unreferenced, documents_store
from sme_insure.services.keys import tenant_of
from sme_insure.services.privacy_replays import forget_replays
from sme_insure.services.schedule_sealing import (
    ID,
    ID_HASH,
    NAME,
    PERSONS,
    SEALED_KEYS,
    person_key,
    seal_person,
    unseal_inputs,
    unseal_person,
)
from sme_insure.storage.claims_schema import Claim, ClaimDocument, ClaimTransaction
from sme_insure.storage.database import after_commit
from sme_insure.storage.schema import Customer, Policy, PremiumTransaction, Quote

ERASED = "[erased]"


@dataclass
class Person:
    """Everything held on one identifier in one tenant."""

    vault: Vault
    tenant_id: int
    identifier: str
    lookup: str
    tombstone: str
    customer: Customer | None
    quotes: list[Quote] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    schedules: list[Quote | Policy] = field(default_factory=list)

    @property
    def marker(self) -> str:
        """What replaces the identifier wherever it was written."""
        return f"{ERASED_ID_PREFIX}{self.tombstone}"

    def on_schedule(self, entry: dict[str, Any]) -> bool:
        """Whether a schedule row is this person's (before or after erasure; sealed or, written
        before sealing, clear), by lookup hash: nothing is decrypted."""
        return entry.get(ID) == self.marker or person_key(self.vault, entry) in (self.lookup, self.tombstone)


def tombstone(lookup_hash: str) -> str:
    """The stand-in for an erased identifier."""
    return hashlib.sha256(f"tombstone|{lookup_hash}".encode()).hexdigest()


def find_person(session: Session, services: Services, *, tenant: str, identifier: str) -> Person:
    """Customer, quotes, policies, claims and schedule rows of ``identifier`` in ``tenant``."""
    tenant_id = tenant_of(session, tenant).id
    norm = normalise_resident_id("".join(identifier.split()))
    lookup = services.vault.lookup_hash(norm)
    keys = (lookup, tombstone(lookup))
    customer = session.scalars(select(Customer).where(Customer.tenant_id == tenant_id,
                                                      Customer.identifier_hash.in_(keys))).first()
    person = Person(services.vault, tenant_id, norm, lookup, keys[1], customer)
    if customer is not None:
        person.quotes = list(session.scalars(select(Quote).where(Quote.customer_id == customer.id)
                                             .order_by(Quote.id)))
        person.policies = list(session.scalars(select(Policy).where(Policy.customer_id == customer.id)
                                               .order_by(Policy.id)))
    mine = [Claim.subject_hash.in_(keys)] + ([Claim.customer_id == customer.id] if customer else [])
    person.claims = list(session.scalars(select(Claim).where(Claim.tenant_id == tenant_id, or_(*mine))
                                         .order_by(Claim.id)))
    person.schedules = _schedules(session, services, person)
    return person


def _schedules(session: Session, services: Services, person: Person) -> list[Quote | Policy]:
    codes = sorted({p.code for p in services.catalogue.products if p.line in GROUP_LINES})
    found: list[Quote | Policy] = []
    for model in (Quote, Policy):
        rows = session.scalars(select(model).where(model.tenant_id == person.tenant_id,
                                                   model.product_code.in_(codes)).order_by(model.id))
        found += [r for r in rows if any(person.on_schedule(e) for e in r.inputs.get(PERSONS) or [])]
    return found


def _in_force(policy: Policy, today: dt.date) -> bool:
    return policy.status == PolicyStatus.ISSUED and today < policy.end_date


def _quote_live(session: Session, quote: Quote, today: dt.date) -> bool:
    if quote.status == QuoteStatus.BOUND:
        policy = session.scalars(select(Policy).where(Policy.quote_id == quote.id)).one()
        return _in_force(policy, today)
    return quote.status != QuoteStatus.DECLINED and today <= quote.valid_until


# ----- export ---------------------------------------------------------------------------------

def _open(services: Services, token: str | None) -> str | None:
    return services.vault.decrypt(token) if token else None


def _customer(services: Services, c: Customer) -> dict[str, Any]:
    return {"id": c.id, "kind": c.kind, "identifier": _open(services, c.identifier_enc), "name": c.name,
            "phone": _open(services, c.phone_enc), "province": c.province, "entity_type": c.entity_type,
            "size_class": c.size_class, "industry": c.industry, "details": c.details,
            "channel": c.channel, "created_at": c.created_at}


def _quote(services: Services, q: Quote) -> dict[str, Any]:
    return {"id": q.id, "product": q.product_code, "version": q.product_version, "status": q.status,
            "decision": q.decision, "inputs": unseal_inputs(services.vault, q.inputs),
            "premium_fen": q.premium_fen,
            "start_date": q.start_date, "end_date": q.end_date, "valid_until": q.valid_until,
            "created_at": q.created_at}


def _policy(session: Session, services: Services, p: Policy) -> dict[str, Any]:
    rows = session.scalars(select(PremiumTransaction).where(PremiumTransaction.policy_id == p.id)
                           .order_by(PremiumTransaction.sequence))
    return {"id": p.id, "number": p.number, "product": p.product_code, "status": p.status,
            "start_date": p.start_date, "end_date": p.end_date, "cancelled_on": p.cancelled_on,
            "inputs": unseal_inputs(services.vault, p.inputs), "annual_premium_fen": p.annual_premium_fen,
            "transactions": [{"sequence": t.sequence, "kind": t.kind, "effective_date": t.effective_date,
                              "premium_fen": t.premium_fen, "vat_fen": t.vat_fen, "reason": t.reason}
                             for t in rows]}


def _claim(session: Session, services: Services, c: Claim) -> dict[str, Any]:
    rows = session.scalars(select(ClaimTransaction).where(ClaimTransaction.claim_id == c.id)
                           .order_by(ClaimTransaction.sequence))
    docs = session.scalars(select(ClaimDocument).where(ClaimDocument.claim_id == c.id).order_by(ClaimDocument.id))
    return {"id": c.id, "number": c.number, "policy_id": c.policy_id, "status": c.status,
            "loss_date": c.loss_date, "report_date": c.report_date, "closed_on": c.closed_on,
            "place": c.place, "peril": c.peril, "coverage": c.coverage, "description": c.description,
            "contact_name": c.contact_name, "contact_phone": _open(services, c.contact_phone_enc),
            "bank_account": _open(services, c.bank_account_enc),
            "insured_person": _open(services, c.subject_enc), "payments_fen": c.payments_fen,
            "recoveries_fen": c.recoveries_fen, "reserve_fen": c.reserve_fen,
            "transactions": [{"sequence": t.sequence, "kind": t.kind, "date": t.transaction_date,
                              "paid_fen": t.paid_fen, "reserve_change_fen": t.case_reserve_change_fen,
                              "reason": t.reason} for t in rows],
            "documents": [{"id": d.id, "doc_type": d.doc_type, "filename": d.filename,
                           "size_bytes": d.size_bytes, "sha256": d.sha256, "uploaded_at": d.created_at,
                           "erased": d.storage_key == ERASED} for d in docs]}


def _schedule_rows(person: Person, obj: Quote | Policy) -> dict[str, Any]:
    where = {"policy": obj.number} if isinstance(obj, Policy) else {"quote": obj.id}
    return {**where, "product": obj.product_code, "status": obj.status,
            "entries": [unseal_person(person.vault, e) for e in obj.inputs.get(PERSONS) or []
                        if person.on_schedule(e)]}


def export_person(session: Session, services: Services, *, tenant: str, identifier: str) -> dict[str, Any]:
    """Everything held on the person, decrypted (the export itself is recorded in the audit)."""
    person = find_person(session, services, tenant=tenant, identifier=identifier)
    out = {"identifier": person.identifier, "tenant": tenant, "exported_on": services.today(),
           "customer": _customer(services, person.customer) if person.customer else None,
           "quotes": [_quote(services, q) for q in person.quotes],
           "policies": [_policy(session, services, p) for p in person.policies],
           "claims": [_claim(session, services, c) for c in person.claims],
           "schedules": [_schedule_rows(person, o) for o in person.schedules]}
    audit.record(session, None, "person.export", "person", person.tombstone,
                 {"customer_id": person.customer.id if person.customer else None,
                  "claims": len(person.claims), "schedules": len(person.schedules)},
                 "data subject access request", tenant_id=person.tenant_id)
    return out


# ----- erasure --------------------------------------------------------------------------------

def _refuse_while_performing(person: Person, today: dt.date) -> None:
    live = [p.number for p in person.policies if _in_force(p, today)]
    open_ = [c.number for c in person.claims if c.status == ClaimStatus.OPEN]
    if live or open_:
        raise StateError(f"the contract is still being performed (policies in force {live}, open claims "
                         f"{open_}); erase once they have ended")


def _scrub(person: Person, inputs: dict[str, Any], values: set[str]) -> dict[str, Any]:
    """The person's rows erased: the tombstone for the ID (and its hash), no ciphertext left;
    other rows are sealed as they are (a schedule written before sealing is sealed now). The
    clear ID numbers and names erased are added to ``values``."""
    for entry in inputs.get(PERSONS) or []:
        if person.on_schedule(entry):
            clear = unseal_person(person.vault, entry)
            values.update(str(clear[k]) for k in (ID, NAME) if clear.get(k) not in (None, "", ERASED, person.marker))
    erased = {ID: person.marker, ID_HASH: person.tombstone, NAME: ERASED}
    rows = [{**{k: v for k, v in e.items() if k not in SEALED_KEYS}, **erased} if person.on_schedule(e)
            else seal_person(person.vault, e) for e in inputs.get(PERSONS) or []]
    return {**inputs, PERSONS: rows}


def _erase_schedules(session: Session, person: Person, today: dt.date, report: dict[str, Any],
                     values: set[str]) -> None:
    for obj in person.schedules:
        live = _in_force(obj, today) if isinstance(obj, Policy) else _quote_live(session, obj, today)
        label = f"policy {obj.number}" if isinstance(obj, Policy) else f"quote {obj.id}"
        if live:
            report["kept"].append(f"{label}: on a schedule in force")
            continue
        obj.inputs = _scrub(person, obj.inputs, values)
        if isinstance(obj, Policy):
            for row in session.scalars(select(PremiumTransaction).where(PremiumTransaction.policy_id == obj.id)):
                row.inputs_after = _scrub(person, row.inputs_after, values)
        report["schedules_erased"] += 1


def _erase_documents(session: Session, services: Services, person: Person, today: dt.date,
                     report: dict[str, Any]) -> set[str]:
    """Erase the rows of the documents due; returns the content hashes (the keys of the
    content-addressed store) whose files go once the erasure has committed: those of the rows
    erased now, and of rows an earlier request erased (in case it was interrupted before)."""
    days = rules(services).retention.closed_claim_documents_days
    files: set[str] = set()
    for claim in person.claims:
        docs = list(session.scalars(select(ClaimDocument).where(ClaimDocument.claim_id == claim.id)))
        live = [d for d in docs if d.storage_key != ERASED]
        files.update(d.sha256 for d in docs if d.storage_key == ERASED)
        due = claim.closed_on + dt.timedelta(days=days) if claim.closed_on else None
        if live and (due is None or today < due):
            report["kept"].append(f"claim {claim.number}: {len(live)} documents kept until {due or 'closed'}")
            continue
        for doc in live:
            files.add(doc.storage_key)
            doc.storage_key, doc.filename = ERASED, ERASED
            report["documents_erased"] += 1
    return files


def _erased_contacts(services: Services, person: Person) -> set[str]:
    """The identifier, phones and insured-person IDs about to be erased, in clear as stored."""
    held = [person.customer.identifier_enc, person.customer.phone_enc] if person.customer else []
    for claim in person.claims:
        held.append(claim.contact_phone_enc)
        held += [claim.subject_enc] if claim.subject_hash == person.lookup else []
    values = {services.vault.decrypt(token) for token in held if token}
    return {person.identifier} | values - {person.marker}


def erase_person(session: Session, services: Services, *, tenant: str, identifier: str,
                 reason: str) -> dict[str, Any]:
    """Erase what need not be kept (see the module docstring); returns what was erased and
    what was kept, and why."""
    person = find_person(session, services, tenant=tenant, identifier=identifier)
    today = services.today()
    _refuse_while_performing(person, today)
    report: dict[str, Any] = {"tombstone": person.tombstone, "phones_erased": 0, "schedules_erased": 0,
                              "documents_erased": 0, "identifiers_replaced": 0, "kept": [
                                  "policies, premium and claim transactions (Insurance Law art. 87)"]}
    values = _erased_contacts(services, person)
    sealed = services.vault.encrypt(person.marker)
    if (c := person.customer) is not None:
        report["phones_erased"] += c.phone_enc is not None
        report["identifiers_replaced"] += c.identifier_hash != person.tombstone
        c.phone_enc, c.identifier_hash, c.identifier_enc = None, person.tombstone, sealed
    for claim in person.claims:
        report["phones_erased"] += claim.contact_phone_enc is not None
        claim.contact_phone_enc = None
        if claim.subject_hash == person.lookup:
            claim.subject_hash, claim.subject_enc = person.tombstone, sealed
            report["identifiers_replaced"] += 1
    _erase_schedules(session, person, today, report, values)
    files = _erase_documents(session, services, person, today, report)
    report["stored_responses_deleted"] = forget_replays(session, services.vault, tenant_id=person.tenant_id,
                                                        values=values)
    if files:
        store = documents_store(services)
        after_commit(session, lambda: delete_unreferenced(services.db, store, files))
    audit.record(session, None, "person.erase", "person", person.tombstone,
                 {k: v for k, v in report.items() if k != "tombstone"}, reason, tenant_id=person.tenant_id)
    return report
