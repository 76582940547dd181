"""Who is calling: tenant, key, role and channel, and what each role may do.

Permission checks live here, once, not in each route: the HTTP layer resolves the API key to an
:class:`Actor` and the services call :func:`authorize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sme_insure.errors import PermissionDenied
from sme_insure.policies.states import Role
from sme_insure.underwriting import Authority


class Action(StrEnum):
    """Things a caller may ask for."""

    READ_PRODUCTS = "read_products"
    MANAGE_CUSTOMERS = "manage_customers"
    QUOTE = "quote"
    BIND = "bind"
    READ_POLICIES = "read_policies"
    CHANGE_POLICIES = "change_policies"
    DECIDE_REFERRALS = "decide_referrals"
    ACTUARIAL = "actuarial"
    REPORT_CLAIMS = "report_claims"
    READ_CLAIMS = "read_claims"
    HANDLE_CLAIMS = "handle_claims"


_ALL = set(Role)
PERMISSIONS: dict[Action, set[Role]] = {
    Action.READ_PRODUCTS: _ALL,
    Action.MANAGE_CUSTOMERS: {Role.ADMIN, Role.CHANNEL, Role.CUSTOMER_SERVICE, Role.UNDERWRITER},
    Action.QUOTE: {Role.ADMIN, Role.CHANNEL, Role.CUSTOMER_SERVICE, Role.UNDERWRITER},
    Action.BIND: {Role.ADMIN, Role.CHANNEL, Role.CUSTOMER_SERVICE},
    Action.READ_POLICIES: {Role.ADMIN, Role.CHANNEL, Role.CUSTOMER_SERVICE, Role.UNDERWRITER,
                           Role.ACTUARY, Role.CLAIMS_HANDLER},
    Action.CHANGE_POLICIES: {Role.ADMIN, Role.CHANNEL, Role.CUSTOMER_SERVICE},
    Action.DECIDE_REFERRALS: {Role.ADMIN, Role.UNDERWRITER},
    Action.ACTUARIAL: {Role.ADMIN, Role.ACTUARY},
    Action.REPORT_CLAIMS: {Role.ADMIN, Role.CHANNEL, Role.CUSTOMER_SERVICE, Role.CLAIMS_HANDLER, Role.CUSTOMER},
    Action.READ_CLAIMS: {Role.ADMIN, Role.CHANNEL, Role.CUSTOMER_SERVICE, Role.CLAIMS_HANDLER, Role.CUSTOMER, Role.ACTUARY},
    Action.HANDLE_CLAIMS: {Role.ADMIN, Role.CLAIMS_HANDLER},
}


@dataclass(frozen=True)
class Actor:
    """The caller. A ``channel`` key sees only the business written through its channel.
    ``anonymous`` marks the public web pages: a visitor acting through the web channel who sees
    only what its own signed links name, not the channel's book."""

    tenant_id: int
    key_id: int | None
    role: Role
    channel: str | None = None
    authority: Authority | None = None
    anonymous: bool = False

    @property
    def channel_scope(self) -> str | None:
        """The channel a query must be limited to, or ``None`` for tenant-wide roles."""
        return self.channel if self.role is Role.CHANNEL else None

    def sees_business_of(self, channel: str | None) -> bool:
        """Whether the actor may see a policy (or quote, customer) written through ``channel``:
        tenant-wide roles see every channel's, a channel key its own, a web visitor none."""
        return not self.anonymous and self.channel_scope in (None, channel)


def authorize(actor: Actor, action: Action) -> None:
    """Raise :class:`PermissionDenied` unless the actor's role may perform ``action``."""
    if actor.role not in PERMISSIONS[action]:
        raise PermissionDenied(f"role {actor.role} may not {action.value.replace('_', ' ')}")
