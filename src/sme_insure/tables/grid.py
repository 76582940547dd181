"""A rating table held as a dense n-dimensional array, one axis per key.

Exact keys become axes of levels, band keys axes of half-open bands, an interpolate key an axis of
points. A combination absent from the CSV is a NaN cell: looking it up is an error ("not rated"),
never a silent 0 or 1. Lookups are vectorised: each key value becomes an axis position (``-1`` when
it matches nothing) and ``np.ravel_multi_index`` finds the cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.errors import Issue
from sme_insure.tables.keys import canonical
from sme_insure.tables.metadata import KeySpec, MatchKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Axis:
    """One axis of the grid: ``levels`` for exact keys, ``lower``/``upper`` for bands, ``points``
    for interpolation (held in ``lower``)."""

    key: KeySpec
    levels: pd.Index | None = None
    lower: FloatArray | None = None
    upper: FloatArray | None = None

    @property
    def size(self) -> int:
        """Number of positions on this axis."""
        return len(self.levels) if self.levels is not None else len(self.lower)  # type: ignore[arg-type]

    def allowed(self) -> str:
        """Human description of what this axis accepts, for error messages."""
        if self.key.match is MatchKind.EXACT:
            return "one of " + ", ".join(map(str, self.levels))  # type: ignore[arg-type]
        lo, hi = self.lower[0], (self.upper[-1] if self.upper is not None else self.lower[-1])  # type: ignore[index]
        right = ")" if self.key.match is MatchKind.BAND else "]"
        return f"a number in [{lo:g}, {hi:g}{right}"


def _number_column(df: pd.Series, name: str, source: str, issues: list[Issue]) -> FloatArray:
    values = pd.to_numeric(df, errors="coerce").to_numpy(dtype=np.float64)
    for row in np.flatnonzero(np.isnan(values) & df.notna().to_numpy()):
        issues.append(Issue(name, df.iloc[row], "not a number", row=int(row), source=source))
    return values


def _band_axis(frame: pd.DataFrame, key: KeySpec, source: str, issues: list[Issue]) -> Axis:
    lo = _number_column(frame[f"{key.name}_from"], f"{key.name}_from", source, issues)
    hi_raw = frame[f"{key.name}_to"].replace("", np.nan)
    hi = _number_column(hi_raw, f"{key.name}_to", source, issues)
    hi = np.where(hi_raw.isna().to_numpy(), np.inf, hi)
    pairs = sorted(set(zip(lo.tolist(), hi.tolist(), strict=True)))
    lower = np.array([p[0] for p in pairs])
    upper = np.array([p[1] for p in pairs])
    bad = [i for i in range(len(pairs)) if not lower[i] < upper[i]]
    bad += [i for i in range(1, len(pairs)) if lower[i] != upper[i - 1]]
    for i in bad:
        issues.append(
            Issue(
                key.name,
                f"[{lower[i]:g}, {upper[i]:g})",
                "bands must be non-empty and contiguous, without gaps or overlaps",
                source=source,
            )
        )
    return Axis(key, lower=lower, upper=upper)


def build_axes(
    frame: pd.DataFrame, keys: list[KeySpec], source: str, issues: list[Issue]
) -> list[Axis]:
    """Derive each key's axis from the CSV columns; problems are appended to ``issues``."""
    axes: list[Axis] = []
    for key in keys:
        if key.match is MatchKind.EXACT:
            levels = pd.Index(pd.unique(frame[key.name].map(canonical)), dtype=object)
            axes.append(Axis(key, levels=levels))
        elif key.match is MatchKind.BAND:
            axes.append(_band_axis(frame, key, source, issues))
        else:
            pts = _number_column(frame[key.name], key.name, source, issues)
            points = np.unique(pts[~np.isnan(pts)])
            if len(points) < 2:
                issues.append(
                    Issue(
                        key.name,
                        list(points),
                        "interpolation needs two points or more",
                        source=source,
                    )
                )
            axes.append(Axis(key, lower=points))
    return axes


def row_positions(frame: pd.DataFrame, axes: list[Axis]) -> list[IntArray]:
    """Axis position of every CSV row on every axis (the CSV's own values always match)."""
    out: list[IntArray] = []
    for axis in axes:
        name = axis.key.name
        if axis.key.match is MatchKind.EXACT:
            out.append(axis.levels.get_indexer(frame[name].map(canonical)).astype(np.int64))  # type: ignore[union-attr]
        elif axis.key.match is MatchKind.BAND:
            lo = pd.to_numeric(frame[f"{name}_from"], errors="coerce").to_numpy(np.float64)
            out.append(np.searchsorted(axis.lower, lo).astype(np.int64))  # type: ignore[arg-type]
        else:
            pts = pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64)
            out.append(np.searchsorted(axis.lower, pts).astype(np.int64))  # type: ignore[arg-type]
    return out


def fill_grid(
    values: FloatArray,
    positions: list[IntArray],
    axes: list[Axis],
    source: str,
    issues: list[Issue],
) -> FloatArray:
    """Place each CSV value in its cell; duplicated combinations are reported."""
    shape = tuple(a.size for a in axes)
    grid = np.full(shape, np.nan)
    flat = np.ravel_multi_index(tuple(positions), shape)
    uniq, counts = np.unique(flat, return_counts=True)
    for cell in uniq[counts > 1]:
        rows = np.flatnonzero(flat == cell).tolist()
        issues.append(
            Issue("keys", rows, "the same key combination appears more than once", source=source)
        )
    grid.ravel()[flat] = values
    return grid
