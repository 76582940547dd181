"""Migration 0007_customer_channels links each customer to its registering channel and to every
channel that wrote a quote or a policy of it, first seen at the earliest of those; a customer
staff registered gets links only for the channels that wrote its business. On SQLite and
PostgreSQL; it downgrades (the table dropped)."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select, text

from api_support import PG_URL, _fresh_pg
from sme_insure.storage.database import Database, alembic_config
from sme_insure.storage.schema import Customer, CustomerChannel, Policy, Quote, Tenant

BEFORE = "0006_idempotency_per_caller"
DAY = dt.date(2026, 3, 10)


def _at(day: int) -> dt.datetime:
    return dt.datetime(2026, 1, day, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def at_0006(request, tmp_path):
    db = Database.sqlite_file(tmp_path / "m.db") if request.param == "sqlite" else _fresh_pg(PG_URL)
    config = alembic_config(db.url)
    command.upgrade(config, BEFORE)
    yield db, config
    if request.param == "postgres":
        with Database(PG_URL).engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {db.schema} CASCADE"))  # type: ignore[attr-defined]
    db.engine.dispose()


def _customer(conn, tenant: int, key: str, channel: str | None, day: int) -> int:
    return conn.execute(insert(Customer.__table__).values(
        tenant_id=tenant, kind="enterprise", identifier_hash=key, identifier_enc="e",
        identifier_check_ok=True, name="n", entity_type="enterprise", details={}, channel=channel,
        created_at=_at(day))).inserted_primary_key[0]


def _quote(conn, tenant: int, customer: int, channel: str | None, day: int) -> int:
    return conn.execute(insert(Quote.__table__).values(
        tenant_id=tenant, customer_id=customer, product_code="SME_PROPERTY", product_version="2026.1",
        status="quoted", decision="accept", reasons=[], inputs={}, versions={}, money={}, worksheet=[],
        premium_fen=100, start_date=DAY, end_date=DAY, valid_until=DAY, channel=channel,
        created_at=_at(day))).inserted_primary_key[0]


def _policy(conn, tenant: int, customer: int, quote: int, channel: str | None, day: int) -> None:
    conn.execute(insert(Policy.__table__).values(
        tenant_id=tenant, number=f"P{quote}", quote_id=quote, customer_id=customer,
        product_code="SME_PROPERTY", product_version="2026.1", line="property", status="issued",
        start_date=DAY, end_date=DAY, inputs={}, versions={}, money={}, annual_premium_fen=100,
        sequence=1, channel=channel, issued_at=_at(day)))


def _links(db: Database) -> dict[tuple[int, str], tuple[int, dt.datetime]]:
    table = CustomerChannel.__table__
    with db.engine.connect() as conn:
        rows = conn.execute(select(table.c.customer_id, table.c.channel, table.c.tenant_id,
                                   table.c.first_seen)).all()
    return {(c, ch): (t, seen.replace(tzinfo=None) if seen.tzinfo is None else
                      seen.astimezone(dt.UTC).replace(tzinfo=None)) for c, ch, t, seen in rows}


def test_links_registering_and_selling_channels_and_downgrades(at_0006):
    db, config = at_0006
    with db.engine.begin() as conn:
        tenant = conn.execute(insert(Tenant.__table__).values(code="t", name="t")).inserted_primary_key[0]
        other = conn.execute(insert(Tenant.__table__).values(code="o", name="o")).inserted_primary_key[0]
        by_web = _customer(conn, tenant, "h1", "web", 5)
        by_staff = _customer(conn, tenant, "h2", None, 6)
        alone = _customer(conn, other, "h1", "partner", 7)
        # web's customer: a partner quoted it on the 9th and sold it a policy on the 12th
        _quote(conn, tenant, by_web, "partner", 9)
        _policy(conn, tenant, by_web, _quote(conn, tenant, by_web, "partner", 11), "partner", 12)
        # staff's customer: a broker's quotes on the 20th and 8th, a staff quote and policy
        _quote(conn, tenant, by_staff, "broker", 20)
        _quote(conn, tenant, by_staff, "broker", 8)
        _policy(conn, tenant, by_staff, _quote(conn, tenant, by_staff, None, 3), None, 4)
    command.upgrade(config, "head")
    naive = {day: _at(day).replace(tzinfo=None) for day in (5, 7, 8, 9)}
    assert _links(db) == {
        (by_web, "web"): (tenant, naive[5]),
        (by_web, "partner"): (tenant, naive[9]),
        (by_staff, "broker"): (tenant, naive[8]),
        (alone, "partner"): (other, naive[7]),
    }
    command.downgrade(config, BEFORE)
    with db.engine.connect() as conn:
        assert "customer_channels" not in inspect(conn).get_table_names()
    command.upgrade(config, "head")  # and up again, from the same data
    assert len(_links(db)) == 4
