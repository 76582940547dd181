"""The ``illustrate pension`` command: table, JSON, HTML file, and errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sme_insure.cli.life import illustrate_app
from sme_insure.pension import AdHocContribution, MemberPlan, SleeveSwitch, illustrate

EXAMPLE = Path(__file__).with_name("terms_example.yaml")
runner = CliRunner()
BASE = [
    "pension",
    "--terms",
    str(EXAMPLE),
    "--sex",
    "male",
    "--age",
    "50",
    "--retirement-age",
    "60",
    "--sleeve",
    "steady",
    "--annual",
    "10000",
]


def test_json_matches_the_library(terms):
    args = [*BASE, "--switch", "5:aggressive", "--ad-hoc", "2:6:3000", "--json"]
    result = runner.invoke(illustrate_app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    plan = MemberPlan(
        "member",
        "male",
        50,
        60,
        "steady",
        annual_contribution=10000,
        ad_hoc=(AdHocContribution(2, 6, 3000),),
        switches=(SleeveSwitch(5, "aggressive"),),
    )
    assert data["monthly_pension"] == illustrate(terms, plan).monthly_pension
    assert data["rows"][4]["sleeve"] == "aggressive"
    assert "VAT" in data["vat_note"]


def test_table_output_and_html_file(tmp_path):
    html = tmp_path / "ill.html"
    result = runner.invoke(illustrate_app, [*BASE, "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "monthly pension" in result.output and "VAT" in result.output
    assert "利益演示" in html.read_text(encoding="utf-8")


def test_bad_member_exits_2_listing_issues():
    args = [*BASE[:-4], "--retirement-age", "55", "--sleeve", "steady", "--payout", "fixed_term"]
    result = runner.invoke(illustrate_app, [*args, "--fixed-term", "5"])
    assert result.exit_code == 2
    assert "retirement_age" in result.output and "fixed_term_years" in result.output
    bad_switch = runner.invoke(illustrate_app, [*BASE, "--switch", "five:steady"])
    assert bad_switch.exit_code == 2 and "YEAR:SLEEVE" in bad_switch.output
