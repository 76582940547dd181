"""The pages, on SQLite and PostgreSQL: the language switch keeps the page, an expired quote
offers no Buy, upload errors carry their status, and errors outside /v1 are pages, not JSON.
A NaN in an API body is a 422, not a 500 (JSON has no NaN for the error to echo)."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest

from api_support import PROPERTY
from sme_insure.customers import complete_uscc


@pytest.fixture(autouse=True)
def _chinese(client):
    """Each test starts in Chinese: the client is shared and the switch sets a cookie."""
    client.cookies.clear()
    yield
    client.cookies.clear()


def _form(**change):
    return {"kind": "individual_business", "name": "杭州某小店", "start_date": "2026-04-01",
            "identifier": complete_uscc(f"92330100{secrets.randbelow(10**8):08d}"),
            **{k: str(v) for k, v in PROPERTY.items()}, **change}


def _switch(html: str) -> str:
    return re.search(r'<a href="([^"]+)" lang="en">', html).group(1).replace("&amp;", "&")


def test_the_language_switch_keeps_the_page(client, clock):
    r = client.post("/products/SME_PROPERTY/quote", data=_form(compare_by="construction"), follow_redirects=False)
    compare = client.get(r.headers["location"])
    switched = client.get(_switch(compare.text))
    assert switched.status_code == 200 and 'lang="en"' in switched.text
    assert switched.text.count("/quotes/") == compare.text.count("/quotes/")  # the same options
    client.cookies.clear()  # back to Chinese
    failed = client.post("/products/SME_PROPERTY/quote", data=_form(sum_insured="-5"))
    assert failed.status_code == 422 and _switch(failed.text) == "/products/SME_PROPERTY?lang=en"
    assert client.get(_switch(failed.text)).status_code == 200


def test_an_expired_quote_offers_no_buy(client, clock):
    location = client.post("/products/SME_PROPERTY/quote", data=_form(), follow_redirects=False).headers["location"]
    assert "/bind" in client.get(location).text
    clock["today"] = dt.date(2026, 12, 31)
    page = client.get(location)
    assert page.status_code == 200 and "/bind" not in page.text and "报价已过有效期" in page.text


def test_upload_errors_carry_their_status_and_pages_get_pages(client, clock):
    location = client.post("/products/SME_PROPERTY/quote", data=_form(), follow_redirects=False).headers["location"]
    bound = client.post(location + "/bind", data={"consent": "yes"}, follow_redirects=False)
    token = bound.headers["location"].removeprefix("/policies/")
    clock["today"] = dt.date(2026, 6, 1)
    claim = client.post(f"/policies/{token}/claims", follow_redirects=False, data={
        "loss_date": "2026-05-25", "peril": "fire", "place": "杭州", "estimated_cny": "8000",
        "description": "fire", "contact_name": "李四"})
    assert claim.status_code == 303, claim.text
    bad = client.post(claim.headers["location"] + "/documents", data={"doc_type": "nope"},
                      files={"file": ("a.exe", b"MZ\x90\x00" * 50, "application/octet-stream")})
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    huge = client.post(claim.headers["location"] + "/documents", data={"doc_type": "photos"},
                       files={"file": ("big.jpg", b"\xff\xd8\xff" + b"\0" * 13_000_000, "image/jpeg")})
    assert huge.status_code == 413 and "text/html" in huge.headers["content-type"]
    assert "text/html" in client.get("/compare").headers["content-type"]  # q missing: 422 page
    assert client.post("/").status_code == 405 and "text/html" in client.post("/").headers["content-type"]


def test_a_nan_in_an_api_body_is_a_422(client, keys):
    body = ('{"sex": "female", "age": 30, "retirement_age": 60, "sleeve": "steady", '
            '"topup_annual": NaN}')
    r = client.post("/v1/pension/illustrations", content=body,
                    headers={**keys.channel, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["value"] == "nan", r.text


def test_every_staff_menu_link_answers(client, keys):
    r = client.post("/staff/login", data={"api_key": keys.admin["X-API-Key"]},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    try:
        links = re.findall(r'href="(/staff[^"?]*)"', client.get("/staff").text)
        assert links and {link: client.get(link).status_code for link in links} == dict.fromkeys(links, 200)
    finally:
        client.cookies.clear()


def test_compare_offers_buy_only_on_options_that_can_be_bought(client, clock):
    """An option the rules refer or decline is shown with "查看详情" (details), not "确认投保" (buy)."""
    r = client.post("/products/SME_PROPERTY/quote", data=_form(compare_by="occupancy_class"),
                    follow_redirects=False)
    page = client.get(r.headers["location"]).text
    cards = re.findall(r'<p class="status-(\w+)">.*?<a class="button"[^>]*>([^<]+)</a>', page, re.S)
    assert {status for status, _ in cards} - {"quoted"}, cards  # some option is not buyable
    for status, label in cards:
        assert label == ("确认投保" if status in ("quoted", "approved") else "查看详情"), (status, label)


def test_the_quote_form_shows_every_error_at_once(client, clock):
    """A bad start date hid the risk's own errors until it was corrected."""
    r = client.post("/products/SME_PROPERTY/quote", data=_form(start_date="tomorrow", sum_insured="-5"))
    assert r.status_code == 422
    assert re.search(r'id="start_date-error"', r.text) and re.search(r'id="sum_insured-error"', r.text), r.text


def test_a_405_names_the_methods_the_path_takes(client):
    """The routers FastAPI includes were not walked: every 405 sent an empty Allow header."""
    assert client.post("/v1/health").headers["allow"] == "GET"
    assert client.put("/v1/quotes/1/bind").headers["allow"] == "POST"
    assert client.delete("/").headers["allow"] == "GET"
