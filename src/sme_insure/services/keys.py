"""Tenants and API keys. A key is shown once (``smei_<prefix>_<secret>``); only a SHA-256 of its
secret is stored. The secret is 32 random bytes, so a plain hash is as strong as a slow one.

A server remembers an authenticated key for a short time (:class:`ActorCache`,
``SME_INSURE_KEY_CACHE_SECONDS``, default 30), so most requests need no database read to know
their caller; a revoked key is refused by every server process within that time."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sme_insure.errors import InputError, Issue, NotFoundError, PermissionDenied
from sme_insure.policies.states import Role
from sme_insure.services import audit
from sme_insure.services.actor import Actor
from sme_insure.storage.database import Database
from sme_insure.storage.schema import ApiKey, Tenant, utcnow
from sme_insure.underwriting import Authority


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: the full text is shown once."""

    key_id: int
    tenant: str
    role: Role
    text: str


def ensure_tenant(session: Session, code: str, name: str | None = None) -> Tenant:
    """The tenant with this code, created if new."""
    tenant = session.scalars(select(Tenant).where(Tenant.code == code)).first()
    if tenant is None:
        tenant = Tenant(code=code, name=name or code)
        session.add(tenant)
        session.flush()
    return tenant


def create_key(session: Session, tenant_code: str, role: str, *, name: str = "",
               channel: str | None = None, authority: dict | None = None) -> NewKey:
    """Create a key for a role (a channel key needs its channel name)."""
    roles = [r.value for r in Role]
    if role not in roles:
        raise InputError([Issue("role", role, f"allowed: {roles}")])
    if role == Role.CHANNEL and not channel:
        raise InputError([Issue("channel", channel, "a channel key needs a channel name")])
    tenant = ensure_tenant(session, tenant_code)
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey(tenant_id=tenant.id, prefix=prefix, secret_hash=_digest(secret), role=role,
                 name=name or role, channel=channel, authority=authority)
    session.add(key)
    session.flush()
    audit.record(session, None, "key.create", "api_key", key.id, {
        "prefix": prefix, "role": role, "channel": channel, "authority": authority}, tenant_id=tenant.id)
    return NewKey(key.id, tenant_code, Role(role), f"smei_{prefix}_{secret}")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def authenticate(session: Session, text: str) -> Actor:
    """The actor of a presented key; any malformed, unknown or revoked key is refused alike."""
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != "smei":
        raise PermissionDenied("invalid API key")
    key = session.scalars(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    if key is None or key.revoked_at is not None or not hmac.compare_digest(
            key.secret_hash, _digest(parts[2])):
        raise PermissionDenied("invalid API key")
    return _actor(key)


def _actor(key: ApiKey) -> Actor:
    authority = Authority(**key.authority) if key.authority else None
    return Actor(key.tenant_id, key.id, Role(key.role), key.channel, authority)


def authenticate_key(db: Database, text: str) -> Actor:
    """:func:`authenticate` in a reading session of its own."""
    with db.reading() as session:
        return authenticate(session, text)


def actor_of_key(db: Database, key_id: int) -> Actor:
    """The actor of a key already proven by a signed staff session, read afresh each time (not
    remembered): a revoked key is refused at once."""
    with db.reading() as session:
        key = session.get(ApiKey, key_id)
        if key is None or key.revoked_at is not None:
            raise PermissionDenied("invalid API key")
        return _actor(key)


def tenant_of(session: Session, code: str) -> Tenant:
    """A tenant by code."""
    tenant = session.scalars(select(Tenant).where(Tenant.code == code)).first()
    if tenant is None:
        raise NotFoundError("tenant", code)
    return tenant


def revoke_key(session: Session, prefix: str, why: str) -> ApiKey:
    """Revoke a key by its public prefix (``smei_<prefix>_…``); it cannot be used again."""
    prefix = prefix.removeprefix("smei_").split("_")[0]  # a whole key pasted: never echo its secret
    key = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if key is None:
        raise NotFoundError("API key prefix", prefix)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(session, None, "key.revoke", "api_key", key.id, {"prefix": key.prefix},
                     why, tenant_id=key.tenant_id)
    return key


def list_keys(session: Session, tenant_code: str) -> list[ApiKey]:
    """A tenant's keys, oldest first (their secrets are not stored)."""
    tenant = tenant_of(session, tenant_code)
    return list(session.scalars(select(ApiKey).where(ApiKey.tenant_id == tenant.id).order_by(ApiKey.id)))


class ActorCache:
    """Authenticated keys, remembered for ``ttl`` seconds (bounded to ``size`` keys): the trade
    between a database read on every request and how soon a revocation takes effect."""

    def __init__(self, ttl: float, size: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.size, self._clock = ttl, size, clock
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> ActorCache:
        """``SME_INSURE_KEY_CACHE_SECONDS`` (default 30; 0 reads the database every time)."""
        return cls(float(os.environ.get("SME_INSURE_KEY_CACHE_SECONDS", 30)))

    def now(self) -> float:
        """The cache's clock: take it before authenticating, and give it to :meth:`put`."""
        return self._clock()

    def get(self, text: str) -> Actor | None:
        """The actor of a key authenticated less than ``ttl`` seconds ago."""
        entry = self._entries.get(text)
        if entry is None or self._clock() - entry[0] >= self.ttl:
            return None
        return entry[1]

    def fetch(self, text: str, load: Callable[[str], Actor]) -> Actor:
        """The remembered actor of ``text``, else ``load(text)`` (which raises for a bad key),
        remembered from the moment before it was loaded."""
        actor = self.get(text)
        if actor is None:
            checked_at = self.now()
            actor = load(text)
            self.put(text, actor, checked_at)
        return actor

    def put(self, text: str, actor: Actor, checked_at: float) -> None:
        """Remember a key found valid at ``checked_at`` (taken before the database read, so a
        revocation is never seen later than ``ttl`` after it). When full, expired entries are
        dropped, else the oldest."""
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.size:
                now = self._clock()
                self._entries = {k: e for k, e in self._entries.items() if now - e[0] < self.ttl}
                while len(self._entries) >= self.size:
                    del self._entries[next(iter(self._entries))]
            self._entries[text] = (checked_at, actor)
