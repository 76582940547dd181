"""Handling a claim: reserve, assess, pay (advance, partial, final), recover, refuse, close and
reopen; and the fast track, which assesses and pays a clean small claim in one go.

Each function locks the policy and the claim, checks the request against the claim's state and
limits, and appends transaction rows; the caller's unit of work commits all of it or none.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict
from fractions import Fraction

from sqlalchemy.orm import Session

from sme_insure.claims import ledger
from sme_insure.claims.assessment import Assessment, Loss, Terms, assess, worksheet
from sme_insure.claims.cover import check_in_force, outstanding
from sme_insure.claims.deadlines import days_between
from sme_insure.claims.limits import available, coverage_deductibles, sum_insured
from sme_insure.claims.vocabulary import ClaimStatus, PaymentType, RecoveryKind, Route
from sme_insure.errors import ConfigurationError, InputError, Issue, StateError
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.claims_ledger import (
    balances,
    claim_inputs,
    claim_limits,
    coverage_of,
    lock_claim,
    policy_facts,
    product_of,
    received,
    record,
    require_status,
    rules,
    table_lookup,
)
from sme_insure.services.context import Services
from sme_insure.storage.claims_schema import Claim
from sme_insure.storage.schema import Policy

OPEN, CLOSED, REFUSED = ClaimStatus.OPEN, ClaimStatus.CLOSED, ClaimStatus.REFUSED
NOT_SETTLED = "not settled automatically on the fast track: passed to a claims handler"
log = logging.getLogger(__name__)


def _handled(session: Session, actor: Actor, claim_id: int) -> tuple[Claim, Policy]:
    authorize(actor, Action.HANDLE_CLAIMS)
    claim, policy = lock_claim(session, actor, claim_id)
    if claim.handler_key_id is None:
        claim.handler_key_id = actor.key_id
    return claim, policy


def _terms(session: Session, services: Services, claim: Claim, policy: Policy) -> Terms:
    """Deductibles, sum insured, indemnity share and the limit left, on the loss date."""
    inputs = claim_inputs(session, services, claim, policy)
    coverage = coverage_of(product_of(services, claim), claim.coverage)
    share_input = rules(services).product(claim.product_code).indemnity_input
    if share_input and inputs.get(share_input) is None:
        raise ConfigurationError(f"indemnity share: the policy has no value for input {share_input!r}")
    share = Fraction(str(inputs[share_input])) / 100 if share_input else Fraction(1)
    return Terms(deductibles=coverage_deductibles(coverage, inputs, claim.peril),
                 sum_insured_fen=sum_insured(coverage, inputs, table_lookup(services, policy)),
                 indemnity_share=share, available_fen=available(claim_limits(session, services, claim, policy)))


def _decided(claim: Claim, today: dt.date) -> None:
    if claim.decided_on is None:
        claim.decided_on = today
        claim.report_to_decision_days = days_between(claim.report_date, today)


def _agree(session: Session, services: Services, actor: Actor, claim: Claim, result: Assessment,
           loss: Loss, reason: str) -> None:
    """Store the agreed amount and move the reserve to what is still to pay."""
    today = services.today()
    claim.assessment = {"loss": asdict(loss), "steps": worksheet(result), "reason": reason}
    claim.agreed_fen, claim.agreed_on = result.payable_fen, today
    audit.record(session, actor, "claim.assess", "claim", claim.id,
                 {"agreed_fen": result.payable_fen, "loss": asdict(loss)}, reason)
    _decided(claim, today)
    target = max(result.payable_fen - claim.payments_fen, 0)
    if target != claim.reserve_fen:
        record(session, services, actor, claim, ledger.Movement(
            ledger.TransactionKind.RESERVE_CHANGE, 0, target - claim.reserve_fen),
            reason=f"assessment: {reason}")
    claim.paid_in_full_on = today if claim.payments_fen >= result.payable_fen else None


def _paid(claim: Claim, amount: int, kind: PaymentType, today: dt.date) -> None:
    if claim.first_paid_on is None:
        claim.first_paid_on = today
        claim.report_to_payment_days = days_between(claim.report_date, today)
    if kind is PaymentType.ADVANCE and claim.certain_part_paid_on is None:
        claim.certain_part_paid_on = today
    if claim.agreed_fen is not None and claim.payments_fen >= claim.agreed_fen:
        claim.paid_in_full_on = claim.paid_in_full_on or today


def _close(session: Session, services: Services, actor: Actor, claim: Claim, status: ClaimStatus,
           reason: str) -> None:
    record(session, services, actor, claim, ledger.close(balances(claim)), reason=reason)
    claim.status, claim.closed_on = status, services.today()


def settle_fast_track(session: Session, services: Services, actor: Actor, claim: Claim,
                      policy: Policy) -> None:
    """Assess the estimate as the loss, pay what is payable in full, and close.

    A configuration gap (terms that cannot be read) must not undo the report or the upload
    that completed the claim: the settlement is rolled back to a savepoint, the claim goes to
    a handler with the reason, and the gap is logged for the product's owner."""
    try:
        with session.begin_nested():
            _settle(session, services, actor, claim, policy)
    except ConfigurationError as exc:
        log.error("claim %s (%s %s): fast track not settled: %s", claim.number, claim.product_code,
                  claim.product_version, exc)
        claim.route = Route.HANDLER
        claim.triage = {**claim.triage, "reasons": [*claim.triage.get("reasons", []), NOT_SETTLED]}
        audit.record(session, actor, "claim.route", "claim", claim.id, {"route": Route.HANDLER},
                     "fast track not settled: configuration")


def _settle(session: Session, services: Services, actor: Actor, claim: Claim, policy: Policy) -> None:
    loss = Loss(claim.estimated_fen)
    result = assess(loss, _terms(session, services, claim, policy))
    _agree(session, services, actor, claim, result, loss, "fast track: estimate accepted")
    if result.payable_fen > 0:
        record(session, services, actor, claim,
               ledger.payment(balances(claim), result.payable_fen, None, final=True),
               reason="fast track", payment_type=PaymentType.FINAL)
        _paid(claim, result.payable_fen, PaymentType.FINAL, services.today())
    _close(session, services, actor, claim, CLOSED, "fast track: settled")


def set_reserve(session: Session, services: Services, actor: Actor, claim_id: int, *,
                reserve_fen: int, reason: str) -> Claim:
    """Set the case reserve, with a reason; never beyond the limit left."""
    claim, policy = _handled(session, actor, claim_id)
    require_status(claim, OPEN)
    left = available(claim_limits(session, services, claim, policy))
    record(session, services, actor, claim, ledger.reserve(balances(claim), reserve_fen, left), reason=reason)
    return claim


def assess_claim(session: Session, services: Services, actor: Actor, claim_id: int, *, loss: Loss,
                 reason: str) -> Claim:
    """Agree the amount payable once every document is in (see :mod:`sme_insure.claims.assessment`)."""
    claim, policy = _handled(session, actor, claim_id)
    require_status(claim, OPEN)
    if missing := outstanding(claim.documents_required, received(session, claim)):
        raise StateError(f"documents outstanding: {missing}; assess once they are received")
    result = assess(loss, _terms(session, services, claim, policy))
    _agree(session, services, actor, claim, result, loss, reason)
    return claim


def _check_payment(claim: Claim, amount: int, kind: PaymentType, today: dt.date) -> None:
    if claim.waiting_until is not None and today < claim.waiting_until:
        raise StateError(f"the waiting period runs until {claim.waiting_until}; no payment before")
    if kind is PaymentType.ADVANCE:
        if claim.agreed_fen is not None:
            raise StateError("the amount is agreed; pay it as a partial or final payment")
        return
    if claim.agreed_fen is None:
        raise StateError("no amount agreed yet: assess first, or pay the certain part in advance")
    if claim.payments_fen + amount > claim.agreed_fen:
        raise StateError(f"payment of {amount} fen exceeds the agreed {claim.agreed_fen} fen "
                         f"({claim.payments_fen} fen paid)")


def pay(session: Session, services: Services, actor: Actor, claim_id: int, *, amount_fen: int,
        kind: PaymentType, reason: str) -> Claim:
    """Pay within the reserve, the agreed amount and the limit; final releases the rest."""
    claim, policy = _handled(session, actor, claim_id)
    require_status(claim, OPEN)
    _check_payment(claim, amount_fen, kind, services.today())
    left = available(claim_limits(session, services, claim, policy))
    movement = ledger.payment(balances(claim), amount_fen, left, final=kind is PaymentType.FINAL)
    record(session, services, actor, claim, movement, reason=reason, payment_type=kind)
    _paid(claim, amount_fen, kind, services.today())
    return claim


def recover(session: Session, services: Services, actor: Actor, claim_id: int, *, amount_fen: int,
            kind: RecoveryKind, reason: str) -> Claim:
    """Record salvage, subrogation or a refund received (open or closed claims)."""
    claim, _ = _handled(session, actor, claim_id)
    require_status(claim, OPEN, CLOSED)
    record(session, services, actor, claim, ledger.recovery(balances(claim), amount_fen),
           reason=f"{kind}: {reason}")
    return claim


def refuse(session: Session, services: Services, actor: Actor, claim_id: int, *, reason: str,
           decided_on: dt.date | None = None) -> Claim:
    """Refuse with a reason: the notice goes today, the decision may be dated earlier."""
    claim, _ = _handled(session, actor, claim_id)
    require_status(claim, OPEN)
    today = services.today()
    decided = decided_on or today
    if not claim.report_date <= decided <= today:
        raise InputError([Issue("decided_on", decided.isoformat(),
                                f"must fall between the report date {claim.report_date} and today")])
    if claim.payments_fen:
        raise StateError(f"{claim.payments_fen} fen has been paid on claim {claim.number}; close it instead")
    claim.refusal_reason, claim.refusal_decided_on, claim.refusal_notice_on = reason, decided, today
    audit.record(session, actor, "claim.refuse", "claim", claim.id, {"decided_on": decided}, reason)
    if claim.decided_on is None:
        claim.decided_on, claim.report_to_decision_days = decided, days_between(claim.report_date, decided)
    _close(session, services, actor, claim, REFUSED, f"refused: {reason}")
    return claim


def close_claim(session: Session, services: Services, actor: Actor, claim_id: int, *, reason: str) -> Claim:
    """Close, releasing the remaining reserve."""
    claim, _ = _handled(session, actor, claim_id)
    require_status(claim, OPEN)
    _close(session, services, actor, claim, CLOSED, reason)
    return claim


def reopen(session: Session, services: Services, actor: Actor, claim_id: int, *, reason: str,
           reserve_fen: int = 0) -> Claim:
    """Reopen a closed or refused claim with a new reserve (within the limit left), if its loss
    is still within the cover: a policy cancelled since from before the loss no longer covers
    it (its premium for that time was returned)."""
    claim, policy = _handled(session, actor, claim_id)
    require_status(claim, CLOSED, REFUSED)
    check_in_force(policy_facts(session, policy), claim.loss_date)
    left = available(claim_limits(session, services, claim, policy))
    record(session, services, actor, claim, ledger.reopen(balances(claim), reserve_fen, left), reason=reason)
    claim.status, claim.closed_on = OPEN, None
    return claim

