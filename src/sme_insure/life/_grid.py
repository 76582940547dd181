"""Input checks and broadcasting shared by the life-contingency functions.

Every argument is checked before any indexing, so a bad age, duration or rate becomes an
:class:`~sme_insure.errors.InputError` naming the field, the value and the allowed range (never
an ``IndexError``). ``row`` in an issue is the flat position in the broadcast input (``None``
for a scalar).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sme_insure.errors import InputError, Issue

if TYPE_CHECKING:
    from sme_insure.life.tables import LifeTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
MAX_ISSUES = 50


def _as_float(value: npt.ArrayLike, name: str) -> FloatArray:
    """Convert to float64, turning non-numeric input into an InputError."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError([Issue(name, value, "must be a number or an array of numbers")]) from None


def _raise_if(bad: npt.NDArray[np.bool_], values: FloatArray, name: str, reason: str) -> None:
    """Raise one InputError listing (up to MAX_ISSUES) offending elements."""
    if not bad.any():
        return
    flat_bad, flat_values = bad.ravel(), values.ravel()
    scalar = values.ndim == 0
    issues = [
        Issue(name, float(flat_values[k]), reason, row=None if scalar else int(k))
        for k in np.flatnonzero(flat_bad)[:MAX_ISSUES]
    ]
    raise InputError(issues)


def check_ages(table: LifeTable, age: npt.ArrayLike, name: str = "age") -> IntArray:
    """Integer ages within ``[min_age, max_age]`` of ``table``, as int64."""
    values = _as_float(age, name)
    ok = np.isfinite(values) & (np.mod(values, 1.0) == 0.0)
    ok &= (values >= table.min_age) & (values <= table.max_age)
    reason = (
        f"must be an integer age in [{table.min_age}, {table.max_age}] of table {table.table_id}"
    )
    _raise_if(~ok, values, name, reason)
    return values.astype(np.int64)


def check_durations(value: npt.ArrayLike, name: str, *, integer: bool = True) -> FloatArray:
    """Durations (terms, deferrals, t): finite, ≥ 0 and, unless stated, whole years."""
    values = _as_float(value, name)
    ok = np.isfinite(values) & (values >= 0.0)
    if integer:
        ok &= np.mod(np.where(ok, values, 0.0), 1.0) == 0.0
    kind = "a whole number of years" if integer else "a number of years"
    _raise_if(~ok, values, name, f"must be {kind} ≥ 0")
    return values


def check_interest(value: npt.ArrayLike, name: str = "interest") -> FloatArray:
    """Annual effective interest rates: finite and in (−1, 1]."""
    values = _as_float(value, name)
    ok = np.isfinite(values) & (values > -1.0) & (values <= 1.0)
    _raise_if(~ok, values, name, "must be an annual effective rate in (-1, 1], e.g. 0.05")
    return values


def check_frequency(m: int) -> int:
    """Payments per year m: a positive integer."""
    if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < 1:
        raise InputError([Issue("m", m, "payments per year must be an integer ≥ 1")])
    return int(m)


def scalar_or_array(values: FloatArray) -> FloatArray:
    """Return a 0-d result as a numpy scalar, otherwise the array itself."""
    return values[()] if values.ndim == 0 else values
