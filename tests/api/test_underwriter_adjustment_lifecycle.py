"""An underwriter's loading or discount is recorded on the quote and the policy and re-applied by
every rating of the risk: the approval, re-rating, endorsements. A renewal is underwritten
again. Figures hand-worked from the shipped tables (tests/rating/test_underwriter_adjustment.py
works the same risks at the engine)."""

from __future__ import annotations

import math

import pytest

from api_support import new_customer, new_quote
from sme_insure.errors import InputError
from sme_insure.money import to_fen
from sme_insure.services.keys import authenticate_key
from sme_insure.services.quotes import rerate
from sme_insure.services.referrals import decide
from sme_insure.storage.schema import Policy, Quote, Referral

BAD_USCC = "91350100M000100Y44"  # wrong check character: referred (USCC_CHECK) and nothing else
HAZARDOUS_PL = {"premises_category": "flammable_manufacturing", "area_m2": 100,
                "limit_per_occurrence": 500000}


def _referral(client, keys, quote_id):
    return next(r for r in client.get("/v1/referrals", headers=keys.underwriter).json()
                if r["quote_id"] == quote_id)


def _approve(client, keys, quote, **adjustment):
    referral = _referral(client, keys, quote["id"])
    r = client.post(f"/v1/referrals/{referral['id']}/decision",
                    json={"approve": True, "reason": "surveyed", **adjustment}, headers=keys.underwriter)
    assert r.status_code == 200, r.text
    return r.json()["quote"]


def _loaded_property_quote(client, keys):
    customer = new_customer(client, keys.channel, identifier=BAD_USCC)
    quote = new_quote(client, keys.channel, customer["id"])
    assert quote["status"] == "referred" and quote["premium_fen"] == 313258
    return _approve(client, keys, quote, loading=0.2)


def _adjustment_rows(worksheet):
    return [w for w in worksheet if w["kind"] == "underwriter_adjustment"]


def test_loading_is_a_worksheet_step_and_rerating_reproduces_it(client, keys, services, clock):
    """Fire 2,591.0775 × 1.2 = 3,109.293 → 310,929 fen; natcat 541.50 × 1.2 = 649.80 → 64,980;
    premium 375,909 fen. (Loading the rounded coverage fen gave 375,910, and the stored
    worksheet still ended at 3,132.58 while re-rating gave 313,258.)"""
    quote = _loaded_property_quote(client, keys)
    assert quote["premium_fen"] == 375909
    assert (quote["money"]["premium_fire"], quote["money"]["premium_natcat"]) == (310929, 64980)
    rows = _adjustment_rows(quote["worksheet"])
    assert [(r["coverage"], r["figure"], r["before"]) for r in rows] == [
        ("fire", 1.2, pytest.approx(2591.0775)), ("natcat", 1.2, 541.5)]
    assert rows[0]["description"].startswith("underwriter loading 20 % by key ")
    assert quote["worksheet"][-1]["after"] == 3759.09
    assert quote["adjustment"]["kind"] == "loading" and quote["adjustment"]["factor"] == 1.2
    with services.db.transaction() as s:
        assert rerate(services, s.get(Quote, quote["id"])).premium_fen == 375909


def test_no_change_endorsement_of_a_loaded_policy_charges_nothing(client, keys, services, clock):
    """Deductible 5,000 → 5,000 on 2026-09-10: the re-rated premium is 375,909 again, so 0 is
    charged (the loading was dropped: −31,069 fen returned and the annual premium 313,258)."""
    quote = _loaded_property_quote(client, keys)
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    assert policy["annual_premium_fen"] == 375909 and policy["adjustment"] == quote["adjustment"]
    body = {"effective_date": "2026-09-10", "changes": {"deductible": 5000}, "reason": "no real change"}
    r = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=keys.channel)
    assert r.status_code == 201, r.text
    assert (r.json()["premium_fen"], r.json()["vat_fen"], r.json()["annual_premium_after_fen"]) == (
        0, 0, 375909)
    with services.db.transaction() as s:
        assert rerate(services, s.get(Policy, policy["id"])).premium_fen == 375909


def test_an_endorsement_re_rates_with_the_loading(client, keys, services, clock):
    """Sum insured 2m → 3m: every coverage of the new risk loaded 20 % before rounding."""
    quote = _loaded_property_quote(client, keys)
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    body = {"effective_date": "2026-03-10", "changes": {"sum_insured": 3_000_000}, "reason": "more stock"}
    row = client.post(f"/v1/policies/{policy['id']}/endorsements", json=body, headers=keys.channel).json()
    unloaded = client.post("/v1/quotes", json={
        "product": "SME_PROPERTY", "customer_id": new_customer(client, keys.channel)["id"],
        "start_date": "2026-03-10", "inputs": {**quote["inputs"], "sum_insured": 3_000_000}},
        headers=keys.channel).json()
    amounts = {w["coverage"]: w["after"] for w in unloaded["worksheet"] if w["coverage"] != "policy"}
    assert row["annual_premium_after_fen"] == to_fen(amounts["fire"] * 1.2) + to_fen(amounts["natcat"] * 1.2)
    assert row["premium_fen"] == row["annual_premium_after_fen"] - 375909  # whole term: pro rata 1


def test_loading_goes_before_the_policy_minimum(client, keys, clock):
    """PL technical 152.00 × 1.2 = 182.40 < CNY 500 minimum → 500.00 (was 600.00)."""
    customer = new_customer(client, keys.channel)
    quote = new_quote(client, keys.channel, customer["id"], HAZARDOUS_PL, product="PUBLIC_LIABILITY")
    assert quote["status"] == "referred" and quote["premium_fen"] == 50000
    approved = _approve(client, keys, quote, loading=0.2)
    money = approved["money"]
    assert (money["technical_premium"], money["minimum_adjustment"], money["premium"]) == (
        18240, 31760, 50000)
    kinds = [w["kind"] for w in approved["worksheet"]]
    step = approved["worksheet"][kinds.index("underwriter_adjustment")]
    assert (step["figure"], step["before"], step["after"]) == (1.2, 152.0, pytest.approx(182.4))
    minimum = approved["worksheet"][kinds.index("policy_minimum")]
    assert kinds.index("underwriter_adjustment") < kinds.index("policy_minimum")
    assert (minimum["before"], minimum["after"]) == (182.4, 500.0)


@pytest.mark.parametrize(("loading", "discount", "field"), [
    (-0.9, 0.0, "loading"), (math.nan, 0.0, "loading"), (math.inf, 0.0, "loading"),
    (0.0, -0.5, "discount")])
def test_the_service_refuses_bad_figures_whoever_calls_it(client, keys, services, clock,
                                                          loading, discount, field):
    """The staff page called the service with float(form value): −0.9 became a 90 % discount."""
    customer = new_customer(client, keys.channel, identifier=BAD_USCC)
    quote = new_quote(client, keys.channel, customer["id"])
    referral = _referral(client, keys, quote["id"])
    actor = authenticate_key(services.db, keys.underwriter["X-API-Key"])
    with pytest.raises(InputError) as caught, services.db.transaction() as s:
        decide(s, services, actor, referral["id"], approve=True, reason="x", loading=loading,
               discount=discount)
    assert [i.field for i in caught.value.issues] == [field]
    with services.db.transaction() as s:
        assert s.get(Referral, referral["id"]).status == "pending"
        stored = s.get(Quote, quote["id"])
        assert (stored.premium_fen, stored.adjustment) == (313258, None)


def test_a_renewal_of_a_loaded_policy_is_underwritten_again(client, keys, clock):
    """The offer is rated without last term's loading (as new business of the same risk on the
    tables in force at renewal) and referred for a new decision."""
    quote = _loaded_property_quote(client, keys)
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    offer = client.post(f"/v1/policies/{policy['id']}/renewals", json={}, headers=keys.channel).json()
    assert offer["status"] == "referred" and offer["adjustment"] is None
    assert "RENEWAL_OF_ADJUSTED" in [r["code"] for r in offer["reasons"]]
    assert not _adjustment_rows(offer["worksheet"])
    fresh = new_quote(client, keys.channel, new_customer(client, keys.channel)["id"],
                      start=offer["start_date"])
    assert offer["premium_fen"] == fresh["premium_fen"]
