"""From stored rows to response bodies, masking personal data for roles that don't need it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session, object_session

from sme_insure.customers import mask_id_number, mask_mobile
from sme_insure.http.schemas import CustomerOut, PolicyOut, QuoteOut, TransactionOut
from sme_insure.policies import pdf
from sme_insure.policies.documents import render_schedule
from sme_insure.privacy import Vault
from sme_insure.services import audit
from sme_insure.services.actor import Actor
from sme_insure.services.changes import transactions_of
from sme_insure.services.context import Services
from sme_insure.services.cover import shown_reasons
from sme_insure.services.customers import shows_record
from sme_insure.services.idempotency import replay, request_hash, run_idempotent
from sme_insure.services.premium_buildup import BuildUpBasis, policy_buildup
from sme_insure.services.schedule_sealing import unseal_inputs
from sme_insure.storage.schema import Customer, Policy, PremiumTransaction, Quote


def customer_out(c: Customer, actor: Actor, vault: Vault, created: bool = False) -> CustomerOut:
    """A customer; resident ID and phone numbers masked unless the role sees personal data."""
    ident = vault.decrypt(c.identifier_enc)
    phone = vault.decrypt(c.phone_enc) if c.phone_enc else None
    personal = [f for f, shown in (("identifier", c.entity_type == "natural_person"), ("phone", phone)) if shown]
    if not actor.role.sees_personal_data:
        ident = mask_id_number(ident) if c.entity_type == "natural_person" else ident
        phone = mask_mobile(phone) if phone else None
    elif personal:
        audit.record_read(object_session(c), actor, "customer", {c.id: personal})
    return CustomerOut(id=c.id, kind=c.kind, identifier=ident, name=c.name, phone=phone,
                       province=c.province, entity_type=c.entity_type, size_class=c.size_class,
                       industry=c.industry, flags=list(c.details.get("flags", [])), created=created)


def shown_inputs(inputs: dict[str, Any], actor: Actor, vault: Vault) -> dict[str, Any]:
    """Inputs as returned: the schedule unsealed (never its ``_enc``/``_hash`` fields), ID
    numbers left masked for roles that don't need them (those are not even decrypted)."""
    return unseal_inputs(vault, inputs, reveal_ids=actor.role.sees_personal_data)


def _schedule_read(obj: Quote | Policy, kind: str, actor: Actor, page: dict[int, list[str]] | None) -> None:
    """A schedule shown unmasked: recorded now, or added to the ``page`` the caller records."""
    if obj.inputs.get("persons") and actor.role.sees_personal_data:
        if page is None:
            audit.record_read(object_session(obj), actor, kind, {obj.id: ["persons"]})
        else:
            page[obj.id] = ["persons"]


def quote_out(q: Quote, actor: Actor, vault: Vault, page: dict[int, list[str]] | None = None) -> QuoteOut:
    """A quote with its money, reasons, versions and worksheet."""
    _schedule_read(q, "quote", actor, page)
    return QuoteOut(id=q.id, product=q.product_code, product_version=q.product_version,
                    customer_id=q.customer_id, status=q.status, decision=q.decision,
                    reasons=shown_reasons(q.reasons, actor), inputs=shown_inputs(q.inputs, actor, vault), money=q.money,
                    premium_fen=q.premium_fen,
                    start_date=q.start_date, end_date=q.end_date, valid_until=q.valid_until,
                    versions=q.versions, worksheet=q.worksheet, renewal_of=q.renewal_of,
                    adjustment=q.adjustment)


def policy_out(p: Policy, actor: Actor, vault: Vault, page: dict[int, list[str]] | None = None) -> PolicyOut:
    """A policy's current state."""
    _schedule_read(p, "policy", actor, page)
    return PolicyOut(id=p.id, number=p.number, product=p.product_code, product_version=p.product_version,
                     line=p.line, customer_id=p.customer_id, quote_id=p.quote_id, status=p.status,
                     start_date=p.start_date, end_date=p.end_date, cancelled_on=p.cancelled_on,
                     inputs=shown_inputs(p.inputs, actor, vault), money=p.money,
                     annual_premium_fen=p.annual_premium_fen,
                     versions=p.versions, adjustment=p.adjustment)


def transaction_out(t: PremiumTransaction) -> TransactionOut:
    """A premium transaction row."""
    return TransactionOut(id=t.id, policy_id=t.policy_id, sequence=t.sequence, kind=t.kind,
                          effective_date=t.effective_date, period_end=t.period_end,
                          transaction_date=t.transaction_date, premium_fen=t.premium_fen,
                          vat_fen=t.vat_fen, annual_premium_after_fen=t.annual_premium_after_fen,
                          reason=t.reason)


def schedule_html(session: Session, services: Services, actor: Actor, p: Policy) -> str:
    """The policy's bilingual schedule of the cover as it stands, with personal data shown as the
    actor's role may see it; its premium build-up re-rated, or as recorded at sale where a
    re-rate does not reproduce the recorded annual premium (:mod:`.services.premium_buildup`)."""
    stored = session.get(Customer, p.customer_id)
    customer = customer_out(stored, actor, services.vault)  # type: ignore[arg-type]
    if not shows_record(actor, stored):  # type: ignore[arg-type]
        # a channel serving a customer another channel registered is not shown the name and
        # phone stored for that channel, on documents as on GET /v1/customers/{id}
        customer = customer.model_copy(update={"name": None, "phone": None})
    buildup = policy_buildup(session, services, p)
    rows = [transaction_out(t).model_dump() for t in transactions_of(session, p.id)]
    return render_schedule(product=services.catalogue.get(p.product_code, p.product_version),
                           policy=policy_out(p, actor, services.vault).model_dump(),
                           customer=customer.model_dump(), worksheet=buildup.worksheet,
                           recorded=buildup.basis is BuildUpBasis.RECORDED, transactions=rows)


def document_response(html: str, document_format: str, filename: str) -> Response:
    """HTML as it is, or its PDF as a download named ``filename``.pdf."""
    if document_format == "pdf":
        return Response(pdf.html_to_pdf(html), media_type=pdf.MEDIA_TYPE, headers={
            "Content-Disposition": f'attachment; filename="{filename}.pdf"'})
    return HTMLResponse(html)


def json_response(content: BaseModel | Sequence[BaseModel], status_code: int = 200) -> Response:
    """A response model, already validated when it was built, serialised once by pydantic.
    Returned as is, FastAPI would validate it again against the route's ``response_model``
    (which still documents it) before serialising: a tenth of a quote's CPU."""
    if isinstance(content, BaseModel):
        body = content.model_dump_json().encode()
    else:
        body = b"[" + b",".join(m.model_dump_json().encode() for m in content) + b"]"
    return Response(body, status_code=status_code, media_type="application/json")


Output = BaseModel | Sequence[BaseModel]


def _fingerprint(request: Request, body: Any) -> str:
    plain_body = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return request_hash(request.method, request.url.path, plain_body)


def replayed(request: Request, services: Services, actor: Actor, key: str | None,
             body: Any) -> Response | None:
    """The first response to this request's Idempotency-Key, if it was answered before: for
    writes whose work before the transaction (pricing) a retry must not redo."""
    if key is None:
        return None
    found = replay(services.db, actor, key, _fingerprint(request, body), vault=services.vault)
    return None if found is None else JSONResponse(found[1], status_code=found[0])


def keyed_write(request: Request, services: Services, actor: Actor, key: str | None, body: Any,
                operation: Callable[[Session], tuple[int, Output]]) -> Response:
    """Run a write in one transaction, once per Idempotency-Key (the fingerprint: method, path
    and ``body``, a model or plain JSON). Without a key the answer is serialised once, as
    :func:`json_response` does."""
    if key is None:
        with services.db.transaction() as session:
            status, out = operation(session)
        return json_response(out, status)

    def stored(session: Session) -> tuple[int, Any]:
        status, out = operation(session)
        plain = (out.model_dump(mode="json") if isinstance(out, BaseModel)
                 else [m.model_dump(mode="json") for m in out])
        return status, plain

    code, payload = run_idempotent(services.db, actor, key, _fingerprint(request, body), stored,
                                   vault=services.vault)
    return JSONResponse(payload, status_code=code)
