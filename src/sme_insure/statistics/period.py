"""Reporting periods: ``2026``, ``2026Q3``, ``2026-07``, as half-open date ranges."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sme_insure.errors import InputError, Issue


@dataclass(frozen=True)
class Period:
    """``[start, end)`` and the label it was parsed from."""

    label: str
    start: dt.date
    end: dt.date

    @property
    def last_day(self) -> dt.date:
        """The last day inside the period."""
        return self.end - dt.timedelta(days=1)


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(text: str) -> Period:
    """Parse a year, a quarter or a month."""
    if m := re.fullmatch(r"(\d{4})", text):
        y = int(m[1])
        return Period(text, dt.date(y, 1, 1), dt.date(y + 1, 1, 1))
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        y, q = int(m[1]), int(m[2])
        return Period(text, _month_start(y, 3 * q - 2), _month_start(y, 3 * q + 1))
    if m := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text):
        y, mo = int(m[1]), int(m[2])
        return Period(text, _month_start(y, mo), _month_start(y, mo + 1))
    raise InputError([Issue("period", text, "a year (2026), a quarter (2026Q3) or a month (2026-07)")])
