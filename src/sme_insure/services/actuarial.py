"""The system's own transactions in the reserving contract, and reserving on them.

Premium transactions become rows of ``reserving.transactions.PREMIUM_COLUMNS``: cover from the
transaction's effective date to the day before its period end (inclusive), exposure in
policy-years (a written policy counts its term, a cancellation minus what it returns, an
endorsement or adjustment none; :func:`~sme_insure.policies.proration.exposure_years`: a
12-month term is one policy-year even with a 29 February in it). A customer without a size
class is left blank, as on its claims, so both fall in the reserving contract's one
"unspecified" segment (premium labelled apart from its losses was reserved twice). Claim transactions already follow the contract. The a priori
loss ratio of each line comes from its products' target loss ratio.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sme_insure.catalogue import Catalogue, Line
from sme_insure.policies.proration import exposure_years
from sme_insure.policies.term import in_days
from sme_insure.reserving import ReservingConfig, ReservingResult, run_reserving
from sme_insure.reserving.vocabulary import Grain
from sme_insure.reserving.vocabulary import Line as ReservingLine
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.claims_reporting import claim_transactions_frame
from sme_insure.storage.schema import Customer, Policy, PremiumTransaction

_EXPOSING = {"written": 1, "cancellation": -1, "reinstatement": 1}


def premium_transactions_frame(session: Session, tenant_id: int,
                               catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Every premium transaction of a tenant in the reserving contract's columns (with the
    ``catalogue``, a term stated in days is counted in days: per-day cover)."""
    by_day = _terms_in_days(catalogue)
    query = (select(PremiumTransaction, Policy, Customer)
             .join(Policy, Policy.id == PremiumTransaction.policy_id)
             .join(Customer, Customer.id == Policy.customer_id)
             .where(PremiumTransaction.tenant_id == tenant_id))
    rows = []
    for t, p, c in session.execute(query):
        years = exposure_years(t.effective_date, t.period_end, (p.start_date, p.end_date),
                               in_days=p.product_code in by_day)
        rows.append({"policy_id": p.number, "line": p.line, "product_code": p.product_code,
                     "region": c.province, "size_class": c.size_class,
                     "entity_type": c.entity_type, "transaction_date": pd.Timestamp(t.transaction_date),
                     "effective_from": pd.Timestamp(t.effective_date),
                     "effective_to": pd.Timestamp(t.period_end - dt.timedelta(days=1)),
                     "written_fen": t.premium_fen, "exposure": _EXPOSING.get(t.kind, 0) * years})
    return pd.DataFrame(rows)


def _terms_in_days(catalogue: Catalogue | None) -> set[str]:
    """Codes of the products whose term is stated in days."""
    if catalogue is None:
        return set()
    return {code for code in catalogue.codes() if any(
        in_days(v) for v in catalogue.versions(code))}


def target_loss_ratios(catalogue: Catalogue) -> dict[ReservingLine, float]:
    """Each line's a priori loss ratio: the mean target of its products that state one."""
    by_line: dict[Line, list[float]] = {}
    for product in catalogue.current():
        if product.target_loss_ratio is not None:
            by_line.setdefault(product.line, []).append(product.target_loss_ratio)
    return {ReservingLine(line.value): sum(v) / len(v) for line, v in by_line.items()}


def reserve_book(session: Session, catalogue: Catalogue, actor: Actor, *, as_of: dt.date,
                 by: Sequence[str] = ("line",), grain: Grain | None = None,
                 config: ReservingConfig | None = None) -> ReservingResult:
    """Reserves of the actor's tenant at ``as_of`` from its own transaction rows."""
    authorize(actor, Action.ACTUARIAL)
    claims = claim_transactions_frame(session, actor.tenant_id, as_of)
    premiums = premium_transactions_frame(session, actor.tenant_id, catalogue)
    config = (config or ReservingConfig()).with_apriori_loss_ratios(target_loss_ratios(catalogue))
    return run_reserving(claims, premiums, as_of, by=by, config=config, grain=grain)
