"""Tenants and API keys. A key is shown once (``smei_<prefix>_<secret>``); only a SHA-256 of its
secret is stored. The secret is 32 random bytes, so a plain hash is as strong as a slow one."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sme_insure.errors import InputError, Issue, NotFoundError, PermissionDenied
from sme_insure.policies.states import Role
from sme_insure.services import audit
from sme_insure.services.actor import Actor
from sme_insure.storage.schema import ApiKey, Tenant
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
    authority = Authority(**key.authority) if key.authority else None
    return Actor(key.tenant_id, key.id, Role(key.role), key.channel, authority)


def tenant_of(session: Session, code: str) -> Tenant:
    """A tenant by code."""
    tenant = session.scalars(select(Tenant).where(Tenant.code == code)).first()
    if tenant is None:
        raise NotFoundError("tenant", code)
    return tenant
