"""Migration 0004 on PostgreSQL adds the foreign key quotes.renewal_of -> policies.id that 0001
left out. A database with a quote renewing a policy that does not exist (the application never
makes one; a hand-edited or partly restored database may) is refused with the quotes named,
not with a bare integrity error; once corrected, it migrates, and downgrades again."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import insert, inspect, text

from api_support import PG_URL, _fresh_pg
from sme_insure.storage.database import Database, alembic_config
from sme_insure.storage.schema import Customer, Quote, Tenant


@pytest.fixture
def at_0003():
    db = _fresh_pg(PG_URL)
    config = alembic_config(db.url)
    command.upgrade(config, "0003")
    yield db, config
    with Database(PG_URL).engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {db.schema} CASCADE"))  # type: ignore[attr-defined]
    db.engine.dispose()


def _quote_renewing(db: Database, policy_id: int) -> None:
    day = dt.date(2026, 1, 1)
    with db.engine.begin() as conn:
        tenant = conn.execute(insert(Tenant.__table__).values(code="t", name="t")).inserted_primary_key[0]
        customer = conn.execute(insert(Customer.__table__).values(
            tenant_id=tenant, kind="enterprise", identifier_hash="h", identifier_enc="e",
            identifier_check_ok=True, name="n", entity_type="enterprise", details={},
        )).inserted_primary_key[0]
        conn.execute(insert(Quote.__table__).values(
            tenant_id=tenant, customer_id=customer, product_code="SME_PROPERTY", product_version="2026.1",
            status="offered", decision="accept", reasons=[], inputs={}, versions={}, money={},
            worksheet=[], premium_fen=1, start_date=day, end_date=day, valid_until=day,
            renewal_of=policy_id))


def _foreign_keys(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return {fk["name"] for fk in inspect(conn).get_foreign_keys("quotes")}


def test_orphaned_renewal_is_named_then_migrates_once_corrected(at_0003):
    db, config = at_0003
    _quote_renewing(db, 424242)
    with pytest.raises(RuntimeError, match=r"quotes \[\d+\] renew policies that do not exist"):
        command.upgrade(config, "head")
    assert "fk_quotes_renewal_of_policies" not in _foreign_keys(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE quotes SET renewal_of = NULL"))
    command.upgrade(config, "head")
    assert "fk_quotes_renewal_of_policies" in _foreign_keys(db)
    command.downgrade(config, "0003")
    assert "fk_quotes_renewal_of_policies" not in _foreign_keys(db)
