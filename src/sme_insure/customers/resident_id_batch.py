"""Vectorised resident-ID validation for batch schedules (100,000 persons and more).

The same rules as :mod:`.resident_id`, in numpy over the character-code matrix, with no
per-row Python loop. For each row the result holds the first problem in
:class:`~.resident_id.ResidentIdProblem` order (``<NA>`` when valid), which is the first problem
:func:`~.resident_id.resident_id_problems` reports for the same value, and the parsed fields
(missing unless the row is valid).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.customers._charcodes import CodeMatrix, code_matrix, first_problem
from sme_insure.customers.masking import mask_id_number
from sme_insure.customers.regions import CodeScheme, province_mask, provinces
from sme_insure.customers.resident_id import (
    EARLIEST_BIRTH_DATE,
    PROBLEM_REASONS,
    RESIDENT_ID_CHECK_CHARS,
    RESIDENT_ID_LENGTH,
    RESIDENT_ID_WEIGHTS,
    ResidentIdProblem,
    Sex,
)
from sme_insure.errors import Issue

_WEIGHTS = np.array(RESIDENT_ID_WEIGHTS, dtype=np.int64)
_CHECK_CODES = np.array([ord(c) for c in RESIDENT_ID_CHECK_CHARS], dtype=np.int64)
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_ZERO, _NINE, _X = ord("0"), ord("9"), ord("X")

Array = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

COLUMNS = (
    "number",
    "valid",
    "problem",
    "division_code",
    "province_code",
    "province_zh",
    "province_en",
    "birth_date",
    "sex",
)


def _as_number(digits: Array, start: int, stop: int) -> Array:
    width = stop - start
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return digits[:, start:stop] @ powers


def _is_calendar_date(year: Array, month: Array, day: Array) -> Mask:
    """Gregorian calendar check, leap years included (÷4, not ÷100 unless ÷400)."""
    month_ok = (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    return month_ok & (day >= 1) & (day <= days)


def _yyyymmdd(d: date) -> int:
    return d.year * 10_000 + d.month * 100 + d.day


def _birth_dates(year: Array, month: Array, day: Array, ok: Mask) -> pd.Series:
    years = np.where(ok, year, 1970) - 1970
    months = years.astype("datetime64[Y]").astype("datetime64[M]") + (np.where(ok, month, 1) - 1)
    days = months.astype("datetime64[D]") + (np.where(ok, day, 1) - 1)
    return pd.Series(np.where(ok, days, np.datetime64("NaT")), dtype="datetime64[s]")


def _problems(m: CodeMatrix, as_of: date, index: pd.Index) -> tuple[pd.Series, Array, Mask]:
    """First problem per row, the (year, month, day) matrix and the well-formed mask."""
    codes, lengths = m.codes, m.lengths
    missing = lengths <= 0
    wrong_length = ~missing & (lengths != RESIDENT_ID_LENGTH)
    is_digit = (codes >= _ZERO) & (codes <= _NINE)
    shape_ok = is_digit[:, :17].all(axis=1) & (is_digit[:, 17] | (codes[:, 17] == _X))
    bad_character = ~missing & ~wrong_length & ~shape_ok
    well_formed = ~(missing | wrong_length | bad_character)
    digits = np.where(is_digit & well_formed[:, None], codes - _ZERO, 0)

    unknown_province = ~province_mask(CodeScheme.RESIDENT_ID)[_as_number(digits, 0, 2)]
    year, month, day = (_as_number(digits, a, b) for a, b in ((6, 10), (10, 12), (12, 14)))
    ymd = year * 10_000 + month * 100 + day
    real_date = _is_calendar_date(year, month, day) & (ymd >= _yyyymmdd(EARLIEST_BIRTH_DATE))
    future = real_date & (ymd > _yyyymmdd(as_of))
    expected = _CHECK_CODES[(digits[:, :17] @ _WEIGHTS) % 11]
    bad_check = expected != codes[:, 17]

    conditions = [
        (missing, ResidentIdProblem.MISSING),
        (wrong_length, ResidentIdProblem.WRONG_LENGTH),
        (bad_character, ResidentIdProblem.BAD_CHARACTER),
        (well_formed & unknown_province, ResidentIdProblem.UNKNOWN_PROVINCE),
        (well_formed & ~real_date, ResidentIdProblem.BAD_BIRTH_DATE),
        (well_formed & future, ResidentIdProblem.FUTURE_BIRTH_DATE),
        (well_formed & bad_check, ResidentIdProblem.CHECK_CHARACTER),
    ]
    problem = first_problem([(mask, str(label)) for mask, label in conditions], index)
    return problem, np.stack([year, month, day], axis=1), well_formed


def _province_names(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    known = provinces(CodeScheme.RESIDENT_ID)
    zh = codes.map({k: p.name_zh for k, p in known.items()}).astype("string")
    en = codes.map({k: p.name_en for k, p in known.items()}).astype("string")
    return zh, en


def validate_resident_ids(
    numbers: pd.Series, *, as_of: date | None = None, field_name: str = "resident_id"
) -> pd.DataFrame:
    """Validate and parse a column of resident ID numbers; one output row per input row.

    Columns: ``number`` (normalised), ``valid`` (bool), ``problem`` (a
    :class:`ResidentIdProblem` value or ``<NA>``), ``division_code``, ``province_code``,
    ``province_zh``, ``province_en``, ``birth_date`` and ``sex`` (``<NA>``/``NaT`` unless valid).
    The index is the input's. ``as_of`` bounds birth dates (today when ``None``).
    """
    m = code_matrix(numbers, RESIDENT_ID_LENGTH, field_name=field_name)
    problem, ymd, _ = _problems(m, as_of or date.today(), numbers.index)
    valid = problem.isna().to_numpy()
    text = m.text.where(valid)
    province_code = text.str.slice(0, 2)
    province_zh, province_en = _province_names(province_code)
    sequence_odd = text.str.slice(16, 17).isin(list("13579"))
    sex = pd.Series(np.where(sequence_odd, Sex.MALE.value, Sex.FEMALE.value), index=numbers.index)
    births = _birth_dates(ymd[:, 0], ymd[:, 1], ymd[:, 2], valid)
    return pd.DataFrame(
        {
            "number": m.text,
            "valid": valid,
            "problem": problem,
            "division_code": text.str.slice(0, 6),
            "province_code": province_code,
            "province_zh": province_zh,
            "province_en": province_en,
            "birth_date": births.set_axis(numbers.index),
            "sex": sex.where(valid).astype("string"),
        },
        index=numbers.index,
        columns=list(COLUMNS),
    )


def resident_id_issues(result: pd.DataFrame, *, field_name: str = "resident_id") -> list[Issue]:
    """One :class:`Issue` per invalid row of a :func:`validate_resident_ids` result.

    ``row`` is the 0-based position; ``value`` is the masked number, never the raw one.
    """
    positions = np.flatnonzero(~result["valid"].to_numpy())
    numbers = result["number"].to_numpy()
    problems = result["problem"].to_numpy()
    return [
        Issue(
            field_name,
            mask_id_number(numbers[i]) if isinstance(numbers[i], str) else None,
            PROBLEM_REASONS[ResidentIdProblem(problems[i])],
            row=int(i),
        )
        for i in positions
    ]
