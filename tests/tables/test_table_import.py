"""``sme-insure tables import`` and ``export``: versions are never rewritten, imports are checked
like ``products validate`` before writing, and bad workbooks are one clear error."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from typer.testing import CliRunner

from sme_insure.cli import tables as tables_cli
from sme_insure.settings import default_catalogue
from sme_insure.tables import to_excel
from support.paths import ROOT


@pytest.fixture
def env(tmp_path, monkeypatch, catalogue):
    """Copies of the configuration, a fresh database, and a workbook of pl_deductible@2026.1."""
    shutil.copytree(ROOT / "products", tmp_path / "products")
    shutil.copytree(ROOT / "rating_tables", tmp_path / "tables")
    monkeypatch.setenv("SME_INSURE_PRODUCTS", str(tmp_path / "products"))
    monkeypatch.setenv("SME_INSURE_TABLES", str(tmp_path / "tables"))
    monkeypatch.setenv("SME_INSURE_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    default_catalogue.cache_clear()
    to_excel(catalogue.tables.get("pl_deductible", "2026.1"), tmp_path / "t.xlsx")
    yield tmp_path
    default_catalogue.cache_clear()


def _edit_book(path, sheet, cell, value):
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell].value = value
    wb.save(path)


def _meta_line(path, prefix, line):
    wb = openpyxl.load_workbook(path)
    for (c,) in wb["meta"].iter_rows(max_col=1):
        if isinstance(c.value, str) and c.value.startswith(prefix):
            c.value = line
    wb.save(path)


def _import(env):
    return CliRunner().invoke(tables_cli.app, ["import", str(env / "t.xlsx"), "--into", str(env / "tables")])


def _said(result, text):
    """Whether ``text`` is in the output, whitespace aside (the console wraps long lines)."""
    return "".join(text.split()) in "".join(result.output.split())


def test_reimporting_a_version_with_a_changed_factor_is_refused(env):
    live = env / "tables" / "pl_deductible" / "2026.1.csv"
    before = live.read_bytes()
    _edit_book(env / "t.xlsx", "table", "B2", "9.99")
    r = _import(env)
    assert r.exit_code == 1
    assert _said(r, "already exists with other figures or terms")
    assert live.read_bytes() == before


def test_reimporting_the_same_content_is_a_no_op(env):
    live = env / "tables" / "pl_deductible"
    before = {p.name: p.read_bytes() for p in live.iterdir()}
    r = _import(env)
    assert r.exit_code == 0, r.output
    assert _said(r, "unchanged")
    assert {p.name: p.read_bytes() for p in live.iterdir()} == before


def test_a_new_version_that_overlaps_the_active_one_is_refused_before_writing(env):
    _meta_line(env / "t.xlsx", "version:", "version: '2026.2'")
    _meta_line(env / "t.xlsx", "effective_from:", "effective_from: 2026-06-01")
    r = _import(env)
    assert r.exit_code == 1
    assert _said(r, "pl_deductible@2026.2") and _said(r, "overlap")
    assert not (env / "tables" / "pl_deductible" / "2026.2.csv").exists()


def test_a_new_version_that_passes_the_checks_is_written(env):
    _meta_line(env / "t.xlsx", "version:", "version: '2027.1'")
    _meta_line(env / "t.xlsx", "status:", "status: draft")
    r = _import(env)
    assert r.exit_code == 0, r.output
    assert (env / "tables" / "pl_deductible" / "2027.1.csv").read_text().splitlines()[1] == "500,1.05"


def test_a_version_that_is_a_path_is_refused(env):
    _meta_line(env / "t.xlsx", "version:", "version: ../../../escaped")
    r = _import(env)
    assert r.exit_code == 1 and _said(r, "version")
    assert not list(env.parent.rglob("escaped.*"))


def test_the_written_path_must_stay_in_the_tables_folder(env, catalogue):
    from sme_insure.errors import TableError
    from sme_insure.tables.files import version_paths

    meta = catalogue.tables.get("pl_deductible", "2026.1").meta.model_copy(update={"version": "../../x"})
    with pytest.raises(TableError, match="outside the tables folder"):
        version_paths(meta, env / "tables")


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "message"),
    [
        ("table", "B4", "abc", "t.xlsx: sheet table, cell B4: factor='abc'"),
        ("table", "B3", "-1", "t.xlsx: sheet table, cell B3: factor=-1.0"),
        ("meta", "A1", "yaml", "meta_yaml=['yaml']: sheet meta needs this column"),
        ("meta", "A3", "status: [active", "t.xlsx: sheet meta, cell A"),
    ],
)
def test_a_bad_workbook_is_one_clear_error_naming_the_cell(env, sheet, cell, value, message):
    _edit_book(env / "t.xlsx", sheet, cell, value)
    r = _import(env)
    assert r.exit_code == 1
    assert isinstance(r.exception, SystemExit)
    assert _said(r, message)


def test_a_renamed_sheet_or_a_missing_file_is_a_clear_error(env):
    wb = openpyxl.load_workbook(env / "t.xlsx")
    wb["table"].title = "Sheet1"
    wb.save(env / "t.xlsx")
    r = _import(env)
    assert r.exit_code == 1 and _said(r, "sheet table") and isinstance(r.exception, SystemExit)
    (env / "t.xlsx").unlink()
    r = _import(env)
    assert r.exit_code == 1 and _said(r, "no such file") and isinstance(r.exception, SystemExit)


def test_export_to_a_missing_folder_or_another_suffix_is_a_clear_error(env):
    for target, why in [(env / "nope" / "t.xlsx", "does not exist"), (env / "t.csv", "must end in .xlsx")]:
        r = CliRunner().invoke(tables_cli.app, ["export", "pl_deductible", "2026.1", str(target)])
        assert r.exit_code == 1 and _said(r, why), r.output
        assert isinstance(r.exception, SystemExit)


def test_a_successor_and_the_end_of_its_predecessor_are_imported_together(env, catalogue):
    """pl_deductible@2026.1 is open-ended: a 2027.1 from 2027-01-01 alone overlaps it, and 2026.1
    given an end alone leaves 2027 uncovered (the server would not start). Imported together they
    pass; 2026.1's figures (its CSV) are kept byte for byte, only its metadata changes."""
    live = env / "tables" / "pl_deductible" / "2026.1.csv"
    before = live.read_bytes()
    wb = openpyxl.load_workbook(env / "t.xlsx")
    wb["meta"].append(["effective_to: 2027-01-01"])  # 2026.1 had none: open-ended
    wb.save(env / "t.xlsx")
    successor = catalogue.tables.get("pl_deductible", "2026.1")
    to_excel(successor, env / "next.xlsx")
    _meta_line(env / "next.xlsx", "version", "version: '2027.1'")
    _meta_line(env / "next.xlsx", "effective_from", "effective_from: 2027-01-01")
    alone = CliRunner().invoke(tables_cli.app, ["import", str(env / "next.xlsx"), "--into", str(env / "tables")])
    assert alone.exit_code == 1 and _said(alone, "overlaps"), alone.output
    end_only = _import(env)
    assert end_only.exit_code == 1 and _said(end_only, "no version of table pl_deductible"), end_only.output
    both = CliRunner().invoke(tables_cli.app, ["import", str(env / "t.xlsx"), str(env / "next.xlsx"),
                                               "--into", str(env / "tables")])
    assert both.exit_code == 0, both.output
    assert _said(both, "life-cycle") and _said(both, "(new;")
    assert live.read_bytes() == before
    assert "effective_to: '2027-01-01'" in (env / "tables" / "pl_deductible" / "2026.1.yaml").read_text()
    assert (env / "tables" / "pl_deductible" / "2027.1.csv").exists()
