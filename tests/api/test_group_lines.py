"""Group lines over the API: a schedule of insured persons, roll-up, roster endorsement and the
reference's class 1 → 2 example, with ID numbers masked for the channel."""

from __future__ import annotations

from api_support import new_customer
from sme_insure.customers import complete_resident_id

IDS = [complete_resident_id(f"1101051990010100{k}") for k in (1, 2, 3)]
POLICY = {"sum_insured": 400000, "cover_accident_medical": False}


def _quote(client, keys, persons):
    customer = new_customer(client, keys.channel)
    body = {"product": "GROUP_ACCIDENT", "customer_id": customer["id"], "start_date": "2026-03-10",
            "inputs": POLICY, "persons": persons}
    return client.post("/v1/quotes", json=body, headers=keys.channel)


def test_schedule_quote_bind_and_class_change(client, keys, clock):
    r = _quote(client, keys, [{"id_number": IDS[0], "name": "王五", "occupational_class": 1}])
    assert r.status_code == 201, r.text
    quote = r.json()
    assert quote["premium_fen"] == 76_000  # 400,000 × 1.9 ‰
    assert quote["inputs"]["persons"][0]["id_number"] == "110105********0011"[:6] + "********" + IDS[0][-4:]
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    body = {"effective_date": "2026-06-10", "reason": "promoted to field work",
            "persons": [{"id_number": IDS[0], "name": "王五", "occupational_class": 2}]}
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=keys.channel)
    assert r.status_code == 201, r.text
    # (960 − 760) × 273/365 days = 149.59 → 14,959 fen (× 9/12 exactly would be 150)
    assert r.json()["premium_fen"] == 14_959
    full = client.get(f"/v1/policies/{policy['id']}", headers=keys.admin).json()
    assert full["inputs"]["persons"][0]["id_number"] == IDS[0]


def test_bulk_roster_change_adds_and_removes_persons(client, keys, clock):
    persons = [{"id_number": i, "name": f"p{n}", "occupational_class": 1} for n, i in enumerate(IDS[:2])]
    quote = _quote(client, keys, persons).json()
    assert quote["premium_fen"] == 152_000
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    roster = [persons[0], {"id_number": IDS[2], "name": "new", "occupational_class": 1},
              {"id_number": IDS[1], "name": "p1", "occupational_class": 1}][:3]
    r = client.post(f"/v1/policies/{policy['id']}/endorsements",
                    json={"effective_date": "2026-09-10", "reason": "hired one", "persons": roster},
                    headers=keys.channel)
    assert r.status_code == 201
    # + 760 × 181/365 = 376.88 → 37,688 fen
    assert r.json()["premium_fen"] == 37_688


def test_invalid_persons_are_all_listed_by_row(client, keys, clock):
    bad = IDS[1][:-1] + ("0" if IDS[1][-1] != "0" else "1")
    r = _quote(client, keys, [
        {"id_number": IDS[0], "name": "ok", "occupational_class": 1},
        {"id_number": bad, "name": "typo", "occupational_class": 1},
        {"id_number": IDS[0], "name": "twice", "occupational_class": 1},
        {"id_number": IDS[2], "name": "miner", "occupational_class": 7},
    ])
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert {e["row"] for e in errors} >= {1, 2, 3}
    assert any(e["field"] == "occupational_class" and e["row"] == 3 for e in errors)
    assert all(IDS[1] not in str(e["value"]) for e in errors)  # masked in errors too


def test_schedule_document_has_a_certificate_per_person(client, keys, clock):
    persons = [{"id_number": i, "name": f"p{n}", "occupational_class": 1} for n, i in enumerate(IDS)]
    quote = _quote(client, keys, persons).json()
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    html = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel).text
    assert html.count("保险凭证 Certificate") == 3
    assert IDS[0] not in html and IDS[0][:6] + "********" + IDS[0][-4:] in html


def test_pension_illustration(client, keys, clock):
    body = {"sex": "female", "age": 35, "retirement_age": 60, "sleeve": "steady",
            "monthly_contribution": 500}
    r = client.post("/v1/pension/illustrations", json=body, headers=keys.channel)
    assert r.status_code == 200, r.text
    out = r.json()
    assert set(out["monthly_pension"]) == {"low", "medium", "high"}
    assert out["monthly_pension"]["low"] <= out["monthly_pension"]["medium"] <= out["monthly_pension"]["high"]
    assert len(out["rows"]) == 25
    r = client.post("/v1/pension/illustrations", json={**body, "retirement_age": 55}, headers=keys.channel)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "retirement_age"
