"""Masks for display and the log filter that keeps raw ID and mobile numbers out of logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure.customers import PersonalDataFilter, mask_id_number, mask_mobile, mask_text

from .conftest import resident_ids

ID = "11010519491231002X"
MOBILE = "13812341234"


def test_conventional_masks() -> None:
    assert mask_id_number(ID) == "110105********002X"
    assert mask_mobile(MOBILE) == "138****1234"
    assert mask_mobile("138-1234-1234") == "138****1234"


@pytest.mark.parametrize("short", ["", "1234", "1101051949"])
def test_short_values_are_fully_starred(short: str) -> None:
    assert mask_id_number(short) == "*" * len(short)


@pytest.mark.parametrize("not_a_mobile", ["1381234123", "138123412345", "abcdefghijk"])
def test_mobile_mask_never_returns_a_malformed_number_in_clear(not_a_mobile: str) -> None:
    assert set(mask_mobile(not_a_mobile)) == {"*"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"insured {ID} ok", "insured 110105********002X ok"),
        ("id=11010519491231002x,", "id=110105********002x,"),
        (f"call {MOBILE} now", "call 138****1234 now"),
        ("tel:+8613812341234", "tel:+86138****1234"),
        ("tel 138 1234 1234.", "tel 138****1234."),
        ("phone 138-1234-1234", "phone 138****1234"),
        (f"{ID}/{MOBILE}", "110105********002X/138****1234"),
    ],
)
def test_mask_text_finds_numbers_in_free_text(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 213812341234 shipped",  # 12 digits: not a mobile number
        "uscc 91350100M000100Y43",  # company code with letters: not personal
        "amount 12345678901234567890",  # 20 digits: not an ID
        "policy P1381234123400",
    ],
)
def test_mask_text_leaves_other_numbers_alone(text: str) -> None:
    assert mask_text(text) == text


@settings(max_examples=100)
@given(resident_ids(), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.text(max_size=10))
def test_no_raw_number_survives(number: str, mobile: str, filler: str) -> None:
    masked = mask_text(f"{filler} {number} {filler}: {mobile}")
    assert number not in masked
    assert mobile not in masked


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("tests.customers.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_filter_masks_message_and_args(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("quote for %s, mobile %d, raw " + ID, ID, int(MOBILE))
    logger.info("dict args %(id)s", {"id": ID})
    out = stream.getvalue()
    assert ID not in out
    assert MOBILE not in out
    assert out.count("110105********002X") == 3
    assert "138****1234" in out


def test_filter_masks_tracebacks(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    try:
        raise ValueError(f"bad id {ID} for {MOBILE}")
    except ValueError:
        logger.exception("failed")
    out = stream.getvalue()
    assert "ValueError" in out
    assert ID not in out
    assert MOBILE not in out


def test_filter_masks_objects_whose_repr_holds_a_number(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    logger.info("payload %r", {"insured": ID, "tel": MOBILE})
    assert ID not in stream.getvalue()
    assert MOBILE not in stream.getvalue()
