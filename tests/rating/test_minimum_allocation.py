"""The policy minimum shared among coverages, against a plain per-row statement of the rule:
share_c = ⌊adj × p_c / total⌋, the fen left over to the largest coverage (the first of equal
ones; the first coverage when all are zero); rows at or above the minimum untouched."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure.rating.totals import allocate_minimum


def _by_hand(row: list[int], minimum: int) -> list[int]:
    total = sum(row)
    adj = max(minimum - total, 0)
    if adj == 0:
        return row
    shares = [adj * p // total if total else 0 for p in row]
    largest = max(range(len(row)), key=lambda i: (row[i], -i))
    shares[largest] += adj - sum(shares)
    return [p + s for p, s in zip(row, shares, strict=True)]


premiums = st.one_of(st.just(0), st.integers(0, 60_000), st.integers(0, 10**10))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(premiums, min_size=4, max_size=4), min_size=1, max_size=30),
       minimum=st.integers(0, 100_000), silent=st.sets(st.integers(0, 3)))
def test_allocation_matches_the_rule_row_by_row(rows, minimum, silent):
    matrix = np.array(rows, dtype=np.int64)
    matrix[:, sorted(silent)] = 0  # covers no row takes (skipped by the vectorised version)
    cov = {f"c{i}": matrix[:, i].copy() for i in range(4)}
    out, adj = allocate_minimum(cov, minimum)
    got = np.stack([out[f"c{i}"] for i in range(4)], axis=1)
    expected = [_by_hand(r, minimum) for r in matrix.tolist()]
    assert got.tolist() == expected
    assert (got.sum(axis=1) == np.maximum(matrix.sum(axis=1), minimum)).all()
    assert np.array_equal(adj, np.maximum(minimum - matrix.sum(axis=1), 0))
    assert all(np.array_equal(cov[f"c{i}"], matrix[:, i]) for i in range(4))  # inputs untouched
