"""Closed vocabularies of claims (``StrEnum``: the value is the text stored and sent).

Transaction kinds are not repeated here: a claim transaction row uses reserving's
:class:`~sme_insure.reserving.vocabulary.TransactionKind`, the contract both packages share.
"""

from __future__ import annotations

from enum import StrEnum

from sme_insure.reserving.vocabulary import TransactionKind

__all__ = ["ClaimStatus", "PaymentType", "RecoveryKind", "RedFlag", "Route", "TimerName",
           "TimerState", "TransactionKind"]


class ClaimStatus(StrEnum):
    """``open`` while handled; ``closed`` when settled or withdrawn; ``refused`` with a reason.
    A closed or refused claim may be reopened."""

    OPEN = "open"
    CLOSED = "closed"
    REFUSED = "refused"


class Route(StrEnum):
    """Where triage sends a claim: paid automatically, or to a claims handler."""

    FAST_TRACK = "fast_track"
    HANDLER = "handler"


class PaymentType(StrEnum):
    """``advance`` pays the certain part before the amount is agreed; ``partial`` and ``final``
    pay an agreed amount (``final`` releases whatever reserve is left)."""

    ADVANCE = "advance"
    PARTIAL = "partial"
    FINAL = "final"


class RecoveryKind(StrEnum):
    """Money coming back on a claim: salvage sold, subrogation against a third party, a refund."""

    SALVAGE = "salvage"
    SUBROGATION = "subrogation"
    REFUND = "refund"


class RedFlag(StrEnum):
    """Reasons a claim goes to a handler instead of the fast track."""

    EARLY_LOSS = "early_loss"
    COVER_INCREASED = "cover_increased"
    REPEAT_CLAIMS = "repeat_claims"
    NEAR_LIMIT = "near_limit"
    BANK_ACCOUNT_SEEN = "bank_account_seen"


class TimerName(StrEnum):
    """Statutory timers (Insurance Law arts. 23–25)."""

    DECISION = "decision"
    PAYMENT = "payment"
    REFUSAL_NOTICE = "refusal_notice"
    CERTAIN_PART = "certain_part"


class TimerState(StrEnum):
    """A timer runs, approaches its due date, is overdue, or was met on time or late."""

    RUNNING = "running"
    APPROACHING = "approaching"
    OVERDUE = "overdue"
    MET = "met"
    LATE = "late"

    @property
    def needs_attention(self) -> bool:
        """Listed by the deadline API."""
        return self in (TimerState.APPROACHING, TimerState.OVERDUE)
