"""The one place that maps domain errors to HTTP: RFC 9457 ``application/problem+json``.

``InputError`` → 422 with ``errors`` naming each field, value and what is allowed;
``NotFoundError`` → 404 (also for another tenant's objects); ``StateError`` and ``ConflictError``
→ 409; ``PermissionDenied`` → 403 (401 for a missing or invalid key); request validation → 422;
a body streaming past the size limit (``limits.BodyTooLarge``) → 413; ``UnavailableError`` (a
capability this installation lacks, e.g. PDF output) → 503.
Anything else is a 500 without internals in the body.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from sme_insure.errors import (
    ConfigurationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDenied,
    SmeInsureError,
    StateError,
    UnavailableError,
)

log = logging.getLogger("sme_insure.http")


class FieldError(BaseModel):
    """One invalid field: its path, the value given and what is allowed."""

    field: str
    value: Any = None
    reason: str
    row: int | None = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


def _documented(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("Malformed request"),
    401: _documented("Missing or invalid API key"),
    403: _documented("The key's role may not do this"),
    404: _documented("Not found (also another tenant's object)"),
    405: _documented("Method not allowed"),
    409: _documented("Invalid state or idempotency conflict"),
    413: _documented("Request too large"),
    422: _documented("Invalid input, naming each field"),
    429: _documented("Rate limit exceeded"),
    500: _documented("Unexpected error (logged)"),
}
UNAVAILABLE = {503: _documented("Not available on this installation")}
PROBLEM = "application/problem+json"
_STATUS: list[tuple[type[Exception], int, str]] = [
    (InputError, 422, "invalid-input"),
    (NotFoundError, 404, "not-found"),
    (StateError, 409, "invalid-state"),
    (ConflictError, 409, "conflict"),
    (PermissionDenied, 403, "forbidden"),
    (ConfigurationError, 500, "configuration"),
    (UnavailableError, 503, "unavailable"),
]


def problem(status: int, kind: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": f"https://sme-insure.example/problems/{kind}", "title": title,
            "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _safe(value: Any) -> Any:
    """A value as an error body may carry it: JSON has no NaN or infinity (``1e400`` parses as
    one), so those are sent as text, as anything not a plain scalar is."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def status_of(exc: SmeInsureError) -> int:
    """The HTTP status of a domain error (422 bad input, 404, 409, 403, …)."""
    return _kind(exc)[0]


def _kind(exc: SmeInsureError) -> tuple[int, str]:
    return next(((s, k) for cls, s, k in _STATUS if isinstance(exc, cls)), (500, "error"))


async def _domain(request: Request, exc: SmeInsureError) -> Response:
    status, kind = _kind(exc)
    if isinstance(exc, PermissionDenied) and "API key" in str(exc):
        status, kind = 401, "unauthorized"
    extra: dict[str, Any] = {}
    if isinstance(exc, InputError):
        extra["errors"] = [{"field": i.field, "value": _safe(i.value), "reason": i.reason,
                            **({"row": i.row} if i.row is not None else {})} for i in exc.issues]
    title, detail = kind.replace("-", " ").capitalize(), str(exc)
    if isinstance(exc, ConfigurationError):  # the insurer's fault, not the caller's: its owner
        log.error("configuration error on %s %s: %s", request.method, request.url.path, exc)
        detail = "the product's configuration cannot answer this request; it was logged"
    return error_page(request, status, title, detail) or problem(status, kind, title, detail, **extra)


def error_page(request: Request, status: int, title: str, detail: str) -> Response | None:
    """Outside ``/v1`` the pages show errors as pages (a person, not a program, reads them)."""
    app = request.scope.get("app")  # absent for a middleware run on its own
    renderer = getattr(getattr(app, "state", None), "error_page", None)
    if renderer is None or request.url.path.startswith("/v1"):
        return None
    return renderer(request, status, title, detail)


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    errors = [{"field": ".".join(str(p) for p in e["loc"] if p != "body"), "value": _safe(e.get("input")),
               "reason": e["msg"]} for e in exc.errors()]
    shown = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return error_page(request, 422, "Invalid input", shown) or problem(
        422, "invalid-input", "Invalid input", "the request does not match the schema", errors=errors)


_HTTP_KINDS = {413: ("too-large", "Request too large")}  # limits.BodyTooLarge, raised mid-body


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette's 405 names only one route's),
    routers included by the app walked too (FastAPI keeps them as routers of routes)."""
    return ", ".join(sorted(_methods_at(request.app.router.routes, request.url.path) - {"HEAD"}))


def _methods_at(routes: list[Any], path: str) -> set[str]:
    methods: set[str] = set()
    for route in routes:
        nested = getattr(getattr(route, "original_router", route), "routes", None)
        if nested is not None and getattr(route, "path_regex", None) is None:
            methods |= _methods_at(nested, path)
            continue
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(getattr(route, "methods", None) or ())
    return methods


async def _http(request: Request, exc: HTTPException) -> Response:
    kind, title = _HTTP_KINDS.get(exc.status_code, ("http", str(exc.detail)))
    response = error_page(request, exc.status_code, title, str(exc.detail)) or problem(
        exc.status_code, kind, title, str(exc.detail))
    response.headers.update(exc.headers or {})
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        response.headers["Allow"] = allowed  # RFC 9110: list them all
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal", "Internal error", "an unexpected error occurred; it was logged")


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(SmeInsureError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
