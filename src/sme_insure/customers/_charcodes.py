"""Fixed-width character-code matrices for vectorised identifier checks.

A column of identifiers becomes an ``(n, width)`` array of Unicode code points (zero-padded,
longer values truncated; their true length is reported separately so nothing is lost), on which
check-character sums are plain numpy arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.errors import InputError, Issue


@dataclass(frozen=True, slots=True)
class CodeMatrix:
    """Normalised text, its lengths (-1 for missing) and its code points, one row per value."""

    text: pd.Series
    lengths: npt.NDArray[np.int64]
    codes: npt.NDArray[np.int64]


def code_matrix(values: pd.Series, width: int, *, field_name: str) -> CodeMatrix:
    """NFKC-fold, strip, upper-case and encode ``values`` (text or missing) as a code-point matrix.

    Raises :class:`InputError` when the column holds non-text values (an ID read as a number has
    already lost its leading zeros or its precision).
    """
    present = values.dropna()
    if len(present) and not pd.api.types.is_string_dtype(present):
        reason = "must be a text column (read identifiers with dtype=str)"
        raise InputError([Issue(field_name, str(values.dtype), reason)])
    text = values.astype("string").str.normalize("NFKC").str.strip().str.upper()
    lengths = text.str.len().fillna(-1).to_numpy(dtype=np.int64)
    fixed = np.ascontiguousarray(text.fillna("").to_numpy(dtype=object).astype(f"U{width}"))
    codes = fixed.view(np.uint32).reshape(len(fixed), width).astype(np.int64)
    return CodeMatrix(text, lengths, codes)


def lookup(table: npt.NDArray[np.int64], codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``table[code]`` for code points below ``len(table)``, -1 for any other code point."""
    inside = codes < len(table)
    return np.where(inside, table[np.where(inside, codes, 0)], -1)


def value_table(alphabet: str) -> npt.NDArray[np.int64]:
    """A 128-entry table: code point → position in ``alphabet``, -1 when not in it."""
    table = np.full(128, -1, dtype=np.int64)
    table[[ord(c) for c in alphabet]] = np.arange(len(alphabet))
    return table


def first_problem(
    conditions: list[tuple[npt.NDArray[np.bool_], str]], index: pd.Index
) -> pd.Series:
    """The label of the first true condition per row, ``<NA>`` where none holds."""
    masks = [mask for mask, _ in conditions]
    labels = np.select(masks, [label for _, label in conditions], default="")
    return pd.Series(labels, index=index, dtype="string").replace("", pd.NA)
