"""What rating returns: figures per risk, problems per row, versions used, and the worksheet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.catalogue.product import Product
from sme_insure.errors import NotFoundError
from sme_insure.rating.frame import Prepared
from sme_insure.rating.trace import WORKSHEET_COLUMNS, StepTrace, money_rows, step_rows


@dataclass
class RatingResult:
    """Result of rating a batch.

    ``premiums`` has one row per rated risk (indexed like the input) with int64 fen columns;
    ``issues`` one row per problem (``row`` position, ``label``, ``field``, ``value``, ``reason``)
    for the risks that could not be rated. ``tables`` maps each table id to the version used.
    """

    product: Product
    as_of: dt.date
    tables: dict[str, str]
    premiums: pd.DataFrame
    positions: npt.NDArray[np.int64]
    _prep: Prepared = field(repr=False)
    _traces: list[StepTrace] | None = field(default=None, repr=False)
    _index: pd.Index | None = field(default=None, repr=False)

    @property
    def issues(self) -> pd.DataFrame:
        """One row per problem; built on first use (a clean quote never pays for it)."""
        return self._prep.log.frame(self._index)

    @property
    def ok(self) -> bool:
        """Whether every row was rated."""
        return not self._prep.log.bad.any()

    @property
    def versions(self) -> dict[str, object]:
        """What a quote records to be reproducible: product and table versions, and the date."""
        return {
            "product": self.product.code,
            "product_version": self.product.version,
            "as_of": self.as_of.isoformat(),
            "tables": dict(self.tables),
        }

    @property
    def prepared(self) -> Prepared:
        """The typed inputs of every row (for underwriting rules over the same frame)."""
        return self._prep

    @property
    def has_worksheet(self) -> bool:
        """Whether the step traces were kept (``worksheet=True``)."""
        return self._traces is not None

    def worksheet(self, label: object) -> pd.DataFrame:
        """Every step that produced the premium of the risk with index ``label``."""
        return pd.DataFrame(self.worksheet_records(label), columns=WORKSHEET_COLUMNS)

    def worksheet_records(self, label: object) -> list[dict[str, object]]:
        """The worksheet of one risk as plain records (what a stored quote keeps)."""
        if self._traces is None:
            raise ValueError(
                "rated with worksheet=False; rate again with worksheet=True or use "
                "Rater.explain(...)"
            )
        at = self._row_of(label)
        pos = int(self.positions[at])
        rows = step_rows(self._traces, self._prep, pos, self._prep.selected)
        codes = [c.code for c in self.product.coverages]
        row = self.premiums.iloc[at]
        rows += money_rows(dict(zip(row.index.tolist(), row.to_numpy().tolist(), strict=True)),
                           codes)
        return rows

    def _row_of(self, label: object) -> int:
        """Position in ``premiums`` of the one row labelled ``label`` (NotFoundError if none or
        several): ``index == label`` has exactly one hit; a unique index finds it directly."""
        index = self.premiums.index
        if (index.is_unique and type(label) is not bool and pd.api.types.is_scalar(label)
                and not pd.isna(label)):  # get_loc finds NaN labels that == never matches
            try:
                at = index.get_loc(label)
            except (KeyError, TypeError, ValueError, pd.errors.InvalidIndexError):
                at = None  # left to the comparison, which decides as it always did
            if isinstance(at, int):
                return at
        if isinstance(label, dict | set):  # no row is labelled by one (pandas 4 compares dicts
            raise NotFoundError("rated row", label)  # as scalars; 3.x warns about it)
        where = np.flatnonzero(index == label)
        if where.size != 1:
            raise NotFoundError("rated row", label)
        return int(where[0])
