"""Policies: list, detail, schedule, transactions, endorsements, cancellation, reinstatement,
renewal and year-end adjustment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select

from sme_insure.http.deps import ActorDep, IdempotencyKey, ObjectId, ServicesDep
from sme_insure.http.problems import UNAVAILABLE
from sme_insure.http.schemas import (
    AdjustmentIn,
    CancellationIn,
    DocumentFormat,
    EndorsementIn,
    PolicyOut,
    PolicyPage,
    QuoteOut,
    ReasonIn,
    RenewalIn,
    TransactionOut,
)
from sme_insure.http.views import (
    document_response,
    json_response,
    keyed_write,
    policy_out,
    quote_out,
    schedule_html,
    transaction_out,
)
from sme_insure.policies import pdf
from sme_insure.services import audit, binding, changes
from sme_insure.services.actor import Action, authorize
from sme_insure.services.idempotency import request_hash, run_idempotent
from sme_insure.storage.repos import get_scoped, scoped
from sme_insure.storage.schema import Policy

router = APIRouter(prefix="/v1", tags=["policies"])


@router.get("/policies")
def list_policies(services: ServicesDep, actor: ActorDep,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
                  status_: Annotated[str | None, Query(alias="status")] = None,
                  product: str | None = None,
                  customer_id: Annotated[int | None, Query(ge=1, le=2**53)] = None) -> PolicyPage:
    """Policies of this tenant (a channel sees its own), newest first, with filters."""
    authorize(actor, Action.READ_POLICIES)
    query = scoped(Policy, actor.tenant_id, actor.channel_scope)
    for column, value in ((Policy.status, status_), (Policy.product_code, product),
                          (Policy.customer_id, customer_id)):
        if value is not None:
            query = query.where(column == value)
    with services.db.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(Policy.id.desc()).limit(limit).offset(offset)).all()
        page: dict[int, list[str]] = {}
        items = [policy_out(p, actor, services.vault, page) for p in rows]
        audit.record_read(session, actor, "policy", page)
        return PolicyPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/policies/{policy_id}", response_model=PolicyOut)
def get_policy(policy_id: ObjectId, services: ServicesDep, actor: ActorDep) -> Response:
    """A policy's current state."""
    authorize(actor, Action.READ_POLICIES)
    with services.db.reading() as session:
        found = get_scoped(session, Policy, policy_id, actor.tenant_id, actor.channel_scope)
        out = policy_out(found, actor, services.vault)
    return json_response(out)


@router.get("/policies/{policy_id}/transactions")
def transactions(policy_id: ObjectId, services: ServicesDep, actor: ActorDep) -> list[TransactionOut]:
    """The premium transaction rows of a policy, in order."""
    authorize(actor, Action.READ_POLICIES)
    with services.db.reading() as session:
        get_scoped(session, Policy, policy_id, actor.tenant_id, actor.channel_scope)
        return [transaction_out(t) for t in changes.transactions_of(session, policy_id)]


_DOCUMENT_CONTENT = {200: {"content": {"text/html": {"schema": {"type": "string"}},
                                       pdf.MEDIA_TYPE: {"schema": {"type": "string",
                                                                   "format": "binary"}}}}}


@router.get("/policies/{policy_id}/document", response_class=HTMLResponse,
            responses={**_DOCUMENT_CONTENT, **UNAVAILABLE})
def document(policy_id: ObjectId, services: ServicesDep, actor: ActorDep,
             format: DocumentFormat = DocumentFormat.HTML) -> Response:
    """The bilingual policy schedule (and a certificate per insured person on group lines) with
    the premium build-up and VAT, as HTML or as PDF (``format=pdf``)."""
    authorize(actor, Action.READ_POLICIES)
    with services.db.reading() as session:
        p = get_scoped(session, Policy, policy_id, actor.tenant_id, actor.channel_scope)
        html = schedule_html(session, services, actor, p)
    return document_response(html, format, p.number)


def _write(request: Request, services, actor, key, body, action) -> JSONResponse:  # noqa: ANN001
    def operation(session):  # noqa: ANN001
        row = action(session)
        session.flush()
        return 201, transaction_out(row).model_dump(mode="json")

    code, payload = run_idempotent(services.db, actor, key,
                                   request_hash("POST", request.url.path, body.model_dump(mode="json")),
                                   operation, vault=services.vault)
    return JSONResponse(payload, status_code=code)


@router.post("/policies/{policy_id}/endorsements", status_code=201, response_model=TransactionOut)
def endorse(policy_id: ObjectId, body: EndorsementIn, request: Request, services: ServicesDep,
            actor: ActorDep, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A mid-term change, re-rated and charged or returned pro rata to the day."""
    return _write(request, services, actor, idempotency_key, body, lambda s: changes.endorse(
        s, services, actor, policy_id, effective=body.effective_date, changes=body.all_changes(),
        reason=body.reason))


@router.post("/policies/{policy_id}/cancellations", status_code=201, response_model=TransactionOut)
def cancel(policy_id: ObjectId, body: CancellationIn, request: Request, services: ServicesDep,
           actor: ActorDep, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Cancel from a date: pro rata, short rate, nothing once per-day cover has begun (all from
    its start date), or flat within the cooling-off period."""
    return _write(request, services, actor, idempotency_key, body, lambda s: changes.cancel(
        s, services, actor, policy_id, effective=body.effective_date, reason=body.reason))


@router.post("/policies/{policy_id}/reinstatement", status_code=201, response_model=TransactionOut)
def reinstate(policy_id: ObjectId, body: ReasonIn, request: Request, services: ServicesDep,
              actor: ActorDep, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Undo a cancellation."""
    return _write(request, services, actor, idempotency_key, body,
                  lambda s: changes.reinstate(s, services, actor, policy_id, reason=body.reason))


@router.post("/policies/{policy_id}/adjustments", status_code=201, response_model=TransactionOut)
def adjust(policy_id: ObjectId, body: AdjustmentIn, request: Request, services: ServicesDep,
           actor: ActorDep, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Adjustment on actual figures (the product's adjustable inputs, e.g. annual sales): each
    period between changes re-rated on its inputs plus the actual figures, pro rata to the day,
    less what was charged; a later adjustment replaces an earlier one; a cancelled policy is
    adjusted on its period on risk."""
    return _write(request, services, actor, idempotency_key, body, lambda s: changes.adjust(
        s, services, actor, policy_id, actual=body.actual, reason=body.reason))


@router.post("/policies/{policy_id}/renewals", status_code=status.HTTP_201_CREATED,
             response_model=QuoteOut)
def renew(policy_id: ObjectId, body: RenewalIn, request: Request, services: ServicesDep,
          actor: ActorDep, idempotency_key: IdempotencyKey = None) -> Response:
    """A renewal offer re-rated on the tables in force at renewal; bind it with consent. A
    retry with the same Idempotency-Key returns the first offer instead of a second one."""
    return keyed_write(request, services, actor, idempotency_key, body, lambda s: (
        status.HTTP_201_CREATED,
        quote_out(binding.offer_renewal(s, services, actor, policy_id, body.changes), actor, services.vault)))
