"""Claims: report (first notice of loss), documents, status, reserve, assess, pay, recover,
refuse, close, reopen, transactions and the statutory deadline list. Writes take an
``Idempotency-Key``; each runs in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from sme_insure.claims.assessment import Loss
from sme_insure.claims.cover import claim_documents, outstanding
from sme_insure.claims.parties import mask_account
from sme_insure.customers import mask_id_number, mask_mobile, mask_text
from sme_insure.http.claims_schemas import (
    AssessIn,
    BalancesOut,
    ClaimIn,
    ClaimOut,
    ClaimPage,
    ClaimTransactionOut,
    CloseIn,
    DeadlineOut,
    DocumentNeed,
    DocumentOut,
    DocumentsOut,
    FlagOut,
    PaymentIn,
    RecoveryIn,
    RefusalIn,
    ReopenIn,
    ReserveIn,
    TimerOut,
    UploadOut,
)
from sme_insure.http.deps import ActorDep, IdempotencyKey, ObjectId, ServicesDep
from sme_insure.services import audit, claims, claims_documents, claims_reporting, claims_settlement
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.claims_ledger import balances, get_claim, product_of, received, rules
from sme_insure.services.context import Services
from sme_insure.services.idempotency import request_hash, run_idempotent
from sme_insure.storage.claims_schema import Claim, ClaimDocument
from sme_insure.storage.schema import Policy

router = APIRouter(prefix="/v1", tags=["claims"])


def _personal(actor: Actor, services: Services, token: str | None, mask: Callable[[str], str]) -> str | None:
    if token is None:
        return None
    text = services.vault.decrypt(token)
    return text if actor.role.sees_personal_data else mask(text)


INSURED, INJURED = "insured_person", "injured_person"


def _subject_field(claim: Claim) -> str:
    """Whom the claim's subject is: the insured person of a group line, else the injured person."""
    return INSURED if claim.line in claims.GROUP_LINES else INJURED


def document_out(d: ClaimDocument) -> DocumentOut:
    """An uploaded file's record."""
    return DocumentOut(id=d.id, doc_type=d.doc_type, filename=d.filename, content_type=d.content_type,
                       size_bytes=d.size_bytes, sha256=d.sha256,
                       uploaded_at=d.created_at if d.created_at.tzinfo else d.created_at.replace(tzinfo=dt.UTC))


def documents_out(session: Session, services: Services, claim: Claim,
                  files: list[ClaimDocument] | None = None) -> DocumentsOut:
    """What the claim needs, what is received and what is outstanding."""
    have = received(session, claim)
    names = {d.code: d.name for d in claim_documents(product_of(services, claim), claim.coverage)}
    required = [DocumentNeed(code=c, name=names[c].model_dump() if c in names else {"zh": c, "en": c},
                             received=c in have) for c in claim.documents_required]
    return DocumentsOut(required=required, outstanding=outstanding(claim.documents_required, have),
                        complete_on=claim.docs_complete_on, files=[document_out(f) for f in files or []])


def claim_out(session: Session, services: Services, actor: Actor, c: Claim,
              page: dict[int, list[str]] | None = None) -> ClaimOut:
    """A claim's state, personal data masked for roles that don't need it; what a staff role
    sees unmasked is recorded (or added to the ``page`` the caller records once)."""
    b = balances(c)
    subject = _subject_field(c)
    person = _personal(actor, services, c.subject_enc, mask_id_number)
    if actor.role.sees_personal_data:
        shown = zip(("contact_phone", "bank_account", subject),
                    (c.contact_phone_enc, c.bank_account_enc, c.subject_enc), strict=True)
        fields = ["description"] + [f for f, v in shown if v]
        if page is None:
            audit.record_read(session, actor, "claim", {c.id: fields})
        else:
            page[c.id] = fields
    timers = [TimerOut(name=t.name, started=t.started, due=t.due, stopped=t.stopped, state=s)
              for t, s in claims_reporting.claim_timers(services, c)]
    return ClaimOut(
        id=c.id, number=c.number, policy_id=c.policy_id, policy_number=session.get_one(Policy, c.policy_id).number,
        product=c.product_code, line=c.line, coverage=c.coverage, peril=c.peril, loss_date=c.loss_date,
        report_date=c.report_date, place=c.place,
        description=c.description if actor.role.sees_personal_data else mask_text(c.description),
        contact_name=c.contact_name, contact_phone=_personal(actor, services, c.contact_phone_enc, mask_mobile),
        bank_account=_personal(actor, services, c.bank_account_enc, mask_account),
        insured_person=person if subject == INSURED else None,
        injured_person=person if subject == INJURED else None,
        estimated_fen=c.estimated_fen, status=c.status, route=c.route, queue=c.queue,
        authority_level=c.authority_level, handler_key_id=c.handler_key_id,
        red_flags=[FlagOut(**f) for f in c.triage.get("flags", [])],
        triage_reasons=list(c.triage.get("reasons", [])), cover=c.cover,
        documents=documents_out(session, services, c), waiting_until=c.waiting_until,
        assessment=c.assessment, agreed_fen=c.agreed_fen, decided_on=c.decided_on, agreed_on=c.agreed_on,
        refusal_reason=c.refusal_reason, closed_on=c.closed_on,
        balances=BalancesOut(payments_fen=b.payments_fen, recoveries_fen=b.recoveries_fen,
                             paid_fen=b.paid_fen, reserve_fen=b.reserve_fen, incurred_fen=b.incurred_fen),
        timers=timers, report_to_decision_days=c.report_to_decision_days,
        report_to_payment_days=c.report_to_payment_days)


def _write(request: Request, services: Services, actor: Actor, key: str | None, body: BaseModel,
           action: Callable[[Session], Claim], status: int = 200) -> JSONResponse:
    """Run one write idempotently and answer with the claim's new state."""
    def operation(session: Session) -> tuple[int, dict[str, Any]]:
        claim = action(session)
        session.flush()
        return status, claim_out(session, services, actor, claim).model_dump(mode="json")

    fingerprint = request_hash("POST", request.url.path, body.model_dump(mode="json"))
    code, payload = run_idempotent(services.db, actor, key, fingerprint, operation,
                                   vault=services.vault)
    return JSONResponse(payload, status_code=code)


@router.post("/claims", status_code=201, response_model=ClaimOut)
def report(body: ClaimIn, request: Request, services: ServicesDep, actor: ActorDep,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """First notice of loss: the cover is checked at once; the answer gives the claim number,
    the coverage decision, every document needed, the triage route and, on the fast track with
    nothing to upload, the payment."""
    data = claims.ClaimReport(**body.model_dump())
    return _write(request, services, actor, idempotency_key, body,
                  lambda s: claims.report_claim(s, services, actor, data), status=201)


@router.get("/claims")
def list_claims(services: ServicesDep, actor: ActorDep,
                limit: Annotated[int, Query(ge=1, le=200)] = 50,
                offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
                status_: Annotated[str | None, Query(alias="status")] = None,
                queue: str | None = None,
                policy_id: Annotated[int | None, Query(ge=1, le=2**53)] = None) -> ClaimPage:
    """Claims in the caller's scope, newest first; handlers filter by queue (line) and status."""
    with services.db.reading() as session:
        total, rows = claims.list_claims(session, actor, status=status_, queue=queue,
                                         policy_id=policy_id, limit=limit, offset=offset)
        page: dict[int, list[str]] = {}
        items = [claim_out(session, services, actor, c, page) for c in rows]
        audit.record_read(session, actor, "claim", page)
        return ClaimPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/claims/deadlines")
def deadlines(services: ServicesDep, actor: ActorDep,
              within_days: Annotated[int | None, Query(ge=0, le=365)] = None) -> list[DeadlineOut]:
    """Open claims with a statutory timer due soon or overdue, soonest first."""
    with services.db.reading() as session:
        items = claims_reporting.deadline_list(session, services, actor, within_days)
        return [DeadlineOut(claim_id=i.claim.id, number=i.claim.number, timer=i.timer.name,
                            started=i.timer.started, due=i.timer.due, state=i.state,
                            days_left=i.days_left) for i in items]


@router.get("/claims/{claim_id}")
def get(claim_id: ObjectId, services: ServicesDep, actor: ActorDep) -> ClaimOut:
    """A claim's status, documents, balances, assessment and timers."""
    authorize(actor, Action.READ_CLAIMS)
    with services.db.reading() as session:
        return claim_out(session, services, actor, get_claim(session, actor, claim_id))


@router.get("/claims/{claim_id}/transactions")
def transactions(claim_id: ObjectId, services: ServicesDep, actor: ActorDep) -> list[ClaimTransactionOut]:
    """The claim's transaction rows, in order (append-only)."""
    with services.db.reading() as session:
        return [ClaimTransactionOut(id=t.id, sequence=t.sequence, kind=t.kind, loss_date=t.loss_date,
                                    report_date=t.report_date, transaction_date=t.transaction_date,
                                    paid_fen=t.paid_fen, case_reserve_change_fen=t.case_reserve_change_fen,
                                    payment_type=t.payment_type, reason=t.reason)
                for t in claims_reporting.transactions(session, actor, claim_id)]


@router.get("/claims/{claim_id}/documents")
def documents(claim_id: ObjectId, services: ServicesDep, actor: ActorDep) -> DocumentsOut:
    """Documents required, received (with content hashes) and outstanding."""
    with services.db.reading() as session:
        claim, files = claims_documents.list_documents(session, actor, claim_id)
        return documents_out(session, services, claim, files)


@router.post("/claims/{claim_id}/documents", status_code=201, response_model=UploadOut)
def upload(claim_id: ObjectId, request: Request, services: ServicesDep, actor: ActorDep,
           doc_type: Annotated[str, Form(max_length=60, description="A document code the claim asks for")],
           file: Annotated[UploadFile, File(description="PDF, JPEG or PNG")],
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Upload one document. The same file again is not stored twice (200), even once the claim
    is closed. The upload that completes a fast-track claim's documents pays it. With an
    Idempotency-Key, the request's fingerprint is the file's SHA-256 and the form fields."""
    limit = rules(services).uploads.max_bytes
    data = file.file.read(limit + 1)
    upload_ = claims_documents.Upload(doc_type, file.filename or "upload", data)

    def operation(session: Session) -> tuple[int, dict[str, Any]]:
        doc, created = claims_documents.upload_document(session, services, actor, claim_id, upload_)
        session.flush()
        out = UploadOut(document=document_out(doc),
                        claim=claim_out(session, services, actor, session.get_one(Claim, doc.claim_id)))
        return 201 if created else 200, out.model_dump(mode="json")

    form = {"doc_type": doc_type, "filename": upload_.filename, "sha256": hashlib.sha256(data).hexdigest()}
    code, payload = run_idempotent(services.db, actor, idempotency_key,
                                   request_hash("POST", request.url.path, form), operation,
                                   vault=services.vault)
    return JSONResponse(payload, status_code=code)


@router.post("/claims/{claim_id}/reserve", response_model=ClaimOut)
def reserve(claim_id: ObjectId, body: ReserveIn, request: Request, services: ServicesDep, actor: ActorDep,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Set the case reserve, with a reason."""
    return _write(request, services, actor, idempotency_key, body, lambda s: claims_settlement.set_reserve(
        s, services, actor, claim_id, reserve_fen=body.reserve_fen, reason=body.reason))


@router.post("/claims/{claim_id}/assess", response_model=ClaimOut)
def assess(claim_id: ObjectId, body: AssessIn, request: Request, services: ServicesDep, actor: ActorDep,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Agree the amount: salvage, average clause, deductibles, indemnity share and limits."""
    loss = Loss(body.loss_fen, body.salvage_fen, body.value_at_risk_fen, body.interruption_days)
    return _write(request, services, actor, idempotency_key, body, lambda s: claims_settlement.assess_claim(
        s, services, actor, claim_id, loss=loss, reason=body.reason))


@router.post("/claims/{claim_id}/payments", response_model=ClaimOut)
def pay(claim_id: ObjectId, body: PaymentIn, request: Request, services: ServicesDep, actor: ActorDep,
        idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Pay: advance (certain part), partial or final; never beyond reserve, agreement or limit.
    A retry with the same Idempotency-Key pays once."""
    return _write(request, services, actor, idempotency_key, body, lambda s: claims_settlement.pay(
        s, services, actor, claim_id, amount_fen=body.amount_fen, kind=body.type, reason=body.reason))


@router.post("/claims/{claim_id}/recoveries", response_model=ClaimOut)
def recover(claim_id: ObjectId, body: RecoveryIn, request: Request, services: ServicesDep, actor: ActorDep,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Salvage sold, subrogation or a refund received."""
    return _write(request, services, actor, idempotency_key, body, lambda s: claims_settlement.recover(
        s, services, actor, claim_id, amount_fen=body.amount_fen, kind=body.kind, reason=body.reason))


@router.post("/claims/{claim_id}/refuse", response_model=ClaimOut)
def refuse(claim_id: ObjectId, body: RefusalIn, request: Request, services: ServicesDep, actor: ActorDep,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Refuse with a reason; the refusal notice is recorded today."""
    return _write(request, services, actor, idempotency_key, body, lambda s: claims_settlement.refuse(
        s, services, actor, claim_id, reason=body.reason, decided_on=body.decided_on))


@router.post("/claims/{claim_id}/close", response_model=ClaimOut)
def close(claim_id: ObjectId, body: CloseIn, request: Request, services: ServicesDep, actor: ActorDep,
          idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Close, releasing the remaining reserve."""
    return _write(request, services, actor, idempotency_key, body, lambda s: claims_settlement.close_claim(
        s, services, actor, claim_id, reason=body.reason))


@router.post("/claims/{claim_id}/reopen", response_model=ClaimOut)
def reopen(claim_id: ObjectId, body: ReopenIn, request: Request, services: ServicesDep, actor: ActorDep,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Reopen a closed or refused claim, with a reason and a new reserve."""
    return _write(request, services, actor, idempotency_key, body, lambda s: claims_settlement.reopen(
        s, services, actor, claim_id, reason=body.reason, reserve_fen=body.reserve_fen))
