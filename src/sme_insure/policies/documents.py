"""Policy documents rendered with Jinja2 (StrictUndefined: a missing value is an error, never a
blank on a contract): the bilingual schedule with the premium build-up and VAT."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sme_insure.catalogue.product import Product
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
    coverages = [{"code": c.code, "name": c.name, "perils": c.perils, "tax": str(c.tax),
                  "premium": policy["money"].get(f"premium_{c.code}", 0)} for c in product.coverages]
    return environment().get_template("schedule.html.j2").render(
        product=product, policy=policy, customer=customer, coverages=coverages,
        worksheet=worksheet, transactions=transactions)
