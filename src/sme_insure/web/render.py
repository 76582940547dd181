"""Rendering pages: the Jinja2 environment, the language, signed links and the web channel.

Business owners use the pages without an API key: the pages act as the ``web`` channel of the
tenant named by ``SME_INSURE_WEB_TENANT`` (default ``demo``). Links to a quote, policy or claim
carry an HMAC of the id, so knowing one number does not reveal another.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select

from sme_insure.errors import InputError, NotFoundError
from sme_insure.money import format_cny
from sme_insure.policies.states import Role
from sme_insure.services.actor import Actor
from sme_insure.services.context import Services
from sme_insure.storage.schema import Tenant
from sme_insure.web.i18n import LANGS, translate


@cache
def environment() -> Environment:
    """Templates of the pages (autoescaped, strict)."""
    env = Environment(loader=PackageLoader("sme_insure.web", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html", "j2"]))
    env.filters["cny"] = format_cny
    return env


def language(request: Request) -> str:
    """``?lang=`` if given, else the cookie, else Chinese."""
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return lang if lang in LANGS else "zh"


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the language helpers; remembers an explicit language choice."""
    lang = language(request)
    other = "en" if lang == "zh" else "zh"
    html = environment().get_template(template).render(
        request=request, lang=lang, t=lambda key: translate(key, lang),
        other_lang=other, switch_url=switch_url(request, other), **context)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, samesite="lax", httponly=True)
    return response


def switch_url(request: Request, lang: str) -> str:
    """The page in the other language: the same URL with ``lang`` set (its other query
    parameters kept: ``/compare?q=…``). A page answering a form (POST) is shown again by its
    parent path's GET (``/products/X/quote`` → ``/products/X``): a GET of the form's own path
    would be refused (405)."""
    if request.method == "GET":
        url = request.url.include_query_params(lang=lang)
        return f"{url.path}?{url.query}"
    parent = request.url.path.rstrip("/").rsplit("/", 1)[0] or "/"
    return f"{parent}?lang={lang}"


def field_errors(exc: InputError) -> dict[str, str]:
    """Errors by field name, for display next to each field."""
    out: dict[str, str] = {}
    for issue in exc.issues:
        name = issue.field.split(".")[-1] or "_form"
        out.setdefault(name, issue.reason)
    return out


def _mac(services: Services, text: str) -> str:
    return hmac.new(_secret(services), text.encode(), hashlib.sha256).hexdigest()[:20]


def sign(services: Services, kind: str, obj_id: int) -> str:
    """A link token ``<id>.<mac>`` for a quote, policy or claim."""
    return f"{obj_id}.{_mac(services, f'{kind}:{obj_id}')}"


FORM_TOKEN = "form_token"  # the hidden field


def form_token(services: Services, purpose: str) -> str:
    """A one-time token ``<random>.<mac>`` for a form that must act once (a double submit, a
    second click on "Buy"), made when the form is rendered and signed for its ``purpose``
    (e.g. ``buy:<quote id>``). Sent back in a hidden field, it is the web actor's
    Idempotency-Key: the second submit gets the first one's result."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_mac(services, f'form:{purpose}:{nonce}')}"


def form_key(services: Services, purpose: str, form: Mapping[str, Any]) -> str | None:
    """The form's token if signed for ``purpose``; ``None`` if the form carries none (a page
    rendered before tokens: it acts as before); a forged or misplaced one is not found."""
    token = str(form.get(FORM_TOKEN) or "")
    if not token:
        return None
    nonce, _, mac = token.partition(".")
    if not hmac.compare_digest(_mac(services, f"form:{purpose}:{nonce}"), mac):
        raise NotFoundError("form", token)
    return token


def unsign(services: Services, kind: str, token: str) -> int:
    """The id in a token, or :class:`NotFoundError` (a bad link looks like a missing page)."""
    head, _, _ = token.partition(".")
    if not head.isdigit() or not hmac.compare_digest(sign(services, kind, int(head)), token):
        raise NotFoundError(kind, token)
    return int(head)


def _secret(services: Services) -> bytes:
    return services.vault.lookup_hash("web-link-secret").encode()


def web_actor(services: Services) -> Actor:
    """The web channel of the pages' tenant."""
    cache_ = services.__dict__.setdefault("_web_actor", {})
    if "actor" not in cache_:
        code = os.environ.get("SME_INSURE_WEB_TENANT", "demo")
        with services.db.transaction() as session:
            tenant = session.scalars(select(Tenant).where(Tenant.code == code)).first()
            if tenant is None:
                tenant = Tenant(code=code, name=code)
                session.add(tenant)
                session.flush()
            cache_["actor"] = Actor(tenant.id, None, Role.CHANNEL, "web", anonymous=True)
    return cache_["actor"]
