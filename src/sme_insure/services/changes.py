"""Mid-term changes: endorsements (pro rata to the day; a per-day roster is not endorsed),
cancellation (pro rata, short rate, nothing once per-day cover has begun, or flat in the
cooling-off period or before per-day cover begins), reinstatement and the adjustment on actual
figures (the term replayed on them, see :func:`adjust`). Each writes one premium transaction
row; the policy's current inputs and annual premium follow the rows."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sme_insure import clock
from sme_insure.claims.vocabulary import ClaimStatus
from sme_insure.errors import InputError, Issue, StateError
from sme_insure.policies.proration import (
    months_in_force,
    pro_rata,
    remaining_fraction,
    round_fraction,
)
from sme_insure.policies.states import Decision, PolicyStatus, TransactionKind
from sme_insure.policies.term import in_days
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.services.cover import overlapping_policy
from sme_insure.services.pricing import Priced, price
from sme_insure.services.schedule_sealing import seal_inputs, unseal_inputs
from sme_insure.storage.claims_schema import Claim
from sme_insure.storage.repos import get_scoped
from sme_insure.storage.schema import Policy, PremiumTransaction
from sme_insure.underwriting.adjustment import adjustment_step


def _policy(session: Session, actor: Actor, policy_id: int) -> Policy:
    authorize(actor, Action.CHANGE_POLICIES)
    return get_scoped(session, Policy, policy_id, actor.tenant_id, actor.channel_scope, for_update=True)


def _record(session: Session, policy: Policy, actor: Actor, services: Services, *, kind: TransactionKind,
            effective: dt.date, premium: int, vat: int, reason: str,
            period_end: dt.date | None = None) -> PremiumTransaction:
    """Append one premium row, earned over ``[effective, period_end)`` (the policy's end unless
    stated), with the policy's inputs and annual premium after it."""
    policy.sequence += 1
    policy.inputs = seal_inputs(services.vault, policy.inputs)  # also seals a row from before sealing
    row = PremiumTransaction(
        tenant_id=policy.tenant_id, policy_id=policy.id, sequence=policy.sequence, kind=kind,
        effective_date=effective, period_end=period_end or policy.end_date, transaction_date=services.today(),
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
    _per_day_roster_fixed(services, policy)
    if not changes:
        raise InputError([Issue("changes", changes, "an endorsement changes at least one input")])
    if effective < (last := _last_change(session, policy)):
        raise StateError(f"out of sequence: a change effective {last} exists; an endorsement "
                         f"effective {effective} would have to re-rate it; reverse it first")
    inputs = {**unseal_inputs(services.vault, policy.inputs), **changes}
    priced = _priced(services, policy, inputs)
    if priced.decision.decision is not Decision.ACCEPT:
        codes = [r.code for r in priced.decision.reasons]
        raise StateError(f"this change is {priced.decision.decision} by underwriting rules {codes}; "
                         "ask an underwriter")
    charge, vat = _pro_rata_pair(_annual(priced), (policy.annual_premium_fen, policy.money["vat"]),
                                 policy, effective)
    policy.inputs = seal_inputs(services.vault, inputs)
    policy.money, policy.annual_premium_fen = priced.money, priced.premium_fen
    return _record(session, policy, actor, services, kind=TransactionKind.ENDORSEMENT,
                   effective=effective, premium=charge, vat=vat, reason=reason)


def _per_day_roster_fixed(services: Services, policy: Policy) -> None:
    """A per-day roster is not endorsed: each person was charged all their days, counted from
    the start date, and the policy runs the longest of them, so a person added, removed or
    re-rated later would be charged for days they never had (or the term would change)."""
    product = services.catalogue.get(policy.product_code, policy.product_version)
    if in_days(product):
        raise StateError(f"policy {policy.number} covers each person of its roster for their own "
                         f"days from {policy.start_date} ({product.label}): it is not endorsed; "
                         "quote other persons or days as a new roster, or cancel it from its start "
                         "date (all premium returned) and quote the roster again")


def _written(session: Session, policy: Policy) -> tuple[int, int]:
    row = session.execute(select(func.coalesce(func.sum(PremiumTransaction.premium_fen), 0),
                                 func.coalesce(func.sum(PremiumTransaction.vat_fen), 0))
                          .where(PremiumTransaction.policy_id == policy.id)).one()
    return int(row[0]), int(row[1])


def _returned_share(services: Services, policy: Policy, effective: dt.date,
                    requested: dt.date) -> tuple[str, Fraction]:
    """Basis and share of the annual premium returned by a cancellation from ``effective``
    asked for on ``requested``: per-day cover is returned in full only if asked for before it
    began (a roster whose day has passed, used or not, is not cancelled back to its start)."""
    terms = services.catalogue.get(policy.product_code, policy.product_version).policy.cancellation
    issued = clock.day_of(policy.issued_at)
    if terms.cooling_off_days and effective <= issued + dt.timedelta(days=terms.cooling_off_days):
        return "flat (cooling-off)", Fraction(1)
    if terms.basis == "short_rate":
        months = min(months_in_force(policy.start_date, effective), 12)
        earned = Fraction(str(terms.short_rate[months - 1].earned)) if months else Fraction(0)
        return f"short rate ({months} months earned {earned})", 1 - earned
    if terms.basis == "none_after_start":
        if effective <= policy.start_date and requested < policy.start_date:
            return "flat (cover not begun)", Fraction(1)
        return f"none after start (cover began {policy.start_date})", Fraction(0)
    return "pro rata", remaining_fraction(policy.start_date, policy.end_date, effective)


def _returned(services: Services, policy: Policy, effective: dt.date, *, requested: dt.date,
              annual: tuple[int, int], written: tuple[int, int]) -> tuple[str, int, int]:
    """Basis, premium and VAT returned by a cancellation from ``effective`` (asked for on
    ``requested``): all that was written (flat), or −round_half_up(annual × share returned)
    for premium and VAT alike."""
    basis, share = _returned_share(services, policy, effective, requested)
    if basis.startswith("flat"):
        return basis, -written[0], -written[1]
    return basis, -round_fraction(annual[0] * share), -round_fraction(annual[1] * share)


def cancel(session: Session, services: Services, actor: Actor, policy_id: int, *,
           effective: dt.date, reason: str) -> PremiumTransaction:
    """Cancel from ``effective`` and return premium by the product's basis."""
    policy = _policy(session, actor, policy_id)
    _in_force(policy, effective)
    if effective < (last := _last_change(session, policy)):
        raise StateError(f"out of sequence: a change effective {last} exists after {effective}")
    _no_claim_from(session, policy, effective)
    basis, premium, vat = _returned(services, policy, effective, requested=services.today(), annual=(
        policy.annual_premium_fen, policy.money["vat"]), written=_written(session, policy))
    policy.status, policy.cancelled_on = PolicyStatus.CANCELLED, effective
    return _record(session, policy, actor, services, kind=TransactionKind.CANCELLATION,
                   effective=effective, premium=premium, vat=vat, reason=f"{reason} [{basis}]")


def _no_claim_from(session: Session, policy: Policy, effective: dt.date) -> None:
    """A cancellation back-dated over a claimed loss would return premium for cover that paid
    (or may pay) it: refused while a claim with a loss on or after ``effective`` is open or was
    paid. A refused or withdrawn one does not stand in the way (reopening it checks the cover
    again)."""
    claimed = session.scalar(select(func.max(Claim.loss_date)).where(
        Claim.policy_id == policy.id, Claim.loss_date >= effective,
        or_(Claim.status == ClaimStatus.OPEN, Claim.payments_fen > 0)))
    if claimed is not None:
        raise StateError(f"policy {policy.number} has a claim for a loss on {claimed}: it can be "
                         f"cancelled from the day after, not from {effective}")


def reinstate(session: Session, services: Services, actor: Actor, policy_id: int, *,
              reason: str) -> PremiumTransaction:
    """Undo a cancellation: charge back exactly what it returned; refused if another policy of
    the customer now covers part of the period since."""
    policy = _policy(session, actor, policy_id)
    if policy.status != PolicyStatus.CANCELLED:
        raise StateError(f"policy {policy.number} is {policy.status}; only a cancelled policy is reinstated")
    last = session.scalars(select(PremiumTransaction).where(
        PremiumTransaction.policy_id == policy.id, PremiumTransaction.kind == TransactionKind.CANCELLATION)
        .order_by(PremiumTransaction.sequence.desc())).first()  # an adjustment may follow it
    assert last is not None
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


def _priced(services: Services, policy: Policy, inputs: dict[str, Any]) -> Priced:
    """``inputs`` (in clear) priced on the policy's own product and table versions, with its
    underwriter's adjustment: every re-rating of a bound risk."""
    return price(services.rater, policy.product_code, inputs, as_of=policy.start_date,
                 product_version=policy.product_version, table_versions=policy.versions["tables"],
                 adjustment=adjustment_step(policy.adjustment))


def _replay(services: Services, policy: Policy, rows: list[PremiumTransaction],
            actual: dict[str, Any]) -> tuple[int, int, Priced]:
    """Premium and VAT the policy's rows would hold had ``actual`` been declared at inception,
    and the annual pricing of its last period. Each row is re-computed as it was written:

        written       R'₀                    (R'ₖ = rate(inputs after row k + actual))
        endorsement   pro_rata(R'ₖ − R'ₖ₋₁, from its effective day)
        cancellation  its basis on R'ₖ (pro rata, short rate), or all so far (flat)
        reinstatement minus the replayed cancellation

    so for periods p between changes Σ = Σₚ R'ₚ × daysₚ / term days, rounded half up where the
    endorsements round, over the period on risk only when cancelled. Adjustment rows are skipped:
    the one being written replaces them."""
    premium = vat = 0
    last: Priced | None = None
    returned = (0, 0)
    for row in rows:
        if row.kind in (TransactionKind.WRITTEN, TransactionKind.ENDORSEMENT):
            new = _priced(services, policy, {**unseal_inputs(services.vault, row.inputs_after), **actual})
            charge = _annual(new) if last is None else _pro_rata_pair(
                _annual(new), _annual(last), policy, row.effective_date)
            last = new
        elif row.kind == TransactionKind.CANCELLATION and last is not None:
            _, back, back_vat = _returned(services, policy, row.effective_date, annual=_annual(last),
                                          requested=row.transaction_date, written=(premium, vat))
            charge = returned = (back, back_vat)
        elif row.kind == TransactionKind.REINSTATEMENT:
            charge = (-returned[0], -returned[1])
        else:
            continue
        premium, vat = premium + charge[0], vat + charge[1]
    assert last is not None, "a policy has its written row"
    return premium, vat, last


def _annual(priced: Priced) -> tuple[int, int]:
    """Annual premium and its VAT, fen."""
    return priced.premium_fen, priced.money["vat"]


def _pro_rata_pair(new: tuple[int, int], old: tuple[int, int], policy: Policy,
                   effective: dt.date) -> tuple[int, int]:
    """What an endorsement from ``effective`` charges, premium and VAT (:func:`endorse`)."""
    return (pro_rata(new[0] - old[0], policy.start_date, policy.end_date, effective),
            pro_rata(new[1] - old[1], policy.start_date, policy.end_date, effective))


def _adjustable(services: Services, policy: Policy, rows: list[PremiumTransaction],
                actual: dict[str, Any]) -> None:
    """Only the product's adjustable inputs are adjusted, and a policy cancelled flat had
    nothing on risk to adjust."""
    allowed = services.catalogue.get(policy.product_code, policy.product_version).policy.adjustable_inputs
    bad = [k for k in actual if k not in allowed]
    if not actual or bad:
        raise InputError([Issue("actual", bad or actual,
                                f"adjustable inputs of {policy.product_code}@{policy.product_version}: "
                                f"{allowed}")])
    cancelled = [r for r in rows if r.kind == TransactionKind.CANCELLATION]
    if policy.cancelled_on is not None and cancelled and _returned_share(
            services, policy, policy.cancelled_on, cancelled[-1].transaction_date)[0].startswith("flat"):
        raise StateError(f"policy {policy.number} was cancelled flat (cooling-off) from "
                         f"{policy.cancelled_on}: nothing was on risk, so there is nothing to adjust")


def adjust(session: Session, services: Services, actor: Actor, policy_id: int, *,
           actual: dict[str, Any], reason: str) -> PremiumTransaction:
    """Adjustment on the actual figures of the term (sales, payroll): charge or return the
    replayed premium (:func:`_replay`: each period between changes re-rated on the inputs then
    in force plus the actual figures, pro rata to the day as endorsements are) less everything
    the policy's rows already hold: written, endorsements, a cancellation and any earlier
    adjustment, which this one replaces (the actual figure of a term is one number). VAT alike.

    The wording adjusts at expiry; a declaration before it is accepted too, as insurers accept a
    mid-term declaration, and the declaration at expiry then replaces it. A cancelled policy is
    adjusted on its period on risk, on its cancellation basis. The row is earned over the period
    on risk, ``[start, cancellation or end)``; it changes no cover, so claims read the inputs in
    force on a day from the other rows (``claims_ledger.policy_facts``)."""
    policy = _policy(session, actor, policy_id)
    rows = transactions_of(session, policy.id)
    _adjustable(services, policy, rows, actual)
    target, target_vat, last = _replay(services, policy, rows, actual)
    premium = target - sum(r.premium_fen for r in rows)
    vat = target_vat - sum(r.vat_fen for r in rows)
    policy.inputs = seal_inputs(services.vault, {**unseal_inputs(services.vault, policy.inputs), **actual})
    policy.money, policy.annual_premium_fen = last.money, last.premium_fen
    return _record(session, policy, actor, services, kind=TransactionKind.ADJUSTMENT,
                   effective=policy.start_date, period_end=policy.cancelled_on or policy.end_date,
                   premium=premium, vat=vat, reason=reason)


def transactions_of(session: Session, policy_id: int) -> list[PremiumTransaction]:
    """The premium transaction rows of a policy, in order."""
    return list(session.scalars(select(PremiumTransaction).where(
        PremiumTransaction.policy_id == policy_id).order_by(PremiumTransaction.sequence)))
