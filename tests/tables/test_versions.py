"""Version selection by date and status, gaps/overlaps, diff, and the Excel round trip."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from sme_insure.catalogue import Catalogue, check_catalogue
from sme_insure.errors import ConfigurationError, InputError, RatingInputError
from sme_insure.rating import Rater
from sme_insure.tables import TableStore, diff_tables, from_excel, to_excel
from support.paths import ROOT

RISK = {
    "occupancy_class": "industrial_3",
    "construction": "class_2",
    "province": "33",
    "sum_insured": 2_000_000,
    "fire_protection": "extinguishers_only",
    "deductible": 5000,
}


@pytest.fixture
def config(tmp_path):
    """A copy of the shipped configuration that tests may change."""
    shutil.copytree(ROOT / "products", tmp_path / "products")
    shutil.copytree(ROOT / "rating_tables", tmp_path / "rating_tables")
    return tmp_path


def _edit(path, old, new):
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_draft_is_used_only_when_named(rater):
    current = rater.quote("SME_PROPERTY", RISK, as_of=dt.date(2027, 3, 1))
    assert current.tables["prop_fire_rate"] == "2026.1"
    draft = rater.quote(
        "SME_PROPERTY", RISK, as_of=dt.date(2027, 3, 1), table_versions={"prop_fire_rate": "2027.1"}
    )
    assert draft.tables["prop_fire_rate"] == "2027.1"
    # 1.522 ‰ instead of 1.45 ‰ on the fire coverage only
    assert draft.premiums.iloc[0]["premium_fire"] > current.premiums.iloc[0]["premium_fire"]
    assert draft.premiums.iloc[0]["premium_natcat"] == current.premiums.iloc[0]["premium_natcat"]


def test_rating_by_date_picks_the_version_in_force(config):
    tables = config / "rating_tables" / "prop_fire_rate"
    _edit(tables / "2026.1.yaml", "status: active", "status: retired\neffective_to: 2027-01-01")
    _edit(tables / "2027.1.yaml", "status: draft", "status: active\napproved_by: actuary")
    rater = Rater(Catalogue.load(config / "products", config / "rating_tables"))
    assert check_catalogue(rater.catalogue) == []
    old = rater.quote("SME_PROPERTY", RISK, as_of=dt.date(2026, 12, 31))
    new = rater.quote("SME_PROPERTY", RISK, as_of=dt.date(2027, 1, 1))
    assert (old.tables["prop_fire_rate"], new.tables["prop_fire_rate"]) == ("2026.1", "2027.1")
    # re-rating the old quote later with its recorded versions gives the same premium
    again = rater.quote("SME_PROPERTY", RISK, as_of=dt.date(2027, 6, 1), table_versions=old.tables)
    assert again.premiums.iloc[0].equals(old.premiums.iloc[0])


def test_date_outside_every_version(rater):
    with pytest.raises(RatingInputError, match="no version of product SME_PROPERTY in force"):
        rater.quote("SME_PROPERTY", RISK, as_of=dt.date(2020, 1, 1))


def test_gap_and_overlap_are_reported(config):
    tables = config / "rating_tables" / "prop_fire_rate"
    _edit(tables / "2026.1.yaml", "status: active", "status: retired\neffective_to: 2026-12-01")
    _edit(tables / "2027.1.yaml", "status: draft", "status: active\napproved_by: actuary")
    problems = check_catalogue(Catalogue.load(config / "products", config / "rating_tables"))
    assert any("gap after prop_fire_rate@2026.1" in p for p in problems)
    _edit(tables / "2026.1.yaml", "effective_to: 2026-12-01", "effective_to: 2027-02-01")
    problems = check_catalogue(Catalogue.load(config / "products", config / "rating_tables"))
    assert any("overlaps prop_fire_rate@2026.1" in p for p in problems)


def test_level_missing_from_table_is_reported(config):
    csv = config / "rating_tables" / "prop_construction" / "2026.1.csv"
    _edit(csv, "class_3,1.40\n", "")
    problems = check_catalogue(Catalogue.load(config / "products", config / "rating_tables"))
    assert any(
        "levels ['class_3'] of input 'construction' are not in prop_construction@2026.1" in p
        for p in problems
    )


def test_diff_shows_changed_cells(catalogue):
    store = catalogue.tables
    diff = diff_tables(store.get("prop_fire_rate", "2026.1"), store.get("prop_fire_rate", "2027.1"))
    assert len(diff) == 11 and set(diff.change) == {"changed"}
    row = diff.set_index("occupancy_class").loc["industrial_3"]
    assert (row.old, row.new) == ("1.45", "1.522")


def test_diff_of_versions_with_different_keys_is_a_named_input_error(catalogue):
    """prop_si_size went from bands (2026.1) to interpolation (2027.1): no cells to pair."""
    store = catalogue.tables
    with pytest.raises(InputError) as caught:
        diff_tables(store.get("prop_si_size", "2026.1"), store.get("prop_si_size", "2027.1"))
    [issue] = caught.value.issues
    assert issue.field == "versions" and "prop_si_size@2027.1" in str(issue.value)
    assert "sum_insured_from" in issue.reason


def test_excel_round_trip_is_unchanged(catalogue, tmp_path):
    for table in catalogue.tables:
        path = tmp_path / f"{table.meta.table}-{table.meta.version}.xlsx"
        to_excel(table, path)
        back = from_excel(path)
        assert back.meta == table.meta
        assert back.frame.equals(table.frame), table.label


def test_store_loads_every_error_of_every_file(config):
    (config / "rating_tables" / "prop_si_size" / "2026.1.yaml").write_text(
        "table: [", encoding="utf-8"
    )
    _edit(config / "rating_tables" / "prop_bi_period" / "2026.1.csv", "12,1.50", "12,abc")
    with pytest.raises(ConfigurationError) as info:
        TableStore.load(config / "rating_tables")
    text = str(info.value)
    assert "prop_si_size" in text and "prop_bi_period" in text


def test_input_range_reaching_the_excluded_top_of_a_band_is_reported(config):
    csv = config / "rating_tables" / "prop_si_size" / "2026.1.csv"
    _edit(csv, "100000000,,0.80", "100000000,200000000,0.80")
    problems = check_catalogue(Catalogue.load(config / "products", config / "rating_tables"))
    assert any("input 'sum_insured' range" in p and "prop_si_size" in p for p in problems)


def test_province_missing_from_a_table_is_reported(config):
    _edit(config / "rating_tables" / "prop_natcat_rate" / "2026.1.csv", "65,0.10\n", "")
    problems = check_catalogue(Catalogue.load(config / "products", config / "rating_tables"))
    assert any("['65']" in p and "prop_natcat_rate" in p for p in problems)


def test_write_version_keeps_a_dotted_version_name(catalogue, tmp_path):
    from sme_insure.tables import load_version, write_version

    table = catalogue.tables.get("prop_fire_rate", "2027.1")
    path = write_version(table, tmp_path)
    assert path.name == "2027.1.yaml" and (tmp_path / "prop_fire_rate" / "2027.1.csv").exists()
    assert load_version(path).frame.equals(table.frame)


PL_RISK = {
    "premises_category": "hotel",
    "area_m2": 20000,
    "limit_per_occurrence": 1_000_000,
    "deductible": 1000,
    "loss_history": "none",
    "industry": "H",
}


def test_level_missing_from_a_one_key_table_is_a_rating_error_and_the_good_rows_are_rated(
    config, rater
):
    """A one-key exact table looks up through its own path; explaining its miss crashed."""
    import pandas as pd

    csv = config / "rating_tables" / "pl_area_rate" / "2026.1.csv"
    _edit(csv, "hotel,0.80\n", "")
    cut = Rater(Catalogue.load(config / "products", config / "rating_tables"))
    on = dt.date(2026, 6, 1)
    with pytest.raises(RatingInputError, match=r"premises_category='hotel': not in table pl_area_rate@2026.1"):
        cut.quote("PUBLIC_LIABILITY", PL_RISK, as_of=on)
    good = dict(PL_RISK, premises_category="retail_services")
    result = cut.rate("PUBLIC_LIABILITY", pd.DataFrame([PL_RISK, good]), as_of=on)
    assert result.issues[["row", "field", "value"]].values.tolist() == [
        [0, "premises_category", "hotel"]
    ]
    assert "pl_area_rate@2026.1" in result.issues["reason"].iloc[0]
    expected = rater.quote("PUBLIC_LIABILITY", good, as_of=on).premiums.iloc[0]
    assert list(result.premiums.index) == [1]
    assert result.premiums.iloc[0].equals(expected)
