"""Outputs (DataFrame, CSV, Parquet, JSON, HTML), the estimator contract and the CLI."""

from __future__ import annotations

import base64
import json
import re

import pandas as pd
import pytest
import typer
from reserving_builders import triangle_claims, yearly_premiums
from typer.testing import CliRunner

import sme_insure.reserving as reserving
from sme_insure.cli.reserve import app
from sme_insure.errors import InputError
from sme_insure.reserving import ReservingModel, build_triangles, parse_config, run_reserving
from sme_insure.reserving.report import render_report

CONFIG = {
    "default": {"method": "mack", "basis": "paid"},
    "lines": {
        "cargo": {
            "method": "bornhuetter_ferguson",
            "basis": "paid",
            "apriori_loss_ratio": 0.6,
            "bootstrap": {"n_sims": 200, "percentiles": [0.75, 0.995]},
        }
    },
}


@pytest.fixture(scope="module")
def frames(raa_values) -> tuple[pd.DataFrame, pd.DataFrame]:
    claims = pd.DataFrame(
        triangle_claims(raa_values * 100, 1981, "property", prefix="A")
        + triangle_claims(raa_values * 30, 1981, "cargo", prefix="B")
    )
    premiums = pd.DataFrame(
        yearly_premiums("property", 1981, 1990, 4_000_000_00)
        + yearly_premiums("cargo", 1981, 1990, 1_500_000_00)
    )
    return claims, premiums


@pytest.fixture(scope="module")
def result(frames):
    return run_reserving(*frames, "1990-12-31", ["line"], parse_config(CONFIG))


def test_tables_are_rounded_fen_with_totals(result):
    table = result.table()
    assert table["ultimate_fen"].dtype == "Int64"
    assert set(table["line"]) == {"cargo", "property"}
    assert {"ibnr_p75_fen", "ibnr_p99_5_fen"} <= set(table.columns)
    cargo = table.loc[table["line"] == "cargo"]
    assert cargo["ibnr_p75_fen"].notna().all()
    assert cargo["std_err_fen"].isna().all()  # BF gives no Mack error
    totals = result.totals_table()
    assert list(totals["line"]) == ["cargo", "property", "total"]
    whole = result.to_frame()
    assert (whole["origin"] == "total").sum() == 3


def test_csv_parquet_json(result, tmp_path):
    csv = pd.read_csv(result.write(tmp_path / "r.csv"))
    parquet = pd.read_parquet(result.write(tmp_path / "r.parquet"))
    assert len(csv) == len(parquet) == len(result.to_frame())
    assert csv["ibnr_fen"].sum() == parquet["ibnr_fen"].sum()
    doc = json.loads(result.write(tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["as_of"] == "1990-12-31"
    assert doc["config"]["lines"]["cargo"]["apriori_loss_ratio"] == 0.6
    assert {"origins", "totals", "development", "assumptions", "issues"} <= set(doc)
    with pytest.raises(InputError):
        result.write(tmp_path / "r.xlsx")


def test_html_report_is_self_contained(result):
    html = render_report(result)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 4  # development and ultimates for each of two segments
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r'src="(?!data:)', html)  # nothing fetched from elsewhere
    assert "Link ratios" in html and "background: #" in html  # the heat map
    assert "Selected development factors" in html and "Reported claims" in html


def test_html_escapes_segment_values(frames):
    claims, premiums = frames
    claims = claims.assign(region="<script>x</script>")
    premiums = premiums.assign(region="<script>x</script>")
    html = render_report(run_reserving(claims, premiums, "1990-12-31", ["region"]))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_estimator_contract(frames):
    claims, premiums = frames
    config = parse_config(CONFIG)
    model = ReservingModel(config)
    assert model.config is config
    tri = build_triangles(
        reserving.validate_claim_transactions(claims).frame,
        reserving.validate_premium_transactions(premiums).frame,
        "1990-12-31",
    )
    assert model.fit(tri) is model
    assert {"plans_", "origins_", "totals_", "development_"} <= set(vars(model))


def test_public_api_is_frozen():
    assert set(reserving.__all__) == {
        "CLAIM_COLUMNS", "PREMIUM_COLUMNS", "Averaging", "Basis", "BenchmarkLob",
        "BootstrapConfig", "DevelopmentConfig", "Grain", "Line", "LineConfig", "MethodName",
        "ReservingConfig", "ReservingModel", "ReservingResult", "TailConfig", "TailKind",
        "TransactionKind", "TriangleSet", "ValidatedFrame", "build_triangles", "earned_between",
        "earned_by_origin", "load_config", "parse_config", "read_claim_transactions",
        "read_premium_transactions", "run_reserving", "validate_claim_transactions",
        "validate_premium_transactions",
    }  # fmt: skip
    assert all(hasattr(reserving, name) for name in reserving.__all__)


def _cli_files(frames, tmp_path):
    claims, premiums = frames
    claims.assign(paid_fen=claims["paid_fen"].astype(str)).to_csv(tmp_path / "c.csv", index=False)
    premiums.to_parquet(tmp_path / "p.parquet")
    (tmp_path / "cfg.yaml").write_text("default: {method: mack, basis: paid}\n", encoding="utf-8")
    return ["--transactions", str(tmp_path / "c.csv"), "--premiums", str(tmp_path / "p.parquet")]


def test_cli_as_registered_by_the_lead(frames, tmp_path):
    root = typer.Typer()
    root.add_typer(app, name="reserve")

    @root.command()
    def version() -> None:  # a second command, as the real CLI has
        pass

    files = _cli_files(frames, tmp_path)
    args = [
        "reserve", *files, "--as-of", "1990-12-31", "--by", "line,size_class",
        "--config", str(tmp_path / "cfg.yaml"), "--html", str(tmp_path / "r.html"),
        "--out", str(tmp_path / "r.json"),
    ]  # fmt: skip
    outcome = CliRunner().invoke(root, args)
    assert outcome.exit_code == 0, outcome.output
    assert "52,135.23" in outcome.output  # property IBNR, Mack on RAA
    assert (tmp_path / "r.html").stat().st_size > 10_000
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["by"] == [
        "line",
        "size_class",
    ]


def test_cli_reports_errors_with_exit_code_2(frames, tmp_path):
    files = _cli_files(frames, tmp_path)
    outcome = CliRunner().invoke(app, [*files, "--as-of", "1990-12-31", "--by", "colour"])
    assert outcome.exit_code == 2
    assert "colour" in outcome.output
