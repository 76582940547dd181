"""Table lookups as the engine makes them: :meth:`RatingTable.lookup`, with a faster way for the
commonest band table (one band key over a number, e.g. a sum-insured size factor).

A one-key band table with contiguous bands [e₀, e₁), [e₁, e₂), …, [eₖ₋₁, eₖ) gives row x the value
of band i where eᵢ ≤ x < eᵢ₊₁, and no value (NaN, a failed lookup) below e₀, at or above eₖ, or
for a missing x. With c(x) = #{j : eⱼ ≤ x} (0 … k+1) that is ``padded[c(x)]`` over
``padded = (NaN, v₀, …, vₖ₋₁, NaN)``; NaN compares false, so a missing x gets c = 0 and NaN.
c(x) is a sum of k + 1 comparisons into a byte counter: several times faster than a binary
search per row for the few bands such tables have.

A one-key exact table is looked up once per level of the input (the table's own lookup), and
each row then takes its level's value: ``values[code]``, NaN for a missing code (−1, the last
cell). Same values and failures as the table's own lookup (``tests/rating/test_fast_lookup.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from sme_insure.tables import RatingTable
from sme_insure.tables.coded import Coded
from sme_insure.tables.metadata import MatchKind
from sme_insure.tables.table import KeyValues, Lookup

MAX_EDGES = 32  # beyond this a binary search per row is as quick; the table's lookup is used

_BANDS: dict[int, tuple[RatingTable, npt.NDArray[np.float64], npt.NDArray[np.float64]]] = {}
_EXACT: dict[tuple[int, tuple[str, ...]],
             tuple[RatingTable, npt.NDArray[np.float64], bool]] = {}


def lookup(table: RatingTable, keys: Sequence[KeyValues]) -> Lookup:
    """``table.lookup(keys)``: the same values and failures, faster for one band key, and for
    one exact key without the per-call checks (its value per level code is kept)."""
    if len(keys) == 1 and isinstance(keys[0], Coded):
        by_code = _exact_plan(table, keys[0].levels)
        if by_code is None:
            return table.lookup(keys)
        values, has_gap = by_code
        return Lookup(values[keys[0].codes], may_fail=has_gap or keys[0].any_missing())
    plan = _band_plan(table) if len(keys) == 1 else None
    if plan is None:
        return table.lookup(keys)
    edges, padded = plan
    x = np.asarray(keys[0], dtype=np.float64)
    count = np.zeros(x.shape, dtype=np.uint8)
    above = np.empty(x.shape, dtype=bool)
    for edge in edges:
        np.greater_equal(x, edge, out=above)
        np.add(count, above, out=count)
    return Lookup(padded[count])


def _exact_plan(table: RatingTable, levels: tuple[str, ...],
                ) -> tuple[npt.NDArray[np.float64], bool] | None:
    """For a one-key exact table: its value for each level code (the table's own lookup of
    every level once), NaN appended for code −1, and whether some level has no value."""
    key = (id(table), levels)
    cached = _EXACT.get(key)
    if cached is not None and cached[0] is table:
        return cached[1], cached[2]
    if len(table.axes) != 1 or table.axes[0].key.match is not MatchKind.EXACT:
        return None
    every = Coded(np.arange(len(levels), dtype=np.int64), levels)
    values = np.append(table.lookup([every]).values, np.nan)
    has_gap = bool(np.isnan(values[:-1]).any())
    if len(_EXACT) >= 4096:  # industry codes bring levels of their own per batch
        _EXACT.clear()
    _EXACT[key] = (table, values, has_gap)
    return values, has_gap


def _band_plan(table: RatingTable,
               ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """Edges and NaN-padded values of a one-key band table with few bands (else ``None``);
    kept per table object (with the object, so that its id cannot be reused by another)."""
    cached = _BANDS.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1], cached[2]
    if len(table.axes) != 1 or table.axes[0].key.match is not MatchKind.BAND:
        return None
    axis = table.axes[0]
    lower, upper = axis.lower, axis.upper
    assert lower is not None and upper is not None
    if len(lower) + 1 > MAX_EDGES or not np.array_equal(lower[1:], upper[:-1]):
        return None  # contiguous bands are checked when a table is loaded; never assumed here
    edges = np.append(lower, upper[-1])
    padded = np.concatenate([[np.nan], np.asarray(table.grid, dtype=np.float64).ravel(), [np.nan]])
    if len(_BANDS) >= 1024:  # draft tables of studies come and go; don't keep them all alive
        _BANDS.clear()
    _BANDS[id(table)] = (table, edges, padded)
    return edges, padded
