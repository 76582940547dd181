"""Migration 0006_idempotency_per_caller: records unique per (tenant, key, caller); existing
records keep their key with caller ''; keys up to 255 characters. On SQLite and PostgreSQL; it
downgrades (one record per tenant and key kept, the oldest)."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import JSON, DateTime, column, insert, inspect, select, table, text
from sqlalchemy.exc import IntegrityError

from api_support import PG_URL, _fresh_pg
from sme_insure.storage.database import Database, alembic_config
from sme_insure.storage.schema import IdempotencyRecord, Tenant

HEAD = "0006_idempotency_per_caller"
BEFORE = table("idempotency_records", column("tenant_id"), column("key"), column("request_hash"),
               column("status_code"), column("response", JSON), column("created_at", DateTime(timezone=True)))
DAY = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def at_0005(request, tmp_path):
    db = Database.sqlite_file(tmp_path / "m.db") if request.param == "sqlite" else _fresh_pg(PG_URL)
    config = alembic_config(db.url)
    command.upgrade(config, "0005")
    yield db, config
    if request.param == "postgres":
        with Database(PG_URL).engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {db.schema} CASCADE"))  # type: ignore[attr-defined]
    db.engine.dispose()


def _record(key: str, caller: str, tenant: int) -> dict:
    return {"tenant_id": tenant, "key": key, "caller": caller, "request_hash": "h" * 64,
            "status_code": 201, "response": {}}


def test_records_become_unique_per_caller_and_downgrade(at_0005):
    db, config = at_0005
    with db.engine.begin() as conn:
        tenant = conn.execute(insert(Tenant.__table__).values(code="t", name="t")).inserted_primary_key[0]
        conn.execute(insert(BEFORE).values(tenant_id=tenant, key="K", request_hash="h" * 64,
                                           status_code=201, response={}, created_at=DAY))
    command.upgrade(config, HEAD)
    records = IdempotencyRecord.__table__
    with db.engine.begin() as conn:
        assert conn.execute(select(records.c.key, records.c.caller)).all() == [("K", "")]
        conn.execute(insert(records).values(_record("K", "key:1", tenant)))
        conn.execute(insert(records).values(_record("K", "key:2", tenant)))
        conn.execute(insert(records).values(_record("k" * 255, "channel:web", tenant)))
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert(records).values(_record("K", "key:1", tenant)))
    with db.engine.connect() as conn:
        assert "ix_idempotency_records_created_at" in {i["name"] for i in inspect(conn).get_indexes("idempotency_records")}
    command.downgrade(config, "0005")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT key, status_code FROM idempotency_records")).all() == [("K", 201)]
        assert "caller" not in {c["name"] for c in inspect(conn).get_columns("idempotency_records")}
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert(BEFORE).values(tenant_id=tenant, key="K", request_hash="h" * 64,
                                           status_code=201, response={}, created_at=DAY))
