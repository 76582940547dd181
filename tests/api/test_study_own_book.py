"""Rate studies on the system's own book: exposure rows and claims read from a tenant's policies,
premium transactions and claims (service, CLI and API job), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from own_book_support import PRODUCT, VALUATION, bind_group_accident, build_book, study_raw
from pydantic import TypeAdapter
from sqlalchemy import func, select
from typer.testing import CliRunner

from api_support import wait_for_job
from sme_insure.cli import app as cli
from sme_insure.errors import ConfigurationError, InputError, PermissionDenied
from sme_insure.http.routes_actuarial import StudyIn
from sme_insure.services.actuarial import premium_transactions_frame
from sme_insure.services.study_data import api_study_config, run_study_on_database, study_frames
from sme_insure.storage.schema import Policy, PremiumTransaction
from sme_insure.studies import parse_study_config
from sme_insure.studies.report import render
from support.paths import ROOT


@pytest.fixture(scope="module")
def book(services):
    return build_book(services, policies=120, seed=3)


@pytest.fixture(scope="module")
def other(services):
    return build_book(services, policies=20, seed=4)


@pytest.fixture(scope="module")
def frames(services, book):
    with services.db.reading() as session:
        return study_frames(session, book.actors["actuary"], PRODUCT, VALUATION)




def test_rows_reconcile_with_premium_transactions(services, book, frames):
    rows, _ = frames
    with services.db.reading() as session:
        total = session.scalar(
            select(func.sum(PremiumTransaction.premium_fen))
            .join(Policy, Policy.id == PremiumTransaction.policy_id)
            .where(Policy.tenant_id == book.actors["actuary"].tenant_id,
                   Policy.product_code == PRODUCT))
        reserving = premium_transactions_frame(session, book.actors["actuary"].tenant_id)
    assert len(book.policies) >= 30 and book.endorsed and book.cancelled and book.claims >= 10
    assert int(rows["written_fen"].sum()) == int(total)
    assert rows["exposure"].sum() == pytest.approx(reserving["exposure"].sum(), abs=1e-9)
    written = rows.loc[rows["transaction_kind"] == "written"]
    assert sorted(written["policy_id"]) == sorted(book.policies)
    assert (written["exposure"] == 1.0).all()  # one-year terms of 365 days
    assert ((written["effective_to"] - written["effective_from"]).dt.days == 364).all()
    assert "persons" not in rows.columns and {"construction", "sum_insured"} <= set(rows.columns)


def test_endorsement_moves_the_remaining_exposure_to_the_new_inputs(frames, book):
    rows, _ = frames
    for number, day in book.endorsed.items():
        mine = rows.loc[rows["policy_id"] == number]
        first = mine.loc[mine["transaction_kind"] == "written"].iloc[0]
        pair = mine.loc[mine["transaction_kind"] == "endorsement"]
        old, new = pair.loc[pair["exposure"] < 0].iloc[0], pair.loc[pair["exposure"] > 0].iloc[0]
        assert old["effective_from"] == new["effective_from"] == pd.Timestamp(day)
        assert old["exposure"] == -new["exposure"]
        assert old["fire_protection"] == first["fire_protection"]
        assert new["fire_protection"] == "sprinklered"
        assert new["sum_insured"] == pytest.approx(first["sum_insured"] * 1.5)


def test_another_tenant_never_appears(services, book, other, frames):
    rows, claims = frames
    assert set(rows["policy_id"]) == set(book.policies)
    assert not set(rows["policy_id"]) & set(other.policies)
    assert set(claims["policy_id"]) <= set(book.policies) and len(claims) >= book.claims
    with services.db.reading() as session:
        theirs, _ = study_frames(session, other.actors["actuary"], PRODUCT, VALUATION)
    assert set(theirs["policy_id"]) == set(other.policies)


def test_a_channel_key_may_not_read_the_book(services, book, client):
    with services.db.reading() as session, pytest.raises(PermissionDenied):
        study_frames(session, book.actors["channel"], PRODUCT, VALUATION)
    body = {"source": "own", "config": study_raw()}
    assert client.post("/v1/studies/runs", json=body,
                       headers=book.headers["channel"]).status_code == 403


def test_schedule_products_are_refused_by_name(services, book):
    bind_group_accident(services, book)
    with services.db.reading() as session, pytest.raises(InputError, match="GROUP_ACCIDENT"):
        study_frames(session, book.actors["actuary"], "GROUP_ACCIDENT", VALUATION)


def test_study_runs_end_to_end_on_the_database(services, book):
    config = parse_study_config(study_raw())
    with services.db.reading() as session:
        result = run_study_on_database(session, services.catalogue, book.actors["actuary"], config)
    html = render(result)
    assert result.inputs.product.code == PRODUCT and PRODUCT in html
    assert int(result.experience.cells["reported"].sum()) == book.claims
    assert result.indication.periods["policy_years"].sum() > 10
    assert result.proposal is not None and result.impact is not None
    assert result.records is not None and set(result.records["policy_id"]) <= set(book.policies)


def test_dask_partitions_by_policy_and_agrees_with_pandas(services, book):
    runs = []
    for engine in ({"kind": "pandas"}, {"kind": "dask", "scheduler": "synchronous", "partitions": 5}):
        config = parse_study_config(study_raw(engine=engine, proposal=None))
        with services.db.reading() as session:
            runs.append(run_study_on_database(session, services.catalogue,
                                              book.actors["actuary"], config))
    pd.testing.assert_frame_equal(runs[0].experience.cells, runs[1].experience.cells)
    assert runs[0].indication.selected == runs[1].indication.selected


def test_a_factor_the_product_lacks_is_a_clear_error(services, book, client):
    raw = study_raw(factors=[{"input": "construction"}, {"input": "roof_colour"}])
    with services.db.reading() as session, pytest.raises(ConfigurationError, match="roof_colour"):
        run_study_on_database(session, services.catalogue, book.actors["actuary"],
                              parse_study_config(raw))
    r = client.post("/v1/studies/runs", json={"source": "own", "config": raw},
                    headers=book.headers["actuary"])
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["config.factors.input"]
    assert "roof_colour" in r.json()["errors"][0]["value"]


@pytest.mark.parametrize(("change", "field"), [
    ({"catalogue": {"products": "/etc"}}, "config.catalogue.products"),
    ({"proposal": {"version": "x1", "effective_from": "2027-10-01", "tables_out": "/tmp/x"}},
     "config.proposal.tables_out"),
    ({"engine": {"kind": "dask", "scheduler": "tcp://10.0.0.5:8786"}}, "config.engine.kind"),
    ({"data": {"book": "book.csv", "claims": "claims.csv"}}, "config.data"),
    ({"product": "NO_SUCH"}, "config.product"),
])
def test_api_configs_name_no_server_files(client, book, change, field):
    r = client.post("/v1/studies/runs", json={"source": "own", "config": study_raw(**change)},
                    headers=book.headers["actuary"])
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]]


def test_api_source_must_be_known(client, book):
    r = client.post("/v1/studies/runs", json={"source": "theirs"}, headers=book.headers["actuary"])
    assert r.status_code == 422


def test_api_job_on_own_book(client, book):
    body = {"source": "own", "config": study_raw()}
    r = client.post("/v1/studies/runs", json=body, headers=book.headers["actuary"])
    assert r.status_code == 202, r.text
    job = wait_for_job(client, book.headers["actuary"], r.json()["job_id"], seconds=180)
    assert job["status"] == "succeeded", job["error"]
    assert PRODUCT in job["result"]["html"] and "GLM" in job["result"]["html"]
    assert yaml.safe_load(job["result"]["config_yaml"])["data"]["source"] == "database"


def test_cli_runs_the_study_on_a_tenant(database, book, tmp_path):
    path = tmp_path / "study.yaml"
    raw = study_raw(catalogue={"products": str(ROOT / "products"),
                               "tables": str(ROOT / "rating_tables")})
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    html = tmp_path / "report.html"
    run = CliRunner().invoke(cli, ["study", "run", str(path), "--database", database.url,
                                   "--tenant", book.tenant, "--html", str(html)])
    assert run.exit_code == 0, run.output
    assert PRODUCT in html.read_text(encoding="utf-8")
    missing = CliRunner().invoke(cli, ["study", "run", str(path), "--database", database.url])
    assert missing.exit_code == 1 and "--tenant" in missing.output


def test_request_example_is_a_valid_own_study(services, book):
    body = json.loads((ROOT / "api" / "examples" / "study-own.json").read_text(encoding="utf-8"))
    parsed = TypeAdapter(StudyIn).validate_python(body)
    config = api_study_config(services.catalogue, book.actors["actuary"], parsed.config)
    assert config.product == PRODUCT and config.data.source == "database"
