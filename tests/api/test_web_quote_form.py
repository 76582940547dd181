"""The public quote form (``POST /products/{code}/quote``): one quote or plan options side by
side, on SQLite and PostgreSQL. The business is registered in a unit of work of its own, the
options priced in a reading session and stored together."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select

from api_support import PROPERTY
from sme_insure.customers import complete_uscc
from sme_insure.storage.schema import Customer, Quote
from sme_insure.web.render import web_actor


def _form(**change: str) -> dict[str, str]:
    identifier = complete_uscc(f"92330100{secrets.randbelow(10**8):08d}")
    return {"kind": "individual_business", "identifier": identifier, "name": "杭州某小店",
            "start_date": "2026-04-01", **{k: str(v) for k, v in PROPERTY.items()}, **change}


def _customer_id(services, identifier: str) -> int | None:
    """The web tenant's customer registered under ``identifier`` (looked up by keyed hash)."""
    with services.db.reading() as s:
        return s.scalar(select(Customer.id).where(
            Customer.tenant_id == web_actor(services).tenant_id,
            Customer.identifier_hash == services.vault.lookup_hash(identifier)))


def _quotes_of(services, identifier: str) -> list[Quote]:
    customer_id = _customer_id(services, identifier)
    with services.db.reading() as s:
        return list(s.scalars(select(Quote).where(Quote.customer_id == customer_id).order_by(Quote.id)))


def test_one_quote_is_stored_and_shown(client, services, clock):
    form = _form()
    r = client.post("/products/SME_PROPERTY/quote", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/quotes/")
    [quote] = _quotes_of(services, form["identifier"])
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert f"{quote.premium_fen // 100:,}" in page.text or str(quote.premium_fen // 100) in page.text


def test_plan_options_are_priced_side_by_side(client, services, clock):
    form = _form(compare_by="construction")
    r = client.post("/products/SME_PROPERTY/quote", data=form, follow_redirects=False)
    assert r.status_code == 303
    tokens = re.fullmatch(r"/compare\?q=(.+)", r.headers["location"]).group(1).split(",")
    stored = _quotes_of(services, form["identifier"])
    assert len(tokens) == len(stored) == 3  # class_1, class_2, class_3
    assert [q.inputs["construction"] for q in stored] == ["class_1", "class_2", "class_3"]
    premiums = [q.premium_fen for q in stored]
    assert premiums == sorted(premiums) and len(set(premiums)) == 3  # better construction, less
    assert client.get(r.headers["location"]).status_code == 200


def test_a_refused_risk_stores_no_quote_and_names_the_field(client, services, clock):
    form = _form(sum_insured="-5")
    r = client.post("/products/SME_PROPERTY/quote", data=form, follow_redirects=False)
    assert r.status_code == 422
    assert 'id="sum_insured-error"' in r.text
    assert _quotes_of(services, form["identifier"]) == []
    assert _customer_id(services, form["identifier"]) is not None  # found again next time


def test_an_unknown_comparison_input_is_refused(client, services, clock):
    form = _form(compare_by="sum_insured")  # not a category: nothing to compare
    r = client.post("/products/SME_PROPERTY/quote", data=form, follow_redirects=False)
    assert r.status_code == 422 and 'id="compare_by-error"' in r.text
    assert _quotes_of(services, form["identifier"]) == []
