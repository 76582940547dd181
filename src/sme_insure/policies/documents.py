"""Policy documents rendered with Jinja2 (StrictUndefined: a missing value is an error, never a
blank on a contract): the bilingual schedule of the cover as it stands, with the build-up of its
premium, VAT, and the premium transactions that make up what was charged.

A group policy's insured risk states at policy level only what applies to the whole schedule:
an input that each person's row carries, one derived from each person's ID number (age, sex,
birth date) and a per-day product's days are the person's, shown on that person's certificate
(the derived ones follow from the ID number and are not repeated); the headcount is the number
of persons on the schedule."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import Coverage, InputSpec
from sme_insure.catalogue.vocabulary import InputType
from sme_insure.money import format_cny
from sme_insure.policies.term import PERSONS, person_end
from sme_insure.privacy import is_erased_id
from sme_insure.rating.records import with_defaults
from sme_insure.rating.schedule import DERIVED, HEADCOUNT


@cache
def environment() -> Environment:
    """The template environment of policy documents."""
    env = Environment(loader=PackageLoader("sme_insure.policies", "templates"),
                      undefined=StrictUndefined, autoescape=select_autoescape(["html", "j2"]))
    env.filters["cny"] = format_cny
    return env


def render_schedule(*, product: Product, policy: dict[str, Any], customer: dict[str, Any],
                    worksheet: list[dict[str, Any]], transactions: list[dict[str, Any]],
                    recorded: bool = False) -> str:
    """HTML of the policy schedule. ``policy`` is the cover as it stands (its current inputs,
    money and annual premium, after any endorsement or adjustment), ``worksheet`` the build-up of
    that premium (``recorded``: the one recorded at sale, noted as such; the annual premium, VAT
    and transactions stated are authoritative), ``transactions`` every premium row in order; the
    total charged is their sum, premium and VAT. An input the policy leaves missing (absent or
    ``None``) is shown, and taxed, at the product's stated default, as it was rated
    (:func:`.rating.records.with_defaults`)."""
    given = _counted(product, policy["inputs"])
    rated = with_defaults(product, given)
    coverages = [{"code": c.code, "name": c.name, "perils": c.perils, "tax": _tax(c, rated),
                  "premium": policy["money"].get(f"premium_{c.code}", 0)} for c in product.coverages]
    own = person_level(product, given)
    inputs = [_input_row(spec, given, rated) for spec in product.inputs if spec.name not in own]
    charged = {"premium_fen": sum(t["premium_fen"] for t in transactions),
               "vat_fen": sum(t["vat_fen"] for t in transactions)}
    return environment().get_template("schedule.html.j2").render(
        product=product, policy=policy, customer=customer, coverages=coverages, inputs=inputs,
        persons=_certificates(product, policy, own), worksheet=worksheet, recorded=recorded,
        transactions=transactions, charged=charged)


def person_level(product: Product, inputs: Mapping[str, Any]) -> set[str]:
    """The inputs of a group policy that are each person's, not the policy's: those its schedule
    rows carry, those derived from the ID number, and a per-day product's days, unless given at
    policy level (rating refuses one given both ways). Empty for a policy without a schedule."""
    persons = inputs.get(PERSONS)
    if not isinstance(persons, list):
        return set()
    carried = {k for row in persons if isinstance(row, Mapping) for k in row}
    own = carried | set(DERIVED) | {product.policy.term_days_input}
    return {spec.name for spec in product.inputs if spec.name in own and spec.name not in inputs}


def _counted(product: Product, inputs: Mapping[str, Any]) -> Mapping[str, Any]:
    """A group policy's inputs with its headcount, if the product rates on one, counted from the
    schedule as rating counts it (it is never stored)."""
    persons = inputs.get(PERSONS)
    if not isinstance(persons, list) or HEADCOUNT not in {spec.name for spec in product.inputs}:
        return inputs
    return {**inputs, HEADCOUNT: len(persons)}


def _certificates(product: Product, policy: Mapping[str, Any], own: set[str]) -> list[dict[str, Any]]:
    """One certificate per person on the schedule: name and ID (or that they were erased), the
    person's period (a per-day product: the start date plus their days) and their own inputs."""
    persons = policy["inputs"].get(PERSONS)
    if not isinstance(persons, list):
        return []
    common = {k: v for k, v in policy["inputs"].items() if k != PERSONS}
    shown = [spec for spec in product.inputs if spec.name in own and spec.name not in DERIVED]
    return [_certificate(product, policy, {**common, **row}, shown)
            for row in persons if isinstance(row, Mapping)]


def _certificate(product: Product, policy: Mapping[str, Any], mine: Mapping[str, Any],
                 shown: list[InputSpec]) -> dict[str, Any]:
    """One person's certificate from ``mine``, the policy's inputs with the person's row over them."""
    rated = with_defaults(product, mine)
    return {"name": mine.get("name") or "—", "id_number": mine.get("id_number") or "—",
            "erased": is_erased_id(mine.get("id_number")), "start": policy["start_date"],
            "end": person_end(product, policy["start_date"], mine) or policy["end_date"],
            "inputs": [_input_row(spec, mine, rated) for spec in shown]}


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
