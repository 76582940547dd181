"""The FastAPI application: a thin layer over the services."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from sme_insure import __version__
from sme_insure.http import (
    problems,
    routes_actuarial,
    routes_catalogue,
    routes_claims,
    routes_jobs,
    routes_pension,
    routes_policies,
    routes_quotes,
    routes_statistics,
)
from sme_insure.http.limits import LimitsMiddleware
from sme_insure.services import idempotency
from sme_insure.services.context import Services

REQUEST_THREADS = int(os.environ.get("SME_INSURE_REQUEST_THREADS", 2))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """On start, expired idempotency records are deleted (keyed writes sweep them now and then
    too), and at most ``REQUEST_THREADS``
    requests of this worker process run at once (``SME_INSURE_REQUEST_THREADS``, default 2;
    the rest wait on the event loop). A request is CPU work under one GIL: dozens of threads
    (anyio's default is 40) only fight for it, and cost 10–25 % more CPU per quote on the
    benchmark; raise it for a database far away over the network. On shutdown, background jobs
    still queued or running are failed and their processes stopped: nothing would supervise
    them once the server has gone."""
    if app.state.services is not None:
        idempotency.expire_records(app.state.services.db)
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    yield
    runner = getattr(app.state.services, "jobs", None)
    if runner is not None:
        runner.shutdown()


def create_app(services: Services | None) -> FastAPI:
    """The API under ``/v1``, with problem+json errors."""
    app = FastAPI(title="sme-insure", version=__version__, lifespan=_lifespan,
                  description="Quote, underwrite, bind and service insurance for small businesses. "
                              "Money is in integer fen (0.01 CNY). Errors are RFC 9457 problem+json.")
    app.state.services = services  # None only when exporting the OpenAPI contract
    problems.install(app)
    app.add_middleware(LimitsMiddleware,  # body size and per-key rate limits (413, 429)
                       keys=services.actors if services is not None else None)
    routers = (routes_catalogue, routes_quotes, routes_policies, routes_pension, routes_claims,
               routes_statistics, routes_jobs, routes_actuarial)
    for module in routers:
        app.include_router(module.router, responses=problems.PROBLEM_RESPONSES)
    from sme_insure.web import pages  # the pages are a layer over the same services

    pages.install(app)
    return app


def openapi_document() -> dict:
    """The published contract (``api/openapi.json``), generated from the app itself."""
    return create_app(None).openapi()
