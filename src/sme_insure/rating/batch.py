"""Batch rating of files: read CSV/Parquet, rate in chunks, write results and an error file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.rating.engine import Rater

READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    ".csv": lambda p: pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]),
    ".parquet": pd.read_parquet,
}


def read_risks(path: Path) -> pd.DataFrame:
    """A risk file; CSV is read as text so that the engine does the typing (and reports it).
    A missing, unreadable or empty file is an :class:`InputError` naming it."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(
            [Issue("input", str(path), f"unsupported file type; allowed: {list(READERS)}")]
        )
    try:
        return reader(path)
    except (OSError, ValueError, pd.errors.EmptyDataError) as exc:  # pyarrow's errors are ValueErrors
        reason = "is empty" if isinstance(exc, pd.errors.EmptyDataError) else f"cannot be read: {exc}"
        raise InputError([Issue("input", str(path), reason)]) from exc


def check_output(path: Path) -> None:
    """Refuse an output the batch could not write, before rating: a type other than CSV or
    Parquet (``.xlsx`` got CSV inside), or a folder that does not exist."""
    if path.suffix.lower() not in READERS:
        raise InputError([Issue("output", str(path), f"unsupported file type; allowed: {list(READERS)}")])
    if not path.parent.is_dir():
        raise InputError([Issue("output", str(path), f"folder {path.parent} does not exist")])


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write CSV or Parquet by suffix."""
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=True, index_label="row")


@dataclass
class BatchSummary:
    """Counts of a batch run, and the total premium (fen) of the rated rows."""

    rows: int
    rated: int
    failed: int
    premium_fen: int
    tables: dict[str, str]


def rate_file(
    rater: Rater,
    code: str,
    source: Path,
    output: Path,
    errors: Path,
    *,
    as_of: dt.date | None = None,
    chunk_rows: int = 250_000,
    progress: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Rate ``source`` chunk by chunk; rated rows to ``output``, problems to ``errors``
    (row number, field, value, reason). Row numbers are 0-based positions in the input file."""
    risks = read_risks(source)
    results, problems, tables = [], [], {}
    for start in range(0, len(risks), chunk_rows):
        chunk = risks.iloc[start : start + chunk_rows]
        result = rater.rate(code, chunk, as_of=as_of)
        results.append(result.premiums)
        issues = result.issues.drop(columns="row").rename(columns={"label": "row"})
        problems.append(issues)
        tables = result.tables
        if progress:
            progress(len(chunk))
    rated = pd.concat(results) if results else pd.DataFrame()
    errs = (
        pd.concat(problems, ignore_index=True)
        if problems
        else pd.DataFrame(columns=["row", "field", "value", "reason"])
    )
    write_frame(rated, output)
    errs.to_csv(errors, index=False)
    failed = errs["row"].nunique() if len(errs) else 0
    premium = int(rated["premium"].sum()) if len(rated) else 0
    return BatchSummary(len(risks), len(rated), failed, premium, tables)
