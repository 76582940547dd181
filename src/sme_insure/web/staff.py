"""Pages for insurer staff, signed in with their API key: referral queue and decisions, product
and rate-table browsing (read-only, with version history)."""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from sme_insure.errors import InputError, NotFoundError, PermissionDenied, SmeInsureError
from sme_insure.http.deps import ServicesDep
from sme_insure.services import referrals
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.services.keys import actor_of_key, authenticate_key
from sme_insure.web.render import field_errors, page, sign, unsign

router = APIRouter(prefix="/staff", include_in_schema=False)
COOKIE = "sme_staff"
SESSION_SECONDS = int(os.environ.get("SME_INSURE_STAFF_SESSION_SECONDS", 8 * 3600))


def session_token(services: Services, key_id: int, now: float | None = None) -> str:
    """The cookie's value ``<expires>.<key id>.<mac>``: an HMAC (:func:`render.sign`) of the key
    id and the Unix time it expires, so the browser never holds the API key itself. It ends
    ``SME_INSURE_STAFF_SESSION_SECONDS`` (default 8 hours) after sign-in, or when the key is
    revoked."""
    expires = int(time.time() if now is None else now) + SESSION_SECONDS
    return f"{expires}.{sign(services, f'staff:{expires}', key_id)}"


def _session_key(services: Services, token: str) -> int | None:
    """The key id of a signed session not yet expired, else ``None``."""
    expires, _, signed = token.partition(".")
    if not expires.isdigit() or int(expires) <= time.time():
        return None
    try:
        return unsign(services, f"staff:{expires}", signed)
    except NotFoundError:
        return None


def staff_actor(request: Request, services: Services) -> Actor | None:
    """The signed-in staff member, from the signed HttpOnly session cookie."""
    token = request.cookies.get(COOKIE)
    key_id = _session_key(services, token) if token else None
    if key_id is None:
        return None
    try:
        return actor_of_key(services.db, key_id)
    except PermissionDenied:
        return None


def same_origin(request: Request) -> bool:
    """Whether a sign-in or sign-out was posted from this site's own pages (login CSRF: another
    site signing a browser in to its own account). Browsers send ``Origin`` with every POST,
    ``Referer`` as a fallback; its host must be the one the request was sent to (``Host``) or
    one of ``SME_INSURE_PUBLIC_HOSTS`` (comma-separated ``host[:port]``: behind a proxy that
    rewrites ``Host``, as nginx does by default). Neither: refused. A forwarded host header is
    not used: uvicorn's proxy handling rewrites the peer address, so whether it came from a
    trusted proxy cannot be told here."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return False
    return urlsplit(source).netloc in {request.headers.get("host"), *PUBLIC_HOSTS} - {None, ""}


PUBLIC_HOSTS = {h.strip() for h in os.environ.get("SME_INSURE_PUBLIC_HOSTS", "").split(",") if h.strip()}


@router.get("", response_class=HTMLResponse)
def staff_home(request: Request, services: ServicesDep) -> HTMLResponse:
    """Sign-in form, or the staff menu."""
    return page(request, "staff_home.html", actor=staff_actor(request, services), error=None)


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login(request: Request, services: ServicesDep) -> HTMLResponse | RedirectResponse:
    """Sign in with an API key; the browser keeps a signed session (:func:`session_token`) in an
    HttpOnly, SameSite=Strict cookie, ``Secure`` when the request came over https (plain http
    stays usable on 127.0.0.1), for as long as the session lasts."""
    if not same_origin(request):
        return page(request, "staff_home.html", status=403, actor=None, error="origin")
    key = str((await request.form()).get("api_key", "")).strip()
    try:
        actor = await run_in_threadpool(authenticate_key, services.db, key)
    except PermissionDenied:
        return page(request, "staff_home.html", status=401, actor=None, error="api_key")
    response = RedirectResponse("/staff", status_code=303)
    token = session_token(services, actor.key_id or 0)  # an authenticated key always has an id
    response.set_cookie(COOKIE, token, max_age=SESSION_SECONDS, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout", response_class=HTMLResponse, response_model=None)
def logout(request: Request) -> HTMLResponse | RedirectResponse:
    """Sign out (only from these pages: another site cannot sign a browser out)."""
    if not same_origin(request):
        return page(request, "staff_home.html", status=403, actor=None, error="origin")
    response = RedirectResponse("/staff", status_code=303)
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


def require_staff(request: Request, services: Services, action: Action) -> Actor:
    actor = staff_actor(request, services)
    if actor is None:
        raise PermissionDenied("missing API key: sign in at /staff")
    authorize(actor, action)
    return actor


@router.get("/referrals", response_class=HTMLResponse)
def referral_queue(request: Request, services: ServicesDep) -> HTMLResponse:
    """Referred quotes waiting for a decision."""
    actor = require_staff(request, services, Action.DECIDE_REFERRALS)
    with services.db.reading() as session:
        items = referrals.queue(session, actor)
    return page(request, "staff_referrals.html", items=items, errors={}, failed=None)


@router.post("/referrals/{referral_id}", response_class=HTMLResponse, response_model=None)
async def decide(referral_id: int, request: Request, services: ServicesDep) -> HTMLResponse | RedirectResponse:
    """Approve or decline, with a reason, within the underwriter's authority."""
    actor = require_staff(request, services, Action.DECIDE_REFERRALS)
    form = await request.form()
    try:
        loading = float(form.get("loading") or 0)
        discount = float(form.get("discount") or 0)
        with services.db.transaction() as session:
            referrals.decide(session, services, actor, referral_id, approve=form.get("approve") == "yes",
                             reason=str(form.get("reason", "")), loading=loading, discount=discount)
    except (InputError, ValueError, SmeInsureError) as exc:
        errors = field_errors(exc) if isinstance(exc, InputError) else {"_form": str(exc)}
        with services.db.reading() as session:
            items = referrals.queue(session, actor)
        return page(request, "staff_referrals.html", status=422, items=items, errors=errors,
                    failed=referral_id)
    return RedirectResponse("/staff/referrals", status_code=303)


@router.get("/products", response_class=HTMLResponse)
def products(request: Request, services: ServicesDep) -> HTMLResponse:
    """Every product version and every rating table with its version history (read-only)."""
    require_staff(request, services, Action.READ_PRODUCTS)
    catalogue = services.catalogue
    tables = [(tid, catalogue.tables.versions(tid)) for tid in catalogue.tables.ids()]
    return page(request, "staff_products.html", products=catalogue.products, tables=tables)


@router.get("/tables/{table_id}/{version}", response_class=HTMLResponse)
def table(table_id: str, version: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """The cells and metadata of one table version."""
    require_staff(request, services, Action.READ_PRODUCTS)
    found = services.catalogue.tables.get(table_id, version)
    history = services.catalogue.tables.versions(table_id)
    return page(request, "staff_table.html", table=found, history=history)
