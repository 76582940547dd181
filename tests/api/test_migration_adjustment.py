"""Migration 0005 adds quotes.adjustment and policies.adjustment and backfills them from the
approved referral decisions that gave a loading or discount (on the quote and on the policy
bound from it); an approval without one stays None. On SQLite and PostgreSQL; it downgrades."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select, text

from api_support import PG_URL, _fresh_pg
from sme_insure.storage.database import Database, alembic_config
from sme_insure.storage.schema import Customer, Policy, Quote, Referral, Tenant

DAY = dt.date(2026, 3, 10)


@pytest.fixture(params=["sqlite", "postgres"])
def at_0004(request, tmp_path):
    db = Database.sqlite_file(tmp_path / "m.db") if request.param == "sqlite" else _fresh_pg(PG_URL)
    config = alembic_config(db.url)
    command.upgrade(config, "0004")
    yield db, config
    if request.param == "postgres":
        with Database(PG_URL).engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {db.schema} CASCADE"))  # type: ignore[attr-defined]
    db.engine.dispose()


def _approved(conn, tenant: int, customer: int, decision: dict, bound: bool) -> int:
    quote = conn.execute(insert(Quote.__table__).values(
        tenant_id=tenant, customer_id=customer, product_code="SME_PROPERTY", product_version="2026.1",
        status="bound" if bound else "approved", decision="refer", reasons=[], inputs={}, versions={},
        money={}, worksheet=[], premium_fen=375910, start_date=DAY, end_date=DAY, valid_until=DAY,
    )).inserted_primary_key[0]
    conn.execute(insert(Referral.__table__).values(tenant_id=tenant, quote_id=quote, status="approved",
                                                   decision=decision))
    if bound:
        conn.execute(insert(Policy.__table__).values(
            tenant_id=tenant, number=f"P{quote}", quote_id=quote, customer_id=customer,
            product_code="SME_PROPERTY", product_version="2026.1", line="property", status="issued",
            start_date=DAY, end_date=DAY, inputs={}, versions={}, money={}, annual_premium_fen=375910,
            sequence=1))
    return quote


def test_backfills_the_decisions_loadings_and_downgrades(at_0004):
    db, config = at_0004
    with db.engine.begin() as conn:
        tenant = conn.execute(insert(Tenant.__table__).values(code="t", name="t")).inserted_primary_key[0]
        customer = conn.execute(insert(Customer.__table__).values(
            tenant_id=tenant, kind="enterprise", identifier_hash="h", identifier_enc="e",
            identifier_check_ok=True, name="n", entity_type="enterprise", details={},
        )).inserted_primary_key[0]
        decision = {"approve": True, "reason": "ok", "by_key": 7, "role": "underwriter"}
        loaded = _approved(conn, tenant, customer, {**decision, "loading": 0.2, "discount": 0.0}, True)
        discounted = _approved(conn, tenant, customer, {**decision, "loading": 0.0, "discount": 0.1}, False)
        plain = _approved(conn, tenant, customer, {**decision, "loading": 0.0, "discount": 0.0}, True)
    command.upgrade(config, "head")
    with db.engine.connect() as conn:
        quotes = dict(conn.execute(select(Quote.id, Quote.adjustment)).all())
        policies = dict(conn.execute(select(Policy.quote_id, Policy.adjustment)).all())
    referral_of = dict(_referrals(db))
    assert quotes[loaded] == policies[loaded] == {
        "kind": "loading", "rate": 0.2, "factor": 1.2, "by": "key 7 (underwriter)",
        "referral_id": referral_of[loaded]}
    assert quotes[discounted]["factor"] == 0.9 and quotes[discounted]["kind"] == "discount"
    assert quotes[plain] is None and policies[plain] is None
    command.downgrade(config, "0004")
    with db.engine.connect() as conn:
        assert "adjustment" not in {c["name"] for c in inspect(conn).get_columns("quotes")}
        assert "adjustment" not in {c["name"] for c in inspect(conn).get_columns("policies")}


def _referrals(db: Database) -> list[tuple[int, int]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(Referral.quote_id, Referral.id)).all()]
