"""A person's requests: export everything held on them, decrypted; erase what need not be kept
(contact phones, their row on schedules no longer in force, documents of claims closed longer
than the retention period), the identifier replaced by a tombstone, policies and transactions
kept; refused while a claim of theirs is open. Over the services (SQLite and PostgreSQL) and
through ``sme-insure privacy export|erase``."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from typer.testing import CliRunner

from api_support import new_customer
from sme_insure.cli import privacy as privacy_cli
from sme_insure.customers import complete_resident_id
from sme_insure.errors import StateError
from sme_insure.privacy import Vault
from sme_insure.services import audit
from sme_insure.services.context import Services
from sme_insure.services.customers import CustomerData, register_customer
from sme_insure.services.documents_store import DiskDocumentStore
from sme_insure.services.keys import authenticate, create_key
from sme_insure.services.privacy_requests import erase_person, export_person
from sme_insure.services.schedule_sealing import unseal_inputs
from sme_insure.storage.audit_schema import AuditRecord
from sme_insure.storage.claims_schema import ClaimTransaction
from sme_insure.storage.database import Database
from sme_insure.storage.schema import Policy, PremiumTransaction, Tenant

PERSON = complete_resident_id("33010619900101003")
OTHER = complete_resident_id("33010619910202004")
PHONE = "13698765432"


@pytest.fixture(scope="module")
def store(services, tmp_path_factory):
    services.documents = DiskDocumentStore(tmp_path_factory.mktemp("privacy-docs"))
    return services.documents


def _world(client, keys, clock, services):
    """An employer's group policy with the person on its schedule, the person as a customer with
    a phone, and an open claim for the person with every document uploaded."""
    employer = new_customer(client, keys.channel)
    body = {"product": "GROUP_ACCIDENT", "customer_id": employer["id"], "start_date": "2026-03-10",
            "inputs": {"sum_insured": 400000, "cover_accident_medical": False},
            "persons": [{"id_number": PERSON, "name": "王五", "occupational_class": 1},
                        {"id_number": OTHER, "name": "赵六", "occupational_class": 1}]}
    quote = client.post("/v1/quotes", json=body, headers=keys.channel).json()
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    person = new_customer(client, keys.channel, kind="natural_person", identifier=PERSON, name="王五",
                          phone=PHONE, industry=None)
    clock["today"] = dt.date(2026, 6, 1)
    claim = client.post("/v1/claims", json={
        "policy_number": policy["number"], "loss_date": "2026-05-25", "place": "工地", "peril": "accidental_disability",
        "estimated_fen": 10_000_000, "description": "fell", "contact_name": "王五", "contact_phone": PHONE,
        "insured_person": PERSON}, headers=keys.channel).json()
    for code in claim["documents"]["outstanding"]:
        r = client.post(f"/v1/claims/{claim['id']}/documents", data={"doc_type": code}, headers=keys.channel,
                        files={"file": ("d.pdf", b"%PDF-1.4 " + uuid.uuid4().bytes, "application/pdf")})
        assert r.status_code == 201, r.text
    with services.db.reading() as s:
        tenant = s.get(Tenant, authenticate(s, keys.admin["X-API-Key"]).tenant_id).code
    return tenant, policy, person, claim


def _export(services, tenant):
    with services.db.transaction() as s:
        return export_person(s, services, tenant=tenant, identifier=PERSON)


def _erase(services, tenant):
    with services.db.transaction() as s:
        return erase_person(s, services, tenant=tenant, identifier=PERSON, reason="request 2026-17")


def _money(services, policy_id, claim_id):
    with services.db.reading() as s:
        premium = [(t.kind, t.premium_fen) for t in s.scalars(
            select(PremiumTransaction).where(PremiumTransaction.policy_id == policy_id))]
        claims = [(t.kind, t.paid_fen, t.case_reserve_change_fen) for t in s.scalars(
            select(ClaimTransaction).where(ClaimTransaction.claim_id == claim_id))]
    return premium, claims


def test_export_then_erase_keeps_what_the_law_requires(client, keys, clock, services, store):
    tenant, policy, person, claim = _world(client, keys, clock, services)
    data = _export(services, tenant)
    assert data["customer"]["identifier"] == PERSON and data["customer"]["phone"] == PHONE
    [held] = data["claims"]
    assert (held["insured_person"], held["contact_phone"]) == (PERSON, PHONE)
    assert len(held["documents"]) >= 1 and not any(d["erased"] for d in held["documents"])
    assert {s.get("policy") or s.get("quote") for s in data["schedules"]} == {policy["number"], policy["quote_id"]}
    assert all(e["name"] == "王五" for s in data["schedules"] for e in s["entries"])

    with pytest.raises(StateError, match=claim["number"]):
        _erase(services, tenant)  # the claim is open: the data is still needed
    handler = {"X-API-Key": _key(services, tenant, "claims_handler")}
    assert client.post(f"/v1/claims/{claim['id']}/close", json={"reason": "withdrawn"}, headers=handler).status_code == 200
    before = _money(services, policy["id"], claim["id"])

    clock["today"] = dt.date(2026, 7, 1)  # the employer's policy is in force, the documents are recent
    first = _erase(services, tenant)
    assert (first["phones_erased"], first["schedules_erased"], first["documents_erased"]) == (2, 0, 0)
    assert first["identifiers_replaced"] == 2  # the customer, and the insured person on the claim
    assert any("on a schedule in force" in k for k in first["kept"])
    assert any("documents kept until 2036-06-01" in k for k in first["kept"])  # closed + 3653 days

    clock["today"] = dt.date(2036, 6, 1)  # expired and past the ten-year retention
    second = _erase(services, tenant)
    assert second["schedules_erased"] == 2 and second["documents_erased"] == len(held["documents"])
    assert _money(services, policy["id"], claim["id"]) == before  # transactions are kept whole
    for doc in held["documents"]:
        assert not (store.root / doc["sha256"][:2] / doc["sha256"][2:4] / doc["sha256"]).exists()

    after = _export(services, tenant)
    text = json.dumps({k: v for k, v in after.items() if k != "identifier"}, ensure_ascii=False, default=str)
    assert PERSON not in text and PHONE not in text
    assert after["customer"]["id"] == person["id"] and after["customer"]["phone"] is None
    assert after["customer"]["identifier"] == f"erased:{first['tombstone']}"
    assert after["claims"][0]["insured_person"].startswith("erased:") and after["claims"][0]["contact_phone"] is None
    assert all(d["erased"] for d in after["claims"][0]["documents"])
    with services.db.reading() as s:
        kept = s.get(Policy, policy["id"])
        persons = unseal_inputs(services.vault, kept.inputs)["persons"]  # stored sealed
        assert [p["name"] for p in persons] == ["[erased]", "赵六"]
        assert persons[1]["id_number"] == OTHER and kept.annual_premium_fen == policy["annual_premium_fen"]
        trail = list(s.scalars(select(AuditRecord).where(AuditRecord.object_id == first["tombstone"])
                              .order_by(AuditRecord.sequence)))
        assert [r.action for r in trail] == ["person.export", "person.erase", "person.erase", "person.export"]
        assert all(r.why for r in trail) and PERSON not in json.dumps([r.what for r in trail])
        assert audit.verify_chain(s).broken is None


def _key(services, tenant, role):
    with services.db.transaction() as s:
        return create_key(s, tenant, role).text


def test_privacy_commands(catalogue, tmp_path, monkeypatch):
    key = Fernet.generate_key()
    url = f"sqlite:///{tmp_path / 'p.db'}"
    for name, value in {"SME_INSURE_DATABASE_URL": url, "SME_INSURE_DATA_KEY": key.decode(),
                        "SME_INSURE_DATA_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    db = Database(url)
    db.migrate()
    services = Services(db, catalogue, Vault(key))
    with db.transaction() as s:
        create_key(s, "acme", "admin")
    with db.transaction() as s:
        actor = authenticate(s, create_key(s, "acme", "channel", channel="web").text)
        register_customer(s, services, actor, CustomerData("natural_person", PERSON, "王五", phone=PHONE))
    run = CliRunner()
    out = run.invoke(privacy_cli.app, ["export", "--identifier", PERSON, "--tenant", "acme"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["customer"]["phone"] == PHONE
    erased = run.invoke(privacy_cli.app, ["erase", "--identifier", PERSON.lower(), "--tenant", "acme"])
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.output)["phones_erased"] == 1
    again = run.invoke(privacy_cli.app, ["export", "--identifier", PERSON, "--tenant", "acme",
                                         "--out", str(tmp_path / "x.json")])
    assert again.exit_code == 0 and PERSON not in again.output
    saved = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert saved["customer"]["phone"] is None and saved["customer"]["identifier"].startswith("erased:")
    missing = run.invoke(privacy_cli.app, ["export", "--identifier", PERSON, "--tenant", "nobody"])
    assert missing.exit_code == 1 and "nobody" in missing.output
    db.engine.dispose()
