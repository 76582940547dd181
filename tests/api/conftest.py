"""API fixtures: every test runs on SQLite and on the PostgreSQL server named by
``SME_INSURE_TEST_PG_URL`` (default: this machine's 127.0.0.1:5432, database ``test``)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import text

from sme_insure.http.app import create_app
from sme_insure.privacy import Vault
from sme_insure.services.context import Services
from sme_insure.storage.database import Database


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database(request, tmp_path_factory):
    if request.param == "sqlite":
        db = Database.sqlite_file(tmp_path_factory.mktemp("db") / "test.db")
    else:
        db = _fresh_pg(PG_URL)
    db.migrate()
    yield db
    if request.param == "postgres":
        with Database(PG_URL).engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {db.schema} CASCADE"))  # type: ignore[attr-defined]
    db.engine.dispose()


@pytest.fixture(scope="session")
def services(database, catalogue):
    clock = {"today": TODAY}
    svc = Services(database, catalogue, Vault(Fernet.generate_key()), today=lambda: clock["today"])
    svc.clock = clock  # type: ignore[attr-defined]
    return svc


@pytest.fixture
def clock(services):
    services.clock["today"] = TODAY
    yield services.clock
    services.clock["today"] = TODAY


@pytest.fixture(scope="session")
def client(services):
    return TestClient(create_app(services))


@pytest.fixture
def keys(services):
    return Keys(services)


from api_support import (  # noqa: E402, F401
    ENTERPRISE,
    PG_URL,
    PROPERTY,
    TODAY,
    Keys,
    _fresh_pg,
    new_customer,
    new_quote,
)
