"""The term of a policy: the cover runs ``[start, end)``.

A product states its term in months (``policy.term_months``, 12 by default), or, for short-term
cover bought by the day, in days read from an input (``policy.term_days_input``): each insured
person is covered from the start date for their own days,

    person's end = start + days (that person's row, else the policy's inputs, else the default)
    policy's end = start + max over the persons of their days

so a roster of two persons at 1 day each from 2026-03-10 runs to 2026-03-11 (one day), and a
person of 1 day on a roster whose longest row is 30 days is not covered on its second day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sme_insure.catalogue.product import Product
from sme_insure.policies.proration import add_months
from sme_insure.rating.records import with_defaults

#: Where a group risk keeps its schedule of insured persons.
PERSONS = "persons"


def in_days(product: Product) -> bool:
    """Whether the product's term is stated in days (per-day cover)."""
    return product.policy.term_days_input is not None


def person_days(product: Product, inputs: Mapping[str, Any]) -> int | None:
    """The days of cover of one person, read from ``inputs`` (the policy's inputs with the
    person's row over them) or the input's default; ``None`` for a value rating refuses (not a
    whole number within the input's bounds: that risk is refused before anything is stored)."""
    name = product.policy.term_days_input
    assert name is not None, "a term in days"
    spec = product.input(name)
    value = with_defaults(product, inputs).get(name)
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    low, high = spec.min or 1, spec.max or number
    return int(number) if number.is_integer() and low <= number <= high else None


def person_end(product: Product, start: dt.date, inputs: Mapping[str, Any]) -> dt.date | None:
    """End (exclusive) of one person's cover: ``start + days``; ``None`` for a term in months
    (the person is covered as long as the policy) or days rating would refuse."""
    if not in_days(product):
        return None
    days = person_days(product, inputs)
    return None if days is None else start + dt.timedelta(days=days)


def cover_end(product: Product, start: dt.date, inputs: Mapping[str, Any]) -> dt.date:
    """End (exclusive) of the policy's cover from ``start``: ``term_months`` later, or the
    longest person's days later (persons whose days rating would refuse are not counted; with
    none left, the input's least days)."""
    if not in_days(product):
        return add_months(start, product.policy.term_months)
    days = [d for row in _rows(inputs) if (d := person_days(product, row)) is not None]
    least = int(product.input(product.policy.term_days_input or "").min or 1)
    return start + dt.timedelta(days=max(days, default=least))


def _rows(inputs: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Each person's inputs (the policy's with the person's row over them), or the policy's."""
    persons = inputs.get(PERSONS)
    if not isinstance(persons, list) or not persons:
        return [inputs]
    policy = {k: v for k, v in inputs.items() if k != PERSONS}
    return [{**policy, **row} for row in persons if isinstance(row, Mapping)] or [policy]
