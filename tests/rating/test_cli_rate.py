"""`sme-insure rate` and `quote` on files: bad rows reported and good rows rated; a file or an
option that cannot work is one clear error line and exit status 1, never a traceback."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from sme_insure.cli import app

GOOD = {"occupancy_class": "industrial_3", "construction": "class_2", "province": "33",
        "sum_insured": "2000000", "fire_protection": "extinguishers_only", "deductible": "5000"}


def _run(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def test_bad_rows_are_reported_and_good_rows_rated(tmp_path):
    book = tmp_path / "book.csv"
    pd.DataFrame([GOOD, {**GOOD, "construction": "straw"}, GOOD]).to_csv(book, index=False)
    out = tmp_path / "rated.csv"
    r = _run("rate", "SME_PROPERTY", str(book), "-o", str(out), "--as-of", "2026-03-01")
    assert r.exit_code == 0 and "3 rows: 2 rated, 1 with errors" in r.output, r.output
    assert len(pd.read_csv(out)) == 2
    errors = pd.read_csv(tmp_path / "rated.errors.csv")
    assert errors["row"].tolist() == [1] and "straw" in errors.to_csv()


def test_files_and_options_that_cannot_work_are_refused_by_name(tmp_path):
    book = tmp_path / "book.csv"
    pd.DataFrame([GOOD]).to_csv(book, index=False)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    cases = {
        ("rate", "SME_PROPERTY", str(book), "-o", str(tmp_path / "x.xlsx")): "unsupported file type",
        ("rate", "SME_PROPERTY", str(book), "-o", str(tmp_path / "no" / "x.csv")): "does not exist",
        ("rate", "SME_PROPERTY", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "x.csv")): "cannot be read",
        ("rate", "SME_PROPERTY", str(empty), "-o", str(tmp_path / "x.csv")): "is empty",
        ("rate", "SME_PROPERTY", str(book), "-o", str(tmp_path / "x.csv"), "--explain", "9"): "0 to 0",
    }
    for args, message in cases.items():
        r = _run(*args)
        assert r.exit_code == 1 and message in " ".join(r.output.split()), (args, r.output)
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps([GOOD]))
    r = _run("quote", "SME_PROPERTY", "--risk", str(risk))
    assert r.exit_code == 1 and "JSON object" in r.output, r.output
