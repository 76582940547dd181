"""Mounting the self-service and staff pages on the app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from sme_insure.web import claims_pages, public, staff
from sme_insure.web.render import page


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    """How a page shows an error: staff pages send an unsigned visitor to sign in."""
    if status in (401, 403) and request.url.path.startswith("/staff"):
        return RedirectResponse("/staff", status_code=303)
    return page(request, "error.html", status=status, title=title, detail=detail)


def install(app: FastAPI) -> None:
    """Add the page routers; errors on pages render as pages (the API keeps problem+json)."""
    app.include_router(public.router)
    app.include_router(claims_pages.router)
    app.include_router(staff.router)
    app.state.error_page = error_page


__all__ = ["install"]
