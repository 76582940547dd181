"""The referral queue and underwriters' decisions, within their authority, recorded with who,
when and why. An approval may load or discount the premium; money is re-derived from the
coverage premiums so VAT, commission and subsidy stay consistent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sme_insure.errors import InputError, Issue, PermissionDenied, StateError
from sme_insure.money import to_fen
from sme_insure.rating.totals import exemptions, policy_totals
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.storage.repos import get_scoped
from sme_insure.storage.schema import Quote, Referral, utcnow


def queue(session: Session, actor: Actor, status: str = "pending") -> list[tuple[Referral, Quote]]:
    """Referrals of the tenant in a status, oldest first, with their quotes."""
    authorize(actor, Action.DECIDE_REFERRALS)
    rows = session.execute(select(Referral, Quote).join(Quote, Quote.id == Referral.quote_id).where(
        Referral.tenant_id == actor.tenant_id, Referral.status == status).order_by(Referral.id))
    return [(r, q) for r, q in rows]


def _adjusted_money(services: Services, quote: Quote, factor: float) -> dict[str, int]:
    product = services.catalogue.get(quote.product_code, quote.product_version)
    cov = {c.code: np.array([to_fen(quote.money[f"premium_{c.code}"] * factor / 100)], dtype=np.int64)
           for c in product.coverages}
    exempt = exemptions(product, pd.DataFrame([quote.inputs]))  # e.g. exported goods: no VAT
    frame = policy_totals(product, cov, np.zeros(1, dtype=np.int64), exempt)
    return {k: int(v) for k, v in frame.iloc[0].items()}


def decide(session: Session, services: Services, actor: Actor, referral_id: int, *,
           approve: bool, reason: str, loading: float = 0.0, discount: float = 0.0) -> Referral:
    """Approve (optionally with a loading or discount) or decline a referred quote."""
    authorize(actor, Action.DECIDE_REFERRALS)
    if not reason.strip():
        raise InputError([Issue("reason", reason, "a decision needs a reason")])
    if loading and discount:
        raise InputError([Issue("loading", loading, "give a loading or a discount, not both")])
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
        if loading or discount:
            quote.money = _adjusted_money(services, quote, 1 + loading - discount)
            quote.premium_fen = quote.money["premium"]
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
