"""What every claim service shares: scoped reads, locks, the cover of a policy on a date, the
limits left for a claim, and writing one transaction row with the running balances.

Locks: a money write locks the policy row, then the claim row (always in that order, so two
writers never deadlock). The policy lock serialises payments on every claim of a policy, so
an aggregate limit cannot be overspent by two claims paid at once; on SQLite every write
transaction is serialised anyway (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import Coverage
from sme_insure.catalogue.vocabulary import LimitBasis
from sme_insure.claims.cover import PolicyFacts, rated_inputs
from sme_insure.claims.ledger import Balances, Movement
from sme_insure.claims.limits import (
    ERODED_BY_CLAIMS,
    ERODED_BY_SUBJECT,
    Limit,
    TableLookup,
    coverage_limits,
)
from sme_insure.claims.rules import ClaimRules, default_rules, load_rules
from sme_insure.claims.vocabulary import ClaimStatus
from sme_insure.errors import ConfigurationError, NotFoundError, StateError
from sme_insure.policies.states import Role, TransactionKind
from sme_insure.services import audit
from sme_insure.services.actor import Actor
from sme_insure.services.context import Services
from sme_insure.services.schedule_sealing import SealedSubject
from sme_insure.storage.claims_schema import Claim, ClaimDocument, ClaimTransaction
from sme_insure.storage.schema import Policy, PremiumTransaction
from sme_insure.tables.coded import Coded


def rules(services: Services) -> ClaimRules:
    """The claims rules: ``services.claim_rules`` if set, else the file named by
    ``SME_INSURE_CLAIM_RULES``, else the packaged rules (read once and kept on ``services``)."""
    found = getattr(services, "claim_rules", None)
    if found is None:
        path = os.environ.get("SME_INSURE_CLAIM_RULES")
        found = load_rules(Path(path)) if path else default_rules()
        services.claim_rules = found  # type: ignore[attr-defined]
    return found


def scoped_claims(actor: Actor) -> Select[tuple[Claim]]:
    """Claims the actor may see: the tenant's; a channel's own; a customer's own reports."""
    query = select(Claim).where(Claim.tenant_id == actor.tenant_id)
    if actor.channel_scope is not None:
        query = query.where(Claim.channel == actor.channel_scope)
    if actor.role is Role.CUSTOMER:
        query = query.where(Claim.created_by_key == actor.key_id)
    return query


def get_claim(session: Session, actor: Actor, claim_id: int) -> Claim:
    """One claim within the actor's scope, or :class:`NotFoundError` (404)."""
    found = session.scalars(scoped_claims(actor).where(Claim.id == claim_id)).first()
    if found is None:
        raise NotFoundError("claim", claim_id)
    return found


def lock_claim(session: Session, actor: Actor, claim_id: int) -> tuple[Claim, Policy]:
    """The claim and its policy, both locked for update (policy first)."""
    policy_id = session.scalar(scoped_claims(actor).where(Claim.id == claim_id)
                               .with_only_columns(Claim.policy_id))
    if policy_id is None:
        raise NotFoundError("claim", claim_id)
    policy = session.scalars(select(Policy).where(Policy.id == policy_id).with_for_update()).one()
    claim = session.scalars(select(Claim).where(Claim.id == claim_id).with_for_update()
                            .execution_options(populate_existing=True)).one()
    return claim, policy


def require_status(claim: Claim, *allowed: ClaimStatus) -> None:
    """Refuse an action the claim's status does not allow."""
    if claim.status not in allowed:
        raise StateError(f"claim {claim.number} is {claim.status}; this needs "
                         f"{' or '.join(map(str, allowed))}")


def balances(claim: Claim) -> Balances:
    """The running balances stored on the claim."""
    return Balances(claim.payments_fen, claim.recoveries_fen, claim.reserve_fen)


def record(session: Session, services: Services, actor: Actor, claim: Claim, movement: Movement, *,
           reason: str, payment_type: str | None = None) -> ClaimTransaction:
    """Append one transaction row and move the claim's running balances with it."""
    after = balances(claim).after(movement)
    claim.payments_fen, claim.recoveries_fen, claim.reserve_fen = (
        after.payments_fen, after.recoveries_fen, after.reserve_fen)
    claim.sequence += 1
    row = ClaimTransaction(
        tenant_id=claim.tenant_id, claim_id=claim.id, sequence=claim.sequence,
        policy_id=claim.policy_id, coverage=claim.coverage, line=claim.line,
        product_code=claim.product_code, region=claim.region, size_class=claim.size_class,
        entity_type=claim.entity_type, loss_date=claim.loss_date, report_date=claim.report_date,
        transaction_date=services.today(), kind=str(movement.kind), paid_fen=movement.paid_fen,
        case_reserve_change_fen=movement.case_reserve_change_fen, payment_type=payment_type,
        reason=reason, created_by_key=actor.key_id)
    session.add(row)
    audit.record(session, actor, f"claim.{movement.kind}", "claim", claim.id, {
        "sequence": claim.sequence, "paid_fen": movement.paid_fen, "payment_type": payment_type,
        "case_reserve_change_fen": movement.case_reserve_change_fen}, reason)
    return row


def policy_facts(session: Session, policy: Policy) -> PolicyFacts:
    """The policy's dates and its inputs after each premium transaction that changes the cover.
    An adjustment on actual figures does not: it is dated from the start but re-rates every
    period on the inputs then in force (``changes.adjust``), so its row, later in sequence, would
    otherwise put the last period's cover on the days before a mid-term change."""
    rows = session.execute(select(PremiumTransaction.effective_date, PremiumTransaction.inputs_after)
                           .where(PremiumTransaction.policy_id == policy.id,
                                  PremiumTransaction.kind != TransactionKind.ADJUSTMENT)
                           .order_by(PremiumTransaction.sequence)).all()
    history = tuple((r[0], r[1]) for r in rows) or ((policy.start_date, policy.inputs),)
    return PolicyFacts(policy.number, policy.start_date, policy.end_date, policy.cancelled_on, history)


def table_lookup(services: Services, policy: Policy) -> TableLookup:
    """Plan tables for limits, in the versions in force at the policy's start."""
    def lookup(table: str, values: list[Any]) -> float:
        found = services.catalogue.tables.in_force(table, policy.start_date)
        value = float(found.lookup([Coded.from_values([v]) for v in values]).values[0])
        if math.isnan(value):
            raise ConfigurationError(f"limit table {found.label} has no row for {values}")
        return value
    return lookup


def used_limits(session: Session, *, policy_id: int, coverage: Coverage, subject_hash: str | None,
                exclude_claim: int | None) -> dict[LimitBasis, int]:
    """Payments on other claims that erode this claim's aggregate and per-subject limits (only
    the bases the coverage has are queried). A per-person or per-buyer limit is eroded by the
    claims about the same subject; a claim whose subject is not known shares it with none
    (only its own payments, counted by the ledger, erode it)."""
    bases = {t.basis for t in coverage.limits}
    base = select(func.coalesce(func.sum(Claim.payments_fen), 0)).where(
        Claim.policy_id == policy_id, Claim.coverage == coverage.code)
    if exclude_claim is not None:
        base = base.where(Claim.id != exclude_claim)
    used: dict[LimitBasis, int] = {}
    if bases & ERODED_BY_CLAIMS:
        used |= dict.fromkeys(ERODED_BY_CLAIMS, int(session.scalar(base) or 0))
    if bases & ERODED_BY_SUBJECT:
        same = 0 if subject_hash is None else session.scalar(base.where(Claim.subject_hash == subject_hash))
        used |= dict.fromkeys(ERODED_BY_SUBJECT, int(same or 0))
    return used


def product_of(services: Services, claim_or_policy: Claim | Policy) -> Product:
    """The product version the policy was sold under."""
    return services.catalogue.get(claim_or_policy.product_code, claim_or_policy.product_version)


def coverage_of(product: Product, code: str) -> Coverage:
    """A coverage of the product by code."""
    return next(c for c in product.coverages if c.code == code)


def claim_inputs(session: Session, services: Services, claim: Claim, policy: Policy) -> Mapping[str, Any]:
    """The policy inputs on the loss date as rated, product defaults included, in the product
    version the policy was sold under (with the insured person's row, on a group policy, found
    by lookup hash: only that row is decrypted)."""
    inputs = policy_facts(session, policy).inputs_at(claim.loss_date)
    person = SealedSubject(services.vault, claim.subject_hash) if claim.subject_hash else None
    return rated_inputs(product_of(services, claim), inputs, person, claim.loss_date)


def claim_limits(session: Session, services: Services, claim: Claim, policy: Policy) -> tuple[Limit, ...]:
    """The limits of the claimed coverage on the loss date, less what other claims used."""
    inputs = claim_inputs(session, services, claim, policy)
    coverage = coverage_of(product_of(services, claim), claim.coverage)
    used = used_limits(session, policy_id=policy.id, coverage=coverage,
                       subject_hash=claim.subject_hash, exclude_claim=claim.id)
    return coverage_limits(coverage, inputs, table_lookup(services, policy), used)


def received(session: Session, claim: Claim) -> list[str]:
    """Document codes received on the claim, in upload order, each once."""
    codes = session.scalars(select(ClaimDocument.doc_type).where(ClaimDocument.claim_id == claim.id)
                            .order_by(ClaimDocument.id))
    return list(dict.fromkeys(codes))
