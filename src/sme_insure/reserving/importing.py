"""Reading claim and premium transactions from CSV or Parquet (an insurer migrating history).

CSV is read as text (UTF-8, header row, comma-separated) so that every value is parsed and checked
by :mod:`.transactions` rather than guessed by pandas; Parquet keeps its own types, which are then
checked the same way. Bad rows are reported (``Issue.row`` is the 0-based data row, i.e. line
``row + 2`` of a CSV file) and the good rows returned. The format is documented in
``docs/reserving-import.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sme_insure.errors import InputError, Issue, NotFoundError
from sme_insure.reserving.transactions import (
    ValidatedFrame,
    validate_claim_transactions,
    validate_premium_transactions,
)

SUFFIXES = (".csv", ".parquet", ".pq")


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV file as all-text columns, or a Parquet file as stored."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError("file", str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    raise InputError(
        [Issue("path", str(path), "unsupported file type; use " + ", ".join(SUFFIXES))],
        context="transactions cannot be read",
    )


def _read(path: str | Path, validate: Callable[..., ValidatedFrame]) -> ValidatedFrame:
    return validate(read_table(path), source=Path(path).name)


def read_claim_transactions(path: str | Path) -> ValidatedFrame:
    """Claim transactions from ``path``, validated (good rows + issues)."""
    return _read(path, validate_claim_transactions)


def read_premium_transactions(path: str | Path) -> ValidatedFrame:
    """Premium transactions from ``path``, validated (good rows + issues)."""
    return _read(path, validate_premium_transactions)
