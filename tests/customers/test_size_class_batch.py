"""The vectorised size classifier agrees with the scalar one on generated frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure.customers import (
    AmountUnit,
    IndustryGroup,
    SizeClass,
    classify_size,
    classify_sizes,
    size_standards,
)
from sme_insure.errors import InputError

# every threshold of the standard, in 万元 and persons, and its neighbours
_THRESHOLDS = sorted(
    {v for s in size_standards().values() for levels in s.thresholds.values()
     for v in levels.values()}
)  # fmt: skip
_NEAR = sorted({max(v + d, 0) for v in _THRESHOLDS for d in (-1, -0.01, 0, 0.01, 1)} | {0})


def _figure(scale: int) -> st.SearchStrategy[float]:
    near = st.sampled_from(_NEAR).map(lambda v: v * scale)
    return st.one_of(near, st.floats(0, 300_000 * scale, allow_nan=False))


@st.composite
def frames(draw: st.DrawFn) -> tuple[pd.DataFrame, AmountUnit]:
    unit = draw(st.sampled_from(list(AmountUnit)))
    scale = 10_000 if unit is AmountUnit.CNY else 1
    n = draw(st.integers(1, 30))
    rows = {
        "industry_group": draw(st.lists(st.sampled_from(list(IndustryGroup)), min_size=n,
                                        max_size=n)),
        "employees": draw(st.lists(st.sampled_from([int(v) for v in _NEAR if v == int(v)])
                                   | st.integers(0, 5_000), min_size=n, max_size=n)),
        "revenue": draw(st.lists(_figure(scale), min_size=n, max_size=n)),
        "assets": draw(st.lists(_figure(scale), min_size=n, max_size=n)),
    }  # fmt: skip
    return pd.DataFrame(rows), unit


@settings(max_examples=40, deadline=None)
@given(frames())
def test_vectorised_equals_scalar(case: tuple[pd.DataFrame, AmountUnit]) -> None:
    frame, unit = case
    vectorised = classify_sizes(frame, unit=unit)
    for row, size in zip(frame.to_dict("records"), vectorised, strict=True):
        scalar = classify_size(
            row["industry_group"],
            unit=unit,
            employees=int(row["employees"]),
            revenue=row["revenue"],
            assets=row["assets"],
        )
        assert size == scalar.value


def test_result_is_an_ordered_categorical_on_the_frame_index() -> None:
    frame = pd.DataFrame(
        {"industry_group": ["other", "other"], "employees": [9, 300]}, index=["a", "b"]
    )
    sizes = classify_sizes(frame, unit=AmountUnit.WAN_CNY)
    assert sizes.tolist() == [SizeClass.MICRO.value, SizeClass.LARGE.value]
    assert list(sizes.index) == ["a", "b"]
    assert sizes.cat.ordered
    assert sizes.max() == SizeClass.LARGE.value


def test_one_yuan_below_a_floor_in_cny() -> None:
    frame = pd.DataFrame(
        {"industry_group": ["industry"] * 2, "employees": [20, 20], "revenue": [3e6 - 1, 3e6]}
    )
    assert classify_sizes(frame, unit=AmountUnit.CNY).tolist() == ["micro", "small"]


def test_every_bad_row_is_listed_once() -> None:
    frame = pd.DataFrame(
        {
            "industry_group": ["retail", "nope", "construction", "other", "other"],
            "employees": [5, 5, 5, -3, 2.5],
            "revenue": [np.nan, 10, 10, 10, 10],
            "assets": ["x", None, None, None, None],
        }
    )
    with pytest.raises(InputError) as caught:
        classify_sizes(frame, unit=AmountUnit.WAN_CNY)
    found = [(i.row, i.field) for i in caught.value.issues]
    assert found == [
        (0, "revenue"),
        (1, "industry_group"),
        (2, "assets"),
        (3, "employees"),
        (4, "employees"),
    ]


def test_absent_measure_column_is_fine_when_no_row_needs_it() -> None:
    frame = pd.DataFrame({"industry_group": ["other"], "employees": [100]})
    assert classify_sizes(frame, unit=AmountUnit.CNY).tolist() == ["medium"]


def test_missing_industry_column_raises() -> None:
    with pytest.raises(InputError, match="column is required"):
        classify_sizes(pd.DataFrame({"employees": [1]}), unit=AmountUnit.CNY)
