"""The pages' forms that must act once carry a one-time signed token (a hidden field made when
the form is shown), used as the web actor's Idempotency-Key: a second click on "Buy" or a
double-submitted claim form shows what the first one made. On SQLite and PostgreSQL, with
the double submit racing on separate clients."""

from __future__ import annotations

import datetime as dt
import random
import re
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api_support import PROPERTY
from sme_insure.customers import complete_uscc
from sme_insure.http.app import create_app
from sme_insure.storage.claims_schema import Claim
from sme_insure.storage.schema import Policy
from sme_insure.web.render import unsign

CLAIM = {"loss_date": "2026-05-25", "peril": "fire", "place": "杭州市西湖区文三路1号",
         "estimated_cny": "8000", "description": "厨房起火", "contact_name": "李四",
         "contact_phone": "13812341234"}


def _web_quote(client) -> str:
    form = {"kind": "individual_business", "identifier": complete_uscc(f"92330100{random.randrange(10**8):08d}"),
            "name": "杭州某小店", "start_date": "2026-04-01", **{k: str(v) for k, v in PROPERTY.items()}}
    quote = client.post("/products/SME_PROPERTY/quote", data=form, follow_redirects=False)
    assert quote.status_code == 303, quote.text
    return quote.headers["location"]


def _token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


def _twice_at_once(services, url: str, form: dict[str, str]) -> list:
    clients = [TestClient(create_app(services)) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda own: own.post(url, data=form, follow_redirects=False), clients))


def _count(services, model, **where) -> int:
    with services.db.reading() as s:
        return s.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_a_second_click_on_buy_shows_the_policy_bought_by_the_first(client, services, clock):
    quote = _web_quote(client)
    form = {"consent": "yes", "form_token": _token(client, quote)}
    first = client.post(quote + "/bind", data=form, follow_redirects=False)
    again = client.post(quote + "/bind", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303, again.text  # was 409 "already bound"
    assert again.headers["location"] == first.headers["location"]
    policy_id = unsign(services, "policy", first.headers["location"].removeprefix("/policies/"))
    with services.db.reading() as s:
        quote_id = s.get(Policy, policy_id).quote_id
    assert _count(services, Policy, quote_id=quote_id) == 1


def test_a_double_click_on_buy_at_once_buys_once(client, services, clock):
    quote = _web_quote(client)
    results = _twice_at_once(services, quote + "/bind", {"consent": "yes", "form_token": _token(client, quote)})
    assert [r.status_code for r in results] == [303, 303], [r.text[:300] for r in results]
    assert results[0].headers["location"] == results[1].headers["location"]


def _web_policy(client, clock) -> str:
    quote = _web_quote(client)
    bound = client.post(quote + "/bind", data={"consent": "yes", "form_token": _token(client, quote)},
                        follow_redirects=False)
    assert bound.status_code == 303, bound.text
    clock["today"] = dt.date(2026, 6, 1)
    return bound.headers["location"]


def test_a_double_submitted_claim_form_records_one_claim(client, services, clock):
    policy = _web_policy(client, clock)
    form = {**CLAIM, "form_token": _token(client, policy + "/claims/new")}
    results = _twice_at_once(services, policy + "/claims", form)
    assert [r.status_code for r in results] == [303, 303], [r.text[:300] for r in results]
    assert results[0].headers["location"] == results[1].headers["location"]
    policy_id = unsign(services, "policy", policy.removeprefix("/policies/"))
    assert _count(services, Claim, policy_id=policy_id) == 1  # was 2, each with a reserve


def test_a_form_with_errors_keeps_its_token_for_the_corrected_submit(client, services, clock):
    policy = _web_policy(client, clock)
    token = _token(client, policy + "/claims/new")
    wrong = client.post(policy + "/claims", data={**CLAIM, "place": "", "form_token": token})
    assert wrong.status_code == 422 and f'value="{token}"' in wrong.text
    fixed = client.post(policy + "/claims", data={**CLAIM, "form_token": token}, follow_redirects=False)
    again = client.post(policy + "/claims", data={**CLAIM, "form_token": token}, follow_redirects=False)
    assert fixed.status_code == again.status_code == 303
    assert fixed.headers["location"] == again.headers["location"]


def test_a_forged_or_borrowed_token_is_refused(client, services, clock):
    other_quote = _web_quote(client)
    policy = _web_policy(client, clock)
    token = _token(client, policy + "/claims/new")
    nonce, _, mac = token.partition(".")
    forged = client.post(policy + "/claims", data={**CLAIM, "form_token": f"{nonce}x.{mac}"})
    assert forged.status_code == 404
    # a Buy token is signed for its own quote only
    borrowed = client.post(other_quote + "/bind", data={"consent": "yes", "form_token": token})
    assert borrowed.status_code == 404
    policy_id = unsign(services, "policy", policy.removeprefix("/policies/"))
    assert _count(services, Claim, policy_id=policy_id) == 0
