"""Without a worksheet the engine works its arrays in place; with one it keeps every step. Both
must give the same money and problems, with and without bad rows, for every product."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from support.books import random_book

AS_OF = dt.date(2026, 6, 30)


@pytest.mark.parametrize("spoil", [False, True])
def test_worksheet_on_and_off_agree(catalogue, rater, spoil):
    for product in (p for p in catalogue.current() if p.coverages):
        book = random_book(product, 300, seed=21)
        if spoil:
            first = product.inputs[0].name
            book[first] = book[first].astype(object)
            book.loc[book.index[[0, 17, 299]], first] = "no-such-value"
        off = rater.rate(product.code, book, as_of=AS_OF)
        on = rater.rate(product.code, book, as_of=AS_OF, worksheet=True)
        pd.testing.assert_frame_equal(off.premiums, on.premiums)
        pd.testing.assert_frame_equal(off.issues, on.issues)
        assert not spoil or len(off.premiums) < len(book)
