"""Mid-term changes: endorsements (pro rata to the day), cancellation (pro rata, short rate or
flat in the cooling-off period), reinstatement and the year-end adjustment. Each writes one
premium transaction row; the policy's current inputs and annual premium follow the rows."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sme_insure.errors import InputError, Issue, StateError
from sme_insure.policies.proration import (
    months_in_force,
    pro_rata,
    remaining_fraction,
    round_fraction,
)
from sme_insure.policies.states import Decision, PolicyStatus, TransactionKind
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.services.cover import overlapping_policy
from sme_insure.services.pricing import price
from sme_insure.services.schedule_sealing import seal_inputs, unseal_inputs
from sme_insure.storage.repos import get_scoped
from sme_insure.storage.schema import Policy, PremiumTransaction
from sme_insure.underwriting.adjustment import adjustment_step


def _policy(session: Session, actor: Actor, policy_id: int) -> Policy:
    authorize(actor, Action.CHANGE_POLICIES)
    return get_scoped(session, Policy, policy_id, actor.tenant_id, actor.channel_scope, for_update=True)


def _record(session: Session, policy: Policy, actor: Actor, services: Services, *, kind: TransactionKind,
            effective: dt.date, premium: int, vat: int, reason: str) -> PremiumTransaction:
    policy.sequence += 1
    policy.inputs = seal_inputs(services.vault, policy.inputs)  # also seals a row from before sealing
    row = PremiumTransaction(
        tenant_id=policy.tenant_id, policy_id=policy.id, sequence=policy.sequence, kind=kind,
        effective_date=effective, period_end=policy.end_date, transaction_date=services.today(),
        premium_fen=premium, vat_fen=vat, annual_premium_after_fen=policy.annual_premium_fen,
        inputs_after=policy.inputs, reason=reason, created_by_key=actor.key_id)
    session.add(row)
    audit.record(session, actor, f"policy.{kind}", "policy", policy.id, {
        "sequence": policy.sequence, "effective_date": effective, "premium_fen": premium, "vat_fen": vat,
        "annual_premium_after_fen": policy.annual_premium_fen, "status": policy.status}, reason)
    return row


def _last_change(session: Session, policy: Policy) -> dt.date:
    latest = session.scalar(select(func.max(PremiumTransaction.effective_date)).where(
        PremiumTransaction.policy_id == policy.id))
    return latest or policy.start_date


def _in_force(policy: Policy, effective: dt.date) -> None:
    if policy.status != PolicyStatus.ISSUED:
        raise StateError(f"policy {policy.number} is {policy.status}")
    if not policy.start_date <= effective < policy.end_date:
        raise InputError([Issue("effective_date", effective.isoformat(),
                                f"must fall within the cover period {policy.start_date} – {policy.end_date}")])


def endorse(session: Session, services: Services, actor: Actor, policy_id: int, *,
            effective: dt.date, changes: dict[str, Any], reason: str) -> PremiumTransaction:
    """Re-rate with the changed inputs on the policy's own product and table versions and its
    underwriter's adjustment, and charge or return the difference pro rata to the day. An endorsement dated before the latest change
    is refused (out of sequence): reverse the later one first."""
    policy = _policy(session, actor, policy_id)
    _in_force(policy, effective)
    if not changes:
        raise InputError([Issue("changes", changes, "an endorsement changes at least one input")])
    if effective < (last := _last_change(session, policy)):
        raise StateError(f"out of sequence: a change effective {last} exists; an endorsement "
                         f"effective {effective} would have to re-rate it; reverse it first")
    inputs = {**unseal_inputs(services.vault, policy.inputs), **changes}
    priced = price(services.rater, policy.product_code, inputs, as_of=policy.start_date,
                   product_version=policy.product_version, table_versions=policy.versions["tables"],
                   adjustment=adjustment_step(policy.adjustment))
    if priced.decision.decision is not Decision.ACCEPT:
        codes = [r.code for r in priced.decision.reasons]
        raise StateError(f"this change is {priced.decision.decision} by underwriting rules {codes}; "
                         "ask an underwriter")
    charge = pro_rata(priced.premium_fen - policy.annual_premium_fen, policy.start_date,
                      policy.end_date, effective)
    vat = pro_rata(priced.money["vat"] - policy.money["vat"], policy.start_date, policy.end_date, effective)
    policy.inputs = seal_inputs(services.vault, inputs)
    policy.money, policy.annual_premium_fen = priced.money, priced.premium_fen
    return _record(session, policy, actor, services, kind=TransactionKind.ENDORSEMENT,
                   effective=effective, premium=charge, vat=vat, reason=reason)


def _written(session: Session, policy: Policy) -> tuple[int, int]:
    row = session.execute(select(func.coalesce(func.sum(PremiumTransaction.premium_fen), 0),
                                 func.coalesce(func.sum(PremiumTransaction.vat_fen), 0))
                          .where(PremiumTransaction.policy_id == policy.id)).one()
    return int(row[0]), int(row[1])


def _returned_share(services: Services, policy: Policy, effective: dt.date) -> tuple[str, Fraction]:
    terms = services.catalogue.get(policy.product_code, policy.product_version).policy.cancellation
    issued = policy.issued_at.date()
    if terms.cooling_off_days and effective <= issued + dt.timedelta(days=terms.cooling_off_days):
        return "flat (cooling-off)", Fraction(1)
    if terms.basis == "short_rate":
        months = min(months_in_force(policy.start_date, effective), 12)
        earned = Fraction(str(terms.short_rate[months - 1].earned)) if months else Fraction(0)
        return f"short rate ({months} months earned {earned})", 1 - earned
    return "pro rata", remaining_fraction(policy.start_date, policy.end_date, effective)


def cancel(session: Session, services: Services, actor: Actor, policy_id: int, *,
           effective: dt.date, reason: str) -> PremiumTransaction:
    """Cancel from ``effective`` and return premium by the product's basis."""
    policy = _policy(session, actor, policy_id)
    _in_force(policy, effective)
    if effective < (last := _last_change(session, policy)):
        raise StateError(f"out of sequence: a change effective {last} exists after {effective}")
    basis, share = _returned_share(services, policy, effective)
    written, written_vat = _written(session, policy)
    if basis.startswith("flat"):
        premium, vat = -written, -written_vat
    else:
        premium = -round_fraction(policy.annual_premium_fen * share)
        vat = -round_fraction(policy.money["vat"] * share)
    policy.status, policy.cancelled_on = PolicyStatus.CANCELLED, effective
    return _record(session, policy, actor, services, kind=TransactionKind.CANCELLATION,
                   effective=effective, premium=premium, vat=vat, reason=f"{reason} [{basis}]")


def reinstate(session: Session, services: Services, actor: Actor, policy_id: int, *,
              reason: str) -> PremiumTransaction:
    """Undo a cancellation: charge back exactly what it returned; refused if another policy of
    the customer now covers part of the period since."""
    policy = _policy(session, actor, policy_id)
    if policy.status != PolicyStatus.CANCELLED:
        raise StateError(f"policy {policy.number} is {policy.status}; only a cancelled policy is reinstated")
    last = session.scalars(select(PremiumTransaction).where(
        PremiumTransaction.policy_id == policy.id).order_by(PremiumTransaction.sequence.desc())).first()
    assert last is not None and last.kind == TransactionKind.CANCELLATION
    overlap = overlapping_policy(session, tenant_id=policy.tenant_id, customer_id=policy.customer_id,
                                 code=policy.product_code, start=last.effective_date,
                                 end=policy.end_date, excluding=policy.id)
    if overlap is not None:
        raise StateError(f"{overlap.named_for(actor)} of this customer covers part of the period since "
                         f"the cancellation; reinstating {policy.number} would insure the risk twice")
    policy.status, policy.cancelled_on = PolicyStatus.ISSUED, None
    return _record(session, policy, actor, services, kind=TransactionKind.REINSTATEMENT,
                   effective=last.effective_date, premium=-last.premium_fen, vat=-last.vat_fen,
                   reason=reason)


def adjust(session: Session, services: Services, actor: Actor, policy_id: int, *,
           actual: dict[str, Any], reason: str) -> PremiumTransaction:
    """Year-end adjustment: re-rate the whole term on actual figures (sales, payroll), with the
    underwriter's adjustment, and charge or return the full difference (not pro rata)."""
    policy = _policy(session, actor, policy_id)
    allowed = services.catalogue.get(policy.product_code, policy.product_version).policy.adjustable_inputs
    bad = [k for k in actual if k not in allowed]
    if not actual or bad:
        raise InputError([Issue("actual", bad or actual, f"adjustable inputs of this product: {allowed}")])
    inputs = {**unseal_inputs(services.vault, policy.inputs), **actual}
    priced = price(services.rater, policy.product_code, inputs, as_of=policy.start_date,
                   product_version=policy.product_version, table_versions=policy.versions["tables"],
                   adjustment=adjustment_step(policy.adjustment))
    delta = priced.premium_fen - policy.annual_premium_fen
    vat = priced.money["vat"] - policy.money["vat"]
    policy.inputs = seal_inputs(services.vault, inputs)
    policy.money, policy.annual_premium_fen = priced.money, priced.premium_fen
    return _record(session, policy, actor, services, kind=TransactionKind.ADJUSTMENT,
                   effective=policy.start_date, premium=delta, vat=vat, reason=reason)


def transactions_of(session: Session, policy_id: int) -> list[PremiumTransaction]:
    """The premium transaction rows of a policy, in order."""
    return list(session.scalars(select(PremiumTransaction).where(
        PremiumTransaction.policy_id == policy_id).order_by(PremiumTransaction.sequence)))
