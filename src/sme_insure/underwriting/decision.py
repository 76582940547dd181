"""The underwriting decision of a risk: accept, refer or decline, with reasons in two languages.

Declines beat referrals; a risk with no matching rule and no flag is accepted. Besides the
product's own rules, the caller may add flags found outside the risk frame (a USCC whose check
character fails, duplicate cover, figures inconsistent with the declared size class): these
refer, they never decline on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import Text
from sme_insure.catalogue.vocabulary import RuleAction
from sme_insure.policies.states import Decision
from sme_insure.rating.frame import Prepared
from sme_insure.underwriting.rules import rule_hits


@dataclass(frozen=True)
class Reason:
    """Why a risk was referred or declined."""

    code: str
    action: Decision
    message: Text


@dataclass(frozen=True)
class UnderwritingDecision:
    """The decision of one risk and every reason behind it."""

    decision: Decision
    reasons: list[Reason] = field(default_factory=list)


def decide_rows(product: Product, prep: Prepared, extra: list[list[Reason]] | None = None
                ) -> list[UnderwritingDecision]:
    """One decision per row of the prepared frame."""
    hits = rule_hits(product, prep)
    rules = {r.code: r for r in product.underwriting.rules}
    out = []
    for row in range(prep.n):
        reasons = [Reason(code, _action(rules[code].action), rules[code].message)
                   for code, mask in hits if mask[row]]
        reasons += extra[row] if extra else []
        out.append(UnderwritingDecision(_combine(reasons), reasons))
    return out


def _action(action: RuleAction) -> Decision:
    return Decision.DECLINE if action is RuleAction.DECLINE else Decision.REFER


def _combine(reasons: list[Reason]) -> Decision:
    actions = {r.action for r in reasons}
    if Decision.DECLINE in actions:
        return Decision.DECLINE
    return Decision.REFER if Decision.REFER in actions else Decision.ACCEPT


def eligibility_reasons(product: Product, customer_type: str | None, industry: str | None
                        ) -> list[Reason]:
    """Declines for a customer type or industry the product does not accept."""
    reasons = []
    allowed_types = {str(t) for t in product.customer_types}
    if customer_type is not None and customer_type not in allowed_types:
        reasons.append(Reason("INELIGIBLE_CUSTOMER_TYPE", Decision.DECLINE, Text(
            zh=f"该产品不承保此类客户（{customer_type}）",
            en=f"customer type {customer_type} is not eligible; allowed: {sorted(allowed_types)}")))
    if industry and "*" not in product.industries and not any(
            industry.startswith(i) for i in product.industries):
        reasons.append(Reason("INELIGIBLE_INDUSTRY", Decision.DECLINE, Text(
            zh=f"该产品不承保此行业（{industry}）",
            en=f"industry {industry} is not eligible; allowed: {product.industries}")))
    return reasons
