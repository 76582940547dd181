"""GROUP_HEALTH@2026.1 worked by hand: base premium by sex and age band × plan factor.

  female, 35 (band 30–39), plan C: 640.00 × 1.85 = 1,184.00 = 118,400 fen
      VAT 118,400 / 1.06 = 111,698.11 → net 111,698, VAT 6,702; commission 10 % → 11,169.8 → 11,170
  male, 59 (band 50–59), plan A:    1,050.00 × 0.55 = 577.50 = 57,750 fen
      VAT 57,750 / 1.06 = 54,481.13 → net 54,481, VAT 3,269
Through a schedule the sex and the age come from the ID numbers.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sme_insure.customers import complete_resident_id
from sme_insure.rating.schedule import rate_schedule

AS_OF = dt.date(2026, 3, 1)
CODE = "GROUP_HEALTH"


def test_golden_female_plan_c(rater):
    result = rater.quote(
        CODE, {"plan": "plan_c", "sex": "female", "age": 35}, as_of=AS_OF, worksheet=True
    )
    ws = result.worksheet(0)
    rows = ws[ws.coverage == "medical"]
    assert rows.tables.tolist() == ["gh_base_premium@2026.1", "gh_plan@2026.1"]
    assert rows.figure.tolist() == pytest.approx([640, 1.85])
    assert rows.after.tolist() == pytest.approx([640, 1184])
    row = result.premiums.iloc[0]
    assert (int(row["premium"]), int(row["vat"]), int(row["commission"])) == (
        118_400,
        6_702,
        11_170,
    )


def test_schedule_derives_sex_and_age(rater):
    persons = pd.DataFrame(
        {
            # even 17th digit: female, born 1990-07-01 → 35; odd: male, born 1966-05-20 → 59
            "id_number": [
                complete_resident_id("31010419900701002"),
                complete_resident_id("31010419660520001"),
            ],
            "plan": ["plan_c", "plan_a"],
        }
    )
    result = rate_schedule(rater, CODE, persons, {}, as_of=AS_OF)
    assert result.inputs["sex"].tolist() == ["female", "male"]
    assert result.inputs["age"].tolist() == [35, 59]
    assert result.premiums["premium"].tolist() == [118_400, 57_750]
    assert result.premiums["vat"].tolist() == [6_702, 3_269]
    assert result.totals["premium"] == 176_150


def test_plan_sets_the_annual_limit(catalogue):
    product = catalogue.get(CODE, as_of=AS_OF)
    limit = product.coverages[0].limits[0]
    table = catalogue.tables.in_force(limit.lookup.table, AS_OF)
    assert dict(zip(table.frame.plan, table.frame.limit, strict=True)) == {
        "plan_a": "20000",
        "plan_b": "50000",
        "plan_c": "200000",
    }
