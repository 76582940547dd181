"""Re-rating rows with the production engine, in any process (pandas, Dask worker, cluster).

A :class:`RatingContext` is small and picklable: folders, product, date, pinned versions and the
draft tables of a proposal. Each process loads the catalogue once (cached by folder and by the
drafts' content) and rates with :class:`~sme_insure.rating.Rater`, the engine that rates online
quotes: re-rating a book at current or proposed tables is exact, not an approximation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.catalogue import Catalogue
from sme_insure.rating import Rater, RatingResult
from sme_insure.tables import RatingTable, TableStore

_RATERS: dict[tuple[object, ...], Rater] = {}
_CATALOGUES: dict[tuple[str, str], Catalogue] = {}
_KEEP = 8  # raters kept per process (each off-balance step makes one)


def _fingerprint(tables: tuple[RatingTable, ...]) -> str:
    digest = hashlib.sha256()
    for table in tables:
        digest.update(table.label.encode())
        digest.update(np.ascontiguousarray(table.grid).tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class RatingContext:
    """What is needed to rate a partition: where the catalogue is, which product, date and
    table versions (pinned ones, e.g. drafts, by id)."""

    products_dir: Path
    tables_dir: Path
    code: str
    as_of: dt.date
    drafts: tuple[RatingTable, ...] = ()
    versions: tuple[tuple[str, str], ...] = ()

    def rater(self) -> Rater:
        """The rater of this process for these folders and drafts (loaded once)."""
        key = (str(self.products_dir), str(self.tables_dir), _fingerprint(self.drafts))
        rater = _RATERS.get(key)
        if rater is None:
            base = _catalogue(self.products_dir, self.tables_dir)
            store = TableStore([*base.tables, *self.drafts]) if self.drafts else base.tables
            while len(_RATERS) >= _KEEP:
                _RATERS.pop(next(iter(_RATERS)))
            rater = _RATERS[key] = Rater(Catalogue(base.products, store))
        return rater

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue rated on (with the drafts)."""
        return self.rater().catalogue

    def rate(self, rows: pd.DataFrame) -> RatingResult:
        """Rate every row with the pinned versions (others by date)."""
        return self.rater().rate(
            self.code, rows, as_of=self.as_of, table_versions=dict(self.versions)
        )

    def with_drafts(self, drafts: tuple[RatingTable, ...]) -> RatingContext:
        """Rate on these draft versions (pinned by id) instead."""
        return replace(
            self, drafts=drafts, versions=tuple((t.meta.table, t.meta.version) for t in drafts)
        )


def _catalogue(products_dir: Path, tables_dir: Path) -> Catalogue:
    """The catalogue of these folders, loaded once per process."""
    key = (str(products_dir), str(tables_dir))
    if key not in _CATALOGUES:
        _CATALOGUES[key] = Catalogue.load(products_dir, tables_dir)
    return _CATALOGUES[key]


def annual_premium(result: RatingResult, n: int) -> npt.NDArray[np.int64]:
    """Premium (fen) of each input row; −1 where the row could not be rated."""
    out = np.full(n, -1, dtype=np.int64)
    out[result.positions] = result.premiums["premium"].to_numpy(dtype=np.int64)
    return out


def pinned(versions: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Pinned versions as a hashable, ordered tuple."""
    return tuple(sorted(versions.items()))
