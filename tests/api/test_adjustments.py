"""Adjustment of a deposit premium on actual figures, over HTTP on SQLite and PostgreSQL.

PRODUCT_LIABILITY@2026.1 declares ``estimated_annual_sales`` adjustable. The risk below rates as
(rating_tables/prodl_*@2026.1): sales × prodl_base_rate[B] 1.00 ‰ × prodl_ilf[B, limit]
× prodl_aggregate[5] 1.0 × prodl_sales_volume 1.2 (flat below CNY 20m) × prodl_territory[domestic]
1.00, above the CNY 2,000 minimum; VAT = premium − round_half_up(premium / 1.06).

    sales 10m, limit 400k:  10,000 × 1.2          = 12,000.00 → 1,200,000 fen, VAT  67,925
    sales 15m, limit 400k:  15,000 × 1.2          = 18,000.00 → 1,800,000 fen, VAT 101,887
    sales 12m, limit 400k:  12,000 × 1.2          = 14,400.00 → 1,440,000 fen
    sales 10m, limit 1m:    12,000 × 1.59         = 19,080.00 → 1,908,000 fen, VAT 108,000
    sales 15m, limit 1m:    18,000 × 1.59         = 28,620.00 → 2,862,000 fen, VAT 162,000

The term is 2026-03-10 – 2027-03-10, 365 days; 2026-09-10 leaves 181 of them (184 before).
"""

from __future__ import annotations

import datetime as dt

from api_support import new_customer, new_quote
from sme_insure.policies.proration import earned

RISK = {"hazard_class": "B", "estimated_annual_sales": 10_000_000, "limit_per_occurrence": 400000,
        "territory": "domestic"}
START, END, CHANGE = dt.date(2026, 3, 10), dt.date(2027, 3, 10), dt.date(2026, 9, 10)
EXPIRY = dt.date(2027, 3, 20)


def _policy(client, keys):
    customer = new_customer(client, keys.channel)
    quote = new_quote(client, keys.channel, customer["id"], RISK, product="PRODUCT_LIABILITY")
    assert quote["premium_fen"] == 1_200_000, quote
    r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 201, r.text
    return r.json()


def _post(client, keys, policy, what, body, status=201):
    r = client.post(f"/v1/policies/{policy['id']}/{what}", json=body, headers=keys.channel)
    assert r.status_code == status, r.text
    return r.json()


def _adjust(client, keys, policy, sales, status=201):
    return _post(client, keys, policy, "adjustments",
                 {"actual": {"estimated_annual_sales": sales}, "reason": "audited sales"}, status)


def _rows(client, keys, policy):
    return client.get(f"/v1/policies/{policy['id']}/transactions", headers=keys.channel).json()


def _endorse_limit(client, keys, policy):
    """Limit 400k → 1m from 2026-09-10: (1,908,000 − 1,200,000) × 181/365 = 351,090.41 → 351,090;
    VAT (108,000 − 67,925) × 181/365 = 19,872.81 → 19,873."""
    row = _post(client, keys, policy, "endorsements", {
        "effective_date": CHANGE.isoformat(), "changes": {"limit_per_occurrence": 1000000},
        "reason": "higher limit"})
    assert (row["premium_fen"], row["vat_fen"]) == (351_090, 19_873)


def test_adjustment_without_endorsement_is_the_rate_difference(client, keys, clock):
    """Deposit on 10m, actual 15m: 1,800,000 − 1,200,000 = 600,000; VAT 101,887 − 67,925 = 33,962.
    The row is earned over the term and the policy's annual premium is now the one on 15m."""
    policy = _policy(client, keys)
    clock["today"] = EXPIRY
    row = _adjust(client, keys, policy, 15_000_000)
    assert (row["kind"], row["premium_fen"], row["vat_fen"]) == ("adjustment", 600_000, 33_962)
    assert (row["effective_date"], row["period_end"]) == (START.isoformat(), END.isoformat())
    after = client.get(f"/v1/policies/{policy['id']}", headers=keys.channel).json()
    assert after["annual_premium_fen"] == 1_800_000
    assert sum(t["premium_fen"] for t in _rows(client, keys, policy)) == 1_800_000


def test_adjustment_re_rates_each_period_between_changes(client, keys, clock):
    """Written 1,200,000 + endorsement 351,090 = 1,551,090 (VAT 67,925 + 19,873 = 87,798).
    On actual sales of 15m each period is re-rated on its own limit, pro rata to the day:

        1,800,000 × 184/365 + 2,862,000 × 181/365 = 849,222,000 / 365 = 2,326,635.62
        as the endorsement rounds: 1,800,000 + round((2,862,000 − 1,800,000) × 181/365)
                                 = 1,800,000 + round(526,635.62) = 2,326,636
        adjustment = 2,326,636 − 1,551,090 = 775,546
        VAT: 101,887 + round((162,000 − 101,887) × 181/365 = 29,809.46) = 131,696;
             131,696 − 87,798 = 43,898

    (Re-rating the whole term on the endorsed limit would charge 2,862,000 − 1,908,000 = 954,000.)
    """
    policy = _policy(client, keys)
    _endorse_limit(client, keys, policy)
    clock["today"] = EXPIRY
    row = _adjust(client, keys, policy, 15_000_000)
    assert (row["premium_fen"], row["vat_fen"]) == (775_546, 43_898)
    rows = _rows(client, keys, policy)
    assert sum(t["premium_fen"] for t in rows) == 2_326_636
    assert sum(t["vat_fen"] for t in rows) == 131_696
    after = client.get(f"/v1/policies/{policy['id']}", headers=keys.channel).json()
    assert after["annual_premium_fen"] == 2_862_000


def test_loss_before_the_endorsement_keeps_the_original_limit_after_an_adjustment(client, keys, clock):
    """A loss on 2026-06-01, before the limit went to 1m on 2026-09-10, is covered at 400k even
    though the adjustment row (dated from the start) came after the endorsement; one on
    2026-10-01 at 1m."""
    policy = _policy(client, keys)
    _endorse_limit(client, keys, policy)
    clock["today"] = EXPIRY
    _adjust(client, keys, policy, 15_000_000)
    limits = {}
    for day in ("2026-06-01", "2026-10-01"):
        r = client.post("/v1/claims", json={
            "policy_number": policy["number"], "loss_date": day, "place": "福州市鼓楼区",
            "peril": "third_party_bodily_injury", "estimated_fen": 1_000_000,
            "description": "a customer hurt by a faulty product", "contact_name": "李四",
            "contact_phone": "13812341234", "bank_account": "6222 0202 0011 2233 445"},
            headers=keys.channel)
        assert r.status_code == 201, r.text
        limits[day] = [(lim["basis"], lim["amount_fen"]) for lim in r.json()["cover"]["limits"]]
    assert limits == {"2026-06-01": [("per_occurrence", 40_000_000)],
                      "2026-10-01": [("per_occurrence", 100_000_000)]}


def test_a_second_adjustment_replaces_the_first(client, keys, clock):
    """First 15m: +600,000. The audited figure is then 12m: the term's premium is 1,440,000, so
    the second charges 1,440,000 − (1,200,000 + 600,000) = −360,000, not 1,440,000 − 1,200,000."""
    policy = _policy(client, keys)
    clock["today"] = dt.date(2026, 12, 1)  # a declaration before expiry is accepted
    assert _adjust(client, keys, policy, 15_000_000)["premium_fen"] == 600_000
    clock["today"] = EXPIRY
    assert _adjust(client, keys, policy, 12_000_000)["premium_fen"] == -360_000
    assert sum(t["premium_fen"] for t in _rows(client, keys, policy)) == 1_440_000
    assert _adjust(client, keys, policy, 12_000_000)["premium_fen"] == 0


def test_a_cancelled_policy_is_adjusted_on_its_period_on_risk(client, keys, clock):
    """Cancelled pro rata from 2026-09-10: −round(1,200,000 × 181/365 = 595,068.49) = −595,068,
    1,200,000 − 595,068 = 604,932 kept. On actual sales of 15m the period on risk is
    1,800,000 − round(1,800,000 × 181/365 = 892,602.74) = 907,397, so the adjustment is
    907,397 − 604,932 = 302,465 (600,000 × 184/365 = 302,465.75 but for the rounding of the
    cancellations), earned up to the cancellation only. Reinstating then charges back what
    the cancellation returned, and the next adjustment covers the whole term again:
    1,800,000 − (604,932 + 302,465 + 595,068) = 297,535."""
    policy = _policy(client, keys)
    clock["today"] = dt.date(2026, 9, 1)
    assert _post(client, keys, policy, "cancellations", {
        "effective_date": CHANGE.isoformat(), "reason": "business sold"})["premium_fen"] == -595_068
    clock["today"] = EXPIRY
    row = _adjust(client, keys, policy, 15_000_000)
    assert (row["premium_fen"], row["period_end"]) == (302_465, CHANGE.isoformat())
    rows = _rows(client, keys, policy)
    after_cancellation = sum(earned(t["premium_fen"], dt.date.fromisoformat(t["effective_date"]),
                                    dt.date.fromisoformat(t["period_end"]), (CHANGE, END)) for t in rows)
    assert abs(after_cancellation) < 1  # only the cancellation's rounding
    assert sum(t["premium_fen"] for t in rows) == 907_397
    assert _post(client, keys, policy, "reinstatement", {"reason": "sale fell through"})["premium_fen"] == 595_068
    assert _adjust(client, keys, policy, 15_000_000)["premium_fen"] == 297_535
    assert sum(t["premium_fen"] for t in _rows(client, keys, policy)) == 1_800_000


def test_a_product_without_adjustable_inputs_names_what_is_allowed(client, keys, clock):
    customer = new_customer(client, keys.channel)
    quote = new_quote(client, keys.channel, customer["id"])
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    r = client.post(f"/v1/policies/{policy['id']}/adjustments",
                    json={"actual": {"sum_insured": 3_000_000}, "reason": "x"}, headers=keys.channel)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    error = r.json()["errors"][0]
    assert error["field"] == "actual" and error["value"] == "['sum_insured']"
    assert "adjustable inputs of SME_PROPERTY@2026.1: []" in error["reason"]
    liability = _policy(client, keys)
    r = client.post(f"/v1/policies/{liability['id']}/adjustments",
                    json={"actual": {"limit_per_occurrence": 1000000}, "reason": "x"}, headers=keys.channel)
    assert r.status_code == 422 and "['estimated_annual_sales']" in r.json()["errors"][0]["reason"]


def test_an_underwriters_loading_is_kept_by_the_adjustment(client, keys, clock):
    """A referred risk approved with a 20 % loading: 12,000.00 × 1.2 = 14,400.00 → 1,440,000 fen
    (above the 2,000 minimum). Adjusted on actual sales of 15m: 18,000.00 × 1.2 = 21,600.00 →
    2,160,000, so +720,000. Adjusted on the estimate itself: 0 (re-rating without the loading
    returned the 240,000 it added)."""
    customer = new_customer(client, keys.channel, identifier="91350100M000100Y44")  # referred
    quote = new_quote(client, keys.channel, customer["id"], RISK, product="PRODUCT_LIABILITY")
    referral = next(r for r in client.get("/v1/referrals", headers=keys.underwriter).json()
                    if r["quote_id"] == quote["id"])
    r = client.post(f"/v1/referrals/{referral['id']}/decision",
                    json={"approve": True, "reason": "surveyed", "loading": 0.2}, headers=keys.underwriter)
    assert r.status_code == 200 and r.json()["quote"]["premium_fen"] == 1_440_000, r.text
    r = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel)
    assert r.status_code == 201, r.text
    policy = r.json()
    clock["today"] = EXPIRY
    assert _adjust(client, keys, policy, 10_000_000)["premium_fen"] == 0
    assert _adjust(client, keys, policy, 15_000_000)["premium_fen"] == 720_000
    assert sum(t["premium_fen"] for t in _rows(client, keys, policy)) == 2_160_000
