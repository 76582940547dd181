"""Claims over HTTP on SQLite and PostgreSQL: fast track, the handled claim from report to
reopening, refusals that record nothing, statutory deadlines on the injectable clock, rows that
reconcile to balances, idempotent and concurrent payments, isolation and masking."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api_support import PROPERTY, new_customer, new_quote
from sme_insure.customers import complete_resident_id, complete_uscc
from sme_insure.http.app import create_app
from sme_insure.reserving.transactions import validate_claim_transactions
from sme_insure.services import claims_settlement
from sme_insure.services.claims_reporting import claim_transactions_frame
from sme_insure.services.documents_store import DiskDocumentStore
from sme_insure.services.keys import authenticate, create_key
from sme_insure.storage.claims_schema import Claim, ClaimDocument, ClaimTransaction
from sme_insure.storage.schema import Tenant

PDF = b"%PDF-1.4\n% claim document\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
DOCS = {"loss_report": PDF, "photos": JPEG, "repair_invoice": PDF + b"invoice"}
CLAIM_DAY = dt.date(2026, 6, 1)
ACCOUNT = "6222 0202 0011 2233 445"


@pytest.fixture(scope="module", autouse=True)
def _documents_on_disk(services, tmp_path_factory):
    services.documents = DiskDocumentStore(tmp_path_factory.mktemp("claim-docs"))


class ClaimKeys:
    """A claims handler and a customer key in the tenant of ``keys`` (shared fixtures untouched)."""

    def __init__(self, services, keys):
        with services.db.transaction() as s:
            tenant = s.get(Tenant, authenticate(s, keys.admin["X-API-Key"]).tenant_id).code
            self.handler = {"X-API-Key": create_key(s, tenant, "claims_handler").text}
            self.customer = {"X-API-Key": create_key(s, tenant, "customer").text}


@pytest.fixture
def ck(services, keys):
    return ClaimKeys(services, keys)


def _policy(client, keys, inputs=None, identifier="91350100M000100Y43", product="SME_PROPERTY"):
    customer = new_customer(client, keys.channel, identifier=identifier)
    quote = new_quote(client, keys.channel, customer["id"], inputs, product=product)
    r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 201, r.text
    return r.json()


def _fnol(policy, **change):
    return {"policy_number": policy["number"], "loss_date": "2026-05-25", "place": "杭州市西湖区文三路1号",
            "peril": "fire", "estimated_fen": 800_000, "description": "厨房起火，联系电话13812345678",
            "contact_name": "李四", "contact_phone": "13812341234", "bank_account": ACCOUNT, **change}


def _report(client, headers, policy, **change):
    r = client.post("/v1/claims", json=_fnol(policy, **change), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _upload(client, headers, claim_id, doc_type, data, name="doc.pdf"):
    return client.post(f"/v1/claims/{claim_id}/documents", data={"doc_type": doc_type},
                       files={"file": (name, data, "application/octet-stream")}, headers=headers)


def _all_documents(client, headers, claim):
    last = None
    for code in claim["documents"]["outstanding"]:
        last = _upload(client, headers, claim["id"], code, DOCS[code])
        assert last.status_code == 201, last.text
    return last.json()["claim"]


def _post(client, headers, claim_id, what, body, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(f"/v1/claims/{claim_id}/{what}", json=body, headers={**headers, **extra})


def _ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def _rows(services, claim_id):
    with services.db.reading() as s:
        return list(s.scalars(select(ClaimTransaction).where(ClaimTransaction.claim_id == claim_id)
                              .order_by(ClaimTransaction.sequence)))


def _reconciles(services, claim):
    """The stored balances are the sums of the claim's rows."""
    rows = _rows(services, claim["id"])
    paid = sum(r.paid_fen for r in rows)
    reserve = sum(r.case_reserve_change_fen for r in rows)
    payments = sum(r.paid_fen for r in rows if r.kind == "payment")
    b = claim["balances"]
    assert (b["paid_fen"], b["reserve_fen"], b["payments_fen"]) == (paid, reserve, payments)
    assert b["incurred_fen"] == paid + reserve
    assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
    return rows


def _counts(services, keys):
    with services.db.reading() as s:
        tenant = authenticate(s, keys.admin["X-API-Key"]).tenant_id
        return tuple(s.scalar(select(func.count()).select_from(m).where(m.tenant_id == tenant))
                     for m in (Claim, ClaimTransaction, ClaimDocument))


def test_small_property_claim_is_fast_tracked_and_paid_in_one_flow(client, keys, clock, services):
    policy = _policy(client, keys)
    clock["today"] = CLAIM_DAY
    claim = _report(client, keys.channel, policy)
    assert claim["number"].startswith("CL2026") and claim["status"] == "open"
    assert claim["cover"]["decision"] == "covered" and claim["coverage"] == "fire"
    assert claim["route"] == "fast_track" and claim["red_flags"] == []
    assert [d["code"] for d in claim["documents"]["required"]] == ["loss_report", "photos", "repair_invoice"]
    assert claim["documents"]["outstanding"] == ["loss_report", "photos", "repair_invoice"]
    assert claim["balances"]["reserve_fen"] == 800_000
    assert claim["contact_phone"] == "138****1234" and claim["bank_account"] == "***************3445"
    assert "13812345678" not in claim["description"]
    paid = _all_documents(client, keys.channel, claim)
    # 8,000 CNY estimate less the policy's 5,000 CNY deductible
    assert paid["status"] == "closed" and paid["agreed_fen"] == 300_000
    assert paid["balances"] == {"payments_fen": 300_000, "recoveries_fen": 0, "paid_fen": 300_000,
                                "reserve_fen": 0, "incurred_fen": 300_000}
    assert paid["report_to_decision_days"] == 0 and paid["report_to_payment_days"] == 0
    assert {t["name"]: t["state"] for t in paid["timers"]} == {"decision": "met", "payment": "met",
                                                             "certain_part": "met"}
    rows = _reconciles(services, paid)
    assert [(r.kind, r.paid_fen, r.case_reserve_change_fen) for r in rows] == [
        ("reserve_set", 0, 800_000), ("reserve_change", 0, -500_000), ("payment", 300_000, -300_000),
        ("close", 0, 0)]
    assert {(r.loss_date, r.report_date, r.transaction_date) for r in rows} == {
        (dt.date(2026, 5, 25), CLAIM_DAY, CLAIM_DAY)}
    again = _upload(client, keys.channel, claim["id"], "photos", JPEG + b"another photo")
    assert again.status_code == 409  # closed: nothing more to upload


def test_handled_claim_from_report_to_reopening(client, keys, ck, clock, services):
    policy = _policy(client, keys)
    clock["today"] = CLAIM_DAY
    claim = _report(client, keys.channel, policy, estimated_fen=30_000_000)
    assert claim["route"] == "handler" and claim["queue"] == "property"
    assert any("fast-track limit" in r for r in claim["triage_reasons"])
    queue = client.get("/v1/claims?queue=property&status=open", headers=ck.handler).json()
    assert claim["id"] in [c["id"] for c in queue["items"]]
    r = _post(client, ck.handler, claim["id"], "assess", {"loss_fen": 1, "reason": "too early"})
    assert r.status_code == 409 and "documents outstanding" in r.json()["detail"]
    claim = _all_documents(client, keys.channel, claim)
    assert claim["status"] == "open" and claim["documents"]["complete_on"] == "2026-06-01"
    c = _ok(_post(client, ck.handler, claim["id"], "reserve",
                  {"reserve_fen": 28_000_000, "reason": "surveyor's first estimate"}))
    assert c["balances"]["reserve_fen"] == 28_000_000 and c["handler_key_id"] is not None
    c = _ok(_post(client, ck.handler, claim["id"], "assess",
                  {"loss_fen": 28_000_000, "salvage_fen": 1_000_000, "reason": "survey report"}))
    # 280,000 − 10,000 salvage − 5,000 deductible = 265,000 CNY
    assert c["agreed_fen"] == 26_500_000 and c["balances"]["reserve_fen"] == 26_500_000
    assert [s["step"] for s in c["assessment"]["steps"]][:3] == ["loss", "net of salvage", "average clause"]
    part = {"amount_fen": 10_000_000, "type": "partial", "reason": "first instalment"}
    first = _ok(_post(client, ck.handler, claim["id"], "payments", part, key="pay-1"))
    retry = _ok(_post(client, ck.handler, claim["id"], "payments", part, key="pay-1"))
    assert first == retry and first["balances"]["payments_fen"] == 10_000_000
    c = _ok(_post(client, ck.handler, claim["id"], "payments",
                  {"amount_fen": 16_500_000, "type": "final", "reason": "balance"}, key="pay-2"))
    assert c["balances"]["reserve_fen"] == 0 and c["balances"]["paid_fen"] == 26_500_000
    c = _ok(_post(client, ck.handler, claim["id"], "recoveries",
                  {"amount_fen": 2_000_000, "kind": "subrogation", "reason": "from the neighbour's insurer"}))
    assert c["balances"]["paid_fen"] == 24_500_000 and c["balances"]["recoveries_fen"] == 2_000_000
    c = _ok(_post(client, ck.handler, claim["id"], "close", {"reason": "settled"}))
    assert c["status"] == "closed"
    clock["today"] = dt.date(2026, 7, 1)
    c = _ok(_post(client, ck.handler, claim["id"], "reopen",
                  {"reason": "hidden damage to the roof", "reserve_fen": 3_000_000}))
    assert c["status"] == "open" and c["balances"]["reserve_fen"] == 3_000_000
    c = _ok(_post(client, ck.handler, claim["id"], "assess",
                  {"loss_fen": 31_000_000, "salvage_fen": 1_000_000, "reason": "roof survey"}))
    assert c["agreed_fen"] == 29_500_000 and c["balances"]["reserve_fen"] == 3_000_000
    c = _ok(_post(client, ck.handler, claim["id"], "payments",
                  {"amount_fen": 3_000_000, "type": "final", "reason": "roof"}, key="pay-3"))
    c = _ok(_post(client, ck.handler, claim["id"], "close", {"reason": "settled again"}))
    rows = _reconciles(services, c)
    assert [r.kind for r in rows] == ["reserve_set", "reserve_change", "reserve_change", "payment", "payment",
                                      "recovery", "close", "reopen", "payment", "close"]
    assert c["balances"] == {"payments_fen": 29_500_000, "recoveries_fen": 2_000_000,
                             "paid_fen": 27_500_000, "reserve_fen": 0, "incurred_fen": 27_500_000}
    txs = client.get(f"/v1/claims/{claim['id']}/transactions", headers=keys.admin).json()
    assert [t["kind"] for t in txs] == [r.kind for r in rows]
    assert txs[-2]["transaction_date"] == "2026-07-01" and txs[-2]["report_date"] == "2026-06-01"


def _refused(client, services, keys, response, status, text):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert text in response.json()["detail"] or any(text in e["reason"] for e in response.json().get("errors", []))


def test_reports_refused_with_nothing_recorded(client, keys, ck, clock, services):
    policy = _policy(client, keys)
    cancelled = _policy(client, keys, identifier=complete_uscc("9133010012345678"))
    r = client.post(f"/v1/policies/{cancelled['id']}/cancellations",
                    json={"effective_date": "2026-05-01", "reason": "shop closed"}, headers=keys.channel)
    assert r.status_code == 201, r.text
    clock["today"] = CLAIM_DAY
    before = _counts(services, keys)
    cases = [
        (keys.channel, _fnol(cancelled), 409, "cancelled from 2026-05-01"),
        (keys.channel, _fnol(policy, loss_date="2026-03-05"), 409, "not in force"),
        (keys.channel, _fnol(policy, loss_date="2026-06-02"), 422, "in the future"),
        (keys.channel, _fnol(policy, peril="theft"), 422, "insured perils"),
        (keys.channel, _fnol(policy, peril="earthquake", coverage="earthquake"), 409, "not bought"),
        (keys.channel, _fnol(policy, bank_account="12ab"), 422, "12 to 30 digits"),
        (keys.other_admin, _fnol(policy), 404, "unknown policy"),
        (keys.channel2, _fnol(policy), 404, "unknown policy"),
        (ck.customer, _fnol(policy), 422, "insured's identifier"),
        (ck.customer, _fnol(policy, insured_identifier=complete_uscc("9133010012345678")), 404, "unknown policy"),
        (keys.actuary, _fnol(policy), 403, "may not report claims"),
    ]
    for headers, body, status, text in cases:
        _refused(client, services, keys, client.post("/v1/claims", json=body, headers=headers), status, text)
    assert _counts(services, keys) == before
    before_cancel = _report(client, keys.channel, cancelled, loss_date="2026-04-20")  # loss before it
    assert before_cancel["cover"]["decision"] == "covered"
    clock["today"] = dt.date(2027, 4, 1)
    r = client.post("/v1/claims", json=_fnol(policy, loss_date="2027-03-15"), headers=keys.channel)
    _refused(client, services, keys, r, 409, "expired")


def test_money_and_documents_refused_with_nothing_recorded(client, keys, ck, clock, services):
    policy = _policy(client, keys, {**PROPERTY, "cover_earthquake": True})
    clock["today"] = CLAIM_DAY
    quake = {"peril": "earthquake", "estimated_fen": 150_000_000, "bank_account": None}
    a = _all_documents(client, keys.channel, _report(client, keys.channel, policy, **quake))
    b = _all_documents(client, keys.channel, _report(client, keys.channel, policy, **quake))
    assess = {"loss_fen": 150_000_000, "reason": "survey"}  # − 10 % = 135,000,000 agreed each
    a = _ok(_post(client, ck.handler, a["id"], "assess", assess))
    b = _ok(_post(client, ck.handler, b["id"], "assess", assess))
    assert a["agreed_fen"] == b["agreed_fen"] == 135_000_000
    before = _counts(services, keys)
    over = _post(client, ck.handler, a["id"], "payments", {"amount_fen": 135_000_001, "type": "partial", "reason": "x"})
    _refused(client, services, keys, over, 409, "exceeds the agreed")
    high = _post(client, ck.handler, a["id"], "reserve", {"reserve_fen": 200_000_001, "reason": "x"})
    _refused(client, services, keys, high, 409, "exceeds the limit")
    for doc, data, text in [("passport", PDF, "not a document of this claim"),
                            ("photos", b"plain text, not an image", "file type not accepted"),
                            ("photos", JPEG + b"\x00" * (10 * 1024 * 1024), "larger than")]:
        _refused(client, services, keys, _upload(client, keys.channel, a["id"], doc, data), 422, text)
    assert _counts(services, keys) == before
    paid_a = _ok(_post(client, ck.handler, a["id"], "payments",
                       {"amount_fen": 135_000_000, "type": "final", "reason": "x"}, key="a-final"))
    # the aggregate limit (2,000,000 CNY) has 65,000,000 fen left for claim b
    before = _counts(services, keys)
    r = _post(client, ck.handler, b["id"], "payments", {"amount_fen": 135_000_000, "type": "final", "reason": "x"})
    _refused(client, services, keys, r, 409, "exceeds the limit")
    r = _post(client, ck.handler, b["id"], "refuse", {"reason": "x", "decided_on": "2026-05-01"})
    _refused(client, services, keys, r, 422, "between the report date")
    _refused(client, services, keys, _post(client, keys.channel, b["id"], "payments",
                                           {"amount_fen": 1, "type": "partial", "reason": "x"}), 403, "may not")
    assert _counts(services, keys) == before
    _ok(_post(client, ck.handler, a["id"], "close", {"reason": "paid"}))
    _ok(_post(client, ck.handler, a["id"], "reopen", {"reason": "customer disputes"}))
    before = _counts(services, keys)
    twice = _post(client, ck.handler, a["id"], "payments",
                  {"amount_fen": 135_000_000, "type": "final", "reason": "x"}, key="again")
    _refused(client, services, keys, twice, 409, "exceeds the agreed")
    retry = _post(client, ck.handler, a["id"], "payments",
                  {"amount_fen": 135_000_000, "type": "final", "reason": "x"}, key="a-final")
    assert retry.status_code == 200 and retry.json() == paid_a  # the first answer, paid once
    assert _counts(services, keys) == before
    c = _ok(_post(client, ck.handler, b["id"], "payments",
                  {"amount_fen": 65_000_000, "type": "partial", "reason": "what the aggregate allows"}))
    assert c["balances"]["payments_fen"] == 65_000_000
    _reconciles(services, c)


def test_statutory_deadlines_on_the_clock(client, keys, ck, clock, services):
    policy = _policy(client, keys)
    clock["today"] = CLAIM_DAY
    slow = _all_documents(client, keys.channel, _report(client, keys.channel, policy, estimated_fen=5_000_000))
    stuck = _all_documents(client, keys.channel, _report(client, keys.channel, policy, estimated_fen=6_000_000))
    refused = _report(client, keys.channel, policy, estimated_fen=7_000_000)
    listed = lambda: {(d["number"], d["timer"], d["state"])  # noqa: E731
                      for d in client.get("/v1/claims/deadlines", headers=ck.handler).json()}
    assert listed() == set()
    clock["today"] = dt.date(2026, 6, 27)  # decision due 2026-07-01
    assert (slow["number"], "decision", "approaching") in listed()
    clock["today"] = dt.date(2026, 7, 3)
    assert {(slow["number"], "decision", "overdue"), (stuck["number"], "decision", "overdue")} <= listed()
    c = _ok(_post(client, ck.handler, slow["id"], "assess", {"loss_fen": 5_000_000, "reason": "agreed"}))
    assert c["report_to_decision_days"] == 32
    assert {t["name"]: t["state"] for t in c["timers"]}["decision"] == "late"
    clock["today"] = dt.date(2026, 7, 10)  # payment due 2026-07-13
    assert (slow["number"], "payment", "approaching") in listed()
    c = _ok(_post(client, ck.handler, slow["id"], "payments",
                  {"amount_fen": 4_500_000, "type": "final", "reason": "agreed amount"}))
    assert c["report_to_payment_days"] == 39
    assert {t["name"]: t["state"] for t in c["timers"]}["payment"] == "met"
    clock["today"] = dt.date(2026, 7, 29)  # 60 days after complete documents: 2026-07-31
    assert (stuck["number"], "certain_part", "approaching") in listed()
    c = _ok(_post(client, ck.handler, stuck["id"], "payments",
                  {"amount_fen": 1_000_000, "type": "advance", "reason": "the certain part"}))
    assert {t["name"]: t["state"] for t in c["timers"]}["certain_part"] == "met"
    c = _ok(_post(client, ck.handler, refused["id"], "refuse",
                  {"reason": "the loss is excluded: wear and tear", "decided_on": "2026-07-25"}))
    assert c["status"] == "refused" and c["balances"]["reserve_fen"] == 0
    assert {t["name"]: t["state"] for t in c["timers"]}["refusal_notice"] == "late"  # 4 days
    assert refused["number"] not in {n for n, _, _ in listed()}
    _reconciles(services, c)


def test_concurrent_payments_never_exceed_reserve_or_limit(client, keys, ck, clock, services):
    policy = _policy(client, keys, {**PROPERTY, "cover_earthquake": True})
    clock["today"] = CLAIM_DAY
    claim = _all_documents(client, keys.channel, _report(client, keys.channel, policy, estimated_fen=10_600_000))
    _ok(_post(client, ck.handler, claim["id"], "assess", {"loss_fen": 10_600_000, "reason": "survey"}))
    body = {"amount_fen": 2_000_000, "type": "partial", "reason": "instalment"}
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: _post(client, ck.handler, claim["id"], "payments", body, key=f"k{i}"),
                                range(8)))
    assert sorted(r.status_code for r in results) == [200] * 5 + [409] * 3, [r.text for r in results]
    with ThreadPoolExecutor(6) as pool:
        same = list(pool.map(lambda _: _post(client, ck.handler, claim["id"], "payments",
                                             {**body, "amount_fen": 1}, key="one-key"), range(6)))
    assert {r.status_code for r in same} == {200} and len({r.text for r in same}) == 1
    final = client.get(f"/v1/claims/{claim['id']}", headers=ck.handler).json()
    assert final["balances"]["payments_fen"] == 10_000_001
    assert _reconciles(services, final)[-1].kind == "payment"
    quake = {"peril": "earthquake", "estimated_fen": 150_000_000, "bank_account": None}
    two = [_all_documents(client, keys.channel, _report(client, keys.channel, policy, **quake)) for _ in range(2)]
    for c in two:
        _ok(_post(client, ck.handler, c["id"], "assess", {"loss_fen": 150_000_000, "reason": "survey"}))
    pay = {"amount_fen": 135_000_000, "type": "final", "reason": "x"}
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda c: _post(client, ck.handler, c["id"], "payments", pay), two))
    assert sorted(r.status_code for r in results) == [200, 409]
    assert "exceeds the limit" in next(r.json()["detail"] for r in results if r.status_code == 409)


def test_isolation_roles_and_masking(client, keys, ck, clock, services):
    policy = _policy(client, keys)
    clock["today"] = CLAIM_DAY
    claim = _report(client, keys.channel, policy, estimated_fen=5_000_000)
    own = _report(client, ck.customer, policy, estimated_fen=100_000, insured_identifier="91350100M000100Y43")
    for path in ("", "/documents", "/transactions"):
        for headers in (keys.other_admin, keys.other_channel, keys.channel2, ck.customer):
            assert client.get(f"/v1/claims/{claim['id']}{path}", headers=headers).status_code == 404
        assert client.get(f"/v1/claims/{claim['id']}{path}", headers=keys.actuary).status_code == 200
    r = _post(client, keys.other_admin, claim["id"], "reserve", {"reserve_fen": 1, "reason": "x"})
    assert r.status_code == 404
    assert _upload(client, keys.other_admin, claim["id"], "photos", JPEG).status_code == 404
    assert _post(client, keys.actuary, claim["id"], "close", {"reason": "x"}).status_code == 403
    mine = client.get("/v1/claims", headers=ck.customer).json()
    assert [c["id"] for c in mine["items"]] == [own["id"]]
    assert client.get("/v1/claims", headers=keys.other_admin).json()["total"] == 0
    full = client.get(f"/v1/claims/{claim['id']}", headers=ck.handler).json()
    assert full["contact_phone"] == "13812341234" and full["bank_account"] == "6222020200112233445"
    assert "13812345678" in full["description"]
    assert own["red_flags"] == [] and own["route"] == "fast_track"


def test_transactions_feed_reserving(client, keys, ck, clock, services):
    policy = _policy(client, keys)
    clock["today"] = CLAIM_DAY
    fast = _all_documents(client, keys.channel, _report(client, keys.channel, policy))
    slow = _report(client, keys.channel, policy, estimated_fen=9_000_000, loss_date="2026-04-01")
    _ok(_post(client, ck.handler, slow["id"], "reserve", {"reserve_fen": 7_000_000, "reason": "survey"}))
    with services.db.reading() as s:
        tenant = authenticate(s, keys.admin["X-API-Key"]).tenant_id
        frame = claim_transactions_frame(s, tenant)
    checked = validate_claim_transactions(frame)
    assert checked.issues == () and len(checked.frame) == len(frame) == 6
    by_claim = frame.groupby("claim_id")[["paid_fen", "case_reserve_change_fen"]].sum()
    assert by_claim.loc[fast["number"]].tolist() == [300_000, 0]
    assert by_claim.loc[slow["number"]].tolist() == [0, 7_000_000]
    assert set(frame["line"]) == {"property"} and set(frame["region"]) == {"35"}


def test_a_crash_mid_payment_leaves_nothing(client, keys, ck, clock, services, monkeypatch):
    policy = _policy(client, keys)
    clock["today"] = CLAIM_DAY
    claim = _all_documents(client, keys.channel, _report(client, keys.channel, policy, estimated_fen=5_000_000))
    _ok(_post(client, ck.handler, claim["id"], "assess", {"loss_fen": 5_000_000, "reason": "survey"}))
    before, state = _counts(services, keys), client.get(f"/v1/claims/{claim['id']}", headers=ck.handler).json()

    def crash(*args, **kwargs):
        raise RuntimeError("power cut after the payment row was written")

    monkeypatch.setattr(claims_settlement, "_paid", crash)
    fragile = TestClient(create_app(services), raise_server_exceptions=False)
    r = _post(fragile, ck.handler, claim["id"], "payments",
              {"amount_fen": 4_500_000, "type": "final", "reason": "x"}, key="crash")
    assert r.status_code == 500 and "power cut" not in r.text
    assert _counts(services, keys) == before
    assert client.get(f"/v1/claims/{claim['id']}", headers=ck.handler).json() == state
    monkeypatch.undo()
    c = _ok(_post(client, ck.handler, claim["id"], "payments",
                  {"amount_fen": 4_500_000, "type": "final", "reason": "x"}, key="crash"))
    assert c["balances"]["paid_fen"] == 4_500_000


def test_group_claim_names_a_person_on_the_schedule(client, keys, ck, clock, services):
    ids = [complete_resident_id(f"1101051990010100{k}") for k in (1, 2)]
    customer = new_customer(client, keys.channel)
    body = {"product": "GROUP_ACCIDENT", "customer_id": customer["id"], "start_date": "2026-03-10",
            "inputs": {"sum_insured": 400000, "cover_accident_medical": False},
            "persons": [{"id_number": ids[0], "name": "王五", "occupational_class": 1}]}
    quote = client.post("/v1/quotes", json=body, headers=keys.channel).json()
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    clock["today"] = CLAIM_DAY
    death = {"peril": "accidental_disability", "estimated_fen": 10_000_000}
    before = _counts(services, keys)
    for person, status in ((None, 422), (ids[0][:-1] + ("1" if ids[0][-1] != "1" else "2"), 422), (ids[1], 409)):
        r = client.post("/v1/claims", json=_fnol(policy, **death, insured_person=person), headers=keys.channel)
        assert r.status_code == status, r.text
    assert _counts(services, keys) == before
    claim = _report(client, keys.channel, policy, **death, insured_person=ids[0])
    assert claim["coverage"] == "death_disability" and claim["insured_person"] == ids[0][:6] + "********" + ids[0][-4:]
    assert claim["cover"]["limits"] == [{"basis": "per_person", "amount_fen": 40_000_000, "used_fen": 0}]
    assert "disability_assessment" in claim["documents"]["outstanding"]
    full = client.get(f"/v1/claims/{claim['id']}", headers=ck.handler).json()
    assert full["insured_person"] == ids[0]


def test_export_credit_indemnity_share_and_waiting_period(client, keys, ck, clock, services):
    inputs = {"insured_turnover": 5_000_000, "payment_method": "da", "credit_period_days": 90,
              "country_grade": 2, "buyer_grade": "B", "buyer_credit_limit": 1_000_000,
              "indemnity_percentage": 90, "declaration": "whole_turnover"}
    policy = _policy(client, keys, inputs, product="EXPORT_CREDIT")
    clock["today"] = CLAIM_DAY
    claim = _report(client, keys.channel, policy, peril="protracted_default", estimated_fen=50_000_000)
    assert claim["waiting_until"] == "2026-09-22"
    assert "waiting period until 2026-09-22" in claim["triage_reasons"]
    for code in claim["documents"]["outstanding"]:
        assert _upload(client, keys.channel, claim["id"], code, PDF + code.encode()).status_code == 201
    c = _ok(_post(client, ck.handler, claim["id"], "assess", {"loss_fen": 50_000_000, "reason": "unpaid invoices"}))
    assert c["agreed_fen"] == 45_000_000  # 90 % indemnity
    early = _post(client, ck.handler, claim["id"], "payments", {"amount_fen": 45_000_000, "type": "final", "reason": "x"})
    assert early.status_code == 409 and "waiting period" in early.json()["detail"]
    clock["today"] = dt.date(2026, 9, 22)
    c = _ok(_post(client, ck.handler, claim["id"], "payments", {"amount_fen": 45_000_000, "type": "final", "reason": "x"}))
    assert c["balances"]["paid_fen"] == 45_000_000


def test_a_cancellation_back_dated_over_a_claim_and_the_claim_reopened(client, keys, ck, clock, services):
    """A withdrawn claim (closed, nothing paid) does not stop a cancellation from before its
    loss; a refused one neither, but it cannot then be reopened on the cover returned; an open
    claim stops it."""
    policy = _policy(client, keys)
    other = _policy(client, keys, identifier=complete_uscc("9135010000000046"))
    clock["today"] = dt.date(2026, 6, 1)
    claim = _report(client, keys.channel, policy, estimated_fen=30_000_000)  # loss 2026-05-25
    cancel = {"effective_date": "2026-05-01", "reason": "sold the shop"}
    r = client.post(f"/v1/policies/{policy['id']}/cancellations", json=cancel, headers=keys.channel)
    assert r.status_code == 409 and "claim for a loss on 2026-05-25" in r.json()["detail"], r.text
    assert _post(client, ck.handler, claim["id"], "refuse", {"reason": "not covered"}).status_code == 200
    r = client.post(f"/v1/policies/{policy['id']}/cancellations", json=cancel, headers=keys.channel)
    assert r.status_code == 201, r.text
    back = _post(client, ck.handler, claim["id"], "reopen", {"reason": "appeal", "reserve_fen": 1_000_000})
    assert back.status_code == 409 and "cancelled from 2026-05-01" in back.json()["detail"], back.text
    withdrawn = _report(client, keys.channel, other, estimated_fen=30_000_000)
    assert _post(client, ck.handler, withdrawn["id"], "close", {"reason": "withdrawn"}).status_code == 200
    r = client.post(f"/v1/policies/{other['id']}/cancellations", json=cancel, headers=keys.channel)
    assert r.status_code == 201, r.text
