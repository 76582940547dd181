"""The referral queue and underwriters' decisions, within their authority, recorded with who,
when and why. An approval may load or discount the premium: the adjustment is recorded on the
quote as a rating input (:mod:`sme_insure.underwriting.adjustment`) and the quote re-rated with
it, so the worksheet shows it as a step before the minimums and VAT, commission and subsidy
follow from the rated coverages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sme_insure.errors import InputError, Issue, PermissionDenied, StateError
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.services.quotes import rerate
from sme_insure.storage.repos import get_scoped
from sme_insure.storage.schema import Quote, Referral, utcnow
from sme_insure.underwriting.adjustment import UnderwriterAdjustment


def queue(session: Session, actor: Actor, status: str = "pending") -> list[tuple[Referral, Quote]]:
    """Referrals of the tenant in a status, oldest first, with their quotes."""
    authorize(actor, Action.DECIDE_REFERRALS)
    rows = session.execute(select(Referral, Quote).join(Quote, Quote.id == Referral.quote_id).where(
        Referral.tenant_id == actor.tenant_id, Referral.status == status).order_by(Referral.id))
    return [(r, q) for r, q in rows]


def _apply(services: Services, quote: Quote, adjustment: UnderwriterAdjustment) -> None:
    """Record the adjustment on the quote and re-rate it on its own versions: money, premium
    and worksheet as every later rating of the risk will give them."""
    quote.adjustment = adjustment.record()
    priced = rerate(services, quote)
    quote.money, quote.premium_fen, quote.worksheet = priced.money, priced.premium_fen, priced.worksheet


def decide(session: Session, services: Services, actor: Actor, referral_id: int, *,
           approve: bool, reason: str, loading: float = 0.0, discount: float = 0.0) -> Referral:
    """Approve (optionally with a loading or discount) or decline a referred quote."""
    authorize(actor, Action.DECIDE_REFERRALS)
    if not reason.strip():
        raise InputError([Issue("reason", reason, "a decision needs a reason")])
    referral = get_scoped(session, Referral, referral_id, actor.tenant_id, None, for_update=True)  # type: ignore[type-var]
    if referral.status != "pending":
        raise StateError(f"referral {referral_id} was already decided ({referral.status})")
    quote = session.get(Quote, referral.quote_id)
    assert quote is not None
    if actor.authority is None:
        raise PermissionDenied("this key has no underwriting authority")
    si = round(float(quote.inputs.get("sum_insured", 0) or 0) * 100)
    actor.authority.check(sum_insured_fen=si, loading=loading, discount=discount)
    if approve:
        adjustment = UnderwriterAdjustment.from_decision(
            loading=loading, discount=discount, by=f"key {actor.key_id} ({actor.role})",
            referral_id=referral.id)
        if adjustment is not None:
            _apply(services, quote, adjustment)
        quote.status = "approved"
    else:
        quote.status = "declined"
    referral.status = "approved" if approve else "declined"
    referral.decided_by_key, referral.decided_at = actor.key_id, utcnow()
    referral.decision = _record(approve, reason, loading, discount, actor)
    audit.record(session, actor, f"referral.{referral.status}", "referral", referral.id, {
        "quote_id": quote.id, "loading": loading, "discount": discount, "premium_fen": quote.premium_fen}, reason)
    return referral


def _record(approve: bool, reason: str, loading: float, discount: float, actor: Actor) -> dict[str, Any]:
    return {"approve": approve, "reason": reason, "loading": loading, "discount": discount,
            "by_key": actor.key_id, "role": str(actor.role), "at": dt.datetime.now(dt.UTC).isoformat()}
