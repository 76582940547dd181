"""The system's premium rows as reserving reads them (services.actuarial), on SQLite and
PostgreSQL: exposure in policy-years of the term, segments labelled as the claims are."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from api_support import new_customer, new_quote
from sme_insure.customers import complete_uscc
from sme_insure.services.actuarial import premium_transactions_frame
from sme_insure.storage.schema import Policy


def _bound(client, keys, clock, start: str, **customer):
    clock["today"] = dt.date.fromisoformat(start) - dt.timedelta(days=5)
    c = new_customer(client, keys.channel, **customer)
    quote = new_quote(client, keys.channel, c["id"], start=start)
    r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 201, r.text
    return c, r.json()


def _rows(services, policy_number):
    """The policy's rows, in sequence."""
    with services.db.reading() as session:
        tenant = session.scalar(select(Policy.tenant_id).where(Policy.number == policy_number))
        frame = premium_transactions_frame(session, tenant)
    return frame[frame["policy_id"] == policy_number].sort_values("transaction_date", kind="stable")


def test_a_year_with_29_february_is_one_policy_year(client, keys, clock, services):
    """2027-03-10 – 2028-03-10 is 366 days and one annual premium: 1 policy-year, not
    366/365 = 1.0027. Cancelled from 2027-09-10 (182 of 366 days left): −182/366."""
    _, policy = _bound(client, keys, clock, "2027-03-10")
    clock["today"] = dt.date(2027, 9, 1)
    r = client.post(f"/v1/policies/{policy['id']}/cancellations",
                    json={"effective_date": "2027-09-10", "reason": "sold the shop"}, headers=keys.channel)
    assert r.status_code == 201, r.text
    rows = _rows(services, policy["number"])
    assert rows["exposure"].tolist()[0] == 1.0
    assert abs(rows["exposure"].tolist()[1] - (-182 / 366)) < 1e-12


def test_a_customer_without_size_class_is_blank_as_on_its_claims(client, keys, clock, services):
    """Claims carry the customer's size class as stored (None); the premium rows said "n/a",
    so reserving by size class put the premium and the losses in two segments."""
    identifier = complete_uscc(f"91350100{secrets.randbelow(10**8):08d}")
    customer, policy = _bound(client, keys, clock, "2026-03-10", identifier=identifier,
                              industry=None, employees=None, revenue_cny=None, assets_cny=None)
    assert customer["size_class"] is None, customer
    assert _rows(services, policy["number"])["size_class"].tolist() == [None]
