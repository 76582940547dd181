"""Statistics for management and the regulator, computed from the stored rows of one tenant
(and one channel, for a channel key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sme_insure.customers.industry import section_of_division
from sme_insure.errors import InputError
from sme_insure.policies.states import TransactionKind
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.claims_reporting import claim_transactions_frame
from sme_insure.statistics.measures import statistics
from sme_insure.statistics.period import Period
from sme_insure.storage.claims_schema import Claim
from sme_insure.storage.schema import Customer, Policy, PremiumTransaction

_DATES = ("start_date", "end_date", "cancelled_on", "transaction_date", "effective_date",
          "period_end", "report_date", "decided_on", "agreed_on", "first_paid_on")


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    for name in _DATES:
        if name in frame:
            frame[name] = pd.to_datetime(frame[name])
    return frame


def _sum_insured_fen(inputs: dict) -> int:
    """Sum insured of a policy: its input, times the persons on a schedule."""
    per = float(inputs.get("sum_insured") or 0)
    return round(per * 100 * max(len(inputs.get("persons") or []), 1))


def industry_section(code: str | None) -> str:
    """The GB/T 4754-2017 section (a letter) of an industry code as stored: its letter, or the
    section of its 2-digit division for a code given in digits; "n/a" when there is none."""
    text = (code or "").strip()
    if text[:1].isalpha():
        return text[0].upper()
    try:
        return section_of_division(int(text[:2])).letter
    except (ValueError, InputError):
        return "n/a"


def _inputs_at(session: Session, tenant_id: int, day: dt.date) -> dict[int, dict[str, Any]]:
    """Each policy's inputs in force on ``day``: those after its last premium row effective on
    or before it (an adjustment changes no cover, so it is not one of them)."""
    query = (select(PremiumTransaction.policy_id, PremiumTransaction.inputs_after)
             .where(PremiumTransaction.tenant_id == tenant_id, PremiumTransaction.effective_date <= day,
                    PremiumTransaction.kind != TransactionKind.ADJUSTMENT)
             .order_by(PremiumTransaction.policy_id, PremiumTransaction.sequence))
    return {int(pid): inputs for pid, inputs in session.execute(query)}  # in sequence: the last wins


def policies_frame(session: Session, actor: Actor, as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per policy with the statistics dimensions; the sum insured is the one in force
    on ``as_of`` (else the latest): an endorsement after a period leaves its figures alone."""
    query = select(Policy, Customer).join(Customer, Customer.id == Policy.customer_id).where(
        Policy.tenant_id == actor.tenant_id)
    if actor.channel_scope:
        query = query.where(Policy.channel == actor.channel_scope)
    at = _inputs_at(session, actor.tenant_id, as_of) if as_of is not None else {}
    rows = [{"policy_id": p.id, "customer_id": p.customer_id, "line": p.line, "product": p.product_code,
             "entity_type": c.entity_type, "size_class": c.size_class or "n/a",
             "industry": industry_section(c.industry), "region": c.province or "n/a",
             "channel": p.channel or "direct", "start_date": p.start_date, "end_date": p.end_date,
             "cancelled_on": p.cancelled_on, "sum_insured_fen": _sum_insured_fen(at.get(p.id, p.inputs))}
            for p, c in session.execute(query)]
    return _dates(pd.DataFrame(rows, columns=["policy_id", "customer_id", "line", "product",
                                              "entity_type", "size_class", "industry", "region",
                                              "channel", "start_date", "end_date", "cancelled_on",
                                              "sum_insured_fen"]))


def premium_frame(session: Session, policy_ids: list[int]) -> pd.DataFrame:
    """Premium transaction rows of the given policies."""
    cols = ["policy_id", "transaction_date", "effective_date", "period_end", "premium_fen"]
    query = select(*[getattr(PremiumTransaction, c) for c in cols]).where(
        PremiumTransaction.policy_id.in_(policy_ids))
    return _dates(pd.DataFrame(session.execute(query).all() if policy_ids else [], columns=cols))


def claims_frames(session: Session, actor: Actor, policies: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claims (with the policy's dimensions) and their transactions, for the given policies."""
    query = select(Claim).where(Claim.tenant_id == actor.tenant_id,
                                Claim.policy_id.in_(policies["policy_id"].tolist() or [-1]))
    rows = [{"claim_id": c.number, "policy_id": c.policy_id, "report_date": c.report_date,
             "decided_on": c.decided_on, "agreed_on": c.agreed_on, "first_paid_on": c.first_paid_on,
             "report_to_decision_days": c.report_to_decision_days,
             "report_to_payment_days": c.report_to_payment_days} for c in session.scalars(query)]
    claims = _dates(pd.DataFrame(rows, columns=["claim_id", "policy_id", "report_date", "decided_on",
                                                "agreed_on", "first_paid_on", "report_to_decision_days",
                                                "report_to_payment_days"]))
    claims = claims.merge(policies.drop(columns=["customer_id", "start_date", "end_date",
                                                 "cancelled_on", "sum_insured_fen"]), on="policy_id")
    tx = claim_transactions_frame(session, actor.tenant_id)
    tx = tx[tx["claim_id"].isin(claims["claim_id"])][["claim_id", "transaction_date", "paid_fen",
                                                      "case_reserve_change_fen"]]
    return claims, tx


def sme_statistics(session: Session, actor: Actor, period: Period, by: list[str]) -> pd.DataFrame:
    """The statistics table of the actor's tenant (or channel) for a period."""
    authorize(actor, Action.READ_POLICIES)
    policies = policies_frame(session, actor, period.last_day)
    premiums = premium_frame(session, policies["policy_id"].tolist())
    claims, claim_tx = claims_frames(session, actor, policies)
    return statistics(policies, premiums, claims, claim_tx, period, by)
