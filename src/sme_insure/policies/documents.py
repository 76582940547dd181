"""Policy documents rendered with Jinja2 (StrictUndefined: a missing value is an error, never a
blank on a contract): the bilingual schedule with the premium build-up and VAT."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import Coverage
from sme_insure.money import format_cny


@cache
def environment() -> Environment:
    """The template environment of policy documents."""
    env = Environment(loader=PackageLoader("sme_insure.policies", "templates"),
                      undefined=StrictUndefined, autoescape=select_autoescape(["html", "j2"]))
    env.filters["cny"] = format_cny
    return env


def render_schedule(*, product: Product, policy: dict[str, Any], customer: dict[str, Any],
                    worksheet: list[dict[str, Any]], transactions: list[dict[str, Any]]) -> str:
    """HTML of the policy schedule."""
    coverages = [{"code": c.code, "name": c.name, "perils": c.perils,
                  "tax": _tax(product, c, policy["inputs"]),
                  "premium": policy["money"].get(f"premium_{c.code}", 0)} for c in product.coverages]
    return environment().get_template("schedule.html.j2").render(
        product=product, policy=policy, customer=customer, coverages=coverages,
        worksheet=worksheet, transactions=transactions)


def _tax(product: Product, coverage: Coverage, inputs: dict[str, Any]) -> str:
    """The coverage's tax treatment for this policy: its ``exempt_when`` (with the rule that
    exempts it) where the policy's input takes a listed level."""
    rule = coverage.exempt_when
    if rule is None:
        return str(coverage.tax)
    value = inputs.get(rule.input, product.input(rule.input).default)
    if rule.matches(value):
        return f"exempt: {rule.basis.zh} / {rule.basis.en}"
    return str(coverage.tax)
