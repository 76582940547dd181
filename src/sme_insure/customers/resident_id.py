"""Resident identity number (公民身份号码), GB 11643-1999.

Layout of the 18 characters::

    DDDDDD YYYYMMDD SSS C
    |      |        |   check character, ISO 7064 MOD 11-2
    |      |        sequence: odd = male, even = female
    |      birth date
    administrative division code (GB/T 2260); its first two digits are the province

Check character: S = Σ aᵢ·wᵢ over positions 1–17 with weights ``7 9 10 5 8 4 2 1 6 3 7 9 10 5 8
4 2``; S mod 11 = 0…10 maps to ``1 0 X 9 8 7 6 5 4 3 2``. The standard's own examples
``11010519491231002X`` and ``440524188001010014`` are valid.

A failure is an input error (reference §1): :func:`validate_resident_id` raises
:class:`~sme_insure.errors.IdentifierError`. The error carries the **masked** number, never the
raw one, because error messages end up in logs. Problems are checked in the order of
:class:`ResidentIdProblem`; :mod:`.resident_id_batch` reports the first one per row in the same
order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sme_insure.customers.masking import mask_id_number
from sme_insure.customers.regions import CodeScheme, Province, find_province
from sme_insure.errors import IdentifierError, Issue

RESIDENT_ID_LENGTH = 18
RESIDENT_ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH_DATE = date(1800, 1, 1)

_BODY_RE = re.compile(r"[0-9]{17}")
_SHAPE_RE = re.compile(r"[0-9]{17}[0-9X]")


class Sex(StrEnum):
    """Sex encoded by the parity of the sequence number (GB 11643-1999 §5.3)."""

    MALE = "male"
    FEMALE = "female"


class ResidentIdProblem(StrEnum):
    """Why a resident ID number is refused, in the order the checks run."""

    MISSING = "missing"
    WRONG_LENGTH = "wrong_length"
    BAD_CHARACTER = "bad_character"
    UNKNOWN_PROVINCE = "unknown_province"
    BAD_BIRTH_DATE = "bad_birth_date"
    FUTURE_BIRTH_DATE = "future_birth_date"
    CHECK_CHARACTER = "check_character"


PROBLEM_REASONS: dict[ResidentIdProblem, str] = {
    ResidentIdProblem.MISSING: "a resident ID number is required",
    ResidentIdProblem.WRONG_LENGTH: (
        "must be 18 characters (GB 11643-1999); 15-digit first-generation numbers are not accepted"
    ),
    ResidentIdProblem.BAD_CHARACTER: "must be 17 digits followed by a digit or X",
    ResidentIdProblem.UNKNOWN_PROVINCE: (
        "the first two digits must be a GB/T 2260 province code (see provinces.csv)"
    ),
    ResidentIdProblem.BAD_BIRTH_DATE: (
        "characters 7-14 must be a calendar date YYYYMMDD on or after 1800-01-01"
    ),
    ResidentIdProblem.FUTURE_BIRTH_DATE: (
        "the birth date (characters 7-14) must not be after today (or as_of)"
    ),
    ResidentIdProblem.CHECK_CHARACTER: (
        "the check character does not match (ISO 7064 MOD 11-2); the number is mistyped"
    ),
}


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A validated resident ID number and what it encodes. ``repr`` shows the masked number."""

    number: str = field(repr=False)
    division_code: str
    province: Province
    birth_date: date
    sequence: str
    sex: Sex

    @property
    def province_code(self) -> str:
        """First two digits of the division code."""
        return self.division_code[:2]

    @property
    def masked(self) -> str:
        """The number for display: ``110105********002X``."""
        return mask_id_number(self.number)

    def __repr__(self) -> str:
        return (
            f"ResidentId({self.masked!r}, {self.province.name_en}, {self.birth_date}, {self.sex})"
        )


def normalise_resident_id(number: str) -> str:
    """NFKC-fold (full-width ``１２Ｘ`` → ``12X``), strip surrounding whitespace, upper-case."""
    return unicodedata.normalize("NFKC", number).strip().upper()


def resident_id_check_char(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits ``body``."""
    if not _BODY_RE.fullmatch(body):
        raise IdentifierError([Issue("body", mask_id_number(body), "must be exactly 17 digits")])
    total = sum(int(d) * w for d, w in zip(body, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def complete_resident_id(body: str) -> str:
    """``body`` (17 digits) with its check character appended: a number that passes the check."""
    return body + resident_id_check_char(body)


def _birth_date(number: str) -> date | None:
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if born >= EARLIEST_BIRTH_DATE else None


def resident_id_problems(number: str, *, as_of: date) -> tuple[ResidentIdProblem, ...]:
    """Every problem with an already normalised ``number``, in check order; empty when valid.

    A malformed number (missing, wrong length, bad characters) stops at its first problem; a
    well-formed one is checked for province, birth date and check character, all reported.
    """
    if not number:
        return (ResidentIdProblem.MISSING,)
    if len(number) != RESIDENT_ID_LENGTH:
        return (ResidentIdProblem.WRONG_LENGTH,)
    if not _SHAPE_RE.fullmatch(number):
        return (ResidentIdProblem.BAD_CHARACTER,)
    problems = []
    if find_province(number[:2], CodeScheme.RESIDENT_ID) is None:
        problems.append(ResidentIdProblem.UNKNOWN_PROVINCE)
    born = _birth_date(number)
    if born is None:
        problems.append(ResidentIdProblem.BAD_BIRTH_DATE)
    elif born > as_of:
        problems.append(ResidentIdProblem.FUTURE_BIRTH_DATE)
    if resident_id_check_char(number[:17]) != number[17]:
        problems.append(ResidentIdProblem.CHECK_CHARACTER)
    return tuple(problems)


def validate_resident_id(
    number: str, *, as_of: date | None = None, field_name: str = "resident_id"
) -> ResidentId:
    """Validate and parse a resident ID number, or raise :class:`IdentifierError`.

    ``as_of`` is the date a birth date may not exceed (today when ``None``). ``field_name`` names
    the input field in the error's issues. Surrounding whitespace and a lower-case ``x`` are
    accepted; 15-digit first-generation numbers are not.
    """
    if not isinstance(number, str):
        reason = "must be text (read ID columns as str, never as numbers)"
        raise IdentifierError([Issue(field_name, type(number).__name__, reason)])
    text = normalise_resident_id(number)
    problems = resident_id_problems(text, as_of=as_of or date.today())
    if problems:
        shown = mask_id_number(text)
        raise IdentifierError([Issue(field_name, shown, PROBLEM_REASONS[p]) for p in problems])
    return _parse(text)


def _parse(number: str) -> ResidentId:
    province = find_province(number[:2], CodeScheme.RESIDENT_ID)
    born = _birth_date(number)
    if province is None or born is None:  # unreachable after resident_id_problems
        raise IdentifierError([Issue("resident_id", mask_id_number(number), "not validated")])
    sequence = number[14:17]
    sex = Sex.MALE if int(sequence) % 2 else Sex.FEMALE
    return ResidentId(number, number[:6], province, born, sequence, sex)


def is_valid_resident_id(number: str, *, as_of: date | None = None) -> bool:
    """Whether :func:`validate_resident_id` would accept ``number``."""
    if not isinstance(number, str):
        return False
    return not resident_id_problems(normalise_resident_id(number), as_of=as_of or date.today())
