"""Staff sign-in on the pages, on SQLite and PostgreSQL: the browser keeps a signed session that
expires, never the API key; the cookie is HttpOnly, SameSite=Strict, has a Max-Age and is Secure
over https; sign-in and sign-out posted from another site are refused (login CSRF)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sme_insure.http.app import create_app
from sme_insure.services.keys import authenticate, revoke_key
from sme_insure.web.staff import COOKIE, SESSION_SECONDS, session_token

HERE = {"Origin": "http://testserver"}


@pytest.fixture
def browser(services):
    """A client of its own: its cookies are not shared with other tests."""
    return TestClient(create_app(services))


def _signed_in(browser) -> bool:
    return "sign out" in browser.get("/staff?lang=en").text.lower()


def _login(browser, key, headers=HERE):
    return browser.post("/staff/login", data={"api_key": key}, headers=headers, follow_redirects=False)


def test_the_cookie_holds_a_signed_session_not_the_key(browser, keys, services):
    key = keys.underwriter["X-API-Key"]
    r = _login(browser, key)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and f"Max-Age={SESSION_SECONDS}" in cookie
    assert "Secure" not in cookie  # plain http (the local server on 127.0.0.1) keeps working
    value = browser.cookies[COOKIE]
    _, prefix, secret = key.split("_", 2)  # the secret is URL-safe base64: it may hold "_"
    assert secret not in value and prefix not in value
    assert SESSION_SECONDS == 8 * 3600 and _signed_in(browser)
    assert browser.get("/staff/referrals").status_code == 200


def test_the_cookie_is_secure_over_https(services, keys):
    browser = TestClient(create_app(services), base_url="https://testserver")
    r = _login(browser, keys.underwriter["X-API-Key"], headers={"Origin": "https://testserver"})
    assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_a_forged_expired_or_revoked_session_is_not_signed_in(browser, keys, services):
    with services.db.reading() as s:
        key_id = authenticate(s, keys.underwriter["X-API-Key"]).key_id
    other_id = key_id + 1
    good = session_token(services, key_id)
    expires, kid, mac = good.split(".")
    for forged in (f"{expires}.{other_id}.{mac}",  # another key's id under this signature
                   f"{int(expires) + 3600}.{kid}.{mac}",  # lengthened
                   session_token(services, key_id, now=0),  # expired in 1970
                   keys.underwriter["X-API-Key"],  # the raw key, as the cookie used to hold
                   "garbage"):
        browser.cookies.set(COOKIE, forged)
        assert not _signed_in(browser), forged
    browser.cookies.set(COOKIE, good)
    assert _signed_in(browser)
    with services.db.transaction() as s:
        revoke_key(s, keys.underwriter["X-API-Key"].split("_")[1], "left")
    assert not _signed_in(browser)  # at once: a session's key is read afresh


@pytest.mark.parametrize("headers", [{}, {"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Referer": "https://evil.example/staff"}])
def test_sign_in_from_another_site_is_refused(browser, keys, headers):
    r = _login(browser, keys.underwriter["X-API-Key"], headers=headers)
    assert r.status_code == 403 and "set-cookie" not in r.headers
    assert "from this site" in browser.post("/staff/login?lang=en", data={}, headers=headers).text
    assert not _signed_in(browser)


def test_sign_in_by_referer_and_sign_out_only_from_these_pages(browser, keys):
    assert _login(browser, keys.underwriter["X-API-Key"], headers={"Referer": "http://testserver/staff"}).status_code == 303
    r = browser.post("/staff/logout", headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert r.status_code == 403 and _signed_in(browser)
    r = browser.post("/staff/logout", headers=HERE, follow_redirects=False)
    assert r.status_code == 303 and not _signed_in(browser)


def test_a_negative_loading_on_the_referral_page_is_refused(browser, client, keys, services):
    """The page read the loading with a bare float(): −0.9 passed the authority check (which
    looked at upper limits only) and took 90 % off. Now the service refuses it, for every caller."""
    from api_support import new_customer, new_quote

    customer = new_customer(client, keys.channel, identifier="91350100M000100Y44")  # referred
    quote = new_quote(client, keys.channel, customer["id"])
    referral = next(r for r in client.get("/v1/referrals", headers=keys.underwriter).json()
                    if r["quote_id"] == quote["id"])
    assert _login(browser, keys.underwriter["X-API-Key"]).status_code == 303
    r = browser.post(f"/staff/referrals/{referral['id']}", headers=HERE, follow_redirects=False,
                     data={"approve": "yes", "reason": "x", "loading": "-0.9"})
    assert r.status_code == 422 and "≥ 0" in r.text and f"error-{referral['id']}" in r.text
    after = client.get(f"/v1/quotes/{quote['id']}", headers=keys.channel).json()
    assert (after["status"], after["premium_fen"]) == ("referred", quote["premium_fen"])


def test_behind_a_proxy_that_rewrites_host_the_public_host_is_named(browser, keys, monkeypatch):
    """nginx sends its upstream's address as Host unless told otherwise: the browser's Origin
    then never equals Host, and every sign-in was refused. SME_INSURE_PUBLIC_HOSTS names it."""
    from sme_insure.web import staff

    public = {"Origin": "https://insure.example.cn", "Host": "127.0.0.1:8000"}
    assert _login(browser, keys.underwriter["X-API-Key"], headers=public).status_code == 403
    monkeypatch.setattr(staff, "PUBLIC_HOSTS", {"insure.example.cn"})
    assert _login(browser, keys.underwriter["X-API-Key"], headers=public).status_code == 303
    other = {"Origin": "https://evil.example", "Host": "127.0.0.1:8000"}
    assert _login(browser, keys.underwriter["X-API-Key"], headers=other).status_code == 403
