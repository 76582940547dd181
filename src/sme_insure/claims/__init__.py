"""Claims: the coverage check at first notice of loss, triage and red flags, assessment
arithmetic, the claim ledger (transaction rows and balances) and statutory timers.

No database or web imports: the services in :mod:`sme_insure.services.claims` open the unit of
work, call these functions and store their results.

::

    cover        policy in force on the loss date, peril and coverage, documents asked
    limits       limits and deductibles resolved to fen; erosion by earlier claims
    assessment   loss → salvage → average → deductibles → indemnity share → limit
    triage       red flags, fast track or handler queue and authority level
    ledger       movements as signed rows; balances as sums of rows
    deadlines    decision, payment, refusal-notice and certain-part timers
    uploads      document type and size checks, content hash
    rules        the rules file (deadlines, triage thresholds, uploads, product terms)
"""

from sme_insure.claims.assessment import Assessment, Loss, Terms, assess
from sme_insure.claims.cover import PolicyFacts, check_in_force, check_loss_date, find_coverage
from sme_insure.claims.deadlines import ClaimDates, Timer, timers
from sme_insure.claims.ledger import Balances, Movement
from sme_insure.claims.rules import ClaimRules, default_rules, load_rules
from sme_insure.claims.triage import TriageFacts, red_flags, triage
from sme_insure.claims.vocabulary import (
    ClaimStatus,
    PaymentType,
    RecoveryKind,
    RedFlag,
    Route,
    TimerName,
    TimerState,
)

__all__ = [
    "Assessment",
    "Balances",
    "ClaimDates",
    "ClaimRules",
    "ClaimStatus",
    "Loss",
    "Movement",
    "PaymentType",
    "PolicyFacts",
    "RecoveryKind",
    "RedFlag",
    "Route",
    "Terms",
    "Timer",
    "TimerName",
    "TimerState",
    "TriageFacts",
    "assess",
    "check_in_force",
    "check_loss_date",
    "default_rules",
    "find_coverage",
    "load_rules",
    "red_flags",
    "timers",
    "triage",
]
