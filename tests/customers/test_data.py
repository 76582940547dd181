"""Package data files: manifest, provinces and table validation."""

from __future__ import annotations

import pytest

from sme_insure.customers import CodeScheme, find_province, provinces
from sme_insure.customers._data import MANIFEST, read_table
from sme_insure.customers.consistency import revenue_per_employee_bounds
from sme_insure.customers.industry import IndustryGroup
from sme_insure.errors import TableError


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_every_file_matches_its_manifest(name: str) -> None:
    assert tuple(read_table(name).columns) == MANIFEST[name].columns


def test_unknown_file_is_a_table_error() -> None:
    with pytest.raises(TableError):
        read_table("nope.csv")


def test_read_table_returns_a_copy() -> None:
    table = read_table("provinces.csv")
    table.loc[0, "code"] = "zz"
    assert read_table("provinces.csv").loc[0, "code"] != "zz"


def test_provinces_per_scheme() -> None:
    ids, codes = provinces(CodeScheme.RESIDENT_ID), provinces(CodeScheme.USCC)
    assert len(set(ids) & set(codes)) == 31  # the mainland provincial-level divisions
    assert "10" in codes and "10" not in ids  # national level: companies only
    assert {"81", "82", "83"} <= set(ids)  # HK/Macao/Taiwan residence permits
    province = find_province("44", CodeScheme.RESIDENT_ID)
    assert province is not None and province.name_zh == "广东省"
    assert find_province("99", CodeScheme.USCC) is None


def test_revenue_bounds_cover_every_group_and_are_marked_illustrative() -> None:
    assert set(revenue_per_employee_bounds()) == set(IndustryGroup)
    assert MANIFEST["revenue_per_employee_bounds.csv"].illustrative


def test_a_broken_threshold_table_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from sme_insure.customers import size_class

    table = read_table("size_thresholds.csv")
    table.loc[1, "employees_small_floor"] = ""  # industry: two of three employee thresholds
    table.loc[2, "revenue_medium_floor"] = "lots"
    monkeypatch.setattr(size_class, "read_table", lambda name: table)
    with pytest.raises(TableError) as caught:
        size_class.size_standards.__wrapped__()
    assert [i.value for i in caught.value.issues] == ["industry", "construction"]
