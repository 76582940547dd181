"""The public claim form (``POST /policies/{token}/claims``), on SQLite and PostgreSQL: it is
checked by the API's own schema, every field's error shown next to it (422) with nothing
recorded, and the estimate typed in CNY becomes fen rounded half up."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from api_support import PROPERTY
from sme_insure.customers import complete_uscc
from sme_insure.storage.claims_schema import Claim
from sme_insure.web.render import unsign


def _web_policy(client, services) -> tuple[str, int]:
    """A policy bought on the pages from 2026-04-01: its link token and id."""
    form = {"kind": "individual_business", "identifier": complete_uscc(f"92330100{random.randrange(10**8):08d}"),
            "name": "杭州某小店", "start_date": "2026-04-01", **{k: str(v) for k, v in PROPERTY.items()}}
    quote = client.post("/products/SME_PROPERTY/quote", data=form, follow_redirects=False)
    assert quote.status_code == 303, quote.text
    bound = client.post(quote.headers["location"] + "/bind", data={"consent": "yes"}, follow_redirects=False)
    assert bound.status_code == 303, bound.text
    token = bound.headers["location"].removeprefix("/policies/")
    return token, unsign(services, "policy", token)


def _claims(services, policy_id: int) -> list[Claim]:
    with services.db.reading() as s:
        return list(s.scalars(select(Claim).where(Claim.policy_id == policy_id)))


def _claim_form(**change: str) -> dict[str, str]:
    return {"loss_date": "2026-05-25", "peril": "fire", "place": "杭州市西湖区文三路1号",
            "estimated_cny": "8000", "description": "厨房起火", "contact_name": "李四",
            "contact_phone": "13812341234", **change}


@pytest.fixture
def web_policy(client, services, clock):
    token, policy_id = _web_policy(client, services)
    clock["today"] = dt.date(2026, 6, 1)
    return token, policy_id


@pytest.mark.parametrize(("change", "field"), [
    ({"estimated_cny": "-100"}, "estimated_cny"),
    ({"estimated_cny": "nan"}, "estimated_cny"),
    ({"estimated_cny": "inf"}, "estimated_cny"),
    ({"estimated_cny": "1e400"}, "estimated_cny"),
    ({"estimated_cny": "1e12"}, "estimated_cny"),  # over the API's 10^13 fen
    ({"estimated_cny": "八千"}, "estimated_cny"),
    ({"contact_phone": "12345"}, "contact_phone"),
    ({"contact_phone": "23812341234"}, "contact_phone"),
    ({"loss_date": "25/05/2026"}, "loss_date"),
    ({"place": ""}, "place"),
])
def test_a_bad_field_is_shown_next_to_it_and_nothing_is_recorded(client, services, web_policy, change, field):
    token, policy_id = web_policy
    r = client.post(f"/policies/{token}/claims", data=_claim_form(**change), follow_redirects=False)
    assert r.status_code == 422, r.text[:300]
    assert f'id="{field}-error"' in r.text
    assert _claims(services, policy_id) == []


def test_every_bad_field_is_shown_at_once(client, services, web_policy):
    token, policy_id = web_policy
    r = client.post(f"/policies/{token}/claims", follow_redirects=False,
                    data=_claim_form(estimated_cny="-1", contact_phone="110", contact_name=""))
    assert r.status_code == 422
    assert all(f'id="{f}-error"' in r.text for f in ("estimated_cny", "contact_phone", "contact_name"))
    assert _claims(services, policy_id) == []


def test_the_estimate_in_cny_becomes_fen_rounded_half_up(client, services, web_policy):
    token, policy_id = web_policy
    # 10.125 CNY is exactly 1,012.5 fen: half up gives 1,013 (round() would give the even 1,012)
    r = client.post(f"/policies/{token}/claims", data=_claim_form(estimated_cny=" 10.125 ", contact_phone=""),
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/claims/")
    [claim] = _claims(services, policy_id)
    assert claim.estimated_fen == 1_013 and claim.contact_phone_enc is None
