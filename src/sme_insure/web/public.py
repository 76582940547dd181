"""Pages for business owners: products, quote (and compare), bind after the key terms, policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.regions import province_codes
from sme_insure.catalogue.vocabulary import InputType
from sme_insure.errors import InputError, Issue, RatingInputError, StateError
from sme_insure.http.deps import ServicesDep
from sme_insure.http.schemas import DocumentFormat
from sme_insure.http.views import document_response, schedule_html
from sme_insure.services import binding, quotes
from sme_insure.services.context import Services
from sme_insure.services.cover import shown_reasons
from sme_insure.services.customers import CustomerData, register_customer
from sme_insure.services.idempotency import request_hash, run_idempotent
from sme_insure.services.products import product_for, visible_products
from sme_insure.storage.repos import get_scoped
from sme_insure.storage.schema import Policy, Quote
from sme_insure.web.render import field_errors, form_key, form_token, page, sign, unsign, web_actor

router = APIRouter(include_in_schema=False)
CUSTOMER_FIELDS = ("kind", "identifier", "name", "phone")


def _sellable(services: Services) -> list[Product]:
    return [p for p in visible_products(services.catalogue, web_actor(services)) if p.coverages]


def _product(services: Services, code: str) -> Product:
    """A product the pages (channel ``web``) may sell; any other is not found."""
    return product_for(services.catalogue, web_actor(services), code)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, services: ServicesDep) -> HTMLResponse:
    """Products with plain-language summaries."""
    return page(request, "home.html", products=_sellable(services))


@router.get("/products/{code}", response_class=HTMLResponse)
def product_page(code: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """A product's cover and its quote form (the fewest fields: defaults and derivations)."""
    product = _product(services, code)
    return page(request, "product.html", product=product, values={}, errors={},
                regions=province_codes(), start=(services.today() + dt.timedelta(days=1)).isoformat())


def _inputs(product: Product, form: dict[str, str]) -> dict[str, Any]:
    """Risk inputs from the form: blanks are missing, unticked optional covers are false."""
    out: dict[str, Any] = {}
    for spec in product.inputs:
        value = (form.get(spec.name) or "").strip()
        if value:
            out[spec.name] = value
        elif spec.type is InputType.BOOLEAN:
            out[spec.name] = "false"
    for cov in product.coverages:
        if cov.optional:
            out[cov.selector] = "true" if form.get(cov.selector) else "false"
    return out


def _start(form: dict[str, str]) -> dt.date:
    try:
        return dt.date.fromisoformat(form.get("start_date", ""))
    except ValueError as exc:
        raise InputError([Issue("start_date", form.get("start_date"), "a date YYYY-MM-DD")]) from exc


@router.post("/products/{code}/quote", response_class=HTMLResponse, response_model=None)
async def quote_form(code: str, request: Request, services: ServicesDep) -> HTMLResponse | RedirectResponse:
    """Register the business, price and underwrite; errors are shown next to their fields."""
    product = await run_in_threadpool(_product, services, code)
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:  # database work and pricing off the event loop
        made = await run_in_threadpool(_register_and_quote, services, product, form)
    except InputError as exc:
        return page(request, "product.html", status=422, product=product, values=form,
                    errors=field_errors(exc), regions=province_codes(), start=form.get("start_date", ""))
    if len(made) == 1:
        return RedirectResponse(f"/quotes/{sign(services, 'quote', made[0].id)}", status_code=303)
    tokens = ",".join(sign(services, "quote", q.id) for q in made)
    return RedirectResponse(f"/compare?q={tokens}", status_code=303)


def _register_and_quote(services: Services, product: Product, form: dict[str, str]) -> list[Quote]:
    """Register the business (a unit of work of its own, as over the API), price the options in
    a reading session, then store them: on PostgreSQL the registration's audit record locks the
    audit chain's head until its commit, and other audited writes waited while up to 10 options
    were priced. A risk refused for its inputs leaves the business registered, to be found again
    by its identifier when the form is sent again."""
    actor = web_actor(services)
    with services.db.transaction() as session:
        customer, _ = register_customer(session, services, actor, CustomerData(
            kind=form.get("kind", ""), identifier=form.get("identifier", ""),
            name=form.get("name", "").strip() or "—", phone=form.get("phone") or None))
        customer_id = customer.id
    with services.db.reading() as session:
        drafts = _price(session, services, actor, product, customer_id, form)
    with services.db.transaction() as session:
        return [quotes.store_quote(session, services, actor, d) for d in drafts]


def _price(session, services, actor, product, customer_id, form) -> list[quotes.QuoteDraft]:  # noqa: ANN001
    """One draft, or one per level of the input chosen for comparison (at most 10). A bad
    start date is shown together with the risk's own errors (rated as of today to find them),
    so the form is corrected in one go."""
    inputs = _inputs(product, form)
    try:
        start = _start(form)
    except InputError as bad_date:
        try:
            services.rater.quote(product.code, inputs, as_of=services.today())
        except RatingInputError as more:
            raise InputError([*bad_date.issues, *more.issues]) from bad_date
        raise
    by = form.get("compare_by")
    if not by:
        return [quotes.price_quote(session, services, actor, product_code=product.code,
                                   customer_id=customer_id, inputs=inputs, start_date=start)]
    spec = next((s for s in product.inputs if s.name == by and s.levels), None)
    if spec is None:
        raise InputError([Issue("compare_by", by, "choose one of the listed options")])
    options = [{by: str(level)} for level in spec.levels or []][:10]
    return quotes.price_options(session, services, actor, product_code=product.code,
                                customer_id=customer_id, inputs=inputs, options=options, start_date=start)


def _quote(services: Services, token: str) -> Quote:
    actor = web_actor(services)
    with services.db.reading() as session:
        return get_scoped(session, Quote, unsign(services, "quote", token), actor.tenant_id, "web")


@router.get("/quotes/{token}", response_class=HTMLResponse)
def quote_page(token: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """The premium, its build-up, the decision, and the key terms before buying."""
    q = _quote(services, token)
    return page(request, "quote.html", quote=q, token=token, error=None,
                expired=q.valid_until < services.today(),
                reasons=shown_reasons(q.reasons, web_actor(services)),
                product=services.catalogue.get(q.product_code, q.product_version),
                form_token=form_token(services, f"buy:{q.id}"))


@router.get("/compare", response_class=HTMLResponse)
def compare_page(q: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """Plan options side by side."""
    tokens = q.split(",")[:10]
    found = [_quote(services, t) for t in tokens]
    product = services.catalogue.get(found[0].product_code, found[0].product_version)
    return page(request, "compare.html", quotes=list(zip(tokens, found, strict=True)), product=product)


@router.post("/quotes/{token}/bind", response_class=HTMLResponse, response_model=None)
async def bind_form(token: str, request: Request, services: ServicesDep) -> HTMLResponse | RedirectResponse:
    """Buy: only after the key terms were read (an unticked box is refused). Reading the terms is
    not agreeing to renew: a renewal (``renewal_of`` set, offered or approved) binds only when
    its own box, saying so, is ticked too, and only that box is passed on as consent. The form's
    one-time token makes a second click (or a resent form) show the policy bought by the first."""
    form = await request.form()
    q = await run_in_threadpool(_quote, services, token)
    key = form_key(services, f"buy:{q.id}", form)
    shown = {"quote": q, "token": token, "product": services.catalogue.get(q.product_code, q.product_version),
             "reasons": shown_reasons(q.reasons, web_actor(services)),
             "form_token": key or form_token(services, f"buy:{q.id}"),
             "expired": q.valid_until < services.today()}
    missing = _unticked(form, q)
    if missing is not None:
        return page(request, "quote.html", status=422, error=missing, **shown)
    try:
        policy_id = await run_in_threadpool(_bind, services, q.id, form.get("renewal_consent") == "yes", key)
    except StateError as exc:
        return page(request, "quote.html", status=409, error=str(exc), **shown)
    return RedirectResponse(f"/policies/{sign(services, 'policy', policy_id)}", status_code=303)


def _unticked(form: FormData, quote: Quote) -> str | None:
    """The first required box left unticked: the key terms, then (a renewal) the consent to renew."""
    if form.get("consent") != "yes":
        return "consent"
    if quote.renewal_of is not None and form.get("renewal_consent") != "yes":
        return "renewal_consent"
    return None


def _bind(services: Services, quote_id: int, renewal_consent: bool, key: str | None) -> int:
    """Bind once per form token (the web actor's Idempotency-Key): the policy's id."""
    def operation(session: Session) -> tuple[int, dict[str, int]]:
        policy = binding.bind(session, services, web_actor(services), quote_id, consent=renewal_consent)
        session.flush()
        return 303, {"policy_id": policy.id}

    _, body = run_idempotent(services.db, web_actor(services), key,
                             request_hash("POST", f"/quotes/{quote_id}/bind", {"consent": renewal_consent}),
                             operation, vault=services.vault)
    return int(body["policy_id"])


def _policy(services: Services, token: str) -> Policy:
    actor = web_actor(services)
    with services.db.reading() as session:
        return get_scoped(session, Policy, unsign(services, "policy", token), actor.tenant_id, "web")


@router.get("/policies/{token}", response_class=HTMLResponse)
def policy_page(token: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """The policy and a link to its schedule."""
    p = _policy(services, token)
    return page(request, "policy.html", policy=p, token=token,
                product=services.catalogue.get(p.product_code, p.product_version))


@router.get("/policies/{token}/schedule", response_class=HTMLResponse)
def schedule(token: str, services: ServicesDep, format: DocumentFormat = DocumentFormat.HTML) -> Response:
    """The bilingual policy schedule (masked identifiers), as HTML or PDF."""
    p = _policy(services, token)
    with services.db.reading() as session:
        html = schedule_html(session, services, web_actor(services), p)
    return document_response(html, format, p.number)
