"""A large batch is rated in chunks on threads: the result must be the one pass's, to the fen,
with the same problems at the same rows and the same typed inputs for underwriting."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import sme_insure.rating.engine as engine
from sme_insure.rating.examples import example_risks

AS_OF = dt.date(2026, 3, 1)


def _spoil(frame: pd.DataFrame, column: str, rows: list[int], value: object) -> None:
    frame[column] = frame[column].astype(object)
    frame.loc[frame.index[rows], column] = value


@pytest.mark.parametrize("code", ["SME_PROPERTY", "PUBLIC_LIABILITY", "CARGO", "EMPLOYERS_LIABILITY"])
def test_chunked_rating_equals_one_pass(catalogue, rater, monkeypatch, code):
    product = catalogue.get(code, as_of=AS_OF)
    book = example_risks(product, 1_000, seed=11)
    book.index = pd.Index([f"risk-{i}" for i in range(len(book))])
    first = product.inputs[0]
    _spoil(book, first.name, [3, 250, 251, 999], "no-such-level" if first.levels else "x")
    one = rater.rate(code, book, as_of=AS_OF, threads=1)
    monkeypatch.setattr(engine, "CHUNK_ROWS", 97)  # 11 chunks, the last one short
    for threads in (2, 3):
        chunked = rater.rate(code, book, as_of=AS_OF, threads=threads)
        pd.testing.assert_frame_equal(chunked.premiums, one.premiums)
        pd.testing.assert_frame_equal(chunked.issues, one.issues)
        assert np.array_equal(chunked.positions, one.positions)
        assert chunked.tables == one.tables and not chunked.ok
        assert set(chunked.issues["label"]) == {"risk-3", "risk-250", "risk-251", "risk-999"}
        for name, column in one.prepared.columns.items():
            other = chunked.prepared.columns[name]
            if hasattr(column, "codes"):
                assert column.texts(slice(None)) == other.texts(slice(None)), name
            else:
                assert np.array_equal(column, other, equal_nan=True), name
        for cov, selected in one.prepared.selected.items():
            assert np.array_equal(selected, chunked.prepared.selected[cov])
