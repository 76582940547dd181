"""Request dependencies: the shared services and the authenticated actor."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from starlette.concurrency import run_in_threadpool

from sme_insure.errors import PermissionDenied
from sme_insure.services.actor import Actor
from sme_insure.services.context import Services
from sme_insure.services.keys import authenticate_key


async def get_services(request: Request) -> Services:
    """The services object created with the app (``async``: a plain function would be sent to
    the thread pool, a hop that costs more than many endpoints)."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_actor(services: ServicesDep,
                    authorization: Annotated[str | None, Header(description="Bearer <API key>")] = None,
                    x_api_key: Annotated[str | None, Header(description="API key")] = None) -> Actor:
    """Resolve ``Authorization: Bearer <key>`` or ``X-API-Key`` to an actor (401 otherwise)."""
    text = x_api_key or (authorization[7:] if authorization and authorization.startswith("Bearer ") else None)
    if not text:
        raise PermissionDenied("missing API key")
    actor = services.actors.get(text)
    if actor is None:  # the database read goes to the thread pool; a remembered key needs none
        actor = await run_in_threadpool(services.actors.fetch, text,
                                        partial(authenticate_key, services.db))
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key",
    description="Retry-safe key for this write: 1 to 255 printable ASCII characters, kept 7 days "
                "(by default) per API key; a retry with the same key and request gets the first response")]

ObjectId = Annotated[int, Path(ge=1, le=2**53, description="Object id")]
