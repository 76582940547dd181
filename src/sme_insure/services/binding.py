"""Binding a quote into a policy (exactly once), and renewal offers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from sme_insure.errors import StateError
from sme_insure.policies.states import PolicyStatus, QuoteStatus, TransactionKind
from sme_insure.policies.term import in_days
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.context import Services
from sme_insure.services.cover import EVER, overlapping_policy
from sme_insure.services.products import product_for
from sme_insure.services.quotes import check_bindable, create_quote
from sme_insure.services.schedule_sealing import seal_inputs, unseal_inputs
from sme_insure.storage.repos import get_scoped
from sme_insure.storage.schema import Policy, PremiumTransaction, Quote

# Built once. The loaded quote is then set to the new status by hand, not by the ORM evaluating
# the statement against the session
_CLAIM = (update(Quote).where(Quote.id == bindparam("quote_id"), Quote.status == bindparam("was"))
          .values(status=QuoteStatus.BOUND.value).execution_options(synchronize_session=False))


def _check_duplicate_cover(session: Session, actor: Actor, quote: Quote) -> None:
    """Duplicate cover is looked for again at bind: two quotes of one customer, both accepted
    while neither was bound, would otherwise both bind. A quote an underwriter approved for
    duplicate cover (its reasons name DUPLICATE_COVER) binds over the policies there were when
    it was quoted, never over one issued since. The refusal names the policy only if the actor
    may see it (:meth:`.cover.Overlap.named_for`)."""
    knowingly = quote.status == QuoteStatus.APPROVED and any(
        r.get("code") == "DUPLICATE_COVER" for r in quote.reasons)
    overlap = overlapping_policy(
        session, tenant_id=quote.tenant_id, customer_id=quote.customer_id, code=quote.product_code,
        start=quote.start_date, end=quote.end_date,
        issued_since=quote.created_at if knowingly else EVER)
    if overlap is not None:
        raise StateError(f"{overlap.named_for(actor)} of this customer covers part of this period and "
                         f"was issued after quote {quote.id}; ask for a new quote (an underwriter "
                         "will review the duplicate cover)")


def bind(session: Session, services: Services, actor: Actor, quote_id: int, *,
         consent: bool = False) -> Policy:
    """Bind an accepted or approved, unexpired quote into an issued policy with its written
    premium transaction; a renewal (offered, or approved after referral) only with the
    customer's consent (:func:`.quotes.check_bindable`). The status change is a conditional update, so of two concurrent binds
    exactly one succeeds (the other sees the quote already bound). A product the actor may not
    sell is not found (:func:`.products.product_for`), whoever quoted it."""
    authorize(actor, Action.BIND)
    quote = get_scoped(session, Quote, quote_id, actor.tenant_id, actor.channel_scope, for_update=True)
    product = product_for(services.catalogue, actor, quote.product_code, quote.product_version)
    check_bindable(quote, services.today(), consent)
    _check_duplicate_cover(session, actor, quote)
    claimed = session.execute(_CLAIM, {"quote_id": quote.id, "was": quote.status})
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise StateError(f"quote {quote_id} is already bound")
    set_committed_value(quote, "status", QuoteStatus.BOUND.value)  # as the row now says
    inputs = seal_inputs(services.vault, quote.inputs)  # sealed already, unless quoted before sealing
    policy = Policy(
        tenant_id=actor.tenant_id, number=f"PENDING-{quote.id}", quote_id=quote.id,
        customer_id=quote.customer_id, product_code=quote.product_code,
        product_version=quote.product_version, line=str(product.line), status=PolicyStatus.ISSUED,
        start_date=quote.start_date, end_date=quote.end_date, inputs=inputs,
        versions=quote.versions, money=quote.money, annual_premium_fen=quote.premium_fen,
        adjustment=quote.adjustment, sequence=1, created_by_key=actor.key_id, channel=quote.channel)
    session.add(policy)
    session.flush()
    policy.number = f"{product.code[:4]}{quote.start_date:%Y}{actor.tenant_id:03d}{policy.id:08d}"
    session.add(PremiumTransaction(
        tenant_id=actor.tenant_id, policy_id=policy.id, sequence=1, kind=TransactionKind.WRITTEN,
        effective_date=policy.start_date, period_end=policy.end_date,
        transaction_date=services.today(), premium_fen=quote.money["premium"],
        vat_fen=quote.money["vat"], annual_premium_after_fen=quote.money["premium"],
        inputs_after=inputs, reason="new business", created_by_key=actor.key_id))
    audit.record(session, actor, "policy.bind", "policy", policy.id, {
        "number": policy.number, "quote_id": quote.id, "premium_fen": quote.money["premium"]},
        "renewal, with the customer's consent" if quote.renewal_of is not None else "new business")
    return policy


def offer_renewal(session: Session, services: Services, actor: Actor, policy_id: int,
                  changes: dict | None = None) -> Quote:
    """A renewal offer for the next term, re-rated on the tables in force at renewal. It is never
    bound without the customer's consent. A per-day roster is not renewed: each roster buys its
    own persons and days, and the next is quoted as it comes."""
    authorize(actor, Action.CHANGE_POLICIES)
    policy = get_scoped(session, Policy, policy_id, actor.tenant_id, actor.channel_scope)
    if policy.status != PolicyStatus.ISSUED:
        raise StateError(f"policy {policy.number} is {policy.status}; only an issued policy renews")
    if in_days(product := services.catalogue.get(policy.product_code, policy.product_version)):
        raise StateError(f"policy {policy.number} is a per-day roster ({product.label}): it is not "
                         "renewed; quote the next days' roster as new business")
    if services.today() > policy.end_date + dt.timedelta(days=30):
        raise StateError(f"policy {policy.number} expired on {policy.end_date}; quote new business")
    quote = create_quote(session, services, actor, product_code=policy.product_code,
                         customer_id=policy.customer_id,
                         inputs={**unseal_inputs(services.vault, policy.inputs), **(changes or {})},
                         start_date=max(policy.end_date, services.today()), renewal_of=policy.id)
    audit.record(session, actor, "policy.offer_renewal", "policy", policy.id,
                 {"quote_id": quote.id, "changed_inputs": sorted(changes or {})})
    return quote
