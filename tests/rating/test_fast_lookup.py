"""The engine's lookups (rating/lookup.py) give every table's own values and failures: one band
key by comparisons, one exact key by a value per level code."""

from __future__ import annotations

import numpy as np

from sme_insure.rating.lookup import lookup
from sme_insure.tables.coded import Coded
from sme_insure.tables.metadata import MatchKind


def _one_key_tables(catalogue):
    for table in catalogue.tables:
        if len(table.axes) == 1:
            yield table, table.axes[0]


def _same(table, keys):
    mine, theirs = lookup(table, keys), table.lookup(keys)
    assert np.array_equal(mine.values, theirs.values, equal_nan=True), table.label
    assert np.array_equal(mine.failed, theirs.failed), table.label
    assert mine.may_fail == theirs.may_fail, table.label


def test_band_tables(catalogue):
    seen = 0
    rng = np.random.default_rng(1)
    for table, axis in _one_key_tables(catalogue):
        if axis.key.match is not MatchKind.BAND:
            continue
        edges = np.concatenate([axis.lower, axis.upper[-1:]])
        finite = edges[np.isfinite(edges)]
        near = np.concatenate([finite, np.nextafter(finite, -np.inf), np.nextafter(finite, np.inf)])
        spread = rng.uniform(finite.min() - 10, finite.max() * 1.5 + 10, 500)
        x = np.concatenate([near, spread, [np.nan, np.inf, -np.inf, -0.0, 0.0, -1.0]])
        _same(table, [x])
        _same(table, [np.broadcast_to(x[3], (9,))])
        seen += 1
    assert seen >= 3


def test_exact_tables(catalogue):
    seen = 0
    for table, axis in _one_key_tables(catalogue):
        if axis.key.match is not MatchKind.EXACT:
            continue
        levels = tuple(axis.levels)
        for order in (levels, (*levels[::-1], "no-such-level")):
            codes = np.array([*range(len(order)), -1, 0, len(order) - 1], dtype=np.int64)
            _same(table, [Coded(codes, order)])
            _same(table, [Coded(codes[:len(order)], order)])
        seen += 1
    assert seen >= 10
