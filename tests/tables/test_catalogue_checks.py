"""The catalogue the server and CLI rate with must pass every cross-check: overlapping table
versions, tables that do not cover a product's dates, missing or empty folders are refused."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest

from sme_insure.catalogue import Catalogue, check_catalogue, load_checked
from sme_insure.errors import ConfigurationError, RatingInputError
from sme_insure.rating import Rater
from support.paths import ROOT

RISK = {
    "premises_category": "hotel",
    "area_m2": 20000,
    "limit_per_occurrence": 1_000_000,
    "deductible": 1000,
    "loss_history": "none",
    "industry": "H",
}
PL = "PUBLIC_LIABILITY"


@pytest.fixture
def config(tmp_path):
    """A copy of the shipped configuration that tests may change."""
    shutil.copytree(ROOT / "products", tmp_path / "products")
    shutil.copytree(ROOT / "rating_tables", tmp_path / "rating_tables")
    return tmp_path


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _load(config):
    return Catalogue.load(config / "products", config / "rating_tables")


def _second_open_version(config):
    """pl_deductible 2026.2, open-ended like 2026.1, with the 1000 deductible factor doubled."""
    folder = config / "rating_tables" / "pl_deductible"
    meta = (folder / "2026.1.yaml").read_text(encoding="utf-8")
    (folder / "2026.2.yaml").write_text(meta.replace('"2026.1"', '"2026.2"'), encoding="utf-8")
    csv = (folder / "2026.1.csv").read_text(encoding="utf-8")
    assert "1000,1.00" in csv
    (folder / "2026.2.csv").write_text(csv.replace("1000,1.00", "1000,2.00"), encoding="utf-8")


def _cli(config, *args, products=None):
    env = dict(
        os.environ,
        SME_INSURE_PRODUCTS=str(products or config / "products"),
        SME_INSURE_TABLES=str(config / "rating_tables"),
        SME_INSURE_DATABASE_URL=f"sqlite:///{config / 'db.sqlite'}",
    )
    return subprocess.run(
        [sys.executable, "-m", "sme_insure.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_two_versions_in_force_on_a_date_is_an_error_not_the_first(config):
    _second_open_version(config)
    rater = Rater(_load(config))
    with pytest.raises(ConfigurationError, match="2 versions of table pl_deductible") as caught:
        rater.quote(PL, RISK, as_of=dt.date(2026, 3, 1))
    assert "pl_deductible@2026.1, pl_deductible@2026.2" in str(caught.value)
    # naming a version still works: the overlap only makes the choice by date ambiguous
    named = rater.quote(
        PL, RISK, as_of=dt.date(2026, 3, 1), table_versions={"pl_deductible": "2026.1"}
    )
    assert named.tables["pl_deductible"] == "2026.1"


def test_the_served_catalogue_refuses_an_overlap(config):
    _second_open_version(config)
    with pytest.raises(
        ConfigurationError, match=r"pl_deductible@2026\.2 overlaps pl_deductible@2026\.1"
    ):
        load_checked(config / "products", config / "rating_tables")
    run = _cli(config, "products", "list")
    assert run.returncode == 1
    assert "overlaps" in " ".join(run.stderr.split()) and "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("table: pl_deductible,", "table: pl_deductable,", "table 'pl_deductable' does not exist"),
        (
            "table: pl_deductible, keys: [deductible]",
            "table: pl_deductible, keys: {deductibel: deductible}",
            "keys are ['deductible'], the step maps ['deductibel']",
        ),
    ],
)
def test_the_served_catalogue_refuses_bad_references(config, old, new, expected):
    _edit(config / "products" / "public_liability" / "2026.1.yaml", old, new)
    _load(config)  # loads: the files are each valid
    with pytest.raises(ConfigurationError) as caught:
        load_checked(config / "products", config / "rating_tables")
    assert expected in str(caught.value)


def test_the_served_catalogue_refuses_a_missing_level(config):
    csv = config / "rating_tables" / "pl_area_rate" / "2026.1.csv"
    csv.write_text(
        "".join(
            line
            for line in csv.read_text().splitlines(keepends=True)
            if not line.startswith("hotel")
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigurationError, match=r"levels \['hotel'\] of input 'premises_category'"
    ):
        load_checked(config / "products", config / "rating_tables")


def test_table_starting_after_the_product_is_a_gap(config):
    _edit(
        config / "rating_tables" / "pl_deductible" / "2026.1.yaml",
        "effective_from: 2026-01-01",
        "effective_from: 2026-06-01",
    )
    catalogue = _load(config)
    with pytest.raises(RatingInputError, match="no version of table pl_deductible in force"):
        Rater(catalogue).quote(PL, RISK, as_of=dt.date(2026, 3, 1))  # what validate now foresees
    assert check_catalogue(catalogue) == [
        "product PUBLIC_LIABILITY@2026.1: coverage public_liability: no version of table "
        "pl_deductible is in force from 2026-01-01 to 2026-06-01 (the product runs "
        "2026-01-01–open end)"
    ]


def test_table_ending_with_no_successor_is_a_gap(config):
    _edit(
        config / "rating_tables" / "pl_deductible" / "2026.1.yaml",
        "effective_from: 2026-01-01",
        "effective_from: 2026-01-01\neffective_to: 2026-06-01",
    )
    problems = check_catalogue(_load(config))
    assert [p for p in problems if "pl_deductible" in p] == [
        "product PUBLIC_LIABILITY@2026.1: coverage public_liability: no version of table "
        "pl_deductible is in force from 2026-06-01 to open end (the product runs "
        "2026-01-01–open end)"
    ]


def test_missing_or_empty_folders_are_refused(config):
    with pytest.raises(ConfigurationError, match="no such products folder"):
        Catalogue.load(config / "nowhere", config / "rating_tables")
    (config / "empty").mkdir()
    with pytest.raises(ConfigurationError, match="the tables folder holds no tables"):
        Catalogue.load(config / "products", config / "empty")
    run = _cli(config, "products", "validate", products=config / "empty")
    assert run.returncode == 1 and "holds no products" in " ".join(run.stderr.split())


def test_the_shipped_catalogue_passes_its_load_time_checks():
    catalogue = load_checked(ROOT / "products", ROOT / "rating_tables")
    assert catalogue.codes() and check_catalogue(catalogue) == []


def test_a_staged_product_version_does_not_stop_the_server(config, caplog):
    """Next year's version of a product, staged in the same folder while its table is still
    missing: logged (and reported by `products validate`), not a refusal to start, until its
    date comes."""
    folder = config / "products" / "public_liability"
    text = (folder / "2026.1.yaml").read_text(encoding="utf-8")
    (folder / "2027.1.yaml").write_text(
        text.replace('version: "2026.1"', 'version: "2027.1"')
        .replace("effective_from: 2026-01-01", "effective_from: 2027-01-01")
        .replace("table: pl_deductible,", "table: pl_deductible_2027,"), encoding="utf-8")
    _edit(folder / "2026.1.yaml", "effective_from: 2026-01-01", "effective_from: 2026-01-01\neffective_to: 2027-01-01")
    with caplog.at_level("WARNING"):
        load_checked(config / "products", config / "rating_tables", as_of=dt.date(2026, 12, 7))
    assert any("pl_deductible_2027" in m and "not yet in force" in m for m in caplog.messages)
    with pytest.raises(ConfigurationError, match="pl_deductible_2027"):
        load_checked(config / "products", config / "rating_tables", as_of=dt.date(2027, 1, 1))
