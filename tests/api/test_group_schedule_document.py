"""The schedule of a group policy, on SQLite and PostgreSQL: an underwriter's loading has a
worksheet line with its factor and amount (its amount was None and the schedule a 500), and the
insured risk states at policy level only what is the policy's: each person's class, age and days
are on their certificate (a 30-day roster said "Days covered: 1 (product default)")."""

from __future__ import annotations

import re

from api_support import new_customer
from sme_insure.customers import complete_resident_id

IDS = [complete_resident_id(f"1101051991020200{k}") for k in (1, 2)]  # born 1991-02-02: age 35
REFERRED_USCC = "91350100M000100Y44"  # wrong check character: referred (USCC_CHECK)


def _risk_rows(html):
    """The insured risk table at policy level: (label, value)."""
    table = html.split("Insured risk")[1].split("</table>")[0]
    return re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", table)


def _certificates(html):
    return re.findall(r'<section class="certificate".*?</section>', html, re.S)


def _bound(client, keys, body):
    quote = client.post("/v1/quotes", json=body, headers=keys.channel).json()
    return quote, client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()


def test_a_loaded_group_policys_schedule(client, keys, clock):
    """400,000 each, age factor 1.0, headcount 1.0: class 1 at 1.90 ‰ = 760.00, loaded × 1.2 =
    912.00; class 2 at 2.40 ‰ = 960.00, loaded 1,152.00; 2,064.00. VAT 206,400 − 194,717
    (÷ 1.06 half up) = 11,683 fen."""
    employer = new_customer(client, keys.channel, identifier=REFERRED_USCC)
    body = {"product": "GROUP_ACCIDENT", "customer_id": employer["id"], "start_date": "2026-03-10",
            "inputs": {"sum_insured": 400_000, "cover_accident_medical": False},
            "persons": [{"id_number": IDS[0], "name": "王五", "occupational_class": 1},
                        {"id_number": IDS[1], "name": "赵六", "occupational_class": 2}]}
    quote = client.post("/v1/quotes", json=body, headers=keys.channel).json()
    assert quote["status"] == "referred" and quote["premium_fen"] == 76_000 + 96_000  # 2.40 ‰ class 2
    referral = next(r for r in client.get("/v1/referrals", headers=keys.underwriter).json()
                    if r["quote_id"] == quote["id"])
    r = client.post(f"/v1/referrals/{referral['id']}/decision", headers=keys.underwriter,
                    json={"approve": True, "reason": "ok", "loading": 0.2})
    assert r.status_code == 200, r.text
    line = r.json()["quote"]["worksheet"][-1]
    # 912.00 + 1,152.00 = 2,064.00: the persons' premiums, the loading already in both
    assert (line["kind"], line["figure"], line["before"], line["after"]) == (
        "underwriter_adjustment", 1.2, 2064.0, 2064.0)
    policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
    assert (policy["annual_premium_fen"], policy["money"]["vat"]) == (206_400, 11_683)

    r = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel)
    assert r.status_code == 200, r.text
    html = r.text
    assert "Premium build-up (of the cover as it stands)" in html and "recorded at sale" not in html
    assert re.search(r"in each person&#39;s premium before the minimums</td><td></td><td></td>"
                     r'<td class="num">1.2 factor</td><td class="num">2064.00</td>', html)
    assert '<td class="num">912.00</td>' in html and '<td class="num">1152.00</td>' in html
    assert re.search(r'id="annual-premium">2,064.00<', html)
    rows = dict(_risk_rows(html))
    assert rows["每人意外身故及伤残保险金额 / Accidental death and disability sum insured per person"] == (
        "400,000 CNY")
    assert rows["被保险人人数 / Number of insured persons on the schedule"] == "2"
    assert not [label for label in rows if "Occupational class" in label or "Age" in label]
    assert [re.search(r"Occupational class: (\d)", c).group(1) for c in _certificates(html)] == ["1", "2"]


def test_a_per_day_roster_shows_each_persons_days(client, keys, clock):
    """Plan A, class 1: (1.20 + 0.30) a person-day; 30 days = 45.00, and a row without days is
    rated on the default 1 day = 1.50; the roster 46.50 (above the 20.00 minimum). The policy
    runs the longest row, 30 days: 2026-03-10 – 2026-04-09."""
    customer = new_customer(client, keys.channel)
    body = {"product": "GROUP_ACCIDENT_DAILY", "customer_id": customer["id"], "start_date": "2026-03-10",
            "inputs": {"plan": "daily_a"},
            "persons": [{"id_number": IDS[0], "name": "张三", "occupational_class": 1, "days": 30},
                        {"id_number": IDS[1], "name": "李四", "occupational_class": 1}]}
    _, policy = _bound(client, keys, body)
    assert (policy["annual_premium_fen"], policy["end_date"]) == (4_650, "2026-04-09")

    html = client.get(f"/v1/policies/{policy['id']}/document", headers=keys.channel).text
    assert _risk_rows(html) == [("保障方案 / Plan", "daily_a")]  # class, age and days are each person's
    days = "保障天数 / Days covered by this roster row, from the start date"
    first, second = _certificates(html)
    assert "Period 2026-03-10 – 2026-04-09" in first and f"{days}: 30" in first
    assert "Period 2026-03-10 – 2026-03-11" in second
    assert f"{days}: 1 （产品默认值 product default）" in second
    assert "职业类别 / Occupational class: 1" in first and "Age" not in first
    assert '<td class="num">45.00</td>' in html and '<td class="num">1.50</td>' in html
