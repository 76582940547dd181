"""Policy documents rendered with Jinja2 (StrictUndefined: a missing value is an error, never a
blank on a contract): the bilingual schedule of the cover as it stands, with the build-up of its
premium, VAT, and the premium transactions that make up what was charged."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import Coverage, InputSpec
from sme_insure.catalogue.vocabulary import InputType
from sme_insure.money import format_cny
from sme_insure.rating.records import with_defaults


@cache
def environment() -> Environment:
    """The template environment of policy documents."""
    env = Environment(loader=PackageLoader("sme_insure.policies", "templates"),
                      undefined=StrictUndefined, autoescape=select_autoescape(["html", "j2"]))
    env.filters["cny"] = format_cny
    return env


def render_schedule(*, product: Product, policy: dict[str, Any], customer: dict[str, Any],
                    worksheet: list[dict[str, Any]], transactions: list[dict[str, Any]]) -> str:
    """HTML of the policy schedule. ``policy`` is the cover as it stands (its current inputs,
    money and annual premium, after any endorsement or adjustment), ``worksheet`` the build-up of
    that premium, ``transactions`` every premium row in order; the total charged is their sum,
    premium and VAT. An input the policy leaves missing (absent or ``None``) is shown, and taxed,
    at the product's stated default, as it was rated (:func:`.rating.records.with_defaults`)."""
    rated = with_defaults(product, policy["inputs"])
    coverages = [{"code": c.code, "name": c.name, "perils": c.perils, "tax": _tax(c, rated),
                  "premium": policy["money"].get(f"premium_{c.code}", 0)} for c in product.coverages]
    inputs = [_input_row(spec, policy["inputs"], rated) for spec in product.inputs]
    charged = {"premium_fen": sum(t["premium_fen"] for t in transactions),
               "vat_fen": sum(t["vat_fen"] for t in transactions)}
    return environment().get_template("schedule.html.j2").render(
        product=product, policy=policy, customer=customer, coverages=coverages, inputs=inputs,
        worksheet=worksheet, transactions=transactions, charged=charged)


def _input_row(spec: InputSpec, given: Mapping[str, Any], rated: Mapping[str, Any]) -> dict[str, Any]:
    """One line of the insured risk: the label, the value rated on (``—`` if none) and whether it
    is the product's default (the policy left it missing)."""
    value = rated.get(spec.name)
    unit = (spec.unit or ("CNY" if spec.type is InputType.MONEY else "")) if value is not None else ""
    return {"label": spec.label, "value": _shown(spec, value), "unit": unit,
            "default": spec.name in rated and (spec.name not in given or given[spec.name] != value)}


def _shown(spec: InputSpec, value: Any) -> str:
    """A value as written on the schedule: thousands separated for numbers, 是/否 for booleans."""
    if value is None:
        return "—"
    if spec.type is InputType.BOOLEAN:
        return "是 Yes" if value else "否 No"
    if spec.type.is_numeric and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _tax(coverage: Coverage, rated: Mapping[str, Any]) -> str:
    """The coverage's tax treatment for this policy: its ``exempt_when`` (with the rule that
    exempts it) where the input the risk was rated on takes a listed level."""
    rule = coverage.exempt_when
    if rule is not None and rule.matches(rated.get(rule.input)):
        return f"exempt: {rule.basis.zh} / {rule.basis.en}"
    return str(coverage.tax)
