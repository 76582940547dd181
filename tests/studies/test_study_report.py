"""Reports an actuary reads: an offline HTML page with charts and tables, an Excel workbook, and
the ``study`` command that writes them."""

from __future__ import annotations

import re

import openpyxl
import pytest
import yaml
from study_support import study_config
from typer.testing import CliRunner

from sme_insure.cli.study import app
from sme_insure.studies import run_study, write_excel, write_html


@pytest.fixture(scope="module")
def result(tiny_book):
    return run_study(study_config(tiny_book))


def test_html_report_is_self_contained_with_every_chart(result, tmp_path):
    html = write_html(result, tmp_path / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,', html)
    n_factors = len(result.inputs.factors)
    assert len(images) == 1 + 3 * n_factors + 1  # periods, 3 per factor, impact histogram
    for heading in (
        "Experience by period",
        "One-way",
        "GLM",
        "Actual vs expected",
        "Proposed tables (draft)",
        "Impact on the in-force book",
        "Percentiles",
    ):
        assert heading in html
    assert "http://" not in html and "https://" not in html
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)


def test_excel_has_a_sheet_per_table(result, tmp_path):
    book = openpyxl.load_workbook(write_excel(result, tmp_path / "study.xlsx"), read_only=True)
    assert {
        "indication",
        "periods",
        "one_way",
        "glm",
        "actual_vs_expected",
        "impact_overall",
        "impact_segments",
        "impact_distribution",
        "flags",
    } <= set(book.sheetnames)
    assert any(name.startswith("draft prop_fire_rate") for name in book.sheetnames)


def test_cli_runs_a_study_and_writes_everything(tiny_book, tables_copy, tmp_path):
    config = study_config(tiny_book, tables=tables_copy)
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json")), encoding="utf-8")
    out = CliRunner().invoke(
        app,
        [
            "run",
            str(path),
            "--html",
            str(tmp_path / "r.html"),
            "--excel",
            str(tmp_path / "r.xlsx"),
            "--tables-out",
            str(tables_copy),
            "--engine",
            "dask",
            "--scheduler",
            "synchronous",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "selected change" in out.output
    assert (tmp_path / "r.html").exists() and (tmp_path / "r.xlsx").exists()
    assert (tables_copy / "prop_fire_rate" / "2027.s1.yaml").exists()


def test_cli_reports_configuration_errors_without_a_traceback(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text("name: x\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["run", str(path)])
    assert out.exit_code == 1
    assert "product" in out.output and "Traceback" not in out.output


def test_synth_writes_a_demo_book_and_config(tmp_path):
    out = CliRunner().invoke(app, ["synth", str(tmp_path / "demo"), "--policies", "500"])
    assert out.exit_code == 0, out.output
    assert {p.name for p in (tmp_path / "demo").iterdir()} == {
        "book.parquet",
        "claims.parquet",
        "truth.yaml",
        "study.yaml",
    }
