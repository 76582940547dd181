"""The audit trail: a full flow over HTTP leaves records with who (key, role), when, what and
why; reading personal data unmasked is recorded; the chain shows a changed, deleted or reordered
record at the right sequence (also through ``sme-insure audit verify``); concurrent appends stay
one chain; a rate-table import is recorded. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading

import pytest
from sqlalchemy import delete, select, text, update
from typer.testing import CliRunner

from api_support import ENTERPRISE, PG_URL, PROPERTY, _fresh_pg, new_customer, new_quote
from sme_insure.audit import link
from sme_insure.cli import audit as audit_cli
from sme_insure.cli import tables as tables_cli
from sme_insure.customers import complete_resident_id
from sme_insure.services import audit
from sme_insure.services.keys import authenticate, create_key
from sme_insure.storage.audit_schema import HEAD_ID, AuditHead, AuditRecord
from sme_insure.storage.database import Database
from sme_insure.storage.schema import Tenant
from sme_insure.tables import to_excel
from support.paths import ROOT

PERSON = complete_resident_id("11010519850307002")
PHONE = "13912345678"


def _actor(services, headers):
    with services.db.reading() as s:
        return authenticate(s, headers["X-API-Key"])


def _records(services, tenant_id):
    with services.db.reading() as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.tenant_id == tenant_id)
                              .order_by(AuditRecord.sequence)))


def _flow(client, keys, clock, services):
    """Customer, quote, bind, endorse, cancel, reinstate, referral, claim; staff reads."""
    person = new_customer(client, keys.channel, kind="natural_person", identifier=PERSON, name="张三",
                          phone=PHONE, industry=None)
    policy = client.post(f"/v1/quotes/{new_quote(client, keys.channel, new_customer(client, keys.channel)['id'])['id']}"
                         "/bind", json={}, headers={**keys.channel, "Idempotency-Key": "audit-bind"}).json()
    pid = policy["id"]
    body = {"effective_date": "2026-04-10", "changes": {"sum_insured": 3_000_000}, "reason": "new machine"}
    assert client.post(f"/v1/policies/{pid}/endorsements", json=body, headers=keys.channel).status_code == 201
    assert client.post(f"/v1/policies/{pid}/cancellations", json={"effective_date": "2026-05-10",
                       "reason": "sold the shop"}, headers=keys.channel).status_code == 201
    assert client.post(f"/v1/policies/{pid}/reinstatement", json={"reason": "changed mind"},
                       headers=keys.channel).status_code == 201
    referred = new_quote(client, keys.channel, new_customer(client, keys.channel)["id"],
                         {**PROPERTY, "construction": "class_3"})
    referral = next(r for r in client.get("/v1/referrals", headers=keys.underwriter).json()
                    if r["quote_id"] == referred["id"])
    assert client.post(f"/v1/referrals/{referral['id']}/decision", json={
        "approve": True, "reason": "sprinklers seen on site"}, headers=keys.underwriter).status_code == 200
    assert client.get(f"/v1/customers/{person['id']}", headers=keys.admin).json()["phone"] == PHONE
    assert client.get(f"/v1/customers/{person['id']}", headers=keys.channel).json()["phone"] != PHONE
    clock["today"] = dt.date(2026, 6, 1)
    claim = client.post("/v1/claims", json={
        "policy_number": policy["number"], "loss_date": "2026-05-25", "place": "杭州", "peril": "fire",
        "estimated_fen": 30_000_000, "description": "fire", "contact_name": "李四",
        "contact_phone": PHONE}, headers=keys.channel).json()
    with services.db.transaction() as s:
        tenant = s.get(Tenant, _actor(services, keys.admin).tenant_id).code
        handler = {"X-API-Key": create_key(s, tenant, "claims_handler").text}
    r = client.post(f"/v1/claims/{claim['id']}/reserve", json={"reserve_fen": 20_000_000,
                    "reason": "survey report"}, headers=handler)
    assert r.status_code == 200, r.text
    return person, policy, referral, claim, handler


def test_a_full_flow_leaves_who_when_what_and_why(client, keys, clock, services):
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    person, policy, referral, claim, handler = _flow(client, keys, clock, services)
    channel, underwriter, admin = (_actor(services, k) for k in (keys.channel, keys.underwriter, keys.admin))
    records = _records(services, channel.tenant_id)
    by = {}
    for r in records:
        by.setdefault((r.action, r.object_type, r.object_id), []).append(r)
    bind = by[("policy.bind", "policy", str(policy["id"]))][0]
    assert (bind.key_id, bind.role, bind.what["number"]) == (channel.key_id, "channel", policy["number"])
    endorse = by[("policy.endorsement", "policy", str(policy["id"]))][0]
    assert endorse.why == "new machine" and endorse.what["premium_fen"] != 0
    assert [r.action for r in records if r.object_id == str(policy["id"]) and r.object_type == "policy"] == [
        "policy.bind", "policy.endorsement", "policy.cancellation", "policy.reinstatement"]
    decided = by[("referral.approved", "referral", str(referral["id"]))][0]
    assert (decided.key_id, decided.role, decided.why) == (underwriter.key_id, "underwriter", "sprinklers seen on site")
    registered = by[("customer.register", "customer", str(person["id"]))]
    assert len(registered) == 1 and registered[0].what["entity_type"] == person["entity_type"]
    read = by[(audit.READ_PERSONAL_DATA, "customer", str(person["id"]))]
    assert [(r.key_id, r.role, r.what) for r in read] == [(admin.key_id, "admin", {"fields": ["identifier", "phone"]})]
    claim_actions = [r.action for r in records if r.object_type == "claim" and r.object_id == str(claim["id"])]
    assert claim_actions[:2] == ["claim.report", "claim.reserve_set"] and "claim.reserve_change" in claim_actions
    assert audit.READ_PERSONAL_DATA in claim_actions  # the handler saw the claim unmasked
    reserved = [r for r in records if r.why == "survey report"]
    assert [(r.action, r.key_id, r.role) for r in reserved] == [
        ("claim.reserve_change", _actor(services, handler).key_id, "claims_handler")]
    keys_made = [r for r in records if r.action == "key.create"]
    assert len(keys_made) >= 7 and {r.role for r in keys_made} == {"system"} and keys_made[0].key_id is None
    assert any(r.action == "quote.create" and r.what["status"] == "referred" for r in records)
    now = dt.datetime.now(dt.UTC)
    for r in records:
        at = r.at if r.at.tzinfo else r.at.replace(tzinfo=dt.UTC)
        assert started - dt.timedelta(minutes=5) <= at <= now  # keys are made just before the flow
    dumped = json.dumps([[r.what, r.why] for r in records], ensure_ascii=False)
    assert PERSON not in dumped and PHONE not in dumped and "张三" not in dumped
    with services.db.reading() as s:
        assert audit.verify_chain(s).broken is None


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def chain_db(request, tmp_path_factory):
    db = Database.sqlite_file(tmp_path_factory.mktemp("audit") / "a.db") if request.param == "sqlite" \
        else _fresh_pg(PG_URL)
    db.migrate()
    yield db
    if request.param == "postgres":
        with Database(PG_URL).engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {db.schema} CASCADE"))
    db.engine.dispose()


def _fresh_chain(db, n=6):
    with db.transaction() as s:
        s.execute(delete(AuditRecord))
        s.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(sequence=0, hash="0" * 64))
    with db.transaction() as s:
        for i in range(1, n + 1):
            audit.record(s, None, "test.step", "thing", i, {"i": i, "on": dt.date(2026, 1, i)}, f"step {i}")


def _verify(db):
    with db.reading() as s:
        return audit.verify_chain(s)


def _swap(s, a, b):
    for old, new in ((a, -1), (b, a), (-1, b)):
        s.execute(update(AuditRecord).where(AuditRecord.sequence == old).values(sequence=new))


TAMPERING = {
    "changed what": (lambda s: s.execute(update(AuditRecord).where(AuditRecord.sequence == 3)
                                         .values(what={"i": 99})), 3, "content"),
    "changed why": (lambda s: s.execute(update(AuditRecord).where(AuditRecord.sequence == 3)
                                        .values(why="nothing to see")), 3, "content"),
    "deleted": (lambda s: s.execute(delete(AuditRecord).where(AuditRecord.sequence == 4)), 5, "missing"),
    "deleted last": (lambda s: s.execute(delete(AuditRecord).where(AuditRecord.sequence == 6)), 6, "missing"),
    "reordered": (lambda s: _swap(s, 2, 3), 2, "does not match"),
    "appended outside": (lambda s: _forge(s), 7, "outside the audit service"),
}


def _forge(s):
    """A well-linked record written straight to the table, past the head."""
    last = s.get(AuditRecord, 6)
    row = AuditRecord(sequence=7, at=dt.datetime.now(dt.UTC), role="admin", action="x", object_type="x",
                      object_id="1", what={}, previous_hash=last.hash, hash="")
    row.hash = link(last.hash, audit.content(row))
    s.add(row)


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampering_is_found_at_the_right_record(chain_db, case):
    _fresh_chain(chain_db)
    assert _verify(chain_db).broken is None and _verify(chain_db).records == 6
    change, sequence, reason = TAMPERING[case]
    with chain_db.transaction() as s:
        change(s)
    broken = _verify(chain_db).broken
    assert broken is not None and broken.sequence == sequence and reason in broken.reason


def test_audit_verify_command(chain_db, monkeypatch):
    _fresh_chain(chain_db)
    monkeypatch.setenv("SME_INSURE_DATABASE_URL", chain_db.url)
    ok = CliRunner().invoke(audit_cli.app, ["verify"])
    assert ok.exit_code == 0 and "intact: 6 records" in ok.output
    with chain_db.transaction() as s:
        s.execute(update(AuditRecord).where(AuditRecord.sequence == 4).values(object_id="42"))
    bad = CliRunner().invoke(audit_cli.app, ["verify"])
    assert bad.exit_code == 1 and "broken at record 4" in bad.output


def test_concurrent_appends_make_one_chain(chain_db):
    _fresh_chain(chain_db, n=0)

    def append(worker):
        for i in range(10):
            with chain_db.transaction() as s:
                audit.record(s, None, "test.concurrent", "thing", f"{worker}-{i}")

    threads = [threading.Thread(target=append, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = _verify(chain_db)
    assert result.broken is None and result.records == result.head_sequence == 60


def test_rate_table_import_is_recorded(chain_db, catalogue, tmp_path, monkeypatch):
    if not chain_db.url.startswith("sqlite"):
        pytest.skip("the command is the same on either database")
    _fresh_chain(chain_db)
    table = catalogue.tables.versions(catalogue.tables.ids()[0])[0]
    to_excel(table, tmp_path / "t.xlsx")
    # the shipped tables without this version: the import must not make `products validate` worse
    shutil.copytree(ROOT / "rating_tables", tmp_path / "tables")
    for written in (tmp_path / "tables" / table.meta.table).glob(f"{table.meta.version}.*"):
        written.unlink()
    monkeypatch.setenv("SME_INSURE_DATABASE_URL", chain_db.url)
    r = CliRunner().invoke(tables_cli.app, ["import", str(tmp_path / "t.xlsx"), "--into", str(tmp_path / "tables"),
                                            "--reason", "annual review"])
    assert r.exit_code == 0, r.output
    with chain_db.reading() as s:
        last = s.scalars(select(AuditRecord).order_by(AuditRecord.sequence.desc())).first()
    assert (last.action, last.object_id, last.why, last.role) == (
        "rate_table.version_written", f"{table.meta.table}@{table.meta.version}", "annual review", "system")
    assert len(last.what["csv_sha256"]) == 64 and last.what["operator"]
    assert _verify(chain_db).broken is None


def test_many_concurrent_staff_reads_are_audited_without_exhausting_connections(client, keys, services):
    """Each read of personal data is recorded after its reading session closes: a read never
    holds two pooled connections, so more concurrent staff reads than the pool has connections
    all finish (they used to wait for the pool while holding the writer lock)."""
    from concurrent.futures import ThreadPoolExecutor

    from sme_insure.http.views import customer_out
    from sme_insure.storage.schema import Customer

    customer = new_customer(client, keys.channel)  # with a phone: personal data for staff
    with services.db.reading() as s:
        admin = authenticate(s, keys.admin["X-API-Key"])

    def count() -> int:
        with services.db.reading() as s:
            return len(s.scalars(select(AuditRecord.sequence).where(
                AuditRecord.action == audit.READ_PERSONAL_DATA,
                AuditRecord.object_id == str(customer["id"]))).all())

    def read(_: int) -> str:
        with services.db.reading() as s:
            return customer_out(s.get(Customer, customer["id"]), admin, services.vault).phone

    before = count()
    with ThreadPoolExecutor(40) as pool:
        phones = list(pool.map(read, range(40), timeout=60))
    assert set(phones) == {ENTERPRISE["phone"]} and count() == before + 40
