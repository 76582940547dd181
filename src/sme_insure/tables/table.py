"""One version of a rating table and its vectorised lookup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.errors import Issue, TableError
from sme_insure.tables.coded import Coded
from sme_insure.tables.grid import Axis, FloatArray, IntArray, build_axes, fill_grid, row_positions
from sme_insure.tables.metadata import MatchKind, TableMeta

BoolArray = npt.NDArray[np.bool_]
KeyValues = Coded | FloatArray


@dataclass(frozen=True)
class Lookup:
    """Result of looking up N rows: ``values``, NaN where ``failed``. ``may_fail`` is ``False``
    when no row can have failed (known without a pass over the rows)."""

    values: FloatArray
    _failed: BoolArray | None = None  # None: the NaN cells of ``values``
    may_fail: bool = True

    @property
    def failed(self) -> BoolArray:
        """Rows that found no value."""
        return np.isnan(self.values) if self._failed is None else self._failed


@dataclass
class RatingTable:
    """A validated table version: its metadata, the CSV rows as read, and the dense grid."""

    meta: TableMeta
    frame: pd.DataFrame
    axes: list[Axis]
    grid: FloatArray
    path: Path | None = None
    _mappers: dict[tuple[str, ...], IntArray] = field(default_factory=dict, repr=False)
    _pad: FloatArray | None = field(default=None, repr=False)
    _by_code: dict[tuple[str, ...], FloatArray] = field(default_factory=dict, repr=False)

    @classmethod
    def from_frame(
        cls, meta: TableMeta, frame: pd.DataFrame, path: Path | None = None
    ) -> RatingTable:
        """Build and check a table; every problem is collected before raising :class:`TableError`."""
        source = str(path) if path else meta.label
        issues = _check_columns(meta, frame, source)
        if issues:
            raise TableError(issues)
        axes = build_axes(frame, meta.keys, source, issues)
        values = pd.to_numeric(frame[meta.value], errors="coerce").to_numpy(np.float64)
        for row in np.flatnonzero(~np.isfinite(values)):
            issues.append(
                Issue(
                    meta.value,
                    frame[meta.value].iloc[row],
                    "not a finite number",
                    row=int(row),
                    source=source,
                )
            )
        for row in np.flatnonzero(values < 0):
            issues.append(
                Issue(
                    meta.value,
                    float(values[row]),
                    "rates and factors cannot be negative",
                    row=int(row),
                    source=source,
                )
            )
        if issues:
            raise TableError(issues)
        grid = fill_grid(values, row_positions(frame, axes), axes, source, issues)
        if issues:
            raise TableError(issues)
        return cls(meta=meta, frame=frame, axes=axes, grid=grid, path=path)

    @property
    def label(self) -> str:
        """``table@version``."""
        return self.meta.label

    def levels(self, key: str) -> list[str]:
        """The levels of an exact key, as canonical text."""
        axis = self._axis(key)
        if axis.levels is None:
            raise TableError(f"{self.label}: key {key!r} is not an exact key")
        return list(axis.levels)

    def _axis(self, key: str) -> Axis:
        for axis in self.axes:
            if axis.key.name == key:
                return axis
        raise TableError(
            f"{self.label} has no key {key!r}; keys: {[a.key.name for a in self.axes]}"
        )

    def _exact_positions(self, axis: Axis, values: Coded) -> IntArray:
        """Map codes to axis positions through a small array cached per tuple of levels."""
        mapper = self._mappers.get(values.levels)
        if mapper is None:
            found = axis.levels.get_indexer(pd.Index(list(values.levels), dtype=object))  # type: ignore[union-attr]
            mapper = np.append(found, -1).astype(np.int64)  # code -1 (missing) maps to -1
            self._mappers[values.levels] = mapper
        return mapper[values.codes]

    def lookup(self, keys: Sequence[KeyValues]) -> Lookup:
        """Vectorised lookup, one array per key in the table's key order.

        Exact keys take :class:`Coded` values; band and interpolate keys a float array. A band
        matches ``from <= x < to``. Interpolation between neighbouring points p₀ < x ≤ p₁ gives
        v = v₀·(p₁ − x)/(p₁ − p₀) + v₁·(x − p₀)/(p₁ − p₀).
        """
        if len(keys) != len(self.axes):
            raise TableError(f"{self.label} takes {len(self.axes)} keys, got {len(keys)}")
        if len(self.axes) == 1 and self.axes[0].key.match is MatchKind.EXACT and isinstance(keys[0], Coded):
            return self._one_exact(keys[0])
        plain = self.axes[:-1] if self._interpolated else self.axes
        parts = [self._positions(axis, values) for axis, values in zip(plain, keys, strict=False)]
        if self._interpolated:
            n = len(keys[-1])
            pos = [p for p, _ in parts]
            failed = np.zeros(n, dtype=bool)
            for _, bad in parts:
                failed |= bad
            return self._interpolate(pos, np.asarray(keys[-1], dtype=np.float64), failed)
        flat = self._flat_index(parts)
        values = self._padded[flat]
        return Lookup(values)

    def _one_exact(self, key: Coded) -> Lookup:
        """One exact key: the value of each level code, cached per tuple of levels with a NaN
        last for code −1, then a single gather over the rows."""
        by_code = self._by_code.get(key.levels)
        if by_code is None:
            codes = Coded(np.arange(len(key.levels), dtype=np.int64), key.levels)
            by_code = np.append(self._padded[self._exact_positions(self.axes[0], codes)], np.nan)
            self._by_code[key.levels] = by_code
        values = by_code[key.codes]
        return Lookup(values, may_fail=bool(np.isnan(by_code[:-1]).any()) or key.any_missing())

    def _flat_index(self, parts: list[tuple[IntArray, BoolArray]]) -> IntArray:
        """Cell index in the flattened grid; rows matching nothing point at the NaN pad cell."""
        if len(parts) == 1 and self.axes[0].key.match is MatchKind.EXACT:
            return parts[0][0]  # -1 already selects the pad cell
        strides = np.cumprod([1, *[a.size for a in self.axes[:0:-1]]])[::-1]
        flat = np.zeros(len(parts[0][0]), dtype=np.int64)
        for (p, _), stride in zip(parts, strides, strict=True):
            flat += p * int(stride)
        for _, bad in parts:
            flat[bad] = -1
        return flat

    @property
    def _padded(self) -> FloatArray:
        """The flattened grid with one NaN cell appended (index -1)."""
        if self._pad is None:
            self._pad = np.append(self.grid.ravel(), np.nan)
        return self._pad

    @property
    def _interpolated(self) -> bool:
        return self.axes[-1].key.match is MatchKind.INTERPOLATE

    def _positions(self, axis: Axis, values: KeyValues) -> tuple[IntArray, BoolArray]:
        """Each value's position on ``axis`` and whether it matches nothing there (one flag per
        value, whatever the number of keys: :meth:`explain_miss` reads it for one value)."""
        if axis.key.match is MatchKind.EXACT:
            if not isinstance(values, Coded):
                values = Coded.from_values(values)
            p = self._exact_positions(axis, values)
            return p, p < 0
        x = np.asarray(values, dtype=np.float64)
        p = np.searchsorted(axis.lower, x, side="right") - 1  # type: ignore[arg-type]
        # bands are contiguous (checked at load), so only the outer bounds can be missed
        bad = ~((x >= axis.lower[0]) & (x < axis.upper[-1]))  # type: ignore[index]
        return np.clip(p, 0, axis.size - 1), bad

    def _interpolate(self, pos: list[IntArray], x: FloatArray, failed: BoolArray) -> Lookup:
        points = self.axes[-1].lower
        assert points is not None
        lo = np.clip(np.searchsorted(points, x, side="right") - 1, 0, len(points) - 2)
        failed = failed | ~((x >= points[0]) & (x <= points[-1]))
        base = tuple(np.where(failed, 0, p) for p in pos)
        v0, v1 = self.grid[(*base, lo)], self.grid[(*base, lo + 1)]
        p0, p1 = points[lo], points[lo + 1]
        values = v0 * (p1 - x) / (p1 - p0) + v1 * (x - p0) / (p1 - p0)
        failed |= np.isnan(values)
        return Lookup(np.where(failed, np.nan, values), failed)

    def explain_miss(self, key_values: Sequence[object], key_names: Sequence[str]) -> Issue:
        """Why one row found no value: the first key that matches nothing, or the combination."""
        for axis, value, name in zip(self.axes, key_values, key_names, strict=True):
            arr = (
                Coded.from_values([value])
                if axis.key.match is MatchKind.EXACT
                else np.array([value], dtype=np.float64)
            )
            if axis.key.match is MatchKind.INTERPOLATE:
                x = float(value)  # type: ignore[arg-type]
                if not axis.lower[0] <= x <= axis.lower[-1]:  # type: ignore[index]
                    return Issue(
                        name, value, f"outside table {self.label}: allowed {axis.allowed()}"
                    )
                continue
            if self._positions(axis, arr)[1][0]:
                return Issue(name, value, f"not in table {self.label}: allowed {axis.allowed()}")
        combo = dict(zip(key_names, key_values, strict=True))
        return Issue(",".join(key_names), combo, f"no rate for this combination in {self.label}")


def _check_columns(meta: TableMeta, frame: pd.DataFrame, source: str) -> list[Issue]:
    expected = [meta.value]
    for key in meta.keys:
        expected += (
            [f"{key.name}_from", f"{key.name}_to"] if key.match is MatchKind.BAND else [key.name]
        )
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in expected]
    issues = [
        Issue("columns", c, f"missing column; the metadata expects {expected}", source=source)
        for c in missing
    ]
    issues += [
        Issue("columns", c, f"unexpected column; the metadata expects {expected}", source=source)
        for c in extra
    ]
    if frame.empty:
        issues.append(Issue("rows", 0, "a table needs at least one row", source=source))
    return issues
