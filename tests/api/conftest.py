"""API fixtures: every test runs on SQLite and on the PostgreSQL server named by
``SME_INSURE_TEST_PG_URL`` (default: this machine's 127.0.0.1:5432, database ``test``)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import text

from sme_insure.http.app import create_app
from sme_insure.privacy import Vault
from sme_insure.services.context import Services
from sme_insure.services.keys import create_key
from sme_insure.storage.database import Database

TODAY = dt.date(2026, 3, 1)


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


class Keys:
    """Keys of one fresh tenant (and a second tenant for isolation tests)."""

    def __init__(self, services):
        tenant = f"t{uuid.uuid4().hex[:8]}"
        other = f"o{uuid.uuid4().hex[:8]}"
        with services.db.transaction() as s:
            make = lambda t, role, **kw: {"X-API-Key": create_key(s, t, role, **kw).text}  # noqa: E731
            self.admin = make(tenant, "admin")
            self.channel = make(tenant, "channel", channel="web")
            self.channel2 = make(tenant, "channel", channel="partner")
            self.service = make(tenant, "customer_service")
            self.actuary = make(tenant, "actuary")
            self.underwriter = make(tenant, "underwriter", authority={
                "max_sum_insured_fen": 100_000_000_00, "max_loading": 0.5, "max_discount": 0.1})
            self.junior = make(tenant, "underwriter", authority={
                "max_sum_insured_fen": 1_000_000_00, "max_loading": 0.1, "max_discount": 0.0})
            self.other_admin = make(other, "admin")
            self.other_channel = make(other, "channel", channel="web")


@pytest.fixture
def keys(services):
    return Keys(services)


from api_support import ENTERPRISE, PG_URL, PROPERTY, _fresh_pg, new_customer, new_quote  # noqa: E402, F401
