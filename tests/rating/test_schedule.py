"""Schedules of insured persons: checks, derivations, per-person rating and the policy roll-up.

The schedule below has seven rows (as of 2026-03-01, cover from 2026-04-01):

  row label  ID number (body + check)  class  what happens
  0   "p0"   110105 19900101 001 +c    1      rated: male, age 36
  1   "p1"   110105 19850615 002 +c    2      rated: female, age 40
  2   "p2"   330106 19700310 003 +c′   3      wrong check character → id_number issue
  3   "p3"   440524 19550401 005 +c    4      age 71 at cover start → age issue (limits 16–65)
  4   "p4"   = row 0                   1      duplicate of row 0 → rows 0 and 4 both flagged
  5   "p5"   110105 19950101 007 +c    D      decline class, not a level → occupational_class
  6   "p6"   110105 20000229 009 +c    3      rated: male, age 26

Rated: p1 and p6 (p0 falls with its duplicate), so the headcount is 2.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sme_insure.customers import complete_resident_id
from sme_insure.errors import NotFoundError, RatingInputError
from sme_insure.rating.persons import completed_years
from sme_insure.rating.schedule import rate_schedule

AS_OF = dt.date(2026, 3, 1)
START = dt.date(2026, 4, 1)
CODE = "GROUP_ACCIDENT"


def rid(body: str) -> str:
    return complete_resident_id(body)


def wrong_check(body: str) -> str:
    good = rid(body)
    return body + ("1" if good[-1] != "1" else "2")


P0 = rid("11010519900101001")
SCHEDULE = pd.DataFrame(
    {
        "name": ["张三", "李四", "王五", "赵六", "张三", "孙七", "周八"],
        "id_number": [
            P0,
            rid("11010519850615002"),
            wrong_check("33010619700310003"),
            rid("44052419550401005"),
            P0,
            rid("11010519950101007"),
            rid("11010520000229009"),
        ],
        "occupational_class": [1, 2, 3, 4, 1, "D", 3],
    },
    index=[f"p{i}" for i in range(7)],
)
POLICY = {"sum_insured": 400000, "cover_accident_medical": False}


@pytest.fixture(scope="module")
def result(rater):
    return rate_schedule(rater, CODE, SCHEDULE, POLICY, as_of=AS_OF, cover_start=START)


def test_each_bad_person_is_one_issue_naming_row_and_field(result):
    got = [(r.row, r.label, r.field) for r in result.issues.itertuples()]
    assert got == [
        (0, "p0", "id_number"),
        (2, "p2", "id_number"),
        (3, "p3", "age"),
        (4, "p4", "id_number"),
        (5, "p5", "occupational_class"),
    ]
    reasons = dict(zip(result.issues.row, result.issues.reason, strict=True))
    assert "check character" in reasons[2]
    assert reasons[0] == "the same ID number is on row(s) [4] too"
    assert reasons[4] == "the same ID number is on row(s) [0] too"
    assert "between 16 and 65" in reasons[3]
    assert "not an allowed level" in reasons[5]


def test_id_numbers_are_masked_in_issues(result):
    values = result.issues[result.issues.field == "id_number"].value.tolist()
    masked_p0 = "110105********" + P0[-4:]
    assert values == [masked_p0, "330106********" + SCHEDULE.id_number.iloc[2][-4:], masked_p0]
    assert P0 not in result.issues.to_string()


def test_valid_persons_are_rated_and_headcount_counts_them(result):
    assert list(result.premiums.index) == ["p1", "p6"]
    assert result.headcount == 2
    assert set(result.inputs["headcount"]) == {2}
    # p1: class 2, 400,000 × 2.40 ‰ = 960.00; p6: class 3, 400,000 × 3.20 ‰ = 1,280.00
    assert result.premiums["premium"].tolist() == [96_000, 128_000]


def test_derived_age_and_sex(result):
    assert result.inputs.loc["p1", "age"] == 40  # born 1985-06-15, 40 on 2026-04-01
    assert result.inputs.loc["p6", "age"] == 26  # born 2000-02-29


def test_roll_up_is_the_sum_of_the_persons(result):
    assert (result.policy_adjustment == 0).all()
    pd.testing.assert_series_equal(
        result.totals, result.premiums.sum().astype(np.int64), check_names=False
    )
    assert result.totals["premium"] == 224_000
    assert result.premiums.dtypes.map(str).eq("int64").all()


def test_person_alone_equals_person_in_schedule(rater, result):
    for label in result.premiums.index:
        alone = rater.quote(CODE, result.inputs.loc[label].to_dict(), as_of=AS_OF)
        assert alone.premiums.iloc[0].equals(result.premiums.loc[label])


def test_schedule_of_one_is_a_batch_of_one(rater, result):
    one = rate_schedule(rater, CODE, SCHEDULE.loc[["p6"]], POLICY, as_of=AS_OF, cover_start=START)
    assert one.headcount == 1
    # headcount 1 and 2 fall in the same band [1, 10): identical figures
    assert one.premiums.loc["p6"].equals(result.premiums.loc["p6"])
    assert one.totals.equals(one.premiums.loc["p6"].astype(np.int64))


def test_worksheet_on_demand_equals_kept_worksheet(rater, result):
    kept = rate_schedule(
        rater, CODE, SCHEDULE, POLICY, as_of=AS_OF, cover_start=START, worksheet=True
    )
    pd.testing.assert_frame_equal(kept.worksheet("p6"), result.worksheet("p6"))
    ws = result.worksheet("p6")
    assert ws.iloc[0].tables == "ga_rate@2026.1"
    assert "headcount=2" in ws[ws.description == "headcount discount"].inputs.iloc[0]
    with pytest.raises(NotFoundError):
        result.worksheet("p3")


def test_versions_record_product_tables_and_cover_start(result):
    v = result.versions
    assert (v["product"], v["product_version"]) == (CODE, "2026.1")
    assert v["cover_start"] == "2026-04-01"
    assert v["tables"]["ga_rate"] == "2026.1"


def test_headcount_excludes_persons_failing_in_rating(rater):
    # ten persons: nine valid and one of the decline class; nine is in the band [1, 10)
    ids = [rid(f"110105199001010{k:02d}") for k in range(10)]
    persons = pd.DataFrame({"id_number": ids, "occupational_class": [1] * 9 + ["D"]})
    result = rate_schedule(rater, CODE, persons, POLICY, as_of=AS_OF)
    assert result.headcount == 9
    assert set(result.inputs["headcount"]) == {9}
    assert result.issues.row.tolist() == [9]
    assert (result.premiums["premium"] == 76_000).all()  # no headcount discount below 10


def test_given_birth_date_sex_and_age_are_checked(rater):
    persons = pd.DataFrame(
        {
            "id_number": [
                rid("11010519900101001"),
                rid("11010519900101002"),
                rid("11010519900101003"),
            ],
            "birth_date": ["1990-01-01", "1990-01-02", "not a date"],
            "sex": ["男", "male", "f"],
            "age": [36, 36, 35],
            "occupational_class": [1, 1, 1],
        }
    )
    result = rate_schedule(rater, CODE, persons, POLICY, as_of=AS_OF)
    got = sorted((r.row, r.field) for r in result.issues.itertuples())
    # row 1: birth date differs, and the ID says female; row 2: unreadable date, ID says male,
    # and age 36 on 2026-03-01 (born 1990-01-01) is not 35
    assert got == [(1, "birth_date"), (1, "sex"), (2, "age"), (2, "birth_date"), (2, "sex")]
    assert list(result.premiums.index) == [0]


def test_completed_years_turn_on_the_birthday():
    births = np.array(["1990-04-01", "1990-04-02", "2000-02-29", "NaT"], dtype="datetime64[D]")
    ages = completed_years(births, dt.date(2026, 4, 1))
    assert ages[:3].tolist() == [36, 35, 26]
    assert np.isnan(ages[3])
    # a 29 February birthday is reached on 1 March in a common year
    assert completed_years(births[2:3], dt.date(2027, 2, 28))[0] == 26
    assert completed_years(births[2:3], dt.date(2027, 3, 1))[0] == 27


def test_schedule_level_problems_raise(rater):
    cases = [
        ({"headcount": 3}, "headcount"),
        ({"sum_insured": 1, "occupational_class": 1}, "occupational_class"),
        ({"sum_insure": 400000}, "sum_insure"),
        ({"age": 30}, "age"),
    ]
    for policy, field in cases:
        with pytest.raises(RatingInputError) as exc:
            rate_schedule(rater, CODE, SCHEDULE, policy, as_of=AS_OF)
        assert field in [i.field for i in exc.value.issues]
    with pytest.raises(RatingInputError, match="resident ID"):
        rate_schedule(rater, CODE, SCHEDULE.drop(columns="id_number"), POLICY, as_of=AS_OF)
    with pytest.raises(RatingInputError, match="unique"):
        rate_schedule(rater, CODE, SCHEDULE.set_axis(["x"] * 7), POLICY, as_of=AS_OF)
    with pytest.raises(RatingInputError, match="pension"):
        rate_schedule(rater, "FLEXIBLE_PENSION", SCHEDULE, {}, as_of=AS_OF)


def test_every_person_invalid_gives_an_empty_policy(rater):
    persons = SCHEDULE.loc[["p2", "p3"]]
    result = rate_schedule(rater, CODE, persons, POLICY, as_of=AS_OF, cover_start=START)
    assert result.premiums.empty and result.headcount == 0
    assert (result.totals == 0).all()
    assert result.issues.label.tolist() == ["p2", "p3"]


def test_per_day_roster_minimum_applies_to_the_roster(rater):
    # three persons for one day, plan A: 1.50 + 1.50 + 2.50 = 5.50 < 20.00 minimum per roster
    ids = [rid(f"1101051990010100{k}") for k in range(3)]
    persons = pd.DataFrame({"id_number": ids, "occupational_class": [1, 1, 3]})
    result = rate_schedule(rater, "GROUP_ACCIDENT_DAILY", persons, {"plan": "daily_a"}, as_of=AS_OF)
    assert (result.premiums["minimum_adjustment"] == 0).all()  # not per person
    assert result.totals["premium"] == 2_000
    assert result.policy_adjustment["minimum_adjustment"] == 1_450
    summed = result.premiums.sum().astype(np.int64)
    assert result.totals.equals(summed + result.policy_adjustment)
    assert result.exposure("days") == 3.0
