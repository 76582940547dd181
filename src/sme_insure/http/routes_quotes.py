"""Quotes, comparison, binding and referrals."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, Response

from sme_insure.http.deps import ActorDep, IdempotencyKey, ObjectId, ServicesDep
from sme_insure.http.schemas import (
    BindIn,
    CompareIn,
    DecisionIn,
    PolicyOut,
    QuoteIn,
    QuoteOut,
    ReferralOut,
)
from sme_insure.http.views import json_response, keyed_write, policy_out, quote_out, replayed
from sme_insure.services import audit, binding, quotes, referrals
from sme_insure.services.idempotency import request_hash, run_idempotent

router = APIRouter(prefix="/v1")


@router.post("/quotes", tags=["quotes"], status_code=status.HTTP_201_CREATED, response_model=QuoteOut)
def create_quote(body: QuoteIn, request: Request, services: ServicesDep, actor: ActorDep,
                 idempotency_key: IdempotencyKey = None) -> Response:
    """Price and underwrite a risk: accepted, referred (queued for an underwriter) or declined.
    A retry with the same Idempotency-Key returns the first quote instead of a second one."""
    if (first := replayed(request, services, actor, idempotency_key, body)) is not None:
        return first  # not priced again: a retry tomorrow is answered, not refused
    with services.db.reading() as session:  # priced before the (short) write transaction
        draft = quotes.price_quote(session, services, actor, product_code=body.product,
                                   customer_id=body.customer_id, inputs=body.all_inputs(),
                                   start_date=body.start_date)
    return keyed_write(request, services, actor, idempotency_key, body, lambda s: (
        status.HTTP_201_CREATED, quote_out(quotes.store_quote(s, services, actor, draft), actor, services.vault)))


@router.post("/quote-comparisons", tags=["quotes"], status_code=status.HTTP_201_CREATED,
             response_model=list[QuoteOut])
def compare(body: CompareIn, request: Request, services: ServicesDep, actor: ActorDep,
            idempotency_key: IdempotencyKey = None) -> Response:
    """Several plan options of one risk, quoted side by side (once per Idempotency-Key)."""
    if (first := replayed(request, services, actor, idempotency_key, body)) is not None:
        return first
    with services.db.reading() as session:
        drafts = quotes.price_options(session, services, actor, product_code=body.product,
                                      customer_id=body.customer_id, inputs=body.all_inputs(),
                                      options=body.options, start_date=body.start_date)
    return keyed_write(request, services, actor, idempotency_key, body, lambda s: (
        status.HTTP_201_CREATED,
        [quote_out(quotes.store_quote(s, services, actor, d), actor, services.vault) for d in drafts]))


@router.get("/quotes/{quote_id}", tags=["quotes"], response_model=QuoteOut)
def get_quote(quote_id: ObjectId, services: ServicesDep, actor: ActorDep) -> Response:
    """A quote with its worksheet."""
    with services.db.reading() as session:
        out = quote_out(quotes.get_quote(session, actor, quote_id), actor, services.vault)
    return json_response(out)


@router.post("/quotes/{quote_id}/bind", tags=["quotes"], status_code=status.HTTP_201_CREATED,
             response_model=PolicyOut)
def bind(quote_id: ObjectId, body: BindIn, request: Request, services: ServicesDep, actor: ActorDep,
         idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Bind an accepted or approved quote into a policy, exactly once (send an Idempotency-Key)."""
    def operation(session):  # noqa: ANN001
        policy = binding.bind(session, services, actor, quote_id, consent=body.consent)
        session.flush()
        return 201, policy_out(policy, actor, services.vault).model_dump(mode="json")

    code, payload = run_idempotent(services.db, actor, idempotency_key,
                                   request_hash("POST", request.url.path, body.model_dump(mode="json")),
                                   operation, vault=services.vault)
    return JSONResponse(payload, status_code=code)


@router.get("/referrals", tags=["referrals"])
def referral_queue(services: ServicesDep, actor: ActorDep, status: str = "pending") -> list[ReferralOut]:
    """Referred quotes waiting for (or given) an underwriter's decision."""
    with services.db.reading() as session:
        page: dict[int, list[str]] = {}
        items = [ReferralOut(id=r.id, quote_id=r.quote_id, status=r.status,
                             quote=quote_out(q, actor, services.vault, page), decision=r.decision) for r, q in referrals.queue(session, actor, status)]
        audit.record_read(session, actor, "quote", page)
        return items


@router.post("/referrals/{referral_id}/decision", tags=["referrals"], response_model=ReferralOut)
def decide(referral_id: ObjectId, body: DecisionIn, request: Request, services: ServicesDep,
           actor: ActorDep, idempotency_key: IdempotencyKey = None) -> Response:
    """Approve (optionally loaded or discounted, within authority) or decline a referral. A
    retry with the same Idempotency-Key returns the decision instead of 409 "already decided"."""
    def operation(session):  # noqa: ANN001
        r = referrals.decide(session, services, actor, referral_id, approve=body.approve,
                             reason=body.reason, loading=body.loading, discount=body.discount)
        q = quotes.get_quote(session, actor, r.quote_id)
        return 200, ReferralOut(id=r.id, quote_id=r.quote_id, status=r.status,
                                quote=quote_out(q, actor, services.vault), decision=r.decision)

    return keyed_write(request, services, actor, idempotency_key, body, operation)
