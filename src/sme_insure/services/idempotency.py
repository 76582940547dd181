"""Idempotent writes: a retried request with the same ``Idempotency-Key`` gets the first
response; the same key with a different body is refused.

The operation, the idempotency record and the response are written in one transaction, so a
crash leaves either all of them or none. Two concurrent requests with one key: the loser's
transaction fails (unique key, or the state the winner changed) and it returns the winner's
stored response instead of its own error.

The stored response is encrypted with the vault (it may hold personal data, e.g. the schedule
of a bound group policy, shown in clear to the role that bound it); records written before are
read as they are, until ``privacy seal-schedules`` seals them. Records are kept
``SME_INSURE_IDEMPOTENCY_DAYS`` (7) days: the server expires older ones when it starts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sme_insure.errors import ConflictError, SmeInsureError
from sme_insure.privacy import Vault
from sme_insure.services.actor import Actor
from sme_insure.storage.database import Database
from sme_insure.storage.schema import IdempotencyRecord, utcnow

Operation = Callable[[Session], tuple[int, dict[str, Any]]]


def request_hash(method: str, path: str, body: Any) -> str:
    """Fingerprint of a request: method, path and canonical JSON body."""
    text = json.dumps([method, path, body], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


SEALED = "sealed"


def _seal(vault: Vault, body: dict[str, Any]) -> dict[str, Any]:
    return {SEALED: vault.encrypt(json.dumps(body, separators=(",", ":"), ensure_ascii=False))}


def _unseal(vault: Vault, stored: dict[str, Any]) -> dict[str, Any]:
    if set(stored) == {SEALED}:
        return json.loads(vault.decrypt(stored[SEALED]))
    return stored  # written before responses were sealed


_BY_KEY = select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == bindparam("tenant_id"),
                                          IdempotencyRecord.key == bindparam("key"))


def _stored(session: Session, actor: Actor, key: str, fingerprint: str,
            vault: Vault) -> tuple[int, dict[str, Any]] | None:
    record = session.scalars(_BY_KEY, {"tenant_id": actor.tenant_id, "key": key}).first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise ConflictError(f"Idempotency-Key {key!r} was used with a different request "
                            "or by another API key")
    return record.status_code, _unseal(vault, record.response)


def run_idempotent(db: Database, actor: Actor, key: str | None, fingerprint: str,
                   operation: Operation, *, vault: Vault) -> tuple[int, dict[str, Any]]:
    """Run ``operation`` once per key; returns ``(status, body)``. The key belongs to the API
    key that first used it: the fingerprint covers the caller, so another key of the tenant
    (another channel, a masked role) cannot replay the stored response."""
    fingerprint = request_hash("caller", str(actor.key_id), fingerprint)
    if key is None:
        with db.transaction() as session:
            return operation(session)
    if not 1 <= len(key) <= 200:
        raise ConflictError("Idempotency-Key must be 1 to 200 characters")
    # One look-up, inside the write transaction, serves first requests and (rare) retries alike
    try:
        with db.transaction() as session:
            if (found := _stored(session, actor, key, fingerprint, vault)) is not None:
                return found
            status, body = operation(session)
            session.add(IdempotencyRecord(tenant_id=actor.tenant_id, key=key,
                                          request_hash=fingerprint, status_code=status,
                                          response=_seal(vault, body)))
            return status, body
    except (IntegrityError, SmeInsureError):
        with db.reading() as session:
            if (found := _stored(session, actor, key, fingerprint, vault)) is not None:
                return found
        raise


KEEP_DAYS = float(os.environ.get("SME_INSURE_IDEMPOTENCY_DAYS", 7))


def expire_records(db: Database, *, days: float = KEEP_DAYS) -> int:
    """Delete the records older than ``days`` (a client retries within minutes or hours; a
    stored response may hold personal data, so it is not kept for ever). Returns how many."""
    cutoff = utcnow() - dt.timedelta(days=days)
    with db.transaction() as session:
        done = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def seal_stored_records(db: Database, vault: Vault) -> int:
    """Encrypt the responses of records written before they were sealed; returns how many."""
    sealed = 0
    with db.transaction() as session:
        for record in session.scalars(select(IdempotencyRecord).with_for_update()):
            if set(record.response) != {SEALED}:
                record.response, sealed = _seal(vault, record.response), sealed + 1
    return sealed
