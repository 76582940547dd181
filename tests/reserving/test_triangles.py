"""Triangles from transactions: measures, grains, valuation date, counts, segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reserving_builders import claim_row, premium_row, yearly_premiums

from sme_insure.errors import InputError
from sme_insure.reserving import (
    Basis,
    Grain,
    build_triangles,
    earned_by_origin,
    validate_claim_transactions,
    validate_premium_transactions,
)


def _claims() -> pd.DataFrame:
    rows = [
        claim_row("A", "property", "2022-02-10", "2022-02-20", reserve=1_000),
        claim_row("A", "property", "2022-02-10", "2022-08-01", paid=600, reserve=-600),
        claim_row(
            "A", "property", "2022-02-10", "2023-03-01", paid=300, reserve=-400, kind="close"
        ),
        claim_row("B", "property", "2022-11-30", "2023-01-15", paid=200, report="2023-01-10"),
        claim_row("C", "cargo", "2023-06-01", "2023-06-02", reserve=5_000, size_class="small"),
        claim_row("D", "property", "2023-12-01", "2025-01-05", paid=999),  # after valuation
    ]
    return validate_claim_transactions(pd.DataFrame(rows)).raise_for_issues()


def _premiums() -> pd.DataFrame:
    rows = yearly_premiums("property", 2022, 2023, 36_500) + yearly_premiums(
        "cargo", 2023, 2023, 10_000, size_class="small"
    )
    return validate_premium_transactions(pd.DataFrame(rows)).raise_for_issues()


def _cell(tri, segment: int, origin: int, age: int) -> float:
    return float(np.nan_to_num(tri.values[segment, 0, origin, age]))


def test_measures_by_line():
    tri = build_triangles(_claims(), _premiums(), "2024-12-31", ("line",))
    assert list(tri.segments["line"]) == ["cargo", "property"]  # sorted index
    paid, incurred = tri.losses(Basis.PAID), tri.losses(Basis.INCURRED)
    assert [str(o) for o in paid.origin] == ["2022", "2023", "2024"]
    # property 2022: paid 600 in 2022, +300 + 200 (claim B, loss 2022) in 2023
    assert _cell(paid, 1, 0, 0) == 600
    assert _cell(paid, 1, 0, 1) == 1_100
    # incurred = paid + case: 1,000 by end 2022; then claim A closes at 900, B adds 200
    assert _cell(incurred, 1, 0, 0) == 1_000
    assert _cell(incurred, 1, 0, 1) == 1_100
    counts = tri.reported_count
    assert _cell(counts, 1, 0, 0) == 1  # claim A at its first transaction
    assert _cell(counts, 1, 0, 1) == 2  # claim B first transacted in 2023
    assert _cell(tri.earned_premium, 1, 0, 0) == pytest.approx(36_500)
    assert _cell(tri.earned_premium, 0, 1, 0) == pytest.approx(10_000)
    # claim D's payment (2025) is after the valuation date
    assert np.nansum(paid.values[1, 0, 1]) == 0


def test_segments_by_two_columns_and_valuation_inside_a_year():
    tri = build_triangles(_claims(), _premiums(), "2023-06-30", ("line", "size_class"))
    assert tri.segments[["line", "size_class"]].values.tolist() == [
        ["cargo", "small"],
        ["property", "micro"],
    ]
    assert tri.triangle.valuation_date.strftime("%Y-%m-%d") == "2023-06-30"
    assert list(tri.losses(Basis.PAID).development) == [6, 18]
    # half of the 2023 premium is earned by 30 June (181 of 365 days)
    assert _cell(tri.earned_premium, 1, 1, 0) == pytest.approx(36_500 * 181 / 365)


@pytest.mark.parametrize("grain", list(Grain))
def test_every_grain_keeps_the_same_latest_total(grain):
    tri = build_triangles(_claims(), _premiums(), "2024-12-31", ("line",), grain)
    latest = np.nansum(tri.losses(Basis.INCURRED).latest_diagonal.values)
    assert latest == 1_100 + 5_000
    assert np.nansum(tri.earned_premium.values) == pytest.approx(2 * 36_500 + 10_000)


def test_unknown_segment_column_and_empty_history():
    with pytest.raises(InputError, match="by"):
        build_triangles(_claims(), _premiums(), "2024-12-31", ("colour",))
    with pytest.raises(InputError, match="as_of"):
        build_triangles(_claims(), _premiums().iloc[:0], "2020-01-31", ("line",))


def test_empty_by_means_one_portfolio():
    tri = build_triangles(_claims(), _premiums(), "2024-12-31", ())
    assert tri.by == ("portfolio",)
    assert tri.triangle.shape[0] == 1
    assert tri.segments.loc[0, "segment_line"] is None  # mixes property and cargo


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(
        min_value=pd.Timestamp("2020-01-01").date(), max_value=pd.Timestamp("2023-12-31").date()
    ),
    days=st.integers(min_value=1, max_value=800),
    as_of_offset=st.integers(min_value=-30, max_value=900),
    written=st.integers(min_value=-(10**9), max_value=10**9),
    grain=st.sampled_from(list(Grain)),
)
def test_earned_is_pro_rata_to_the_day(start, days, as_of_offset, written, grain):
    start = pd.Timestamp(start)
    end = start + pd.Timedelta(days=days - 1)
    as_of = start + pd.Timedelta(days=as_of_offset)
    policy = pd.DataFrame([premium_row("property", str(start.date()), str(end.date()), written)])
    earned = earned_by_origin(policy, as_of, grain, ["line"])
    elapsed = min(max((as_of - start).days + 1, 0), days)
    assert earned["earned_premium_fen"].sum() == pytest.approx(written * elapsed / days, abs=1e-6)
