"""Insured persons on group schedules are sealed at rest: no clear ID number or name in the
stored quotes, policies and premium-transaction snapshots after quote → bind → endorse; the
record still re-rates to the identical premium, a claim still finds its person, a privacy
export returns the clear data and an erasure removes it, responses still mask, and rows from
before sealing are read as they are and sealed (idempotently) by ``privacy seal-schedules``."""

from __future__ import annotations

import datetime as dt
import json

from cryptography.fernet import Fernet
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from api_support import new_customer
from sme_insure.cli import privacy as privacy_cli
from sme_insure.customers import complete_resident_id
from sme_insure.privacy import Vault
from sme_insure.services import binding, quotes
from sme_insure.services.context import Services
from sme_insure.services.customers import CustomerData, register_customer
from sme_insure.services.keys import authenticate, create_key
from sme_insure.services.privacy_requests import erase_person, export_person
from sme_insure.services.schedule_sealing import (
    seal_stored_schedules,
    unseal_inputs,
    unseal_person,
)
from sme_insure.storage.database import Database
from sme_insure.storage.schema import (
    IdempotencyRecord,
    Policy,
    PremiumTransaction,
    Quote,
    Tenant,
    utcnow,
)

IDS = [complete_resident_id(f"4403051988070700{k}") for k in (1, 2, 3)]
NAMES = ["欧阳明", "司马芳", "Zhang Sanfeng"]
POLICY = {"sum_insured": 400000, "cover_accident_medical": False}
SEALED = ("id_number_enc", "id_number_hash", "name_enc")


def _persons(n):
    return [{"id_number": IDS[k], "name": NAMES[k], "occupational_class": 1} for k in range(n)]


def _bound(client, keys, n=2):
    customer = new_customer(client, keys.channel)
    body = {"product": "GROUP_ACCIDENT", "customer_id": customer["id"], "start_date": "2026-03-10",
            "inputs": POLICY, "persons": _persons(n)}
    quote = client.post("/v1/quotes", json=body, headers=keys.channel)
    assert quote.status_code == 201, quote.text
    policy = client.post(f"/v1/quotes/{quote.json()['id']}/bind", json={}, headers=keys.channel)
    assert policy.status_code == 201, policy.text
    return quote.json(), policy.json()


def _raw(services, policy_id, quote_id):
    """The stored JSON of the quote, the policy and its transactions, read with plain SQL."""
    queries = [("SELECT inputs, worksheet FROM quotes WHERE id = :q", {"q": quote_id}),
               ("SELECT inputs FROM policies WHERE id = :p", {"p": policy_id}),
               ("SELECT inputs_after FROM premium_transactions WHERE policy_id = :p", {"p": policy_id})]
    with services.db.reading() as s:
        cells = [cell for sql, args in queries for row in s.execute(text(sql), args) for cell in row]
    values = [json.loads(c) if isinstance(c, str) else c for c in cells]
    return json.dumps(values, ensure_ascii=False)


def _assert_sealed(raw):
    for secret in [*IDS, *NAMES]:
        assert secret not in raw and secret.lower() not in raw


def test_stored_schedules_hold_no_clear_ids_or_names(client, keys, clock, services):
    quote, policy = _bound(client, keys)
    body = {"effective_date": "2026-06-10", "reason": "hired one", "persons": _persons(3)}
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=keys.channel)
    assert r.status_code == 201, r.text
    raw = _raw(services, policy["id"], quote["id"])
    _assert_sealed(raw)
    with services.db.reading() as s:
        stored = s.get(Policy, policy["id"]).inputs["persons"]
        assert all(set(SEALED) <= set(p) for p in stored) and stored[2]["name"] == "Z" + "*" * 12
        assert stored[0]["id_number"] == IDS[0][:6] + "*" * 8 + IDS[0][-4:]
        assert unseal_inputs(services.vault, s.get(Policy, policy["id"]).inputs)["persons"] == _persons(3)


def test_stored_idempotent_responses_are_sealed(client, keys, clock, services):
    """An admin binding with an Idempotency-Key sees the schedule in clear; the response kept
    for retries is encrypted at rest, and a retry still gets it back in full."""
    customer = new_customer(client, keys.admin)
    body = {"product": "GROUP_ACCIDENT", "customer_id": customer["id"], "start_date": "2026-03-10",
            "inputs": POLICY, "persons": _persons(2)}
    quote = client.post("/v1/quotes", json=body, headers=keys.admin).json()
    headers = {**keys.admin, "Idempotency-Key": f"seal-{quote['id']}"}
    first = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=headers)
    assert first.status_code == 201, first.text
    assert IDS[0] in first.text  # the admin's role sees personal data
    with services.db.reading() as s:
        stored = s.execute(text("SELECT response FROM idempotency_records WHERE key = :k"),
                           {"k": headers["Idempotency-Key"]}).scalar_one()
    _assert_sealed(stored if isinstance(stored, str) else json.dumps(stored, ensure_ascii=False))
    again = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()


def test_rerating_a_sealed_record_gives_the_identical_premium(client, keys, clock, services):
    quote, policy = _bound(client, keys, n=3)
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", headers=keys.channel, json={
        "effective_date": "2026-05-10", "reason": "one left", "persons": _persons(2)})
    assert r.status_code == 201, r.text
    with services.db.reading() as s:
        stored_policy = s.get(Policy, policy["id"])
        for stored in (s.get(Quote, quote["id"]), stored_policy):
            assert "id_number_enc" in stored.inputs["persons"][0]
            assert quotes.rerate(services, stored).money == stored.money
        assert stored_policy.annual_premium_fen < quote["premium_fen"]  # the endorsed schedule


def _claim(client, keys, policy, person):
    return client.post("/v1/claims", headers=keys.channel, json={
        "policy_number": policy["number"], "loss_date": "2026-05-25", "place": "工地",
        "peril": "accidental_disability", "estimated_fen": 1_000_000, "description": "fell",
        "contact_name": "联系人", "insured_person": person})


def test_claim_finds_the_person_on_a_sealed_schedule(client, keys, clock, services):
    _, policy = _bound(client, keys)
    clock["today"] = dt.date(2026, 6, 1)
    found = _claim(client, keys, policy, IDS[1].lower())
    assert found.status_code == 201, found.text
    assert found.json()["insured_person"] == IDS[1][:6] + "*" * 8 + IDS[1][-4:]
    full = client.get(f"/v1/claims/{found.json()['id']}", headers=keys.admin).json()
    assert full["insured_person"] == IDS[1]
    missing = _claim(client, keys, policy, IDS[2])
    assert missing.status_code == 409 and "not on the policy's schedule" in missing.text


def _tenant(services, keys):
    with services.db.reading() as s:
        return s.get(Tenant, authenticate(s, keys.admin["X-API-Key"]).tenant_id).code


def test_privacy_export_returns_the_clear_row_and_erase_removes_it(client, keys, clock, services):
    quote, policy = _bound(client, keys)
    tenant = _tenant(services, keys)
    with services.db.transaction() as s:
        data = export_person(s, services, tenant=tenant, identifier=IDS[0])
    entries = [e for sched in data["schedules"] for e in sched["entries"]]
    assert len(entries) == 2 and all(e == _persons(1)[0] for e in entries)  # clear, nothing sealed
    clock["today"] = dt.date(2027, 4, 1)  # the policy has expired
    with services.db.transaction() as s:
        report = erase_person(s, services, tenant=tenant, identifier=IDS[0], reason="request 17")
    assert report["schedules_erased"] == 2
    raw = _raw(services, policy["id"], quote["id"])
    _assert_sealed(raw)
    with services.db.reading() as s:
        stored = s.get(Policy, policy["id"]).inputs["persons"]
        assert "id_number_enc" not in stored[0] and "name_enc" not in stored[0]
        assert [unseal_person(services.vault, p)["name"] for p in stored] == ["[erased]", NAMES[1]]
    with services.db.transaction() as s:
        again = export_person(s, services, tenant=tenant, identifier=IDS[0])
    assert {e["name"] for sched in again["schedules"] for e in sched["entries"]} == {"[erased]"}
    assert IDS[0] not in json.dumps({k: v for k, v in again.items() if k != "identifier"}, default=str)


def test_responses_mask_and_never_carry_sealed_fields(client, keys, clock, services):
    quote, policy = _bound(client, keys)
    masked = IDS[0][:6] + "*" * 8 + IDS[0][-4:]
    shown = [client.get(f"/v1/quotes/{quote['id']}", headers=keys.channel).json(),
             client.get(f"/v1/policies/{policy['id']}", headers=keys.channel).json(),
             client.post(f"/v1/policies/{policy['id']}/renewals", json={}, headers=keys.channel).json()]
    for body in [quote, policy, *shown]:
        assert body["inputs"]["persons"][0] == {"id_number": masked, "name": NAMES[0], "occupational_class": 1}
    assert shown[2]["premium_fen"] > 0 and shown[2]["renewal_of"] == policy["id"]
    full = client.get(f"/v1/policies/{policy['id']}", headers=keys.admin).json()
    assert full["inputs"]["persons"] == _persons(2)
    listed = client.get("/v1/policies", headers=keys.admin).text
    document = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel).text
    for out in (json.dumps([quote, policy, *shown, full]), listed, document):
        assert not any(f in out for f in SEALED)
    assert masked in document and IDS[0] not in document and NAMES[0] in document


def _unseal_in_place(services, policy_id, quote_id):
    """Write the rows back in clear, as a database from before sealing holds them."""
    with services.db.transaction() as s:
        q, p = s.get(Quote, quote_id), s.get(Policy, policy_id)
        clear_ws = [{**r, "description": NAMES[r["step"]]} if r.get("kind") == "person" else r
                    for r in q.worksheet]
        s.execute(update(Quote).where(Quote.id == quote_id).values(
            inputs=unseal_inputs(services.vault, q.inputs), worksheet=clear_ws))
        s.execute(update(Policy).where(Policy.id == policy_id).values(
            inputs=unseal_inputs(services.vault, p.inputs)))
        s.execute(update(PremiumTransaction).where(PremiumTransaction.policy_id == policy_id).values(
            inputs_after=unseal_inputs(services.vault, p.inputs)))


def test_rows_from_before_sealing_are_read_and_then_sealed_once(client, keys, clock, services):
    quote, policy = _bound(client, keys)
    _unseal_in_place(services, policy["id"], quote["id"])
    assert IDS[0] in _raw(services, policy["id"], quote["id"])
    shown = client.get(f"/v1/policies/{policy['id']}", headers=keys.channel).json()["inputs"]["persons"]
    assert shown[0]["id_number"] == IDS[0][:6] + "*" * 8 + IDS[0][-4:] and shown[0]["name"] == NAMES[0]
    with services.db.reading() as s:
        assert quotes.rerate(services, s.get(Policy, policy["id"])).premium_fen == policy["annual_premium_fen"]
    clock["today"] = dt.date(2026, 6, 1)
    assert _claim(client, keys, policy, IDS[0]).status_code == 201

    first = seal_stored_schedules(services.db, services.vault, batch_size=2)
    assert first["quotes"] >= 1 and first["policies"] >= 1 and first["premium_transactions"] >= 1
    _assert_sealed(_raw(services, policy["id"], quote["id"]))
    assert seal_stored_schedules(services.db, services.vault) == {
        "quotes": 0, "policies": 0, "premium_transactions": 0}
    full = client.get(f"/v1/policies/{policy['id']}", headers=keys.admin).json()
    assert full["inputs"]["persons"] == _persons(2)


def test_seal_schedules_command(catalogue, tmp_path, monkeypatch):
    key = Fernet.generate_key()
    url = f"sqlite:///{tmp_path / 's.db'}"
    for name, value in {"SME_INSURE_DATABASE_URL": url, "SME_INSURE_DATA_KEY": key.decode(),
                        "SME_INSURE_DATA_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    db = Database(url)
    db.migrate()
    services = Services(db, catalogue, Vault(key), today=lambda: dt.date(2026, 3, 1))
    with db.transaction() as s:
        actor = authenticate(s, create_key(s, "acme", "channel", channel="web").text)
        customer, _ = register_customer(s, services, actor, CustomerData(
            "enterprise", "91350100M000100Y43", "福州某制造有限公司", industry="C13", employees=15,
            revenue_cny=2_000_000, assets_cny=1_000_000))
        quote = quotes.create_quote(s, services, actor, product_code="GROUP_ACCIDENT", customer_id=customer.id,
                                    inputs={**POLICY, "persons": _persons(2)}, start_date=dt.date(2026, 3, 10))
        policy = binding.bind(s, services, actor, quote.id)
        s.flush()
        ids = policy.id, quote.id
    _unseal_in_place(services, *ids)
    clear_response = {"id": ids[0], "persons": _persons(2)}  # kept for retries before sealing
    with db.transaction() as s:
        s.add(IdempotencyRecord(tenant_id=actor.tenant_id, key="old", caller="", request_hash="h" * 64,
                                status_code=201, response=clear_response))
    run = CliRunner()
    out = run.invoke(privacy_cli.app, ["seal-schedules"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {"quotes": 1, "policies": 1, "premium_transactions": 1,
                                      "idempotency_records": 1}
    _assert_sealed(_raw(services, *ids))
    with db.reading() as s:
        stored = s.execute(text("SELECT response FROM idempotency_records")).scalar_one()
    _assert_sealed(stored if isinstance(stored, str) else json.dumps(stored, ensure_ascii=False))
    again = run.invoke(privacy_cli.app, ["seal-schedules", "--batch-size", "1"])
    assert json.loads(again.output) == {"quotes": 0, "policies": 0, "premium_transactions": 0,
                                        "idempotency_records": 0}
    db.engine.dispose()


def test_idempotency_records_expire(services, keys):
    from sme_insure.services.idempotency import expire_records

    with services.db.reading() as s:
        tenant = authenticate(s, keys.admin["X-API-Key"]).tenant_id
    old = utcnow() - dt.timedelta(days=8)
    with services.db.transaction() as s:
        s.add_all([IdempotencyRecord(tenant_id=tenant, key=f"exp-{k}", caller="key:1", request_hash="h" * 64,
                                     status_code=201, response={}, created_at=at)
                   for k, at in (("old", old), ("new", utcnow()))])
    assert expire_records(services.db, days=7) >= 1
    with services.db.reading() as s:
        left = set(s.scalars(select(IdempotencyRecord.key).where(IdempotencyRecord.key.like("exp-%"))))
    assert left == {"exp-new"}


def test_a_person_row_claiming_to_be_sealed_is_refused(client, keys, clock, services):
    """A client cannot smuggle a clear ID past sealing by sending the sealed fields itself."""
    customer = new_customer(client, keys.channel)
    for key in SEALED:
        persons = _persons(2)
        persons[1][key] = "x"
        body = {"product": "GROUP_ACCIDENT", "customer_id": customer["id"],
                "start_date": "2026-03-10", "inputs": POLICY, "persons": persons}
        r = client.post("/v1/quotes", json=body, headers=keys.channel)
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == [{"field": key, "value": "…", "row": 1, "reason": (
            "reserved for the stored (sealed) schedule; allowed: the person's fields of the product")}]
    with services.db.reading() as s:
        stored = s.execute(text("SELECT inputs FROM quotes WHERE customer_id = :c"),
                           {"c": customer["id"]}).all()
    assert stored == []
