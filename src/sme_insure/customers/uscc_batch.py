"""Vectorised USCC validation for batch schedules.

The same rules as :mod:`.uscc` in numpy over the character-code matrix. Per row: ``well_formed``
(false where :func:`~.uscc.validate_uscc` would raise), the two check results, ``needs_review``,
and ``problem``, the first :class:`~.uscc.UsccProblem` in check order (``<NA>`` when none), which
equals the first problem :func:`~.uscc.uscc_problems` reports for the same value.
"""

from __future__ import annotations

import string

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.customers._charcodes import code_matrix, first_problem, lookup, value_table
from sme_insure.customers.regions import CodeScheme, province_mask
from sme_insure.customers.uscc import (
    ENTITY_KIND_CODES,
    MALFORMED,
    MARKET_REGULATION_AUTHORITY,
    ORGANISATION_CODE_WEIGHTS,
    PROBLEM_REASONS,
    USCC_ALPHABET,
    USCC_LENGTH,
    USCC_WEIGHTS,
    UsccEntityKind,
    UsccProblem,
)
from sme_insure.errors import Issue

_USCC_VALUES = value_table(USCC_ALPHABET)
_ORG_VALUES = value_table(string.digits + string.ascii_uppercase)  # GB 11714: A = 10 ... Z = 35
_ORG_WEIGHTS = np.array(ORGANISATION_CODE_WEIGHTS, dtype=np.int64)
_USCC_WEIGHTS = np.array(USCC_WEIGHTS, dtype=np.int64)
_ORG_CHECK_CODES = np.array([ord(c) for c in "0123456789X0"], dtype=np.int64)  # by C = 11 - S%11
_USCC_CHECK_CODES = np.array([ord(c) for c in USCC_ALPHABET], dtype=np.int64)

Mask = npt.NDArray[np.bool_]

COLUMNS = (
    "code",
    "well_formed",
    "organisation_check_ok",
    "check_character_ok",
    "check_ok",
    "needs_review",
    "problem",
    "entity_kind",
    "division_code",
    "province_code",
)


def _org_check_codes(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Expected code point of character 17 from the organisation-code body (columns 8-15)."""
    return _ORG_CHECK_CODES[11 - (values @ _ORG_WEIGHTS) % 11]


def _entity_kinds(codes: npt.NDArray[np.int64], well_formed: Mask) -> npt.NDArray[np.str_]:
    under_market = codes[:, 0] == ord(MARKET_REGULATION_AUTHORITY)
    conditions = [under_market & (codes[:, 1] == ord(k)) for k in ENTITY_KIND_CODES]
    kinds = np.select(conditions, list(ENTITY_KIND_CODES.values()), UsccEntityKind.OTHER.value)
    return np.where(well_formed, kinds, "")


def validate_usccs(codes: pd.Series, *, field_name: str = "uscc") -> pd.DataFrame:
    """Validate and parse a column of USCCs; one output row per input row, same index.

    Columns: ``code`` (normalised), ``well_formed``, ``organisation_check_ok``,
    ``check_character_ok``, ``check_ok``, ``needs_review`` (bool), ``problem`` (first
    :class:`UsccProblem` or ``<NA>``), ``entity_kind``, ``division_code``, ``province_code``
    (``<NA>`` unless well formed). Check columns are false for malformed rows.
    """
    m = code_matrix(codes, USCC_LENGTH, field_name=field_name)
    values = lookup(_USCC_VALUES, m.codes)
    missing = m.lengths <= 0
    wrong_length = ~missing & (m.lengths != USCC_LENGTH)
    bad_character = ~missing & ~wrong_length & (values < 0).any(axis=1)
    division_digits = (values[:, 2:8] >= 0) & (values[:, 2:8] <= 9)
    not_numeric = ~(missing | wrong_length | bad_character) & ~division_digits.all(axis=1)
    well_formed = ~(missing | wrong_length | bad_character | not_numeric)

    safe = np.where(well_formed[:, None], values, 0)
    unknown_province = ~province_mask(CodeScheme.USCC)[safe[:, 2] * 10 + safe[:, 3]]
    org_values = np.where(well_formed[:, None], lookup(_ORG_VALUES, m.codes[:, 8:16]), 0)
    org_ok = well_formed & (_org_check_codes(org_values) == m.codes[:, 16])
    expected = _USCC_CHECK_CODES[(31 - (safe[:, :17] @ _USCC_WEIGHTS) % 31) % 31]
    check_ok = well_formed & (expected == m.codes[:, 17])
    problem = first_problem(
        [
            (missing, UsccProblem.MISSING.value),
            (wrong_length, UsccProblem.WRONG_LENGTH.value),
            (bad_character, UsccProblem.BAD_CHARACTER.value),
            (not_numeric, UsccProblem.DIVISION_NOT_NUMERIC.value),
            (well_formed & unknown_province, UsccProblem.UNKNOWN_PROVINCE.value),
            (well_formed & ~org_ok, UsccProblem.ORGANISATION_CHECK.value),
            (well_formed & ~check_ok, UsccProblem.CHECK_CHARACTER.value),
        ],
        codes.index,
    )
    text = m.text.where(well_formed)
    return pd.DataFrame(
        {
            "code": m.text,
            "well_formed": well_formed,
            "organisation_check_ok": org_ok,
            "check_character_ok": check_ok,
            "check_ok": org_ok & check_ok,
            "needs_review": well_formed & problem.notna().to_numpy(),
            "problem": problem,
            "entity_kind": pd.Series(_entity_kinds(m.codes, well_formed), index=codes.index)
            .replace("", pd.NA)
            .astype("string"),
            "division_code": text.str.slice(2, 8),
            "province_code": text.str.slice(2, 4),
        },
        index=codes.index,
        columns=list(COLUMNS),
    )


def malformed_uscc_issues(result: pd.DataFrame, *, field_name: str = "uscc") -> list[Issue]:
    """One :class:`Issue` per malformed row of a :func:`validate_usccs` result (``row`` 0-based).

    Rows that are well formed but need review are not issues: they are referrals, read them
    from ``needs_review`` and ``problem``.
    """
    positions = np.flatnonzero(result["problem"].isin([str(p) for p in MALFORMED]).to_numpy())
    problems = result["problem"].to_numpy()
    codes = result["code"].to_numpy()
    return [
        Issue(
            field_name,
            codes[i] if isinstance(codes[i], str) else None,
            PROBLEM_REASONS[UsccProblem(problems[i])],
            row=int(i),
        )
        for i in positions
    ]
