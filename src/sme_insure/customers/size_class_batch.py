"""Vectorised enterprise size classification over a DataFrame.

The ladder of :mod:`.size_class` in numpy: per row, a measure passes a level when the industry does
not use it or its value is at or above the threshold; the first level all measures pass gives the
class, micro when none does. :func:`classify_sizes` and :func:`~.size_class.classify_size` agree
row by row (tested on generated frames).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.customers.entity import SizeClass
from sme_insure.customers.industry import IndustryGroup
from sme_insure.customers.size_class import (
    FLOOR_CLASS,
    LADDER,
    AmountUnit,
    Level,
    Measure,
    threshold_array,
)
from sme_insure.errors import InputError, Issue

_LEVEL_INDEX = {level: i for i, level in enumerate(Level)}
_CEILING = _LEVEL_INDEX[Level.SME_CEILING]

Floats = npt.NDArray[np.float64]

SIZE_CLASS_DTYPE = pd.CategoricalDtype([s.value for s in SizeClass], ordered=True)


def _group_codes(frame: pd.DataFrame, column: str) -> npt.NDArray[np.int64]:
    """Position of each row's group in :class:`IndustryGroup` order; -1 when missing or unknown."""
    if column not in frame.columns:
        raise InputError([Issue(column, None, "column is required")], context="size classes")
    groups = pd.Index([g.value for g in IndustryGroup])
    names = frame[column].astype("string").fillna("").to_numpy(dtype=object)
    return groups.get_indexer(names).astype(np.int64)


def _figures(frame: pd.DataFrame) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """``(n, len(Measure))`` float figures (NaN when absent) and a mask of non-numeric cells."""
    values = np.full((len(frame), len(Measure)), np.nan)
    not_numeric = np.zeros_like(values, dtype=bool)
    for m, measure in enumerate(Measure):
        if measure.value in frame.columns:
            raw = frame[measure.value]
            numbers = pd.to_numeric(raw, errors="coerce")
            values[:, m] = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
            not_numeric[:, m] = (raw.notna() & numbers.isna()).to_numpy()
    return values, not_numeric


def _issues(
    frame: pd.DataFrame,
    column: str,
    codes: npt.NDArray[np.int64],
    values: Floats,
    bad: dict[str, npt.NDArray[np.bool_]],
) -> list[Issue]:
    """One issue per unknown industry and per bad figure a row's industry needs, by row."""
    issues = [
        Issue(column, frame[column].iloc[i], "must be an IndustryGroup value", row=int(i))
        for i in np.flatnonzero(codes < 0)
    ]
    for reason, mask in bad.items():
        for i, m in zip(*np.nonzero(mask), strict=True):
            measure = list(Measure)[m]
            value = None if np.isnan(values[i, m]) else float(values[i, m])
            issues.append(Issue(measure.value, value, reason, row=int(i)))
    return sorted(issues, key=lambda issue: issue.row or 0)


def classify_sizes(
    frame: pd.DataFrame, *, unit: AmountUnit, industry_column: str = "industry_group"
) -> pd.Series:
    """Size class per row as an ordered categorical (micro < small < medium < large).

    Reads ``industry_column`` (:class:`IndustryGroup` values) and the measure columns named as
    :class:`Measure` values (``employees``, ``revenue``, ``assets``; money in ``unit``). A
    measure column may be absent when no row's industry uses it. Raises one
    :class:`InputError` listing every row with an unknown industry or a missing, non-numeric,
    negative or (employees) fractional figure that its industry needs.
    """
    codes = _group_codes(frame, industry_column)
    thresholds = threshold_array(unit)[np.clip(codes, 0, None)]  # (n, measure, level)
    used = ~np.isnan(thresholds[:, :, _CEILING]) & (codes >= 0)[:, None]
    values, not_numeric = _figures(frame)
    employees = list(Measure).index(Measure.EMPLOYEES)
    fractional = np.zeros_like(used)
    fractional[:, employees] = values[:, employees] % 1 > 0
    bad = {
        "must be a finite number": used & not_numeric,
        "required by the size standard for this industry": used & ~not_numeric & np.isnan(values),
        "must not be negative": used & (values < 0),
        "must be a whole number of persons": used & fractional,
    }
    issues = _issues(frame, industry_column, codes, values, bad)
    if issues:
        raise InputError(issues, context="size classes")
    passes = [
        (~used | (values >= thresholds[:, :, _LEVEL_INDEX[level]])).all(axis=1)
        for level, _ in LADDER
    ]
    labels = np.select(passes, [size.value for _, size in LADDER], FLOOR_CLASS.value)
    return pd.Series(labels, index=frame.index, name="size_class").astype(SIZE_CLASS_DTYPE)
