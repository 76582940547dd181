"""The database as the migrations build it is what the models say, and the statements of the
everyday flows find their rows by a selective index: never by searching a tenant's whole book
(SQLite has no statistics until ANALYZE, so it may pick ``tenant_id`` over a better index)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import event

from api_support import TODAY, Keys, new_customer, new_quote
from sme_insure.http.app import create_app
from sme_insure.privacy import Vault
from sme_insure.services.context import Services
from sme_insure.storage.database import Database
from sme_insure.storage.schema import Base
from sme_insure.storage.writer_lock import sqlite_path


def test_migrations_build_what_the_models_declare(database):
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


@contextmanager
def _plans(database):
    """Every SELECT, UPDATE and DELETE run inside the block, with SQLite's plan for it."""
    found: list[tuple[str, list[str]]] = []
    explain = sqlite3.connect(sqlite_path(database.url), check_same_thread=False)

    def capture(conn, cursor, statement, params, context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            rows = explain.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
            found.append((" ".join(statement.split()), [r[3] for r in rows]))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        yield found
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
        explain.close()


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory, catalogue):
    """An app on an SQLite file of its own: the plans checked are SQLite's (PostgreSQL keeps
    statistics by itself and plans by them)."""
    database = Database.sqlite_file(tmp_path_factory.mktemp("plans") / "plans.db")
    database.migrate()
    services = Services(database, catalogue, Vault(Fernet.generate_key()), today=lambda: TODAY)
    yield TestClient(create_app(services)), Keys(services), database
    database.engine.dispose()


def test_everyday_statements_use_selective_indexes(sqlite_app):
    client, keys, database = sqlite_app
    with _plans(database) as found:
        customer = new_customer(client, keys.channel)
        quote = new_quote(client, keys.channel, customer["id"])
        policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={},
                             headers={**keys.channel, "Idempotency-Key": f"plans-{quote['id']}"}).json()
        again = new_quote(client, keys.channel, customer["id"])  # duplicate cover: referred
        assert again["decision"] == "refer"
        assert client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel).status_code == 200
        r = client.post(f"/v1/policies/{policy['id']}/endorsements", headers=keys.channel, json={
            "effective_date": "2026-09-10", "changes": {"sum_insured": 3_000_000}, "reason": "machine"})
        assert r.status_code == 201, r.text
        assert client.get(f"/v1/policies/{policy['id']}/transactions", headers=keys.channel).status_code == 200
    assert len(found) > 20
    wide = [(sql, plan) for sql, plan in found for step in plan
            if "_tenant_id " in step or (step.startswith("SCAN ") and "alembic" not in step)]
    assert wide == []
