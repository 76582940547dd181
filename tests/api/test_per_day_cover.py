"""Per-day group accident over the API, on SQLite and PostgreSQL: the cover runs the days the
roster buys, not a year (GROUP_ACCIDENT_DAILY states ``policy.term_days_input: days``).

Hand-worked: plan A class 1 costs 1.50 CNY a person-day, the roster minimum is 20.00 CNY.
  two persons × 1 day = 3.00 → 2,000 fen; from 2026-03-10 the cover is [03-10, 03-11).
  Before the fix it ran to 2027-03-10 and a cancellation from 03-11 returned
  2,000 × 364/365 = 1,994.5 → −1,995 fen; claims were accepted all year.
  one person × 30 days + one × 1 day = 45.00 + 1.50 = 46.50 → 4,650 fen, cover to 2026-04-09;
  the one-day person is covered on 03-10 only.
"""

from __future__ import annotations

import datetime as dt

from api_support import new_customer
from sme_insure.customers import complete_resident_id, complete_uscc

START = "2026-03-10"
IDS = [complete_resident_id(f"1101051991020200{k}") for k in (1, 2)]
ONE_DAY = [{"id_number": IDS[0], "name": "张三", "occupational_class": 1},
           {"id_number": IDS[1], "name": "李四", "occupational_class": 1, "days": 1}]
THIRTY = [{"id_number": IDS[0], "name": "张三", "occupational_class": 1, "days": 30},
          {"id_number": IDS[1], "name": "李四", "occupational_class": 1}]


def _quote(client, keys, persons, customer=None, start=START, product="GROUP_ACCIDENT_DAILY",
           inputs=None):
    customer = customer or new_customer(client, keys.channel)
    body = {"product": product, "customer_id": customer["id"], "start_date": start,
            "inputs": inputs or {"plan": "daily_a"}, "persons": persons}
    r = client.post("/v1/quotes", json=body, headers=keys.channel)
    assert r.status_code == 201, r.text
    return r.json()


def _policy(client, keys, persons, **kw):
    quote = _quote(client, keys, persons, **kw)
    r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 201, r.text
    return r.json()


def _cancel(client, keys, policy, effective):
    return client.post(f"/v1/policies/{policy['id']}/cancellations",
                       json={"effective_date": effective, "reason": "job finished"}, headers=keys.channel)


def test_a_one_day_roster_runs_one_day_and_a_thirty_day_roster_thirty(client, keys, clock):
    one = _quote(client, keys, ONE_DAY)
    assert (one["premium_fen"], one["start_date"], one["end_date"]) == (2_000, START, "2026-03-11")
    thirty = _quote(client, keys, THIRTY)
    assert (thirty["premium_fen"], thirty["end_date"]) == (4_650, "2026-04-09")
    customer = new_customer(client, keys.channel)
    body = {"product": "GROUP_ACCIDENT_DAILY", "customer_id": customer["id"], "start_date": START,
            "inputs": {"plan": "daily_a"}, "persons": [{**THIRTY[0], "days": 40}]}
    r = client.post("/v1/quotes", json=body, headers=keys.channel)  # beyond the input's 31 days
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "days", r.text


def test_a_twelve_month_group_product_still_runs_a_year(client, keys, clock):
    persons = [{"id_number": IDS[0], "name": "王五", "occupational_class": 1}]
    quote = _quote(client, keys, persons, product="GROUP_ACCIDENT",
                   inputs={"sum_insured": 400000, "cover_accident_medical": False})
    assert (quote["premium_fen"], quote["end_date"]) == (76_000, "2027-03-10")


def test_the_next_days_roster_is_not_duplicate_cover(client, keys, clock):
    customer = new_customer(client, keys.channel)
    _policy(client, keys, ONE_DAY, customer=customer)
    tomorrow = _quote(client, keys, ONE_DAY, customer=customer, start="2026-03-11")
    assert tomorrow["status"] == "quoted", tomorrow["reasons"]


def test_cancelling_after_the_cover_began_returns_nothing(client, keys, clock):
    one_day = _policy(client, keys, ONE_DAY)
    r = _cancel(client, keys, one_day, "2026-03-11")  # day 2 of a one-day roster: it had ended
    assert r.status_code == 422, r.text
    assert "2026-03-10 – 2026-03-11" in r.text
    assert client.get(f"/v1/policies/{one_day['id']}", headers=keys.channel).json()["status"] == "issued"
    other = new_customer(client, keys.channel, identifier=complete_uscc("9135010000000021"))
    thirty = _policy(client, keys, THIRTY, customer=other)
    r = _cancel(client, keys, thirty, "2026-03-11")  # day 2 of 30: days begun are earned
    assert r.status_code == 201, r.text
    assert (r.json()["premium_fen"], r.json()["vat_fen"]) == (0, 0)
    assert "none after start" in r.json()["reason"]


def test_cancelling_from_the_start_date_returns_everything(client, keys, clock):
    policy = _policy(client, keys, ONE_DAY)
    r = _cancel(client, keys, policy, START)
    assert r.status_code == 201, r.text
    assert r.json()["premium_fen"] == -2_000 and "cover not begun" in r.json()["reason"]


def test_a_roster_is_neither_endorsed_nor_renewed(client, keys, clock):
    policy = _policy(client, keys, THIRTY)
    body = {"effective_date": "2026-03-12", "reason": "one more", "persons": THIRTY[:1]}
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=keys.channel)
    assert r.status_code == 409 and "not endorsed" in r.json()["detail"], r.text
    clock["today"] = dt.date(2026, 4, 1)
    r = client.post(f"/v1/policies/{policy['id']}/renewals", json={}, headers=keys.channel)
    assert r.status_code == 409 and "not renewed" in r.json()["detail"], r.text


def _claim(client, keys, policy, person, loss_date):
    body = {"policy_number": policy["number"], "loss_date": loss_date, "place": "杭州市西湖区文三路1号",
            "peril": "accidental_injury", "estimated_fen": 150_000, "description": "搬运时扭伤",
            "contact_name": "张三", "contact_phone": "13812341234", "insured_person": person}
    return client.post("/v1/claims", json=body, headers=keys.channel)


def test_a_loss_after_the_persons_own_days_is_refused(client, keys, clock):
    policy = _policy(client, keys, THIRTY)
    clock["today"] = dt.date(2026, 4, 20)
    r = _claim(client, keys, policy, IDS[1], "2026-03-11")  # the one-day person, on day 2
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == (f"the insured person was covered under policy {policy['number']} for "
                                  "1 day(s), 2026-03-10 – 2026-03-10; the loss on 2026-03-11 is after "
                                  "their cover")
    r = _claim(client, keys, policy, IDS[1], START)  # within their day
    assert r.status_code == 201, r.text
    assert r.json()["coverage"] == "accident_medical"
    r = _claim(client, keys, policy, IDS[0], "2026-04-08")  # the thirty-day person, on day 30
    assert r.status_code == 201, r.text
    r = _claim(client, keys, policy, IDS[0], "2026-04-09")  # day 31: the policy had ended
    assert r.status_code == 409 and "had expired" in r.json()["detail"], r.text


def test_a_roster_whose_cover_began_is_not_cancelled_back_to_its_start(client, keys, clock):
    """Asked for after the start date, "from the start date" returns nothing (the day was on
    risk, used or not); and no cancellation reaches back over a claimed loss."""
    policy = _policy(client, keys, ONE_DAY)
    clock["today"] = dt.date(2026, 3, 10)  # the roster's day: cover has begun
    r = _cancel(client, keys, policy, START)
    assert r.status_code == 201, r.text
    assert r.json()["premium_fen"] == 0 and "none after start" in r.json()["reason"]
    other = new_customer(client, keys.channel, identifier=complete_uscc("9135010000000038"))
    thirty = _policy(client, keys, THIRTY, customer=other)
    clock["today"] = dt.date(2026, 3, 12)
    assert _claim(client, keys, thirty, IDS[0], "2026-03-11").status_code == 201
    r = _cancel(client, keys, thirty, "2026-03-11")
    assert r.status_code == 409 and "claim for a loss on 2026-03-11" in r.json()["detail"], r.text
    assert _cancel(client, keys, thirty, "2026-03-12").status_code == 201


def test_a_rosters_exposure_is_counted_in_days(client, keys, clock, services):
    """28 days from 2026-02-01 end on 03-01: 28/365 policy-years, not a month's 1/12, in
    reserving's premium rows too."""
    from sqlalchemy import select

    from sme_insure.policies.proration import exposure_years
    from sme_insure.services.actuarial import premium_transactions_frame
    from sme_insure.storage.schema import Policy

    clock["today"] = dt.date(2026, 1, 25)
    roster = [{**THIRTY[0], "days": 28}, THIRTY[1]]
    policy = _policy(client, keys, roster, start="2026-02-01")
    assert policy["end_date"] == "2026-03-01"
    with services.db.reading() as session:
        tenant = session.scalar(select(Policy.tenant_id).where(Policy.id == policy["id"]))
        frame = premium_transactions_frame(session, tenant, services.catalogue)
    [exposure] = frame.loc[frame["policy_id"] == policy["number"], "exposure"].tolist()
    assert abs(exposure - 28 / 365) < 1e-15

    term = (dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    assert exposure_years(*term, term, in_days=True) == 28 / 365
    assert exposure_years(*term, term) == 1 / 12  # a one-month term stated in months
