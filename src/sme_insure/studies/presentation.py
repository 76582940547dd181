"""Study tables as text for people: formatted figures, and flags instead of missing numbers.

A missing figure is shown as the text of its row's flag (:class:`~.vocabulary.Flag`); a missing
figure in a row without a flag is a bug and raises, so a report never shows a bare "nan".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from sme_insure.studies.vocabulary import Flag


class Kind(StrEnum):
    """How a column is printed."""

    TEXT = "text"
    MONEY = "money"
    NUMBER = "number"
    COUNT = "count"
    PERCENT = "percent"
    RELATIVITY = "relativity"
    FACTOR = "factor"


_FORMATS = {
    Kind.MONEY: "{:,.0f}",
    Kind.NUMBER: "{:,.1f}",
    Kind.COUNT: "{:,.0f}",
    Kind.PERCENT: "{:.1%}",
    Kind.RELATIVITY: "{:.3f}",
    Kind.FACTOR: "{:.4g}",
}


@dataclass(frozen=True)
class TableView:
    """A titled table of text cells, with the flags' legend of the rows that have one."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    legend: tuple[str, ...] = ()


def flag_text(flags: str) -> str:
    """The reader's text of a ``;``-joined flag value."""
    return "; ".join(Flag(f).text for f in flags.split(";") if f)


def cell(value: object, kind: Kind, flags: str) -> str:
    """One formatted cell; a missing number becomes its row's flag (or raises)."""
    if kind is Kind.TEXT:
        return "" if value is None else str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if not flags:
            raise ValueError("a missing figure in a row without a flag")
        return "n/a — " + flag_text(flags).split(";")[0]
    if isinstance(value, bool):
        return "yes" if value else ""
    return _FORMATS[kind].format(float(value))  # type: ignore[arg-type]


def view(title: str, frame: pd.DataFrame, columns: Mapping[str, tuple[str, Kind]]) -> TableView:
    """Format ``frame``'s ``columns`` ({column: (header, kind)}); flags from its ``flag``."""
    flags = frame["flag"].fillna("").astype(str).tolist() if "flag" in frame else [""] * len(frame)
    rows = []
    for i, record in enumerate(frame[list(columns)].itertuples(index=False)):
        rows.append(
            tuple(
                cell(v, kind, flags[i])
                for v, (_, kind) in zip(record, columns.values(), strict=True)
            )
        )
    seen = dict.fromkeys(f for fl in flags for f in fl.split(";") if f)
    legend = tuple(f"{f}: {Flag(f).text}" for f in seen)
    return TableView(title, tuple(h for h, _ in columns.values()), tuple(rows), legend)


def key_values(title: str, pairs: Sequence[tuple[str, str]]) -> TableView:
    """A two-column table of labels and values."""
    return TableView(title, ("", ""), tuple((k, v) for k, v in pairs))
