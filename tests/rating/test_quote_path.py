"""A quote typed straight from its dict (rating/records.py) is the batch of one, exactly: the
same money, worksheet, typed inputs and, for a bad risk, the same problems. Values the quick
path does not type itself go through the one-row DataFrame, so both paths are compared here on
generated risks of every product and on hand-picked awkward values."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from sme_insure.errors import NotFoundError, RatingInputError
from sme_insure.rating.examples import example_risks
from sme_insure.rating.records import prepare_record
from support.books import PROPERTY_RISK as GOOD
from support.books import random_book

AS_OF = dt.date(2026, 6, 30)


def _plain(value: object) -> object:
    """A value as a JSON request would carry it."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(book: pd.DataFrame) -> list[dict[str, object]]:
    return [{k: _plain(v) for k, v in row.items()} for row in book.to_dict(orient="records")]


def _same_prepared(quick, frame) -> None:
    assert quick.columns.keys() == frame.columns.keys()
    for name, column in frame.columns.items():
        other = quick.columns[name]
        if hasattr(column, "codes"):
            assert other.levels == column.levels, name
            assert np.array_equal(other.codes, column.codes), name
            assert np.asarray(other.codes).dtype == np.asarray(column.codes).dtype, name
        else:
            assert np.array_equal(other, column, equal_nan=True), name
            assert np.asarray(other).dtype == np.asarray(column).dtype, name
    for part in ("given", "defaulted", "selected"):
        mine, theirs = getattr(quick, part), getattr(frame, part)
        assert mine.keys() == theirs.keys(), part
        for name in theirs:
            assert np.array_equal(mine[name], theirs[name]), (part, name)
            assert mine[name].dtype == theirs[name].dtype, (part, name)


def _compare(rater, code: str, risk: dict[str, object]) -> bool:
    """Quote and one-row batch agree; True when the quick path itself rated the risk."""
    frame = rater.rate(code, pd.DataFrame([dict(risk)]), as_of=AS_OF, worksheet=True)
    quick = rater._quick(code, risk, as_of=AS_OF, worksheet=True)
    if not frame.ok:
        assert quick is None
        with pytest.raises(RatingInputError) as info:
            rater.quote(code, risk, as_of=AS_OF)
        got = [(i.field, i.value, i.reason) for i in info.value.issues]
        want = [(r.field, r.value, r.reason) for r in frame.issues.itertuples()]
        assert got == want
        return False
    if quick is None:
        return False
    pd.testing.assert_frame_equal(quick.premiums, frame.premiums)
    assert quick.worksheet_records(0) == frame.worksheet_records(0)
    assert quick.versions == frame.versions
    assert np.array_equal(quick.positions, frame.positions)
    _same_prepared(quick.prepared, frame.prepared)
    return True


def test_generated_risks_of_every_product(catalogue, rater):
    quick = 0
    for product in (p for p in catalogue.current() if p.coverages):
        for risk in _records(random_book(product, 25, seed=5)):
            quick += _compare(rater, product.code, risk)
    assert quick >= 100  # the quick path is the one taken for plain values


@pytest.mark.parametrize("change", [
    {}, {"deductible": "2000"}, {"deductible": 2000.0}, {"deductible": " 5000 "},
    {"deductible": None}, {"deductible": ""}, {"deductible": "  "}, {"deductible": math.nan},
    {"loss_history": "one"}, {"sum_insured": 1_000_000.5}, {"sum_insured": 10_000},
    {"sum_insured": 200_000_000}, {"province": 33}, {"province": "33.0"},
    {"cover_earthquake": True}, {"cover_earthquake": False}, {"cover_earthquake": "yes"},
    {"cover_earthquake": "否"}, {"cover_earthquake": 1}, {"cover_earthquake": 0.0},
    {"cover_earthquake": None}, {"cover_earthquake": math.nan}, {"cover_earthquake": ""},
    {"cover_earthquake": "perhaps"}, {"industry": "c13"}, {"industry": "C"},
    {"industry": " C13 "}, {"industry": "Z99"}, {"industry": None}, {"industry": ""},
    {"industry": 5}, {"cover_business_interruption": True},
    {"cover_business_interruption": True, "gross_profit": 2_000_000},
    {"cover_business_interruption": True, "gross_profit": 2_000_000, "indemnity_period": 12},
    {"cover_business_interruption": True, "gross_profit": "lots"},
    {"occupancy_class": "castle"}, {"occupancy_class": True}, {"sum_insured": 5},
    {"sum_insured": "1000000"}, {"sum_insured": True}, {"sum_insured": math.inf},
    {"sum_insured": None}, {"sum_insured": 2**60}, {"sum_insured": np.float64(1e6)},
    {"construction": {"a": 1}}, {"sum_insured": [1, 2]}, {"unknown_input": "x"},
    {"construction": pd.NA},
])
def test_awkward_values_give_the_batch_result(rater, change):
    _compare(rater, "SME_PROPERTY", {**GOOD, **change})


def test_missing_required_input(rater):
    risk = dict(GOOD)
    del risk["construction"]
    assert prepare_record(rater.catalogue.get("SME_PROPERTY", as_of=AS_OF), risk) is None
    _compare(rater, "SME_PROPERTY", risk)


def test_plain_quote_takes_the_quick_path(rater):
    assert rater._quick("SME_PROPERTY", GOOD, as_of=AS_OF) is not None
    assert rater.quote("SME_PROPERTY", GOOD, as_of=AS_OF).premiums.index.tolist() == [0]


def test_worksheet_row_labels_are_looked_up_as_the_comparison_does(rater, catalogue):
    """The direct index look-up only takes single, present labels: a NaN label, a slice or a
    dict finds no row (NotFoundError), never a pandas error or a row that == would not find."""
    book = example_risks(catalogue.get("SME_PROPERTY", as_of=AS_OF), 2, seed=1)
    book.index = pd.Index([np.nan, 1.0])
    result = rater.rate("SME_PROPERTY", book, as_of=AS_OF, worksheet=True)
    assert result.worksheet_records(1.0)  # a present label is found directly
    for label in (np.nan, slice(0, 1), {"a": 1}, 7.0):
        with pytest.raises(NotFoundError):
            result.worksheet_records(label)
    one = rater.quote("SME_PROPERTY", GOOD, as_of=AS_OF, worksheet=True)
    assert one.worksheet_records([0]) == one.worksheet_records(0)  # as index == [0] found it
