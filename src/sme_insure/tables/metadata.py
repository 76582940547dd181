"""Metadata of a rating-table version: identity, dates, status, provenance and key layout.

A table version is two files side by side in ``rating_tables/<table_id>/``: ``<version>.csv``
(the figures) and ``<version>.yaml`` (this metadata). Business users edit the CSV; the YAML says
what the columns mean.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class TableStatus(StrEnum):
    """Life cycle of a table version. Only ``active`` and ``retired`` versions are chosen by date;
    a ``draft`` or ``approved`` version is used only when named (impact tests, filings)."""

    DRAFT = "draft"
    APPROVED = "approved"
    ACTIVE = "active"
    RETIRED = "retired"


class MatchKind(StrEnum):
    """How an input value finds its row: equal text, a half-open numeric band ``[from, to)``, or
    linear interpolation between numeric points (no extrapolation beyond the end points)."""

    EXACT = "exact"
    BAND = "band"
    INTERPOLATE = "interpolate"


class ValueUnit(StrEnum):
    """What the value column holds. A rate is applied to an exposure divided by its ``divisor``."""

    FACTOR = "factor"
    PER_MILLE = "per_mille"
    PERCENT = "percent"
    CNY = "cny"

    @property
    def divisor(self) -> float:
        """Exposure × value / divisor gives CNY: 1000 for ‰, 100 for %, 1 otherwise."""
        return {"per_mille": 1000.0, "percent": 100.0}.get(self.value, 1.0)


SELECTABLE_BY_DATE = (TableStatus.ACTIVE, TableStatus.RETIRED)
TABLE_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
# A version is a file name in the table's folder: no separator, and it cannot be "." or "..".
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"


class KeySpec(BaseModel):
    """One key of a table. A ``band`` key is stored as two CSV columns ``<name>_from`` and
    ``<name>_to`` (empty ``to`` = no upper bound); the others as one column ``<name>``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    match: MatchKind = MatchKind.EXACT
    description: str | None = None


class TableMeta(BaseModel):
    """The YAML half of a table version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str = Field(pattern=TABLE_ID_PATTERN)
    version: str = Field(pattern=VERSION_PATTERN)
    status: TableStatus
    effective_from: dt.date
    effective_to: dt.date | None = None
    description: str
    source: str = Field(
        min_length=1, description="Where the figures come from; 'illustrative' if not sourced."
    )
    filing_ref: str | None = None
    approved_by: str | None = None
    approved_on: dt.date | None = None
    keys: list[KeySpec] = Field(min_length=1)
    value: str = Field(default="value", pattern=r"^[a-z][a-z0-9_]*$")
    unit: ValueUnit = ValueUnit.FACTOR

    @model_validator(mode="after")
    def _check(self) -> TableMeta:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        if self.status is not TableStatus.DRAFT and not self.approved_by:
            raise ValueError(f"a {self.status} table needs approved_by")
        interp = [k for k in self.keys if k.match is MatchKind.INTERPOLATE]
        if len(interp) > 1 or (interp and self.keys[-1].match is not MatchKind.INTERPOLATE):
            raise ValueError("at most one interpolate key, and it must be the last key")
        names = [k.name for k in self.keys]
        if len(set(names)) != len(names) or self.value in names:
            raise ValueError("key names and the value column must be distinct")
        return self

    def in_force(self, on: dt.date) -> bool:
        """Whether ``on`` falls in ``[effective_from, effective_to)``."""
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    @property
    def label(self) -> str:
        """``table@version``, the reference a quote records."""
        return f"{self.table}@{self.version}"
