"""The persons of a schedule: their ID numbers checked and what they tell derived.

Vectorised over the schedule: the ID number (GB 11643-1999; a wrong check character is an input
error of that person), the same ID number on two rows (both rows flagged), a given birth date,
sex or age that disagrees with the ID number. Problems name the row, the field and the value,
ID numbers masked, never raw.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.customers import mask_id_number, validate_resident_ids
from sme_insure.customers.resident_id import PROBLEM_REASONS, ResidentIdProblem

Rows = npt.NDArray[np.int64]
_SEXES = {
    "male": "male",
    "m": "male",
    "男": "male",
    "female": "female",
    "f": "female",
    "女": "female",
}


@dataclass
class Problems:
    """Schedule problems, collected as arrays (row positions, field, value, reason)."""

    n: int
    chunks: list[pd.DataFrame] = field(default_factory=list)

    def add(self, rows: Rows, field_name: str, values: object, reason: object) -> None:
        """Record ``reason`` (one text, or one per row) for each row position in ``rows``."""
        if len(rows):
            chunk = {"row": rows, "field": field_name, "value": values, "reason": reason}
            self.chunks.append(pd.DataFrame(chunk))

    def bad(self) -> npt.NDArray[np.bool_]:
        """Which rows have a problem."""
        mask = np.zeros(self.n, dtype=bool)
        for chunk in self.chunks:
            mask[chunk["row"].to_numpy(dtype=np.int64)] = True
        return mask


def derive(
    persons: pd.DataFrame, id_column: str, as_of: dt.date, start: dt.date, problems: Problems
) -> dict[str, object]:
    """Check the ID numbers and derive birth date, sex and age; report disagreements."""
    parsed = validate_resident_ids(persons[id_column], as_of=as_of, field_name=id_column)
    _check_ids(parsed, id_column, problems)
    births = parsed["birth_date"].to_numpy(dtype="datetime64[D]")
    sex = parsed["sex"].to_numpy(dtype=object)
    age = completed_years(births, start)
    if "birth_date" in persons.columns:
        _compare_birth_dates(persons["birth_date"], births, problems)
    if "sex" in persons.columns:
        _compare_sexes(persons["sex"], sex, problems)
    if "age" in persons.columns:
        _compare_ages(persons["age"], age, problems)
    return {
        "birth_date": births,
        "sex": pd.Categorical(sex, categories=["male", "female"]),
        "age": np.nan_to_num(age, nan=-1).astype(np.int64),  # -1: no valid ID, never rated
    }


def _compare_ages(given: pd.Series, age: npt.NDArray[np.float64], problems: Problems) -> None:
    number = pd.to_numeric(given, errors="coerce").to_numpy(dtype=np.float64)
    differ = given.notna().to_numpy() & ~np.isnan(age) & ~(number == age)
    rows = np.flatnonzero(differ)
    reason = "does not match the age at cover start derived from the ID number"
    problems.add(rows, "age", given.to_numpy()[rows], reason)


def completed_years(births: npt.NDArray[np.datetime64], on: dt.date) -> npt.NDArray[np.float64]:
    """Age in completed years on ``on``: ⌊(YYYYMMDD(on) − YYYYMMDD(birth)) / 10 000⌋; NaN for NaT."""
    frame = pd.DatetimeIndex(births)
    ymd = frame.year * 10_000 + frame.month * 100 + frame.day
    start = on.year * 10_000 + on.month * 100 + on.day
    return np.floor((start - ymd.to_numpy(dtype=np.float64)) / 10_000)


def _check_ids(parsed: pd.DataFrame, id_column: str, problems: Problems) -> None:
    """Invalid numbers (one reason per problem kind) and numbers given more than once."""
    numbers = parsed["number"]
    problem = parsed["problem"].to_numpy(dtype=object)
    invalid = np.flatnonzero(~parsed["valid"].to_numpy(dtype=bool))
    masked = _masked(numbers, invalid)
    for kind in pd.unique(problem[invalid]):
        rows = invalid[problem[invalid] == kind]
        problems.add(rows, id_column, masked[rows], PROBLEM_REASONS[ResidentIdProblem(kind)])
    present = (numbers.str.len() > 0).fillna(False).to_numpy(dtype=bool)
    dup = np.flatnonzero(numbers.duplicated(keep=False).to_numpy() & present)
    if dup.size:
        groups = pd.Series(dup).groupby(numbers.to_numpy()[dup]).agg(list)
        others = {r: [o for o in g if o != r] for g in groups for r in g}
        reasons = [f"the same ID number is on row(s) {others[r]} too" for r in dup]
        problems.add(dup, id_column, _masked(numbers, dup)[dup], reasons)


def _masked(numbers: pd.Series, rows: Rows) -> npt.NDArray[np.object_]:
    out = np.full(len(numbers), None, dtype=object)
    text = numbers.to_numpy(dtype=object)
    out[rows] = [mask_id_number(t) if isinstance(t, str) else None for t in text[rows]]
    return out


def _compare_birth_dates(
    given: pd.Series, births: npt.NDArray[np.datetime64], problems: Problems
) -> None:
    if pd.api.types.is_datetime64_any_dtype(given.dtype):
        parsed = pd.to_datetime(given, errors="coerce")
    else:
        parsed = pd.to_datetime(given.astype("string"), errors="coerce", format="ISO8601")
    days = parsed.to_numpy(dtype="datetime64[D]")
    present = given.notna().to_numpy()
    unreadable = np.flatnonzero(present & np.isnat(days))
    problems.add(unreadable, "birth_date", given.to_numpy()[unreadable], "not a date (YYYY-MM-DD)")
    differ = np.flatnonzero(~np.isnat(days) & ~np.isnat(births) & (days != births))
    reason = "does not match the birth date in the ID number (characters 7-14)"
    problems.add(differ, "birth_date", given.to_numpy()[differ], reason)


def _compare_sexes(given: pd.Series, sex: npt.NDArray[np.object_], problems: Problems) -> None:
    codes, uniques = pd.factorize(given, use_na_sentinel=True)
    known = [_SEXES.get(str(u).strip().lower(), "") for u in uniques]
    mapped = np.array([*known, ""], dtype=object)[codes]
    from_id = np.where(pd.isna(sex), "", sex)
    raw = given.to_numpy()
    unknown = np.flatnonzero((codes >= 0) & (mapped == ""))
    problems.add(unknown, "sex", raw[unknown], "not a sex; allowed: male/female (m/f, 男/女)")
    differ = np.flatnonzero((mapped != "") & (from_id != "") & (mapped != from_id))
    reason = "does not match the sex in the ID number (odd 17th digit male, even female)"
    problems.add(differ, "sex", raw[differ], reason)
