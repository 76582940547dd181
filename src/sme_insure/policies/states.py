"""Closed vocabularies of the policy lifecycle."""

from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):
    """Underwriting outcome of a quote."""

    ACCEPT = "accept"
    REFER = "refer"
    DECLINE = "decline"


class QuoteStatus(StrEnum):
    """A quote is ``quoted`` (accepted, bindable), ``referred`` (waiting for an underwriter),
    ``approved`` / ``declined`` after referral or rules, ``bound`` once, or ``offered`` as a
    renewal offer awaiting the customer's consent."""

    QUOTED = "quoted"
    REFERRED = "referred"
    APPROVED = "approved"
    DECLINED = "declined"
    BOUND = "bound"
    OFFERED = "offered"

    @property
    def bindable(self) -> bool:
        """Whether a quote in this state may be bound (if unexpired)."""
        return self in (QuoteStatus.QUOTED, QuoteStatus.APPROVED, QuoteStatus.OFFERED)


class PolicyStatus(StrEnum):
    """Policy states. ``issued`` is in force between its dates unless cancelled."""

    ISSUED = "issued"
    CANCELLED = "cancelled"


class TransactionKind(StrEnum):
    """Premium transactions: each is a signed row, so earned premium is derivable for any period."""

    WRITTEN = "written"
    ENDORSEMENT = "endorsement"
    CANCELLATION = "cancellation"
    REINSTATEMENT = "reinstatement"
    ADJUSTMENT = "adjustment"


class CancellationBasis(StrEnum):
    """How premium is returned on cancellation."""

    PRO_RATA = "pro_rata"
    SHORT_RATE = "short_rate"
    FLAT = "flat"


class Role(StrEnum):
    """Roles of API keys."""

    ADMIN = "admin"
    UNDERWRITER = "underwriter"
    CHANNEL = "channel"
    CUSTOMER_SERVICE = "customer_service"
    ACTUARY = "actuary"
    CLAIMS_HANDLER = "claims_handler"
    CUSTOMER = "customer"

    @property
    def sees_personal_data(self) -> bool:
        """Roles that need raw ID and phone numbers; everyone else sees them masked."""
        return self in (Role.ADMIN, Role.UNDERWRITER, Role.CLAIMS_HANDLER)
