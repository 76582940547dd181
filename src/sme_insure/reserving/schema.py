"""Column-by-column checking of a transaction frame, with pandas only (no pandera).

A :class:`Column` says what one column holds; :func:`check_columns` parses every column of a frame
to its type, collects one :class:`~sme_insure.errors.Issue` per bad value (``row`` is the 0-based
position of the row in the input) and returns the parsed frame and the mask of bad rows. Missing
required columns make the whole frame unusable and raise :class:`~sme_insure.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.reserving.vocabulary import UNSPECIFIED


class ColumnType(StrEnum):
    """What a column holds once parsed."""

    TEXT = "text"
    DATE = "date"
    FEN = "fen"
    NUMBER = "number"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Column:
    """One documented column: name, type, whether it is required and what it means."""

    name: str
    type: ColumnType
    description: str
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass
class IssueLog:
    """Issues found so far and the mask of rows that carry at least one."""

    n_rows: int
    source: str | None = None
    issues: list[Issue] = field(default_factory=list)
    bad: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.bad = np.zeros(self.n_rows, dtype=bool)

    def flag(self, mask: np.ndarray, name: str, values: pd.Series, reason: str) -> None:
        """Record ``reason`` for every row where ``mask`` holds, with the value as given."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        self.bad[rows] = True
        given = values.iloc[rows].tolist()
        self.issues.extend(
            Issue(name, _plain(v), reason, row=int(r), source=self.source)
            for r, v in zip(rows, given, strict=True)
        )

    def sorted_issues(self) -> list[Issue]:
        """Issues ordered by row, then field (the order a person reads a file in)."""
        return sorted(self.issues, key=lambda i: (i.row if i.row is not None else -1, i.field))


def _plain(value: object) -> object:
    """A value as a person would read it: ``None`` for missing, Python scalars for numpy ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def require_columns(frame: pd.DataFrame, columns: Iterable[Column], source: str | None) -> None:
    """Raise :class:`InputError` naming every required column that is absent."""
    missing = [c for c in columns if c.required and c.name not in frame.columns]
    if missing:
        issues = [
            Issue(c.name, None, f"required column missing ({c.description})", source=source)
            for c in missing
        ]
        raise InputError(issues, context="transactions cannot be read")


def _is_text(raw: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(raw) or pd.api.types.is_string_dtype(raw)


def _is_blank(raw: pd.Series) -> np.ndarray:
    """Missing, or empty text."""
    missing = raw.isna().to_numpy(dtype=bool)
    if not _is_text(raw):
        return missing
    empty = (raw.astype("str").str.strip() == "").to_numpy(dtype=bool, na_value=False)
    return missing | empty


def _parse_text(raw: pd.Series) -> pd.Series:
    """Text without surrounding blanks (pandas' Arrow-backed ``str`` dtype)."""
    return raw.astype("str").str.strip()


def _parse_date(raw: pd.Series) -> pd.Series:
    """ISO dates (``YYYY-MM-DD``) or datetime values, normalised to midnight; bad ones NaT."""
    if pd.api.types.is_datetime64_any_dtype(raw):
        return pd.to_datetime(raw).dt.normalize()
    text = raw.astype("str").str.strip()
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")


def _parse_number(raw: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return raw.astype("float64")
    return pd.to_numeric(raw.astype("str").str.strip(), errors="coerce").astype("float64")


def check_column(frame: pd.DataFrame, column: Column, log: IssueLog) -> pd.Series:
    """Parse one column; flag missing, unparsable and out-of-vocabulary values."""
    if column.name not in frame.columns:  # an optional segment column
        return pd.Series(UNSPECIFIED, index=frame.index, dtype=object)
    raw = frame[column.name]
    blank = _is_blank(raw)
    if not column.required:
        return _parse_text(raw).mask(blank, UNSPECIFIED)
    log.flag(blank, column.name, raw, "required value missing")
    if column.type is ColumnType.DATE:
        parsed = _parse_date(raw)
        log.flag(~blank & parsed.isna().to_numpy(), column.name, raw, "not a date YYYY-MM-DD")
        return parsed
    if column.type in (ColumnType.FEN, ColumnType.NUMBER):
        return _check_number(raw, blank, column, log)
    parsed = _parse_text(raw)
    if column.type is ColumnType.CHOICE:
        unknown = ~blank & ~parsed.isin(column.choices).to_numpy()
        log.flag(unknown, column.name, raw, "unknown value; allowed: " + ", ".join(column.choices))
    return parsed


def _check_number(raw: pd.Series, blank: np.ndarray, column: Column, log: IssueLog) -> pd.Series:
    """Numbers; fen must also be whole (an amount in fen has no fraction)."""
    parsed = _parse_number(raw)
    bad = ~blank & ~np.isfinite(parsed.to_numpy())
    log.flag(bad, column.name, raw, "not a number")
    if column.type is ColumnType.FEN:
        values = parsed.to_numpy()
        with np.errstate(invalid="ignore"):
            fraction = np.isfinite(values) & (values != np.round(values))
        log.flag(fraction, column.name, raw, "amounts are whole fen (0.01 CNY), no fraction")
    return parsed


def check_columns(
    frame: pd.DataFrame, columns: Iterable[Column], source: str | None = None
) -> tuple[pd.DataFrame, IssueLog]:
    """Parse every documented column of ``frame``; undocumented columns are kept as given.

    Returns the parsed frame (positional index 0..n-1) and the issue log. Fen columns are returned
    as float64 here; the caller casts the good rows to int64 once the bad ones are dropped.
    """
    columns = tuple(columns)
    require_columns(frame, columns, source)
    frame = frame.reset_index(drop=True)
    log = IssueLog(len(frame), source)
    parsed = {c.name: check_column(frame, c, log) for c in columns}
    extra = {c: frame[c] for c in frame.columns if c not in parsed}
    return pd.DataFrame({**parsed, **extra}, index=frame.index), log
