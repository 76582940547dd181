"""HTML illustration: bilingual, escaped, self-contained, strict about missing variables."""

from __future__ import annotations

import re

import pytest
from jinja2 import StrictUndefined, UndefinedError

from sme_insure.pension import MemberPlan, illustrate
from sme_insure.pension.render import TEMPLATE, environment, render_html


@pytest.fixture(scope="module")
def page(terms) -> str:
    plan = MemberPlan("<b>m&1</b>", "female", 55, 60, "steady", annual_contribution=10_000)
    return render_html(illustrate(terms, plan))


def test_headings_are_bilingual(page):
    for heading in (
        "利益演示",
        "Benefit illustration",
        "退休领取",
        "Pension at retirement",
        "说明 / Notes",
    ):
        assert heading in page


def test_amounts_rows_and_vat_statement(page, terms):
    ill = illustrate(terms, MemberPlan("x", "female", 55, 60, "steady", annual_contribution=10_000))
    assert page.count('<td class="num">5</td>') == 1  # policy years 1..5
    assert "10,000.00" in page
    medium = ill.monthly_pension["medium"]
    assert f"{medium // 100:,}.{medium % 100:02d}" in page
    assert "not VAT-taxable" in page and "不征增值税" in page


def test_member_text_is_escaped(page):
    assert "<b>m&1</b>" not in page
    assert "&lt;b&gt;m&amp;1&lt;/b&gt;" in page


def test_page_is_viewable_offline(page):
    assert "<script" not in page
    assert not re.search(r"(src|href)=\"https?:", page)


def test_environment_is_strict_and_escaping():
    env = environment()
    assert env.undefined is StrictUndefined
    assert env.autoescape is True
    with pytest.raises(UndefinedError):
        env.get_template(TEMPLATE).render(scenarios=["low"])
