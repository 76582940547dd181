"""Claims as statistics: statutory timers and the deadline list, and the claim transactions of
a tenant as the frame reserving reads (:data:`sme_insure.reserving.transactions.CLAIM_COLUMNS`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sme_insure.claims.deadlines import ClaimDates, Timer, timers
from sme_insure.claims.vocabulary import ClaimStatus, TimerState
from sme_insure.reserving.transactions import CLAIM_COLUMNS
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.claims_ledger import get_claim, rules, scoped_claims
from sme_insure.services.context import Services
from sme_insure.storage.claims_schema import Claim, ClaimTransaction
from sme_insure.storage.schema import Policy


def claim_dates(claim: Claim) -> ClaimDates:
    """The dates that drive a claim's timers."""
    return ClaimDates(report_date=claim.report_date, docs_complete_on=claim.docs_complete_on,
                      decided_on=claim.decided_on, agreed_on=claim.agreed_on,
                      paid_in_full_on=claim.paid_in_full_on,
                      refusal_decided_on=claim.refusal_decided_on,
                      refusal_notice_on=claim.refusal_notice_on,
                      certain_part_paid_on=claim.certain_part_paid_on, closed_on=claim.closed_on)


def claim_timers(services: Services, claim: Claim) -> list[tuple[Timer, TimerState]]:
    """Each started timer with its state today."""
    deadlines = rules(services).deadlines
    today = services.today()
    return [(t, t.state(today, deadlines.warn_days)) for t in timers(claim_dates(claim), deadlines)]


@dataclass(frozen=True)
class DeadlineItem:
    """A timer that needs attention: approaching its due date or overdue."""

    claim: Claim
    timer: Timer
    state: TimerState
    days_left: int


def deadline_list(session: Session, services: Services, actor: Actor,
                  within_days: int | None = None) -> list[DeadlineItem]:
    """Open claims with a timer due within ``within_days`` (default: the rules' warning period)
    or already overdue, soonest first."""
    authorize(actor, Action.READ_CLAIMS)
    today = services.today()
    warn = rules(services).deadlines.warn_days if within_days is None else within_days
    items = []
    for claim in session.scalars(scoped_claims(actor).where(Claim.status == ClaimStatus.OPEN)):
        for timer, _ in claim_timers(services, claim):
            state = timer.state(today, warn)
            if state.needs_attention:
                items.append(DeadlineItem(claim, timer, state, (timer.due - today).days))
    return sorted(items, key=lambda i: (i.timer.due, i.claim.id))


def transactions(session: Session, actor: Actor, claim_id: int) -> list[ClaimTransaction]:
    """The rows of one claim, in order."""
    authorize(actor, Action.READ_CLAIMS)
    claim = get_claim(session, actor, claim_id)
    return list(session.scalars(select(ClaimTransaction).where(ClaimTransaction.claim_id == claim.id)
                                .order_by(ClaimTransaction.sequence)))


def claim_transactions_frame(session: Session, tenant_id: int,
                             as_of: dt.date | None = None) -> pd.DataFrame:
    """Every claim transaction of a tenant (to ``as_of``, if given) in the reserving contract's
    columns and order; ``claim_id`` and ``policy_id`` are the claim and policy numbers."""
    names = [c.name for c in CLAIM_COLUMNS]
    cols = {"claim_id": Claim.number, "policy_id": Policy.number,
            **{n: getattr(ClaimTransaction, n) for n in names if n not in ("claim_id", "policy_id")}}
    query = (select(*[cols[n].label(n) for n in names])
             .join(Claim, Claim.id == ClaimTransaction.claim_id)
             .join(Policy, Policy.id == ClaimTransaction.policy_id)
             .where(ClaimTransaction.tenant_id == tenant_id)
             .order_by(ClaimTransaction.claim_id, ClaimTransaction.sequence))
    if as_of is not None:
        query = query.where(ClaimTransaction.transaction_date <= as_of)
    frame = pd.DataFrame(session.execute(query).all(), columns=names)
    for name in ("loss_date", "report_date", "transaction_date"):
        frame[name] = pd.to_datetime(frame[name])
    for name in ("paid_fen", "case_reserve_change_fen"):
        frame[name] = frame[name].astype("int64")
    return frame
