"""Claims on the pages: report a loss from the policy page, upload documents, follow the claim
and the documents still needed; for staff, the claims queue with deadline warnings."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sme_insure.errors import InputError, Issue, SmeInsureError
from sme_insure.http.claims_schemas import ClaimIn
from sme_insure.http.deps import ServicesDep
from sme_insure.http.problems import status_of
from sme_insure.money import to_fen
from sme_insure.services.actor import Action
from sme_insure.services.claims import ClaimReport, report_claim
from sme_insure.services.claims_documents import Upload, list_documents, upload_document
from sme_insure.services.claims_ledger import balances
from sme_insure.services.claims_reporting import deadline_list
from sme_insure.services.context import Services
from sme_insure.services.idempotency import request_hash, run_idempotent
from sme_insure.storage.schema import Policy
from sme_insure.web.public import _policy
from sme_insure.web.render import (
    FORM_TOKEN,
    field_errors,
    form_key,
    form_token,
    page,
    sign,
    unsign,
    web_actor,
)
from sme_insure.web.staff import require_staff

router = APIRouter(include_in_schema=False)


def _perils(services: Services, policy: Policy) -> list[str]:
    product = services.catalogue.get(policy.product_code, policy.product_version)
    return sorted({p for c in product.coverages for p in c.perils})


@router.get("/policies/{token}/claims/new", response_class=HTMLResponse)
def claim_form(token: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """The first-notice-of-loss form."""
    policy = _policy(services, token)
    return page(request, "claim_form.html", policy=policy, token=token, perils=_perils(services, policy),
                values={}, errors={}, today=services.today().isoformat(),
                form_token=form_token(services, f"claim:{policy.id}"))


def _report_claim(services: Services, form: dict[str, str], policy: Policy, key: str | None) -> int:
    """Record the claim once per form token (the web actor's Idempotency-Key): its id."""
    def operation(session: Session) -> tuple[int, dict[str, int]]:
        claim = report_claim(session, services, web_actor(services), _report(form, policy))
        session.flush()
        return 303, {"claim_id": claim.id}

    fields = {k: v for k, v in form.items() if k != FORM_TOKEN}
    _, body = run_idempotent(services.db, web_actor(services), key,
                             request_hash("POST", f"/policies/{policy.id}/claims", fields),
                             operation, vault=services.vault)
    return int(body["claim_id"])


def _upload(services: Services, token: str, upload: Upload) -> None:
    with services.db.transaction() as session:
        upload_document(session, services, web_actor(services), unsign(services, "claim", token), upload)


def _estimate_fen(text: str) -> tuple[int, list[Issue]]:
    """The estimate typed in CNY as integer fen, rounded half up (:func:`money.to_fen`); a
    finite amount of 0 or more (``nan``, ``inf`` and negatives are refused, not priced)."""
    try:
        cny = float(text)
    except ValueError:
        cny = math.nan
    if not math.isfinite(cny) or cny < 0:
        return 0, [Issue("estimated_cny", text, "an amount in CNY, 0 or more")]
    return to_fen(cny), []


def _report(form: dict[str, str], policy: Policy) -> ClaimReport:
    """The form checked by the API's own schema (:class:`ClaimIn`), every field's error at once;
    the estimate's errors are named by the form's field, ``estimated_cny``."""
    estimate, issues = _estimate_fen(form.get("estimated_cny", "").strip())
    optional = {name: form.get(name, "").strip() or None for name in ("contact_phone", "bank_account")}
    body = {"policy_number": policy.number, "loss_date": form.get("loss_date", ""),
            "place": form.get("place", ""), "peril": form.get("peril", ""), "estimated_fen": estimate,
            "description": form.get("description", ""), "contact_name": form.get("contact_name", ""),
            **optional}
    try:
        checked = ClaimIn.model_validate(body)
    except ValidationError as exc:
        issues += [Issue(_FORM_FIELD.get(str(e["loc"][0]), str(e["loc"][0])), _shown(form, e), e["msg"])
                   for e in exc.errors()]
    if issues:
        raise InputError(issues)
    return ClaimReport(**checked.model_dump())


_FORM_FIELD = {"estimated_fen": "estimated_cny"}


def _shown(form: dict[str, str], error: ErrorDetails) -> object:
    """The value as typed on the form (the estimate in CNY, not fen)."""
    name = _FORM_FIELD.get(str(error["loc"][0]))
    return form.get(name) if name else error.get("input")


@router.post("/policies/{token}/claims", response_class=HTMLResponse, response_model=None)
async def claim_submit(token: str, request: Request, services: ServicesDep) -> HTMLResponse | RedirectResponse:
    """Record the claim (coverage checked at once) and show what is still needed. The form's
    one-time token makes a double submit show the claim recorded by the first."""
    policy = await run_in_threadpool(_policy, services, token)
    form = {k: str(v) for k, v in (await request.form()).items()}
    key = form_key(services, f"claim:{policy.id}", form)
    try:  # database work off the event loop
        claim_id = await run_in_threadpool(_report_claim, services, form, policy, key)
    except InputError as exc:  # nothing stored: the corrected form is sent with the same token
        return page(request, "claim_form.html", status=422, policy=policy, token=token,
                    perils=_perils(services, policy), values=form, errors=field_errors(exc),
                    today=services.today().isoformat(),
                    form_token=key or form_token(services, f"claim:{policy.id}"))
    return RedirectResponse(f"/claims/{sign(services, 'claim', claim_id)}", status_code=303)


@router.get("/claims/{token}", response_class=HTMLResponse)
def claim_page(token: str, request: Request, services: ServicesDep, error: str | None = None) -> HTMLResponse:
    """Status, cover decision, documents received and outstanding, payments."""
    with services.db.reading() as session:
        claim, docs = list_documents(session, web_actor(services), unsign(services, "claim", token))
    received = {d.doc_type for d in docs}
    outstanding = [code for code in claim.documents_required if code not in received]
    return page(request, "claim.html", claim=claim, token=token, docs=docs, outstanding=outstanding,
                balances=balances(claim), error=error)


@router.post("/claims/{token}/documents", response_class=HTMLResponse, response_model=None)
async def claim_upload(token: str, request: Request, services: ServicesDep) -> HTMLResponse | RedirectResponse:
    """Upload one document; a complete fast-track claim is paid in the same step."""
    form = await request.form()
    file = form.get("file")
    data = await file.read() if hasattr(file, "read") else b""  # type: ignore[union-attr]
    name = getattr(file, "filename", "") or "upload"
    try:
        await run_in_threadpool(_upload, services, token, Upload(str(form.get("doc_type", "")), name, data))
    except SmeInsureError as exc:  # the claim page again, the error shown, with its status
        shown = await run_in_threadpool(claim_page, token, request, services, str(exc))
        shown.status_code = status_of(exc)
        return shown
    return RedirectResponse(f"/claims/{token}", status_code=303)


@router.get("/staff/claims", response_class=HTMLResponse)
def staff_claims(request: Request, services: ServicesDep) -> HTMLResponse:
    """Open claims needing attention, soonest deadline first."""
    actor = require_staff(request, services, Action.READ_CLAIMS)
    with services.db.reading() as session:
        items = deadline_list(session, services, actor, within_days=30)
    return page(request, "staff_claims.html", items=items, today=services.today())
