"""End-to-end in headless Chromium: quote → bind → view policy; a form error next to its field;
an underwriter deciding a referral."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sme_insure.customers import complete_uscc
from web_support import shot

START = (dt.date.today() + dt.timedelta(days=5)).isoformat()


def _fill_property(page, uscc: str, **override):
    values = {"#identifier": uscc, "#name": "示例小店", "#start_date": START, "#sum_insured": "800000"}
    values.update(override)
    page.select_option("#kind", "individual_business")
    for selector, value in values.items():
        page.fill(selector, value)
    page.select_option("#occupancy_class", "retail")
    page.select_option("#construction", override.pop("construction", "class_1"))
    page.select_option("#province", "33")
    page.select_option("#fire_protection", "hydrants")


def test_quote_bind_and_view_policy(server, page):
    page.goto(server["base"] + "/")
    shot(page, "01-products")
    page.click("a[href='/products/SME_PROPERTY'] >> nth=-1")
    _fill_property(page, complete_uscc("92330100MA123456"))
    assert not page.is_checked("#cover_earthquake")  # no pre-ticked boxes
    shot(page, "02-quote-form")
    page.click("button[type=submit]")
    page.wait_for_selector("#premium")
    shot(page, "03-quote")
    assert "¥" in page.inner_text("#premium")
    assert not page.is_checked("#consent")
    page.click("button[type=submit]")  # without reading the terms
    assert page.is_visible("#consent-error")
    page.check("#consent")
    page.click("button[type=submit]")
    page.wait_for_selector("#policy-number")
    shot(page, "04-policy")
    number = page.inner_text("#policy-number")
    with page.expect_download() as download:
        page.click("#schedule-pdf")
    assert download.value.suggested_filename == f"{number}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.click("a.button")
    assert number in page.content() and "Policy Schedule" in page.content()


def test_form_error_is_shown_next_to_its_field(server, page):
    page.goto(server["base"] + "/products/SME_PROPERTY?lang=en")
    _fill_property(page, complete_uscc("92330100MA654321"), **{"#sum_insured": "5"})
    page.click("button[type=submit]")
    error = page.locator("#sum_insured-error")
    error.wait_for()
    assert "between 10,000 and 200,000,000" in error.inner_text()
    assert page.get_attribute("#sum_insured", "aria-describedby") == "sum_insured-error"
    shot(page, "05-form-error")


def test_underwriter_decides_a_referral(server, page):
    page.goto(server["base"] + "/products/SME_PROPERTY")
    _fill_property(page, complete_uscc("92330100MA777777"))
    page.select_option("#construction", "class_3")  # combustible construction is referred
    page.click("button[type=submit]")
    page.wait_for_selector("#premium")
    assert "PROP_HAZARDOUS_REFER" not in page.content()
    page.goto(server["base"] + "/staff")
    page.fill("#api_key", server["keys"]["underwriter"])
    page.click("button[type=submit]")
    page.click("a[href='/staff/referrals']")
    card = page.locator("section.card").last
    card.locator("input[name=reason]").fill("site survey: sprinklers installed")
    card.locator("input[name=loading]").fill("0.1")
    shot(page, "06-referral")
    card.locator("button[value=yes]").click()
    page.wait_for_url("**/staff/referrals")
    assert "site survey" not in page.content()  # decided: left the queue


def test_claim_report_fast_track_payment_and_status(server, page, tmp_path):
    today = dt.date.today().isoformat()
    page.goto(server["base"] + "/products/SME_PROPERTY")
    _fill_property(page, complete_uscc("92330100MA888888"), **{"#start_date": today})
    page.click("button[type=submit]")
    page.wait_for_selector("#premium")
    page.check("#consent")
    page.click("button[type=submit]")
    page.click("#report-claim")
    page.fill("#loss_date", today)
    page.select_option("#peril", "fire")
    page.fill("#place", "杭州市文三路1号")
    page.fill("#estimated_cny", "3000")
    page.fill("#description", "厨房起火")
    page.fill("#contact_name", "李四")
    page.fill("#bank_account", "6222020200112233445")
    shot(page, "07-claim-form")
    page.click("button[type=submit]")
    page.wait_for_selector("#claim-status")
    outstanding = page.locator("#outstanding li").all_inner_texts()
    assert outstanding  # asked once, in full
    files = {"loss_report": b"%PDF-1.4\n%r\n", "photos": b"\xff\xd8\xff\xe0" + b"\0" * 64,
             "repair_invoice": b"%PDF-1.4\n%i\n"}
    for code in outstanding:
        path = tmp_path / (f"{code}.pdf" if files[code].startswith(b"%PDF") else f"{code}.jpg")
        path.write_bytes(files[code])
        page.select_option("#doc_type", code)
        page.set_input_files("#file", str(path))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("#claim-status")
    shot(page, "08-claim-paid")
    assert page.inner_text("#claim-status") in ("已结案", "Closed")
    # 3,000 estimate less the 2,000 default deductible = 1,000 paid in the same flow
    assert page.inner_text("#claim-paid") == "¥1,000.00"
