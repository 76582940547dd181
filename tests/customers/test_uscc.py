"""Unified Social Credit Code (GB 32100-2015): examples, referrals, malformed input, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure.customers import (
    EntityType,
    UsccEntityKind,
    UsccProblem,
    complete_uscc,
    organisation_code_check_char,
    uscc_check_char,
    validate_uscc,
)
from sme_insure.customers.uscc import PROBLEM_REASONS, USCC_ALPHABET
from sme_insure.errors import IdentifierError

from .conftest import usccs

# The reference's examples, then real codes published in python-stdnum's test list.
VALID = [
    ("91350100M000100Y43", UsccEntityKind.ENTERPRISE, "Fujian"),
    ("914403001922038216", UsccEntityKind.ENTERPRISE, "Guangdong"),
    ("91110000600037341L", UsccEntityKind.ENTERPRISE, "Beijing"),
    ("92340602MA2PBMEM24", UsccEntityKind.INDIVIDUAL_BUSINESS, "Anhui"),
    ("121200004013590816", UsccEntityKind.OTHER, "Tianjin"),
    ("9144030071526726XG", UsccEntityKind.ENTERPRISE, "Guangdong"),
    ("91620105L015101280", UsccEntityKind.ENTERPRISE, "Gansu"),
    ("92340621MA2PBKRXXG", UsccEntityKind.INDIVIDUAL_BUSINESS, "Anhui"),
]


@pytest.mark.parametrize(("code", "kind", "province"), VALID)
def test_published_codes_pass_both_checks(code: str, kind: UsccEntityKind, province: str) -> None:
    result = validate_uscc(code)
    assert result.check_ok
    assert not result.needs_review
    assert result.entity_kind is kind
    assert result.province is not None
    assert result.province.name_en == province
    assert result.division_code == code[2:8]
    assert result.organisation_code == code[8:17]


def test_standard_example_check_characters() -> None:
    assert organisation_code_check_char("M000100Y") == "4"
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert complete_uscc("91350100M000100Y") == "91350100M000100Y43"


def test_organisation_check_of_x_and_zero() -> None:
    # C = 11 - (S mod 11): 10 → X, 11 → 0
    assert organisation_code_check_char("00000006") == "X"  # S = 12, 12 mod 11 = 1 → 10
    assert organisation_code_check_char("00000000") == "0"  # S = 0 → 11
    assert organisation_code_check_char("19220382") == "1"  # Huawei's organisation code


def test_entity_kinds_map_to_entity_types() -> None:
    assert UsccEntityKind.INDIVIDUAL_BUSINESS.entity_type() is EntityType.INDIVIDUAL_BUSINESS
    assert UsccEntityKind.FARMERS_COOPERATIVE.entity_type() is EntityType.FARMERS_COOPERATIVE
    assert UsccEntityKind.OTHER.entity_type() is None
    coop = complete_uscc("93350100M000100Y")
    assert validate_uscc(coop).entity_kind is UsccEntityKind.FARMERS_COOPERATIVE


def test_a_failed_check_character_is_a_referral_not_an_error() -> None:
    result = validate_uscc("91350100M000100Y44")
    assert not result.check_ok
    assert result.organisation_check_ok
    assert not result.check_character_ok
    assert result.needs_review
    assert result.problems == (UsccProblem.CHECK_CHARACTER,)
    assert "refer" in result.reasons[0].reason


def test_a_failed_organisation_check_is_a_referral() -> None:
    result = validate_uscc("91350100M000100Y53")
    assert not result.organisation_check_ok
    assert UsccProblem.ORGANISATION_CHECK in result.problems


def test_an_unknown_province_is_a_referral_with_checks_intact() -> None:
    result = validate_uscc(complete_uscc("91990100M000100Y"))
    assert result.check_ok
    assert result.province is None
    assert result.problems == (UsccProblem.UNKNOWN_PROVINCE,)


def test_national_level_division_is_known_for_uscc() -> None:
    assert validate_uscc(complete_uscc("91100000M000100Y")).province is not None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("", UsccProblem.MISSING),
        ("91350100M000100Y4", UsccProblem.WRONG_LENGTH),
        ("91350100M000100Y430", UsccProblem.WRONG_LENGTH),
        ("91350100M000100I43", UsccProblem.BAD_CHARACTER),
        ("91350100O000100Y43", UsccProblem.BAD_CHARACTER),
        ("9135010SM000100Y43", UsccProblem.BAD_CHARACTER),
        ("91350100M000100V43", UsccProblem.BAD_CHARACTER),
        ("91350100M000100Z43", UsccProblem.BAD_CHARACTER),
        ("9135A100M000100Y43", UsccProblem.DIVISION_NOT_NUMERIC),
    ],
)
def test_malformed_codes_raise(code: str, problem: UsccProblem) -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_uscc(code)
    assert caught.value.issues[0].field == "uscc"
    assert caught.value.issues[0].reason == PROBLEM_REASONS[problem]


def test_lower_case_and_whitespace_are_normalised() -> None:
    assert validate_uscc(" 91350100m000100y43 ").code == "91350100M000100Y43"


def test_non_text_raises() -> None:
    with pytest.raises(IdentifierError):
        validate_uscc(914403001922038216)  # type: ignore[arg-type]


@settings(max_examples=150)
@given(usccs())
def test_generated_codes_pass(code: str) -> None:
    result = validate_uscc(code)
    assert result.check_ok
    assert not result.needs_review


@settings(max_examples=150)
@given(usccs(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_fails_a_check(code: str, pos: int, new: str) -> None:
    changed = code[:pos] + new + code[pos + 1 :]
    if changed == code:
        return
    try:
        result = validate_uscc(changed)
    except IdentifierError:  # a letter in the division code
        assert 2 <= pos < 8
        return
    assert not result.check_ok
