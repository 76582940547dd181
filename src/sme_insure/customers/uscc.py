"""Unified Social Credit Code (统一社会信用代码, USCC), GB 32100-2015.

Layout of the 18 characters over the alphabet ``0-9ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z),
valued 0-30 in that order::

    R T DDDDDD OOOOOOOO K C
    | | |      |        | check character of the whole code (position 18)
    | | |      |        check character of the organisation code (position 17)
    | | |      organisation code body, GB 11714 (positions 9-16)
    | | administrative division code, GB/T 2260 (positions 3-8, digits)
    | entity type within the registration authority (under 9: 1 enterprise,
    |   2 individual business household, 3 farmers' cooperative)
    registration authority (9 = market regulation)

Organisation-code check (GB 11714): digits count 0-9 and letters A-Z count 10-35; S = Σ vᵢ·wᵢ with
weights ``3 7 9 10 5 8 4 2``; C = 11 - (S mod 11), 10 → ``X``, 11 → ``0``.
Position-18 check: S = Σ vᵢ·wᵢ over positions 1-17 with weights
``1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28``; C = 31 - (S mod 31), 31 → ``0``.

Real codes that fail a check are reported from the field, so a check failure (or a division
code outside the province list) is **not** an exception: :func:`validate_uscc` returns a
:class:`UsccResult` with ``check_ok`` false and its reasons, for referral to an underwriter.
Malformed input (missing, wrong length, characters outside the alphabet, non-digits in the
division code) raises :class:`~sme_insure.errors.IdentifierError`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from sme_insure.customers.entity import EntityType
from sme_insure.customers.regions import CodeScheme, Province, find_province
from sme_insure.errors import IdentifierError, Issue

USCC_LENGTH = 18
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORGANISATION_CODE_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
MARKET_REGULATION_AUTHORITY = "9"

_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_ALNUM_RE = re.compile(r"[0-9A-Z]{8}")


class UsccEntityKind(StrEnum):
    """Entity type read from positions 1-2; anything not registered under authority 9 is OTHER."""

    ENTERPRISE = "enterprise"
    INDIVIDUAL_BUSINESS = "individual_business"
    FARMERS_COOPERATIVE = "farmers_cooperative"
    OTHER = "other"

    def entity_type(self) -> EntityType | None:
        """The matching :class:`EntityType`; ``None`` for OTHER (no customer type of ours)."""
        return None if self is UsccEntityKind.OTHER else EntityType(self.value)


ENTITY_KIND_CODES: dict[str, UsccEntityKind] = {
    "1": UsccEntityKind.ENTERPRISE,
    "2": UsccEntityKind.INDIVIDUAL_BUSINESS,
    "3": UsccEntityKind.FARMERS_COOPERATIVE,
}


class UsccProblem(StrEnum):
    """Why a USCC is refused (first four) or referred (last three), in check order."""

    MISSING = "missing"
    WRONG_LENGTH = "wrong_length"
    BAD_CHARACTER = "bad_character"
    DIVISION_NOT_NUMERIC = "division_not_numeric"
    UNKNOWN_PROVINCE = "unknown_province"
    ORGANISATION_CHECK = "organisation_check"
    CHECK_CHARACTER = "check_character"


MALFORMED: frozenset[UsccProblem] = frozenset(
    {
        UsccProblem.MISSING,
        UsccProblem.WRONG_LENGTH,
        UsccProblem.BAD_CHARACTER,
        UsccProblem.DIVISION_NOT_NUMERIC,
    }
)

PROBLEM_REASONS: dict[UsccProblem, str] = {
    UsccProblem.MISSING: "a unified social credit code is required",
    UsccProblem.WRONG_LENGTH: "must be 18 characters (GB 32100-2015)",
    UsccProblem.BAD_CHARACTER: f"characters must be from {USCC_ALPHABET} (no I, O, S, V, Z)",
    UsccProblem.DIVISION_NOT_NUMERIC: "characters 3-8 (division code) must be digits",
    UsccProblem.UNKNOWN_PROVINCE: "characters 3-4 are not a known province code; refer",
    UsccProblem.ORGANISATION_CHECK: "organisation-code check (character 17, GB 11714) fails; refer",
    UsccProblem.CHECK_CHARACTER: "check character (character 18) does not match; refer",
}


@dataclass(frozen=True, slots=True)
class UsccResult:
    """A well-formed USCC, what it encodes, and whether its checks hold.

    ``check_ok`` covers both check characters. ``reasons`` lists every referral reason (failed
    checks, unknown province); an empty tuple means nothing to review.
    """

    code: str
    registration_authority: str
    entity_kind: UsccEntityKind
    division_code: str
    province: Province | None
    organisation_code: str
    organisation_check_ok: bool
    check_character_ok: bool
    problems: tuple[UsccProblem, ...]
    reasons: tuple[Issue, ...]

    @property
    def check_ok(self) -> bool:
        """Both check characters hold."""
        return self.organisation_check_ok and self.check_character_ok

    @property
    def needs_review(self) -> bool:
        """Refer to an underwriter: a check failed or the province is unknown."""
        return bool(self.reasons)

    @property
    def province_code(self) -> str:
        """First two digits of the division code."""
        return self.division_code[:2]


def normalise_uscc(code: str) -> str:
    """NFKC-fold (full-width → ASCII), strip surrounding whitespace, upper-case."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def organisation_code_check_char(body: str) -> str:
    """GB 11714 check character for the 8-character organisation-code ``body`` (0-9, A-Z)."""
    if not _ALNUM_RE.fullmatch(body):
        raise IdentifierError([Issue("body", body, "must be 8 characters from 0-9 and A-Z")])
    total = sum(int(c, 36) * w for c, w in zip(body, ORGANISATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_char(body: str) -> str:
    """GB 32100 position-18 check character for the first 17 characters ``body``."""
    if len(body) != USCC_LENGTH - 1 or any(c not in _VALUE for c in body):
        reason = f"must be 17 characters from {USCC_ALPHABET}"
        raise IdentifierError([Issue("body", body, reason)])
    total = sum(_VALUE[c] * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def complete_uscc(body: str) -> str:
    """Append both check characters to the first 16 characters: a code that passes both checks."""
    with_org = body + organisation_code_check_char(body[8:16])
    return with_org + uscc_check_char(with_org)


def _malformed(code: str) -> UsccProblem | None:
    if not code:
        return UsccProblem.MISSING
    if len(code) != USCC_LENGTH:
        return UsccProblem.WRONG_LENGTH
    if any(c not in _VALUE for c in code):
        return UsccProblem.BAD_CHARACTER
    if not code[2:8].isdecimal():
        return UsccProblem.DIVISION_NOT_NUMERIC
    return None


def _referral_problems(code: str) -> tuple[UsccProblem, ...]:
    problems = []
    if find_province(code[2:4], CodeScheme.USCC) is None:
        problems.append(UsccProblem.UNKNOWN_PROVINCE)
    if organisation_code_check_char(code[8:16]) != code[16]:
        problems.append(UsccProblem.ORGANISATION_CHECK)
    if uscc_check_char(code[:17]) != code[17]:
        problems.append(UsccProblem.CHECK_CHARACTER)
    return tuple(problems)


def uscc_problems(code: str) -> tuple[UsccProblem, ...]:
    """Problems with an already normalised ``code`` in check order; empty when all checks hold."""
    malformed = _malformed(code)
    return (malformed,) if malformed else _referral_problems(code)


def entity_kind(code: str) -> UsccEntityKind:
    """Entity kind from positions 1-2 of a well-formed code (see :class:`UsccEntityKind`)."""
    if code[0] != MARKET_REGULATION_AUTHORITY:
        return UsccEntityKind.OTHER
    return ENTITY_KIND_CODES.get(code[1], UsccEntityKind.OTHER)


def validate_uscc(code: str, *, field_name: str = "uscc") -> UsccResult:
    """Parse a USCC; raise :class:`IdentifierError` only when it is malformed.

    A code that fails a check character or names an unknown province is returned with
    ``needs_review`` true and its reasons, for referral.
    """
    if not isinstance(code, str):
        raise IdentifierError([Issue(field_name, type(code).__name__, "must be text")])
    text = normalise_uscc(code)
    problems = uscc_problems(text)
    issues = tuple(Issue(field_name, text, PROBLEM_REASONS[p]) for p in problems)
    if problems and problems[0] in MALFORMED:
        raise IdentifierError(list(issues))
    return UsccResult(
        code=text,
        registration_authority=text[0],
        entity_kind=entity_kind(text),
        division_code=text[2:8],
        province=find_province(text[2:4], CodeScheme.USCC),
        organisation_code=text[8:17],
        organisation_check_ok=UsccProblem.ORGANISATION_CHECK not in problems,
        check_character_ok=UsccProblem.CHECK_CHARACTER not in problems,
        problems=problems,
        reasons=issues,
    )
