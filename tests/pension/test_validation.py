"""Bad input: every issue names field, value, reason and member row; valid members still run."""

from __future__ import annotations

import pandas as pd
import pytest

from sme_insure.errors import InputError
from sme_insure.pension import MemberPlan, illustrate, illustrate_book

GOOD = {
    "member_id": "ok",
    "sex": "female",
    "age": 40,
    "retirement_age": 60,
    "sleeve": "steady",
    "payout": "life",
    "monthly_contribution": 500,
}


def batch(*changes: dict) -> pd.DataFrame:
    rows = [{**GOOD, "member_id": f"m{k}", **c} for k, c in enumerate(changes)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"retirement_age": 59}, "retirement_age", "≥ 60"),
        ({"age": 61, "retirement_age": 60}, "retirement_age", "after the current age"),
        ({"monthly_contribution": -5}, "monthly_contribution", "≥ 0"),
        ({"monthly_contribution": "lots"}, "monthly_contribution", "must be a number"),
        ({"payout": "fixed_term", "fixed_term_years": 9}, "fixed_term_years", "≥ 10"),
        ({"payout": "fixed_term"}, "fixed_term_years", "≥ 10"),
        ({"payout": "life", "fixed_term_years": 15}, "fixed_term_years", "empty"),
        ({"age": 106, "retirement_age": 110}, "age", "[0, 105]"),
        ({"retirement_age": 106}, "retirement_age", "[0, 105]"),
        ({"age": 40.5}, "age", "whole number"),
        ({"sex": "x"}, "sex", "female"),
        ({"sleeve": "risky"}, "sleeve", "steady"),
        ({"payout": "lump"}, "payout", "life"),
    ],
)
def test_each_bad_member_is_listed_and_the_others_illustrated(terms, change, field, fragment):
    result = illustrate_book(terms, batch({}, change, {}))
    assert result.members.rows.tolist() == [0, 2]
    assert {i.row for i in result.issues} == {1}
    issue = next(i for i in result.issues if i.field == field)
    assert fragment in issue.reason
    assert result.summary()["member_id"].tolist() == ["m0", "m2"]
    assert (result.monthly_pension > 0).all()


def test_blank_money_is_zero_and_duplicates_are_flagged(terms):
    frame = batch({"monthly_contribution": None, "annual_contribution": 1200}, {})
    frame.loc[1, "member_id"] = "m0"
    result = illustrate_book(terms, frame)
    assert result.members.rows.tolist() == [0]
    assert [(i.row, i.field) for i in result.issues] == [(1, "member_id")]


def test_side_tables_are_checked_against_the_member(terms):
    ad_hoc = pd.DataFrame(
        [
            {"member_id": "m0", "policy_year": 21, "month": 1, "amount": 100},
            {"member_id": "m1", "policy_year": 1, "month": 13, "amount": 100},
            {"member_id": "m2", "policy_year": 2, "month": 3, "amount": -1},
            {"member_id": "ghost", "policy_year": 1, "month": 1, "amount": 100},
        ]
    )
    switches = pd.DataFrame([{"member_id": "m3", "policy_year": 5, "sleeve": "bold"}])
    result = illustrate_book(terms, batch({}, {}, {}, {}, {}), ad_hoc, switches)
    assert result.members.rows.tolist() == [4]
    fields = {(i.row, i.field) for i in result.issues}
    assert fields >= {
        (0, "ad_hoc.policy_year"),
        (1, "ad_hoc.month"),
        (2, "ad_hoc.amount"),
        (3, "switches.sleeve"),
        (None, "ad_hoc.member_id"),
    }


def test_unknown_or_missing_columns_stop_the_batch(terms):
    with pytest.raises(InputError, match="unknown column"):
        illustrate_book(terms, batch({}).assign(monthly_contrib=5))
    with pytest.raises(InputError, match="required column missing"):
        illustrate_book(terms, batch({}).drop(columns="sex"))


def test_all_invalid_batch_gives_empty_results(terms):
    result = illustrate_book(terms, batch({"retirement_age": 50}))
    assert len(result.members) == 0 and result.monthly_pension.shape == (3, 0)
    assert len(result.issues) == 1


def test_single_plan_raises_input_error_with_every_issue(terms):
    plan = MemberPlan("bad", "male", 62, 61, "steady", "fixed_term", 5, monthly_contribution=-1)
    with pytest.raises(InputError) as info:
        illustrate(terms, plan)
    assert {i.field for i in info.value.issues} == {
        "retirement_age",
        "monthly_contribution",
        "fixed_term_years",
    }
    assert all(i.row == 0 for i in info.value.issues)
