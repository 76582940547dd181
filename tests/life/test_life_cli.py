"""The ``life`` CLI sub-app: values printed as a table or JSON, errors as exit code 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sme_insure.cli.life import app

runner = CliRunner()


def run_json(*args: str) -> list[dict]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_annuity_grid_of_ages_and_rates():
    rows = run_json("annuity", "-t", "SULT", "-a", "65", "-a", "70", "-i", "0.05", "-i", "0.03")
    assert [(r["age"], r["interest"]) for r in rows] == [
        (65, 0.05),
        (65, 0.03),
        (70, 0.05),
        (70, 0.03),
    ]
    assert rows[0]["value"] == pytest.approx(13.5498, abs=5e-5)
    assert rows[1]["value"] > rows[0]["value"]


def test_annuity_deferred_immediate_and_monthly():
    deferred = run_json("annuity", "-a", "45", "-i", "0.05", "--deferral", "20")[0]["value"]
    temporary = run_json("annuity", "-a", "45", "-i", "0.05", "--term", "20")[0]["value"]
    whole = run_json("annuity", "-a", "45", "-i", "0.05")[0]["value"]
    assert deferred + temporary == pytest.approx(whole)
    immediate = run_json("annuity", "-a", "65", "-i", "0.05", "--timing", "immediate", "--m", "12")
    assert immediate[0]["value"] == pytest.approx(13.0860 - 1 / 12, abs=1e-3)


def test_assurance_kinds():
    whole = run_json("assurance", "-a", "65", "-i", "0.05")[0]["value"]
    assert whole == pytest.approx(0.35477, abs=5e-6)
    endow = run_json("assurance", "-a", "65", "-i", "0.05", "--kind", "endowment", "--term", "10")
    term = run_json("assurance", "-a", "65", "-i", "0.05", "--kind", "term", "--term", "10")
    pure = run_json(
        "assurance", "-a", "65", "-i", "0.05", "--kind", "pure-endowment", "--term", "10"
    )
    assert endow[0]["value"] == pytest.approx(term[0]["value"] + pure[0]["value"])


def test_table_shows_metadata_and_values():
    result = runner.invoke(app, ["table", "-t", "CL5", "-a", "60", "-a", "105"])
    assert result.exit_code == 0, result.output
    assert "pymort" in result.output and "0.004660" in result.output
    rows = run_json("table", "-t", "CL5", "-a", "105")
    assert rows[0]["qx"] == 1.0 and rows[0]["e0x"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "args",
    [
        ["annuity", "-a", "130", "-i", "0.05"],
        ["annuity", "-t", "CL9", "-a", "60", "-i", "0.05"],
        ["annuity", "-a", "60", "-i", "0.05", "--term", "5", "--deferral", "5"],
        ["assurance", "-a", "60", "-i", "0.05", "--kind", "term"],
    ],
)
def test_bad_input_exits_2_with_message(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "error" in result.output


def test_insurer_csv_table(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("age,qx\n98,0.5\n99,0.5\n100,1\n")
    rows = run_json("annuity", "--csv", str(path), "-a", "98", "-i", "0")
    assert rows[0]["value"] == pytest.approx(1 + 0.5 + 0.25)
