"""Pages for insurer staff, signed in with their API key: referral queue and decisions, product
and rate-table browsing (read-only, with version history)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from sme_insure.errors import InputError, PermissionDenied, SmeInsureError
from sme_insure.http.deps import ServicesDep
from sme_insure.services import referrals
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.services.keys import authenticate_key
from sme_insure.web.render import field_errors, page

router = APIRouter(prefix="/staff", include_in_schema=False)
COOKIE = "sme_staff"


def staff_actor(request: Request, services: Services) -> Actor | None:
    """The signed-in staff member, from the HttpOnly cookie."""
    key = request.cookies.get(COOKIE)
    if not key:
        return None
    try:
        return services.actors.fetch(key, partial(authenticate_key, services.db))
    except PermissionDenied:
        return None


@router.get("", response_class=HTMLResponse)
def staff_home(request: Request, services: ServicesDep) -> HTMLResponse:
    """Sign-in form, or the staff menu."""
    return page(request, "staff_home.html", actor=staff_actor(request, services), error=None)


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login(request: Request, services: ServicesDep) -> HTMLResponse | RedirectResponse:
    """Sign in with an API key; it is kept in an HttpOnly, SameSite=Strict cookie."""
    key = str((await request.form()).get("api_key", "")).strip()
    try:
        await run_in_threadpool(authenticate_key, services.db, key)
    except PermissionDenied:
        return page(request, "staff_home.html", status=401, actor=None, error="api_key")
    response = RedirectResponse("/staff", status_code=303)
    response.set_cookie(COOKIE, key, httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    """Sign out."""
    response = RedirectResponse("/staff", status_code=303)
    response.delete_cookie(COOKIE)
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
