"""GROUP_ACCIDENT_DAILY@2026.1: cover by the day, a roster uploaded daily, worked by hand.

Charges per person-day (gad_rate + gad_medical_rate), plan A: class 1 1.20 + 0.30 = 1.50,
class 3 2.00 + 0.50 = 2.50; plan B class 4 5.04 + 1.40 = 6.44. Minimum 20.00 per day's roster.

Roster 1 (plan A, one day): classes 1, 1, 3
  persons 1.50 + 1.50 + 2.50 = 5.50 CNY (death/disability 4.40, medical 1.10)
  minimum per roster 20.00 → top-up 14.50 = 1,450 fen shared pro rata (floor):
    death/disability 1,450 × 440 // 550 = 1,160; medical 1,450 × 110 // 550 = 290; 0 left over
  roster premium 2,000 fen: death/disability 440 + 1,160 = 1,600, medical 110 + 290 = 400
Roster 2 (plan B, one day): ten persons of class 4: 10 × 6.44 = 64.40 ≥ 20, no top-up.
A row covering 5 days (a weekly upload), plan A class 1: 5 × 1.50 = 7.50.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sme_insure.customers import complete_resident_id
from sme_insure.rating.schedule import rate_schedule

AS_OF = dt.date(2026, 3, 2)
CODE = "GROUP_ACCIDENT_DAILY"


def roster(classes, days=None):
    ids = [complete_resident_id(f"110105199203150{k:02d}") for k in range(len(classes))]
    frame = pd.DataFrame({"id_number": ids, "occupational_class": classes})
    if days is not None:
        frame["days"] = days
    return frame


def test_small_roster_is_topped_up_to_the_roster_minimum(rater):
    result = rate_schedule(rater, CODE, roster([1, 1, 3]), {"plan": "daily_a"}, as_of=AS_OF)
    assert result.premiums["premium"].tolist() == [150, 150, 250]
    assert (result.premiums["minimum_adjustment"] == 0).all()
    totals = result.totals
    assert totals["premium_death_disability"] == 1_600
    assert totals["premium_accident_medical"] == 400
    assert totals["technical_premium"] == 550
    assert totals["minimum_adjustment"] == 1_450
    assert totals["premium"] == 2_000
    # VAT of the roster: Σ persons (9 + 9 + 14 = 32) plus what the top-up adds: VAT on the
    # summed coverages (1,600 → 91, 400 → 23) less VAT on them without the top-up (440 → 25,
    # 110 → 6): 114 − 31 = 83; 32 + 83 = 115
    assert result.premiums["vat"].sum() == 32
    assert totals["vat"] == 115
    assert totals.equals(result.premiums.sum().astype(np.int64) + result.policy_adjustment)


def test_roster_above_the_minimum_is_the_sum_of_persons(rater):
    result = rate_schedule(rater, CODE, roster([4] * 10), {"plan": "daily_b"}, as_of=AS_OF)
    assert (result.premiums["premium"] == 644).all()
    assert (result.policy_adjustment == 0).all()
    assert result.totals["premium"] == 6_440
    assert result.exposure("days") == 10.0  # person-days, the default of one day each


def test_person_days(rater):
    result = rate_schedule(
        rater, CODE, roster([1, 1], days=[5, 1]), {"plan": "daily_a"}, as_of=AS_OF, worksheet=True
    )
    assert result.premiums["premium"].tolist() == [750, 150]
    assert result.exposure("days") == 6.0
    ws = result.worksheet(0)
    first = ws.iloc[0]
    assert (first.kind, first.figure, first.after) == ("per_unit", 1.20, 6.00)
    assert "days=5" in first.inputs


def test_the_roster_minimum_is_the_product_policy_minimum(catalogue):
    product = catalogue.get(CODE, as_of=AS_OF)
    assert product.policy.minimum_premium == 20
    assert [c.steps[0].units for c in product.coverages] == ["days", "days"]
