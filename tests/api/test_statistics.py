"""SME statistics reconcile to the stored rows; a channel sees its own figures only."""

from __future__ import annotations

import datetime as dt

import pytest

from api_support import PROPERTY, new_customer, new_quote
from sme_insure.services.documents_store import DiskDocumentStore
from sme_insure.statistics import parse_period

PDF, JPEG = b"%PDF-1.4\n%x\n", b"\xff\xd8\xff\xe0" + b"\x00" * 64
DOCS = {"loss_report": PDF, "photos": JPEG, "repair_invoice": PDF + b"i"}


@pytest.fixture(scope="module", autouse=True)
def _documents(services, tmp_path_factory):
    services.documents = DiskDocumentStore(tmp_path_factory.mktemp("stats-docs"))


def _policy(client, headers, identifier, **inputs):
    customer = new_customer(client, headers, identifier=identifier)
    quote = new_quote(client, headers, customer["id"], {**PROPERTY, **inputs})
    return client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=headers).json()


def _fast_track_claim(client, headers, policy):
    body = {"policy_number": policy["number"], "loss_date": "2026-05-25", "place": "杭州",
            "peril": "fire", "estimated_fen": 800_000, "description": "fire", "contact_name": "李四",
            "contact_phone": "13812341234", "bank_account": "6222020200112233445"}
    claim = client.post("/v1/claims", json=body, headers=headers).json()
    for code in claim["documents"]["outstanding"]:
        r = client.post(f"/v1/claims/{claim['id']}/documents", data={"doc_type": code},
                        files={"file": ("d", DOCS[code], "application/octet-stream")}, headers=headers)
    return r.json()["claim"]


def test_statistics_reconcile_to_rows(client, keys, clock):
    a = _policy(client, keys.channel, "91350100M000100Y43")
    b = _policy(client, keys.channel2, "914403001922038216", sum_insured=1_000_000)
    clock["today"] = dt.date(2026, 6, 1)
    paid = _fast_track_claim(client, keys.channel, a)
    assert paid["status"] == "closed"
    r = client.get("/v1/statistics?period=2026&by=channel", headers=keys.admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert any("earned" in d for d in body["definitions"])
    rows = {row["channel"]: row for row in body["rows"]}
    tx = {p["id"]: client.get(f"/v1/policies/{p['id']}/transactions", headers=keys.admin).json()
          for p in (a, b)}
    assert rows["web"]["written_premium_fen"] == sum(t["premium_fen"] for t in tx[a["id"]])
    assert rows["partner"]["written_premium_fen"] == sum(t["premium_fen"] for t in tx[b["id"]])
    assert rows["web"]["sum_insured_fen"] == 200_000_000
    assert rows["web"]["claims_reported"] == 1 and rows["web"]["claims_paid_fen"] == 300_000
    assert rows["web"]["decided_within_30d"] == 1 and rows["web"]["paid_within_10d_of_agreement"] == 1
    assert rows["partner"]["claims_reported"] == 0 and rows["partner"]["outstanding_fen"] == 0
    # earned in 2026: written premium × days of cover in 2026 / 365 (policies start 2026-03-10)
    period = parse_period("2026")
    days = (period.end - dt.date(2026, 3, 10)).days
    assert rows["web"]["earned_premium_fen"] == round(a["money"]["premium"] * days / 365)
    mine = client.get("/v1/statistics?period=2026&by=channel", headers=keys.channel).json()
    assert [row["channel"] for row in mine["rows"]] == ["web"]
    csv = client.get("/v1/statistics?period=2026Q2&by=line&format=csv", headers=keys.admin)
    assert csv.headers["content-type"].startswith("text/csv") and "written_premium_fen" in csv.text
    html = client.get("/v1/statistics?period=2026&by=line&format=html", headers=keys.admin).text
    assert "data:image/png;base64" in html and "Definitions" in html


def test_bad_period_and_dimension(client, keys):
    r = client.get("/v1/statistics?period=2026Q5", headers=keys.admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "period"
    r = client.get("/v1/statistics?period=2026&by=colour", headers=keys.admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "by"


def test_sum_insured_is_the_one_in_force_at_the_period_end(client, keys, clock):
    """An endorsement from 2026-07-01 (2m → 3m) leaves 2026-Q2's figure at 2m and makes Q3's 3m.
    A customer's industry is shown by its GB/T 4754 section (C13 → C), never a bare "n"."""
    policy = _policy(client, keys.channel, "91350100M000100Y43")
    clock["today"] = dt.date(2026, 6, 20)
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", headers=keys.channel, json={
        "effective_date": "2026-07-01", "changes": {"sum_insured": 3_000_000}, "reason": "new stock"})
    assert r.status_code == 201, r.text

    def figure(period: str) -> dict:
        r = client.get(f"/v1/statistics?period={period}&by=industry", headers=keys.channel)
        assert r.status_code == 200, r.text
        return {row["industry"]: row["sum_insured_fen"] for row in r.json()["rows"]}

    assert figure("2026Q2") == {"C": 200_000_000}
    assert figure("2026Q3") == {"C": 300_000_000}


def test_an_industry_code_is_shown_by_its_section():
    from sme_insure.services.statistics import industry_section

    assert [industry_section(c) for c in ("C13", "c", "13", "4510", "5211", None, "")] == [
        "C", "C", "C", "D", "F", "n/a", "n/a"]
