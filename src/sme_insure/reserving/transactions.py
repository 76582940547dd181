"""The two transaction schemas reserving reads: claim transactions and premium transactions.

This module is the contract between the claims and policy modules (which produce these frames)
and reserving (which consumes them). Amounts are integer fen (0.01 CNY), signed.

Claim transactions (one row per movement on a claim)
----------------------------------------------------
=========================  =====  ==============================================================
column                     type   meaning
=========================  =====  ==============================================================
claim_id                   text   claim identifier
policy_id                  text   policy the claim is made under
line                       Line   line of business (:class:`~.vocabulary.Line` values)
product_code               text   product the policy was sold under
region, size_class,        text   optional segment columns; missing or empty reads as
entity_type                       ``"unspecified"``
loss_date                  date   date of the loss (the origin of accident-period triangles)
report_date                date   date the claim was reported, on or after ``loss_date``
transaction_date           date   date of this movement, on or after ``report_date``
kind                       kind   :class:`~.vocabulary.TransactionKind` value
paid_fen                   int    payment in fen, signed; a ``recovery`` is negative
case_reserve_change_fen    int    change of the case reserve in fen, signed
=========================  =====  ==============================================================

Derived quantities (at a valuation date, over rows with ``transaction_date`` on or before it):
cumulative paid = Σ paid_fen; case-incurred = Σ (paid_fen + case_reserve_change_fen); a claim is
reported when its first transaction is (reported count = number of first transactions).

Premium transactions (one row per written-premium movement: new business, endorsement, cancellation)
----------------------------------------------------------------------------------------------------
policy_id, line, product_code, segment columns as above; ``transaction_date`` (booking date),
``effective_from`` and ``effective_to`` (cover period, both days included), ``written_fen``
(signed; a cancellation refund is negative) and ``exposure`` (policy-years or units, signed like
the premium). Earned premium and exposure are pro rata to the day over the cover period
(see :mod:`.earning`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.reserving.schema import Column, ColumnType, IssueLog, check_columns
from sme_insure.reserving.vocabulary import SEGMENT_COLUMNS, Line, TransactionKind

__all__ = [
    "CLAIM_COLUMNS",
    "PREMIUM_COLUMNS",
    "Line",
    "TransactionKind",
    "ValidatedFrame",
    "validate_claim_transactions",
    "validate_premium_transactions",
]

_T, _D, _F, _N, _C = (
    ColumnType.TEXT,
    ColumnType.DATE,
    ColumnType.FEN,
    ColumnType.NUMBER,
    ColumnType.CHOICE,
)
_LINES = tuple(str(v) for v in Line)
_SEGMENTS = tuple(Column(s, _T, f"segment: {s}", required=False) for s in SEGMENT_COLUMNS)

CLAIM_COLUMNS: tuple[Column, ...] = (
    Column("claim_id", _T, "claim identifier"),
    Column("policy_id", _T, "policy identifier"),
    Column("line", _C, "line of business", choices=_LINES),
    Column("product_code", _T, "product code"),
    *_SEGMENTS,
    Column("loss_date", _D, "date of loss, YYYY-MM-DD"),
    Column("report_date", _D, "date reported, YYYY-MM-DD"),
    Column("transaction_date", _D, "date of the movement, YYYY-MM-DD"),
    Column("kind", _C, "transaction kind", choices=tuple(str(v) for v in TransactionKind)),
    Column("paid_fen", _F, "payment in fen, signed"),
    Column("case_reserve_change_fen", _F, "case reserve change in fen, signed"),
)

PREMIUM_COLUMNS: tuple[Column, ...] = (
    Column("policy_id", _T, "policy identifier"),
    Column("line", _C, "line of business", choices=_LINES),
    Column("product_code", _T, "product code"),
    *_SEGMENTS,
    Column("transaction_date", _D, "booking date, YYYY-MM-DD"),
    Column("effective_from", _D, "first day of cover, YYYY-MM-DD"),
    Column("effective_to", _D, "last day of cover (included), YYYY-MM-DD"),
    Column("written_fen", _F, "written premium in fen, signed"),
    Column("exposure", _N, "exposure in policy-years or units, signed"),
)

FEN_COLUMNS = ("paid_fen", "case_reserve_change_fen", "written_fen")


@dataclass(frozen=True)
class ValidatedFrame:
    """The good rows of an input (typed, positional index) and one issue per bad value.

    ``n_input`` is the number of rows given; ``len(frame) + n_rejected == n_input``.
    """

    frame: pd.DataFrame
    issues: tuple[Issue, ...]
    n_input: int

    @property
    def n_rejected(self) -> int:
        """Rows dropped because at least one of their values is bad."""
        return self.n_input - len(self.frame)

    def raise_for_issues(self, context: str = "transactions") -> pd.DataFrame:
        """The frame if every row was good, else :class:`InputError` listing the issues."""
        if self.issues:
            raise InputError(list(self.issues), context=context)
        return self.frame


def _flag_before(log: IssueLog, frame: pd.DataFrame, late: str, early: str, reason: str) -> None:
    """Flag rows where date column ``late`` precedes date column ``early``."""
    mask = (frame[late] < frame[early]).to_numpy(dtype=bool)
    log.flag(mask, late, frame[late], reason)


def _varies_within(groups: np.ndarray, values: pd.Series) -> np.ndarray:
    """Rows whose group (code ≥ 0) holds more than one distinct non-missing value.

    Per group the smallest and largest value code are compared (``np.minimum.at``): linear in
    the rows, unlike a ``groupby(...).nunique()`` on text.
    """
    codes, _ = pd.factorize(values)  # missing values get -1
    valid = (groups >= 0) & (codes >= 0)
    size = int(groups.max()) + 1 if len(groups) else 0
    low = np.full(size, np.iinfo(np.int64).max)
    high = np.full(size, -1)
    np.minimum.at(low, groups[valid], codes[valid])
    np.maximum.at(high, groups[valid], codes[valid])
    several = (high > low)[np.where(groups >= 0, groups, 0)]
    return several & (groups >= 0)


def _claim_rules(frame: pd.DataFrame, log: IssueLog) -> None:
    """Cross-field rules: dates in order, recoveries negative, one loss date and line per claim."""
    _flag_before(log, frame, "report_date", "loss_date", "reported before the loss date")
    _flag_before(log, frame, "transaction_date", "loss_date", "transaction before the loss date")
    _flag_before(
        log, frame, "transaction_date", "report_date", "transaction before the report date"
    )
    recovery = (frame["kind"] == TransactionKind.RECOVERY) & (frame["paid_fen"] > 0)
    log.flag(recovery.to_numpy(), "paid_fen", frame["paid_fen"], "a recovery is negative")
    claims, _ = pd.factorize(frame["claim_id"])  # one hash of the ids, reused for both checks
    for name in ("loss_date", "line"):
        varies = _varies_within(claims, frame[name])
        log.flag(varies, name, frame[name], f"claim has more than one {name}")


def _premium_rules(frame: pd.DataFrame, log: IssueLog) -> None:
    """Cover period ends on or after it starts."""
    _flag_before(log, frame, "effective_to", "effective_from", "cover ends before it starts")


def _finish(frame: pd.DataFrame, log: IssueLog) -> ValidatedFrame:
    """Drop bad rows and cast fen columns of the good ones to int64."""
    good = frame.loc[~log.bad].reset_index(drop=True)
    for name in FEN_COLUMNS:
        if name in good.columns:
            good[name] = good[name].round().astype(np.int64)
    return ValidatedFrame(good, tuple(log.sorted_issues()), len(frame))


def validate_claim_transactions(
    frame: pd.DataFrame, *, source: str | None = None
) -> ValidatedFrame:
    """Check a claim transaction frame against :data:`CLAIM_COLUMNS` and the claim rules.

    Raises :class:`InputError` only when a required column is missing; bad values are reported
    as issues (row = 0-based position in ``frame``) and their rows left out of the result.
    """
    parsed, log = check_columns(frame, CLAIM_COLUMNS, source)
    _claim_rules(parsed, log)
    return _finish(parsed, log)


def validate_premium_transactions(
    frame: pd.DataFrame, *, source: str | None = None
) -> ValidatedFrame:
    """Check a premium transaction frame against :data:`PREMIUM_COLUMNS` and the premium rules."""
    parsed, log = check_columns(frame, PREMIUM_COLUMNS, source)
    _premium_rules(parsed, log)
    return _finish(parsed, log)
