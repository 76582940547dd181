"""Resource limits at the edge: request body size and a per-key rate limit, each answered with a
clear problem+json (413, 429 with ``Retry-After``) instead of exhausting the machine.

The rate limit is a token bucket per API key (its public prefix) once the key is known good,
else per client address, in memory: per worker process, which is what a single-node deployment
needs; behind several nodes use the proxy's limiter instead. A key is known good when the
server's :class:`~sme_insure.services.keys.ActorCache` holds it, i.e. it authenticated less than
``SME_INSURE_KEY_CACHE_SECONDS`` ago: a dictionary look-up, no database read. Every other
request — no key, a made-up key, someone else's prefix with a wrong secret, or a real key's
first request before it is checked — counts against its client address, so sending a new key
each time gains no bucket and draining another key's bucket needs its secret. (With the cache
turned off, every request counts against its address.) Buckets that have refilled are dropped
once there are many, so the table cannot grow without bound.

A body that streams past the limit raises :class:`BodyTooLarge`, an ``HTTPException`` (413) that
FastAPI passes through its body parsing and :mod:`sme_insure.http.problems` answers.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sme_insure.http.problems import error_page, problem

MAX_BODY = int(os.environ.get("SME_INSURE_MAX_BODY_BYTES", 2_000_000))
MAX_UPLOAD = int(os.environ.get("SME_INSURE_MAX_UPLOAD_BYTES", 12_000_000))
RATE = float(os.environ.get("SME_INSURE_RATE_PER_SECOND", 200))
BURST = float(os.environ.get("SME_INSURE_RATE_BURST", 400))
MAX_BUCKETS = 10_000


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets: ``rate`` requests a second on average, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, who: str, now: float | None = None) -> float:
        """0 if allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._buckets) >= MAX_BUCKETS and who not in self._buckets:
                self._prune(now)
            b = self._buckets.setdefault(who, _Bucket(self.burst, now))
            b.tokens = min(self.burst, b.tokens + (now - b.stamp) * self.rate)
            b.stamp = now
            if b.tokens >= 1:
                b.tokens -= 1
                return 0.0
            return (1 - b.tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Drop buckets that are full again (forgetting them changes nothing)."""
        refill = self.burst / self.rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.stamp < refill}


class KnownKeys(Protocol):
    """Keys authenticated lately: ``get`` gives something for a key known good, else ``None``."""

    def get(self, text: str) -> object | None: ...


def _presented(headers: dict[bytes, bytes]) -> str | None:
    """The key as :func:`sme_insure.http.deps.get_actor` reads it: ``X-API-Key``, else
    ``Authorization: Bearer <key>``."""
    text = headers.get(b"x-api-key")
    if not text:
        auth = headers.get(b"authorization", b"")
        text = auth[7:] if auth.startswith(b"Bearer ") else None
    return text.decode("latin-1") if text else None


def _caller(scope: Scope, headers: dict[bytes, bytes], keys: KnownKeys | None) -> str:
    """The bucket's name: a known-good key's public prefix (``key:smei_<prefix>``), else the
    client address (``ip:<address>``)."""
    text = _presented(headers)
    if text is not None and keys is not None and keys.get(text) is not None:
        return "key:" + text[:17]
    return "ip:" + str((scope.get("client") or ("?",))[0])


class LimitsMiddleware:
    """Pure ASGI middleware (streams are not buffered) enforcing both limits."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter | None = None, *, max_body: int = MAX_BODY,
                 max_upload: int = MAX_UPLOAD, keys: KnownKeys | None = None) -> None:
        self.app = app
        self.limiter = limiter or RateLimiter(RATE, BURST)
        self.keys = keys  # the server's ActorCache; without it every request counts per address
        self.max_body, self.max_upload = max_body, max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        wait = self.limiter.take(_caller(scope, headers, self.keys))
        if wait:
            response = problem(429, "rate-limited", "Too many requests",
                               f"rate limit of {self.limiter.rate:g} requests/s exceeded; retry later")
            response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            await response(scope, receive, send)
            return
        multipart = b"multipart/form-data" in headers.get(b"content-type", b"")
        limit = self.max_upload if multipart else self.max_body
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            detail = f"the body may be at most {limit:,} bytes"
            await _too_large(scope, detail)(scope, receive, send)
            return
        await self.app(scope, _capped(receive, limit), send)


def _too_large(scope: Scope, detail: str) -> Response:
    """413: a page outside ``/v1`` (a person uploading on the pages reads it), else problem+json."""
    return (error_page(Request(scope), 413, "Request too large", detail)
            or problem(413, "too-large", "Request too large", detail))


def _capped(receive: Receive, limit: int) -> Receive:
    """Count streamed body bytes too (a missing or false Content-Length is no way around it)."""
    seen = 0

    async def wrapped() -> dict:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return wrapped


class BodyTooLarge(HTTPException):
    """A streamed body went past the limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body may be at most {limit:,} bytes")
