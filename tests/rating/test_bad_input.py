"""Every bad input gets a clear error naming the field, the value and what is allowed."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from sme_insure.catalogue import Catalogue
from sme_insure.errors import ConfigurationError, NotFoundError, RatingInputError
from support.books import PROPERTY_RISK as GOOD
from support.paths import ROOT

AS_OF = dt.date(2026, 3, 1)


def _issue(rater, **change):
    with pytest.raises(RatingInputError) as info:
        rater.quote("SME_PROPERTY", {**GOOD, **change}, as_of=AS_OF)
    assert len(info.value.issues) >= 1
    return info.value.issues[0]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"occupancy_class": "castle"},
            "occupancy_class",
            "not an allowed level; allowed: ['office'",
        ),
        ({"province": "99"}, "province", "not an allowed level"),
        ({"sum_insured": 5}, "sum_insured", "must be between 10,000 and 200,000,000 CNY"),
        ({"sum_insured": -100}, "sum_insured", "must be between"),
        ({"sum_insured": 1e15}, "sum_insured", "must be between"),
        ({"sum_insured": "lots"}, "sum_insured", "not a number"),
        ({"sum_insured": math.nan}, "sum_insured", "required"),
        ({"sum_insured": math.inf}, "sum_insured", "must be finite"),
        ({"sum_insured": None}, "sum_insured", "required"),
        ({"deductible": 3000}, "deductible", "not an allowed level"),
        ({"industry": "Z99"}, "industry", "not a GB/T 4754 industry code"),
        (
            {"cover_business_interruption": True},
            "gross_profit",
            "required when coverage business_interruption is selected",
        ),
        ({"cover_earthquake": "perhaps"}, "cover_earthquake", "not an allowed level"),
    ],
)
def test_rejected_with_field_and_reason(rater, change, field, reason):
    issue = _issue(rater, **change)
    assert issue.field == field
    assert reason in issue.reason
    assert "SME_PROPERTY" in str(RatingInputError([issue], context="product SME_PROPERTY@2026.1"))


def test_missing_column_is_reported_not_defaulted(rater):
    risk = dict(GOOD)
    del risk["construction"]
    with pytest.raises(RatingInputError, match="construction"):
        rater.quote("SME_PROPERTY", risk, as_of=AS_OF)


def test_stated_default_is_used_and_shown(rater):
    result = rater.quote("SME_PROPERTY", GOOD, as_of=AS_OF, worksheet=True)
    inputs = " ".join(result.worksheet(0).inputs)
    assert "deductible=2000 (product default)" in inputs


def test_unknown_product_and_version(rater):
    with pytest.raises(NotFoundError, match="unknown product 'NOPE'"):
        rater.quote("NOPE", GOOD, as_of=AS_OF)
    with pytest.raises(NotFoundError, match="version of product SME_PROPERTY"):
        rater.quote("SME_PROPERTY", GOOD, as_of=AS_OF, product_version="1999")
    with pytest.raises(NotFoundError, match="version of table prop_fire_rate"):
        rater.quote("SME_PROPERTY", GOOD, as_of=AS_OF, table_versions={"prop_fire_rate": "0"})


def test_batch_reports_bad_rows_and_rates_good_ones(rater):
    book = pd.DataFrame(
        [GOOD, {**GOOD, "sum_insured": "x"}, {**GOOD, "province": "00"}, GOOD],
        index=["a", "b", "c", "d"],
    )
    result = rater.rate("SME_PROPERTY", book, as_of=AS_OF)
    assert list(result.premiums.index) == ["a", "d"]
    assert result.issues[["label", "field"]].values.tolist() == [
        ["b", "sum_insured"],
        ["c", "province"],
    ]
    assert result.premiums.loc["a"].equals(result.premiums.loc["d"])


def test_product_file_errors_name_file_path_and_reason(tmp_path):
    import shutil

    shutil.copytree(ROOT / "rating_tables", tmp_path / "rating_tables")
    (tmp_path / "products").mkdir()
    text = (ROOT / "products" / "sme_property" / "2026.1.yaml").read_text(encoding="utf-8")
    bad = text.replace("currency: CNY", "currency: USD\ncolour: red").replace(
        "exposure: sum_insured,", "exposure: floor_area,", 1
    )
    (tmp_path / "products" / "bad.yaml").write_text(bad, encoding="utf-8")
    (tmp_path / "products" / "broken.yaml").write_text("code: [", encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        Catalogue.load(tmp_path / "products", tmp_path / "rating_tables")
    text = str(info.value)
    assert "bad.yaml: currency" in text and "colour" in text and "broken.yaml" in text
    assert len(info.value.issues) >= 3


def test_invalid_required_level_is_reported_once(rater):
    """An unknown value of an input that a selected coverage requires is one problem, not two."""
    with pytest.raises(RatingInputError) as info:
        rater.quote("SME_PROPERTY", {**GOOD, "cover_business_interruption": True,
                                     "gross_profit": "lots"}, as_of=AS_OF)
    assert [(i.field, i.reason) for i in info.value.issues] == [("gross_profit", "not a number (money)")]


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("construction", {"a": 1}, "not an allowed level"),
    ("sum_insured", [1, 2], "not a number"),
    ("cover_earthquake", [True], "not an allowed level"),
])
def test_lists_and_dicts_are_refused_by_name_alone_and_in_a_batch(rater, field, value, reason):
    issue = _issue(rater, **{field: value})
    assert issue.field == field and reason in issue.reason
    book = pd.DataFrame([GOOD] * 80)  # above the small-batch path
    book[field] = pd.Series([value if i == 7 else GOOD.get(field) for i in range(80)], dtype=object)
    result = rater.rate("SME_PROPERTY", book, as_of=AS_OF)
    assert result.issues["row"].tolist() == [7] and result.issues["field"].tolist() == [field]
    assert len(result.premiums) == 79
