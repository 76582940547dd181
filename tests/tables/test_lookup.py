"""Lookups: exact, band, interpolation (the reference's worked example), and missing levels."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sme_insure.errors import TableError
from sme_insure.tables import RatingTable, TableMeta

BASE = {
    "version": "1",
    "status": "active",
    "effective_from": dt.date(2026, 1, 1),
    "description": "test",
    "source": "test",
    "approved_by": "tester",
}


def make(keys, rows, value="value", unit="factor", table="t"):
    meta = TableMeta.model_validate(
        {**BASE, "table": table, "keys": keys, "value": value, "unit": unit}
    )
    return RatingTable.from_frame(meta, pd.DataFrame(rows).astype(str))


def test_food_safety_interpolation_example():
    """Reference §2: revenue 8M between 5M and 10M gives (10−8)/(10−5)×1.43 + (8−5)/(10−5)×1.25
    = 1.322 ‰. The formula weights 1.43 by the distance to 10M, so 1.43 ‰ is the 5M point and
    1.25 ‰ the 10M point (rates fall as revenue grows); the note's labels are swapped."""
    t = make(
        [{"name": "revenue", "match": "interpolate"}],
        {"revenue": [1e6, 5e6, 10e6, 50e6], "value": [1.60, 1.43, 1.25, 0.90]},
        unit="per_mille",
    )
    got = t.lookup([np.array([8e6, 5e6, 10e6])])
    assert got.values == pytest.approx([1.322, 1.43, 1.25])
    assert not got.failed.any()


def test_interpolation_does_not_extrapolate():
    t = make([{"name": "x", "match": "interpolate"}], {"x": [1, 2], "value": [1, 2]})
    got = t.lookup([np.array([0.5, 2.5, np.nan])])
    assert got.failed.all() and np.isnan(got.values).all()
    assert "outside table" in t.explain_miss([2.5], ["x"]).reason


def test_bands_are_half_open():
    t = make(
        [{"name": "si", "match": "band"}],
        {"si_from": [0, 100], "si_to": [100, ""], "value": [1.0, 0.9]},
    )
    got = t.lookup([np.array([0, 99.99, 100, 1e12, -1])])
    assert got.values[:4].tolist() == [1.0, 1.0, 0.9, 0.9]
    assert got.failed.tolist() == [False, False, False, False, True]


def test_band_gap_and_overlap_are_rejected():
    with pytest.raises(TableError, match="contiguous"):
        make(
            [{"name": "si", "match": "band"}],
            {"si_from": [0, 150], "si_to": [100, ""], "value": [1, 2]},
        )
    with pytest.raises(TableError, match="contiguous"):
        make(
            [{"name": "si", "match": "band"}],
            {"si_from": [0, 50], "si_to": [100, ""], "value": [1, 2]},
        )


def test_exact_two_keys_and_missing_combination():
    t = make(
        [{"name": "a", "match": "exact"}, {"name": "b", "match": "exact"}],
        {"a": ["x", "x", "y"], "b": ["1", "2", "1"], "value": [1.0, 2.0, 3.0]},
    )
    keys = [pd.Categorical(["x", "y", "y", "z"]), pd.Categorical(["2", "1", "2", "1"])]
    got = t.lookup(keys)
    assert got.values[:2].tolist() == [2.0, 3.0]
    assert got.failed.tolist() == [False, False, True, True]
    assert "no rate for this combination" in t.explain_miss(["y", "2"], ["a", "b"]).reason
    miss = t.explain_miss(["z", "1"], ["a", "b"])
    assert miss.field == "a" and "allowed one of x, y" in miss.reason


def test_numeric_levels_match_whatever_their_spelling():
    t = make(
        [{"name": "limit", "match": "exact"}], {"limit": ["400000", "1000000"], "value": [1, 1.32]}
    )
    got = t.lookup([pd.Categorical([1000000, 400000.0])])
    assert got.values.tolist() == [1.32, 1.0]


def test_every_problem_reported_together():
    with pytest.raises(TableError) as info:
        make([{"name": "a", "match": "exact"}], {"a": ["x", "x", "y"], "value": ["1", "-2", "abc"]})
    reasons = " ".join(i.reason for i in info.value.issues)
    assert "negative" in reasons and "not a finite number" in reasons


def test_metadata_rules():
    with pytest.raises(ValueError, match="approved_by"):
        TableMeta.model_validate(
            {**BASE, "approved_by": None, "table": "t", "keys": [{"name": "a"}]}
        )
    with pytest.raises(ValueError, match="interpolate"):
        TableMeta.model_validate(
            {**BASE, "table": "t", "keys": [{"name": "a", "match": "interpolate"}, {"name": "b"}]}
        )
    with pytest.raises(ValueError, match="Extra inputs"):
        TableMeta.model_validate({**BASE, "table": "t", "keys": [{"name": "a"}], "colour": "red"})
