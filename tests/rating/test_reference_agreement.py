"""The vectorised engine agrees with the scalar reference rater on generated books of every product."""

from __future__ import annotations

import datetime as dt

import pytest

from support.books import random_book
from support.reference_rater import NoRate, reference_rate

AS_OF = dt.date(2026, 6, 30)
MONEY = [
    "technical_premium",
    "minimum_adjustment",
    "premium",
    "vat",
    "net_premium",
    "fees",
    "commission",
    "subsidy",
    "total_payable",
    "customer_pays",
]


def test_every_product_agrees_with_reference(catalogue, rater):
    for product in (p for p in catalogue.current() if p.coverages):
        book = random_book(product, 150, seed=7)
        result = rater.rate(product.code, book, as_of=AS_OF)
        pins = result.tables
        rated = 0
        for label, risk in book.iterrows():
            data = {k: v for k, v in risk.items() if not (isinstance(v, float) and v != v)}
            try:
                expected = reference_rate(product, data, catalogue.tables, pins)
            except NoRate:
                assert label not in result.premiums.index, (product.code, label)
                continue
            got = result.premiums.loc[label]
            for column in [*MONEY, *(f"premium_{c.code}" for c in product.coverages)]:
                assert int(got[column]) == expected[column], (product.code, label, column)
            rated += 1
        assert rated >= 100, f"{product.code}: only {rated} of 150 generated risks rated"


@pytest.mark.parametrize("size", [1, 2, 17])
def test_batch_equals_single(catalogue, rater, size):
    for product in (p for p in catalogue.current() if p.coverages):
        book = random_book(product, size, seed=size)
        batch = rater.rate(product.code, book, as_of=AS_OF).premiums
        for label in batch.index:
            one = rater.rate(product.code, book.loc[[label]], as_of=AS_OF).premiums
            assert one.loc[label].equals(batch.loc[label])
