"""The exposure rows of a study: the book contract, reading, typing and checking.

One row is one policy term, or one premium transaction of a policy, with the rating inputs in
force for it (``docs/rate-studies.md``):

=================  ======  ====================================================================
column             type    meaning
=================  ======  ====================================================================
policy_id          text    policy identifier (claims are matched to rows by it)
effective_from     date    first day of cover, YYYY-MM-DD
effective_to       date    last day of cover (included), YYYY-MM-DD
written_fen        int     written premium in fen, signed (a cancellation return is negative)
exposure           number  optional, policy-years written, signed like the premium (default 1)
transaction_date   date    optional booking date (default ``effective_from``); rows booked after
                           the valuation date are left out
product_code       text    optional; when present it must be the study's product
<inputs>           any     the product's rating inputs, as a quote takes them
=================  ======  ====================================================================

Earned over a period [a, b]: amount × days(cover ∩ [a, b] ∩ [.., valuation]) / cover days, cover
days = effective_to − effective_from + 1 (pro rata to the day, as :mod:`sme_insure.reserving`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.reserving import validate_premium_transactions

REQUIRED = ("policy_id", "effective_from", "effective_to", "written_fen")
DATES = ("effective_from", "effective_to", "transaction_date")
ISSUE_COLUMNS = ("policy_id", "field", "value", "reason")
TRANSACTION_COLUMNS = (
    "policy_id",
    "product_code",
    "transaction_date",
    "effective_from",
    "effective_to",
    "written_fen",
    "exposure",
)


def is_parquet(path: Path) -> bool:
    """A Parquet file, or a folder of Parquet files (a partitioned dataset)."""
    return path.suffix.lower() == ".parquet" or (path.is_dir() and any(path.glob("*.parquet")))


def check_readable(path: Path) -> None:
    """The file exists and is CSV or Parquet (a Parquet dataset may be a folder)."""
    if not path.exists():
        raise InputError([Issue("path", str(path), "file not found")])
    if path.suffix.lower() != ".csv" and not is_parquet(path):
        raise InputError(
            [
                Issue(
                    "path",
                    str(path),
                    "unsupported file type; use .csv or .parquet (or a folder of .parquet files)",
                )
            ]
        )


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (read as text, the engine types it) or Parquet file or dataset."""
    check_readable(path)
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    return pd.read_parquet(path)


def require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """Raise :class:`InputError` naming every missing column."""
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        issues = [Issue(c, None, "required column missing", source=source) for c in missing]
        raise InputError(issues, context="book cannot be read")


def _dates(raw: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw):
        return pd.to_datetime(raw).dt.normalize().astype("datetime64[ns]")
    text = raw.astype("string").str.strip()
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")


def _numbers(raw: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return raw.astype("float64")
    return pd.to_numeric(raw.astype("string").str.strip(), errors="coerce").astype("float64")


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Contract columns parsed (NaT/NaN where unparsable); inputs left as given."""
    out = frame.copy()
    for name in DATES:
        if name in out.columns:
            out[name] = _dates(out[name])
    out["transaction_date"] = out.get("transaction_date", out["effective_from"])
    out["transaction_date"] = out["transaction_date"].fillna(out["effective_from"])
    out["written_fen"] = _numbers(out["written_fen"])
    out["exposure"] = _numbers(out["exposure"]) if "exposure" in out.columns else 1.0
    out["policy_id"] = out["policy_id"].astype("string").str.strip()
    return out


@dataclass(frozen=True)
class RowCheck:
    """Which rows are good, and one issue row (policy_id, field, value, reason) per problem."""

    good: np.ndarray
    issues: pd.DataFrame


def _flag(
    found: list[pd.DataFrame],
    bad: np.ndarray,
    rows: pd.DataFrame,
    mask: np.ndarray,
    name: str,
    reason: str,
) -> None:
    if not mask.any():
        return
    bad |= mask
    values = rows[name].astype("string") if name in rows.columns else pd.Series(None, rows.index)
    found.append(
        pd.DataFrame(
            {
                "policy_id": rows["policy_id"][mask].to_numpy(),
                "field": name,
                "value": values[mask].to_numpy(),
                "reason": reason,
            }
        )
    )


def check_rows(rows: pd.DataFrame, product_code: str) -> RowCheck:
    """Row rules of the contract on a :func:`typed` frame (not the rating inputs: the rater
    checks those)."""
    bad = np.zeros(len(rows), dtype=bool)
    found: list[pd.DataFrame] = []
    _flag(
        found,
        bad,
        rows,
        rows["policy_id"].fillna("").eq("").to_numpy(dtype=bool),
        "policy_id",
        "required value missing",
    )
    for name in DATES:
        _flag(found, bad, rows, rows[name].isna().to_numpy(), name, "not a date YYYY-MM-DD")
    order = (rows["effective_to"] < rows["effective_from"]).to_numpy(dtype=bool)
    _flag(found, bad, rows, order, "effective_to", "cover ends before it starts")
    fen = rows["written_fen"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        _flag(
            found,
            bad,
            rows,
            ~np.isfinite(fen) | (fen != np.round(fen)),
            "written_fen",
            "not a whole number of fen",
        )
    expo = rows["exposure"].to_numpy(dtype=np.float64)
    _flag(found, bad, rows, ~np.isfinite(expo), "exposure", "not a number")
    if "product_code" in rows.columns:
        other = rows["product_code"].astype("string").ne(product_code).to_numpy(dtype=bool)
        _flag(found, bad, rows, other, "product_code", f"not the study's product {product_code}")
    issues = pd.concat(found, ignore_index=True) if found else empty_issues()
    return RowCheck(~bad, issues)


def empty_issues() -> pd.DataFrame:
    """An issue frame without rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})


def issues_of(frame: pd.DataFrame, source: str, limit: int = 50) -> list[Issue]:
    """The first ``limit`` issue rows as :class:`Issue` objects (policy id as the field prefix)."""
    return [
        Issue(f"{r.field} (policy {r.policy_id})", r.value, str(r.reason), source=source)
        for r in frame.head(limit).itertuples(index=False)
    ]


def rows_from_transactions(book: pd.DataFrame, premiums: pd.DataFrame) -> pd.DataFrame:
    """Exposure rows from premium transactions (the reserving contract) and a one-row-per-policy
    book of rating inputs, joined on ``policy_id``.

    Every transaction takes all the inputs of its policy (every book column but the contract's);
    a transaction of an unknown policy, a duplicated policy in the book, or a bad transaction is
    an :class:`InputError`.
    """
    checked = validate_premium_transactions(premiums, source="premiums")
    tx = checked.raise_for_issues("premium transactions")
    contract = {*TRANSACTION_COLUMNS, "line"} - {"policy_id"}
    keep = [c for c in book.columns if c not in contract]
    policies = book[keep].assign(policy_id=book["policy_id"].astype("string").str.strip())
    dup = policies["policy_id"].duplicated()
    if dup.any():
        raise InputError(
            [
                Issue("policy_id", v, "appears twice in the book")
                for v in policies["policy_id"][dup].head(20)
            ],
            context="book",
        )
    tx = tx[list(TRANSACTION_COLUMNS)].assign(policy_id=tx["policy_id"].astype("string"))
    rows = tx.merge(policies, on="policy_id", how="left", indicator=True)
    orphan = rows["_merge"].eq("left_only").to_numpy()
    if orphan.any():
        raise InputError(
            [
                Issue("policy_id", v, "premium transaction of a policy not in the book")
                for v in rows["policy_id"][orphan].head(20)
            ],
            context="premiums",
        )
    return rows.drop(columns="_merge")
