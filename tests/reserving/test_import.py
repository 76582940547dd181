"""Importing history from CSV/Parquet: each error reported with row and field, good rows kept."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from reserving_builders import claim_row, yearly_premiums

from sme_insure.errors import InputError, NotFoundError
from sme_insure.reserving import (
    read_claim_transactions,
    read_premium_transactions,
    run_reserving,
)

HEADER = (
    "claim_id,policy_id,line,product_code,region,loss_date,report_date,transaction_date,"
    "kind,paid_fen,case_reserve_change_fen"
)
GOOD = [
    "C1,P1,property,SME-1,east,2023-03-01,2023-03-05,2023-03-05,reserve_set,0,500000",
    "C1,P1,property,SME-1,east,2023-03-01,2023-03-05,2023-06-30,payment,300000,-300000",
    "C2,P2,cargo,SME-2,,2024-02-10,2024-02-12,2024-05-01,payment,120000,0",
]
BAD = {
    # data row -> (field, reason fragment)
    "C3,P3,property,SME-1,east,2023-05-01,2023-05-02,2023-04-20,payment,1000,0": (
        "transaction_date",
        "before the loss date",
    ),
    "C4,P4,property,SME-1,east,2023-05-01,2023-04-28,2023-05-03,payment,1000,0": (
        "report_date",
        "reported before the loss date",
    ),
    "C5,P5,motor,SME-1,east,2023-05-01,2023-05-02,2023-05-03,payment,1000,0": (
        "line",
        "unknown value",
    ),
    "C6,P6,property,SME-1,east,2023-05-01,2023-05-02,2023-05-03,payment,12k,0": (
        "paid_fen",
        "not a number",
    ),
    "C7,P7,property,SME-1,east,2023-05-01,2023-05-02,2023-05-03,payment,10.5,0": (
        "paid_fen",
        "whole fen",
    ),
    "C8,P8,property,SME-1,east,2023-13-01,2023-05-02,2023-05-03,payment,100,0": (
        "loss_date",
        "not a date",
    ),
    "C9,P9,property,SME-1,east,2023-05-01,2023-05-02,2023-05-03,recovery,100,0": (
        "paid_fen",
        "recovery is negative",
    ),
    "C10,P1,property,,east,2023-05-01,2023-05-02,2023-05-03,payment,100,0": (
        "product_code",
        "required value missing",
    ),
    "C11,P1,property,SME-1,east,2023-05-01,2023-05-02,2023-05-03,settle,100,0": (
        "kind",
        "unknown value",
    ),
}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def mixed_csv(tmp_path: Path) -> Path:
    """Good rows at data rows 0, 1 and last; every bad case in between."""
    return _write(tmp_path / "claims.csv", [HEADER, GOOD[0], GOOD[1], *BAD, GOOD[2]])


def test_each_bad_row_reported_with_row_and_field(mixed_csv):
    result = read_claim_transactions(mixed_csv)
    for offset, (field, reason) in enumerate(BAD.values()):
        at = [i for i in result.issues if (i.row, i.field) == (2 + offset, field)]
        assert any(reason in i.reason for i in at), (offset, field, at)
        assert all(i.source == "claims.csv" for i in at)
    assert result.n_rejected == len(BAD)
    first = next(i for i in result.issues if i.row == 2)
    assert first.value == "2023-04-20"  # dates reported as ISO text
    assert "row 2" in str(first)


def test_good_rows_are_kept_and_typed(mixed_csv):
    result = read_claim_transactions(mixed_csv)
    frame = result.frame
    assert list(frame["claim_id"]) == ["C1", "C1", "C2"]
    assert frame["paid_fen"].dtype == "int64"
    assert frame["case_reserve_change_fen"].tolist() == [500000, -300000, 0]
    assert pd.api.types.is_datetime64_any_dtype(frame["loss_date"])
    assert frame.loc[2, "region"] == "unspecified"  # empty optional segment value
    assert frame.loc[0, "size_class"] == "unspecified"  # absent optional segment column


def test_missing_columns_name_each_column(tmp_path):
    path = _write(tmp_path / "claims.csv", ["claim_id,line,loss_date", "C1,property,2023-01-01"])
    with pytest.raises(InputError) as error:
        read_claim_transactions(path)
    fields = {i.field for i in error.value.issues}
    assert {"policy_id", "paid_fen", "kind", "transaction_date"} <= fields
    assert "claim_id" not in fields


def test_claim_with_two_loss_dates_is_flagged():
    frame = pd.DataFrame(
        [
            claim_row("C1", "property", "2023-01-01", "2023-02-01", paid=1),
            claim_row("C1", "property", "2023-01-02", "2023-03-01", paid=1),
        ]
    )
    from sme_insure.reserving import validate_claim_transactions

    result = validate_claim_transactions(frame)
    assert {(i.row, i.field) for i in result.issues} == {(0, "loss_date"), (1, "loss_date")}


def test_premium_cover_ending_before_start(tmp_path):
    lines = [
        "policy_id,line,product_code,transaction_date,effective_from,effective_to,written_fen,exposure",
        "P1,property,SME-1,2024-01-01,2024-01-01,2024-12-31,36600,1",
        "P2,property,SME-1,2024-01-01,2024-06-01,2024-05-31,36600,1",
        "P3,property,SME-1,2024-01-01,2024-01-01,2024-12-31,abc,1",
    ]
    result = read_premium_transactions(_write(tmp_path / "premiums.csv", lines))
    assert [(i.row, i.field) for i in result.issues] == [(1, "effective_to"), (2, "written_fen")]
    assert list(result.frame["policy_id"]) == ["P1"]


def test_parquet_round_trip(tmp_path, mixed_csv):
    frame = read_claim_transactions(mixed_csv).frame
    path = tmp_path / "claims.parquet"
    frame.to_parquet(path)
    again = read_claim_transactions(path)
    assert again.issues == ()
    pd.testing.assert_frame_equal(again.frame, frame, check_dtype=False)


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(NotFoundError):
        read_claim_transactions(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="unsupported"):
        read_claim_transactions(_write(tmp_path / "claims.xlsx", ["x"]))


def test_run_uses_good_rows_and_lists_issues(mixed_csv):
    claims = pd.read_csv(mixed_csv, dtype=str, keep_default_na=False)
    premiums = pd.DataFrame(
        yearly_premiums("property", 2023, 2024, 1_000_000) + yearly_premiums("cargo", 2024, 2024, 1)
    )
    result = run_reserving(claims, premiums, "2024-12-31", ["line"])
    assert {i.row for i in result.issues} == set(range(2, 2 + len(BAD)))
    totals = result.totals.set_index("line")
    assert totals.loc["property", "latest_fen"] == 500_000  # incurred of C1 only
    assert totals.loc["cargo", "latest_fen"] == 120_000
    with pytest.raises(InputError):
        run_reserving(claims, premiums, "2024-12-31", ["line"], strict=True)


DOC = Path(__file__).resolve().parents[2] / "docs" / "reserving-import.md"


def test_documented_examples_import_cleanly(tmp_path):
    blocks = re.findall(r"```csv\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    claims, premiums = (
        _write(tmp_path / n, b.strip().splitlines())
        for n, b in zip(("claims.csv", "premiums.csv"), blocks, strict=True)
    )
    assert read_claim_transactions(claims).issues == ()
    assert read_premium_transactions(premiums).issues == ()
    result = run_reserving(
        read_claim_transactions(claims).frame,
        read_premium_transactions(premiums).frame,
        "2024-12-31",
    )
    assert result.totals.iloc[-1]["latest_fen"] == 280_000  # paid 300,000 less a 20,000 recovery


def test_valuation_date_must_be_a_date(raa_frames):
    with pytest.raises(InputError, match="as_of"):
        run_reserving(*raa_frames, "31/12/1990")
