"""Idempotent writes: a retried request with the same ``Idempotency-Key`` gets the first
response; the same key with a different body is refused (409).

A key belongs to its caller: records are unique per (tenant, key, caller), the caller being
the API key (``key:<id>``) or, for an actor without one (the web pages), its role and channel
(``channel:web``; a non-null value, since NULLs are distinct in a unique constraint). Two API
keys of one tenant (two channels) may each use the same key. Records written before callers
were recorded (caller ``""``) are still matched: their fingerprint covers the API key id.

A key is 1 to 255 printable ASCII characters (as the IETF draft *The Idempotency-Key HTTP
Header Field* suggests); anything else, the empty key included, is refused with 422.

The operation, the idempotency record and the response are written in one transaction, so a
crash leaves either all of them or none; a failed operation stores nothing. Two concurrent
requests with one key: the loser's transaction fails (unique key, or the state the winner
changed) and it returns the winner's stored response instead of its own error.

The stored response is encrypted with the vault (it may hold personal data, e.g. the schedule
of a bound group policy, shown in clear to the role that bound it); records written before are
read as they are, until ``privacy seal-schedules`` seals them. Records are kept
``SME_INSURE_IDEMPOTENCY_DAYS`` (7) days: an older record is ignored and deleted when its key is
looked up, every ``SWEEP_EVERY``-th keyed write of a process deletes up to ``SWEEP_BATCH`` of the
oldest expired records (no timer thread), and the server expires all of them when it starts.

Which POST routes take an ``Idempotency-Key`` (a closed list; the OpenAPI description of the
others says they do not)::

    with a key    /v1/customers, /v1/quotes, /v1/quote-comparisons, /v1/quotes/{id}/bind,
                  /v1/referrals/{id}/decision, /v1/policies/{id}/endorsements, .../cancellations,
                  .../reinstatement, .../adjustments, .../renewals, /v1/claims,
                  /v1/claims/{id}/documents (the file's SHA-256 and the form fields are the
                  body), .../reserve, .../assess, .../payments, .../recoveries, .../refuse,
                  .../close, .../reopen
    without       /v1/pension/illustrations (computes, stores nothing: a retry is harmless);
                  /v1/reserving/runs, /v1/studies/runs (each call starts a read-only job of its
                  own; a retry starts another and the first one's id is lost, nothing else)
    web forms     the claim form and "Buy" carry a one-time signed token
                  (:func:`sme_insure.web.render.form_token`) used as the key of the web actor;
                  without: the quote form (a resent form prices a second quote, buys nothing),
                  the document upload (the same file is not stored twice), staff sign-in and
                  sign-out, and the staff referral decision (a resent one is refused as
                  already decided)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from sme_insure.errors import ConflictError, InputError, Issue, SmeInsureError
from sme_insure.privacy import Vault
from sme_insure.services.actor import Actor
from sme_insure.storage.database import Database
from sme_insure.storage.schema import IdempotencyRecord, utcnow

Operation = Callable[[Session], tuple[int, Any]]  # (status, JSON body: an object or a list)
log = logging.getLogger("sme_insure.idempotency")

HEADER = "Idempotency-Key"
KEY_RULE = "1 to 255 printable ASCII characters (space to ~)"
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
LEGACY = ""  # the caller of records written before callers were recorded


def request_hash(method: str, path: str, body: Any) -> str:
    """Fingerprint of a request: method, path and canonical JSON body."""
    text = json.dumps([method, path, body], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def caller_of(actor: Actor) -> str:
    """Who owns a key: the API key, or (no key: the web pages) the role and channel."""
    if actor.key_id is not None:
        return f"key:{actor.key_id}"
    return f"{actor.role}:{actor.channel or '-'}"


def check_key(key: str) -> None:
    """Refuse a key that is empty, too long or not printable ASCII (422, naming the header)."""
    if not _KEY.fullmatch(key):
        raise InputError([Issue(HEADER, key, KEY_RULE)])


SEALED = "sealed"


def _seal(vault: Vault, body: Any) -> dict[str, Any]:
    return {SEALED: vault.encrypt(json.dumps(body, separators=(",", ":"), ensure_ascii=False))}


def _unseal(vault: Vault, stored: dict[str, Any]) -> Any:
    if set(stored) == {SEALED}:
        return json.loads(vault.decrypt(stored[SEALED]))
    return stored  # written before responses were sealed


_BY_KEY = select(IdempotencyRecord).where(
    IdempotencyRecord.tenant_id == bindparam("tenant_id"), IdempotencyRecord.key == bindparam("key"),
    or_(IdempotencyRecord.caller == bindparam("caller"), IdempotencyRecord.caller == LEGACY))

KEEP_DAYS = float(os.environ.get("SME_INSURE_IDEMPOTENCY_DAYS", 7))


def _expired(record: IdempotencyRecord) -> bool:
    """Older than ``KEEP_DAYS`` (SQLite gives the UTC timestamp back without its zone)."""
    created = record.created_at
    created = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
    return created < utcnow() - dt.timedelta(days=KEEP_DAYS)


def _stored(session: Session, actor: Actor, key: str, fingerprint: str, vault: Vault, *,
            evict: bool) -> tuple[int, Any] | None:
    """The stored response for this caller's key; ``None`` if there is none or it expired (an
    expired record is deleted when ``evict``: the write transaction then reuses the key)."""
    caller = caller_of(actor)
    rows = session.scalars(_BY_KEY, {"tenant_id": actor.tenant_id, "key": key, "caller": caller}).all()
    record = next((r for r in rows if r.caller == caller), rows[0] if rows else None)
    if record is None:
        return None
    if _expired(record):
        if evict:
            session.delete(record)
            session.flush()  # before the new record is inserted under the same key
        return None
    if record.request_hash != fingerprint:
        raise ConflictError(f"Idempotency-Key {key!r} was used with a different request")
    return record.status_code, _unseal(vault, record.response)


def run_idempotent(db: Database, actor: Actor, key: str | None, fingerprint: str,
                   operation: Operation, *, vault: Vault) -> tuple[int, Any]:
    """Run ``operation`` once per key of this caller; returns ``(status, body)``. The fingerprint
    also covers the API key id (records written before callers were recorded are told apart
    by it)."""
    fingerprint = request_hash("caller", str(actor.key_id), fingerprint)
    if key is None:
        with db.transaction() as session:
            return operation(session)
    check_key(key)
    # One look-up, inside the write transaction, serves first requests and (rare) retries alike
    try:
        with db.transaction() as session:
            if (found := _stored(session, actor, key, fingerprint, vault, evict=True)) is not None:
                return found
            status, body = operation(session)
            session.add(IdempotencyRecord(tenant_id=actor.tenant_id, key=key, caller=caller_of(actor),
                                          request_hash=fingerprint, status_code=status,
                                          response=_seal(vault, body)))
    except (IntegrityError, SmeInsureError):
        with db.reading() as session:
            if (found := _stored(session, actor, key, fingerprint, vault, evict=False)) is not None:
                return found
        raise
    _sweep_now_and_then(db)
    return status, body


def replay(db: Database, actor: Actor, key: str, fingerprint: str, *, vault: Vault) -> tuple[int, Any] | None:
    """The stored response of an earlier request with this caller's key, or ``None``: read
    before work a retry must not redo (a quote is priced on the day's tables and date, and a
    retry the next day would be refused for a start date now past instead of replayed)."""
    check_key(key)
    fingerprint = request_hash("caller", str(actor.key_id), fingerprint)
    with db.reading() as session:
        return _stored(session, actor, key, fingerprint, vault, evict=False)


SWEEP_EVERY = 64  # keyed writes of a process between two sweeps
SWEEP_BATCH = 500  # records deleted at most by one sweep: a short transaction
_writes = itertools.count(1)


def _sweep_now_and_then(db: Database) -> None:
    """Every ``SWEEP_EVERY``-th keyed write deletes up to ``SWEEP_BATCH`` expired records, after
    its own commit: the write has succeeded, so a failed sweep is logged, not raised."""
    if next(_writes) % SWEEP_EVERY:
        return
    try:
        expire_records(db, limit=SWEEP_BATCH)
    except SQLAlchemyError:
        log.warning("sweeping expired idempotency records failed", exc_info=True)


def expire_records(db: Database, *, days: float | None = None, limit: int | None = None) -> int:
    """Delete the records older than ``days`` (``KEEP_DAYS``), the oldest ``limit`` of them if
    given (a client retries within minutes or hours; a stored response may hold personal data,
    so it is not kept for ever). Returns how many."""
    cutoff = utcnow() - dt.timedelta(days=KEEP_DAYS if days is None else days)
    old = IdempotencyRecord.created_at < cutoff
    if limit is not None:
        oldest = select(IdempotencyRecord.id).where(old).order_by(IdempotencyRecord.created_at).limit(limit)
        old = IdempotencyRecord.id.in_(oldest.scalar_subquery())
    with db.transaction() as session:
        done = session.execute(delete(IdempotencyRecord).where(old))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def seal_stored_records(db: Database, vault: Vault) -> int:
    """Encrypt the responses of records written before they were sealed; returns how many."""
    sealed = 0
    with db.transaction() as session:
        for record in session.scalars(select(IdempotencyRecord).with_for_update()):
            if set(record.response) != {SEALED}:
                record.response, sealed = _seal(vault, record.response), sealed + 1
    return sealed
