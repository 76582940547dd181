"""Resident identity number (GB 11643-1999): the standard's examples, errors and properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure.customers import (
    ResidentIdProblem,
    Sex,
    complete_resident_id,
    is_valid_resident_id,
    resident_id_check_char,
    resident_id_problems,
    validate_resident_id,
)
from sme_insure.errors import IdentifierError, InputError

from .conftest import AS_OF, day_after, resident_ids


def test_standard_example_female_born_1949() -> None:
    rid = validate_resident_id("11010519491231002X", as_of=AS_OF)
    assert rid.division_code == "110105"
    assert rid.province_code == "11"
    assert rid.province.name_en == "Beijing"
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sequence == "002"
    assert rid.sex is Sex.FEMALE


def test_standard_example_male_born_1880() -> None:
    rid = validate_resident_id("440524188001010014", as_of=AS_OF)
    assert (rid.province.name_zh, rid.birth_date, rid.sex) == ("广东省", date(1880, 1, 1), Sex.MALE)


@pytest.mark.parametrize(
    ("body", "check"), [("11010519491231002", "X"), ("44052418800101001", "4")]
)
def test_check_char_of_the_examples(body: str, check: str) -> None:
    assert resident_id_check_char(body) == check


@pytest.mark.parametrize(
    "text", [" 11010519491231002x ", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X\n"]
)
def test_lower_case_x_whitespace_and_full_width_are_normalised(text: str) -> None:
    assert validate_resident_id(text, as_of=AS_OF).number == "11010519491231002X"


def test_repr_shows_only_the_masked_number() -> None:
    rid = validate_resident_id("11010519491231002X", as_of=AS_OF)
    assert "11010519491231002X" not in repr(rid)
    assert "110105********002X" in repr(rid)


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("", ResidentIdProblem.MISSING),
        ("110105491231002", ResidentIdProblem.WRONG_LENGTH),  # first-generation, 15 digits
        ("11010519491231002X0", ResidentIdProblem.WRONG_LENGTH),
        ("1101051949123100XX", ResidentIdProblem.BAD_CHARACTER),
        ("11010519491231002Y", ResidentIdProblem.BAD_CHARACTER),
        ("99010519491231002X", ResidentIdProblem.UNKNOWN_PROVINCE),
        ("110105194913310029", ResidentIdProblem.BAD_BIRTH_DATE),  # month 13
        ("110105190002290020", ResidentIdProblem.BAD_BIRTH_DATE),  # 1900 is not a leap year
        ("110105179912310020", ResidentIdProblem.BAD_BIRTH_DATE),  # before 1800
        ("110105203001010020", ResidentIdProblem.FUTURE_BIRTH_DATE),
        ("110105194912310021", ResidentIdProblem.CHECK_CHARACTER),
    ],
)
def test_each_problem_is_refused_with_its_reason(number: str, problem: ResidentIdProblem) -> None:
    assert resident_id_problems(number, as_of=AS_OF)[0] is problem
    with pytest.raises(IdentifierError) as caught:
        validate_resident_id(number, as_of=AS_OF, field_name="insured.id")
    assert caught.value.issues[0].field == "insured.id"
    assert isinstance(caught.value, InputError | ValueError)


def test_error_message_never_holds_the_raw_number() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_resident_id("110105194912310021", as_of=AS_OF)
    assert "110105194912310021" not in str(caught.value)
    assert caught.value.issues[0].value == "110105********0021"


def test_leap_day_is_a_birth_date() -> None:
    number = complete_resident_id("11010520000229002")
    assert validate_resident_id(number, as_of=AS_OF).birth_date == date(2000, 2, 29)


def test_birth_today_is_accepted_tomorrow_is_not() -> None:
    today = complete_resident_id(f"110105{AS_OF:%Y%m%d}002")
    tomorrow = complete_resident_id(f"110105{day_after(AS_OF):%Y%m%d}002")
    assert is_valid_resident_id(today, as_of=AS_OF)
    assert resident_id_problems(tomorrow, as_of=AS_OF) == (ResidentIdProblem.FUTURE_BIRTH_DATE,)


def test_a_number_read_as_an_int_is_refused() -> None:
    with pytest.raises(IdentifierError, match="must be text"):
        validate_resident_id(440524188001010014, as_of=AS_OF)  # type: ignore[arg-type]
    assert not is_valid_resident_id(440524188001010014)  # type: ignore[arg-type]


def test_check_helper_refuses_a_bad_body() -> None:
    with pytest.raises(IdentifierError):
        resident_id_check_char("1101051949123100")


@settings(max_examples=150)
@given(resident_ids())
def test_generated_numbers_validate(number: str) -> None:
    rid = validate_resident_id(number, as_of=AS_OF)
    assert rid.number == number
    assert rid.birth_date.strftime("%Y%m%d") == number[6:14]
    assert rid.sex is (Sex.MALE if int(number[16]) % 2 else Sex.FEMALE)


@settings(max_examples=150)
@given(resident_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_detected(number: str, pos: int, new: str) -> None:
    changed = number[:pos] + new + number[pos + 1 :]
    if changed != number:
        assert not is_valid_resident_id(changed, as_of=AS_OF)


@settings(max_examples=100)
@given(resident_ids(), st.integers(0, 15))
def test_any_adjacent_transposition_in_the_body_is_detected(number: str, pos: int) -> None:
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    if swapped != number:
        assert not is_valid_resident_id(swapped, as_of=AS_OF)
