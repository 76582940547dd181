"""Vectorised identifier checks agree with the scalar ones, row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure.customers import (
    resident_id_issues,
    resident_id_problems,
    uscc_problems,
    validate_resident_id,
    validate_resident_ids,
    validate_uscc,
    validate_usccs,
)
from sme_insure.customers.resident_id import normalise_resident_id
from sme_insure.customers.uscc import MALFORMED, USCC_ALPHABET, normalise_uscc
from sme_insure.customers.uscc_batch import malformed_uscc_issues
from sme_insure.errors import IdentifierError, InputError

from .conftest import AS_OF, resident_ids, usccs


def _mutated(valid: st.SearchStrategy[str], alphabet: str) -> st.SearchStrategy[str]:
    """Valid values, single-character changes, truncations and noise."""
    noise = st.text(alphabet + " x-é", max_size=20)

    @st.composite
    def change(draw: st.DrawFn) -> str:
        text = draw(valid)
        pos = draw(st.integers(0, len(text) - 1))
        return text[:pos] + draw(st.sampled_from(alphabet)) + text[pos + 1 :]

    truncated = valid.map(lambda t: t[:-1])
    return st.one_of(valid, change(), truncated, noise, st.just(""))


@settings(max_examples=40, deadline=None)
@given(st.lists(_mutated(resident_ids(), "0123456789X"), min_size=1, max_size=40))
def test_resident_id_batch_equals_scalar(numbers: list[str]) -> None:
    result = validate_resident_ids(pd.Series(numbers, dtype="string"), as_of=AS_OF)
    for number, row in zip(numbers, result.itertuples(), strict=True):
        problems = resident_id_problems(normalise_resident_id(number), as_of=AS_OF)
        assert row.valid == (not problems)
        if problems:
            assert row.problem == problems[0].value
            continue
        rid = validate_resident_id(number, as_of=AS_OF)
        assert (row.division_code, row.province_en, row.sex) == (
            rid.division_code,
            rid.province.name_en,
            rid.sex.value,
        )
        assert row.birth_date.date() == rid.birth_date


@settings(max_examples=40, deadline=None)
@given(st.lists(_mutated(usccs(), USCC_ALPHABET + "IOSVZ"), min_size=1, max_size=40))
def test_uscc_batch_equals_scalar(codes: list[str]) -> None:
    result = validate_usccs(pd.Series(codes, dtype="string"))
    for code, row in zip(codes, result.itertuples(), strict=True):
        problems = uscc_problems(normalise_uscc(code))
        assert (row.problem if isinstance(row.problem, str) else None) == (
            problems[0].value if problems else None
        )
        assert row.well_formed == (not problems or problems[0] not in MALFORMED)
        if row.well_formed:
            scalar = validate_uscc(code)
            assert (row.check_ok, row.organisation_check_ok, row.needs_review) == (
                scalar.check_ok,
                scalar.organisation_check_ok,
                scalar.needs_review,
            )
            assert (row.entity_kind, row.division_code) == (
                scalar.entity_kind.value,
                scalar.division_code,
            )
        else:
            with pytest.raises(IdentifierError):
                validate_uscc(code)


def test_batch_keeps_the_index_and_reports_missing_values() -> None:
    numbers = pd.Series(["11010519491231002X", None, "110105194912310021"], index=[7, 8, 9])
    result = validate_resident_ids(numbers, as_of=AS_OF)
    assert list(result.index) == [7, 8, 9]
    assert result["valid"].tolist() == [True, False, False]
    assert result["problem"].tolist()[1:] == ["missing", "check_character"]
    issues = resident_id_issues(result)
    assert [i.row for i in issues] == [1, 2]
    assert issues[1].value == "110105********0021"


def test_a_numeric_id_column_is_refused() -> None:
    with pytest.raises(InputError, match="text column"):
        validate_resident_ids(pd.Series([440524188001010014]), as_of=AS_OF)


def test_malformed_uscc_issues_list_only_malformed_rows() -> None:
    result = validate_usccs(pd.Series(["91350100M000100Y43", "91350100M000100Y44", "9135"]))
    assert result["needs_review"].tolist() == [False, True, False]
    assert [(i.row, i.value) for i in malformed_uscc_issues(result)] == [(2, "9135")]


def test_a_hundred_thousand_persons_in_one_pass() -> None:
    rng = np.random.default_rng(7)
    births = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 25_000, 100_000), "D")
    sequences = pd.Series(rng.integers(0, 1000, 100_000)).map("{:03d}".format)
    bodies = "110105" + pd.Series(births.strftime("%Y%m%d")) + sequences
    result = validate_resident_ids(bodies + "0", as_of=AS_OF)
    assert len(result) == 100_000
    # about one body in eleven has check character "0"; every other row fails on the check alone
    assert set(result.loc[~result["valid"], "problem"]) == {"check_character"}
    assert 0.07 < result["valid"].mean() < 0.11
