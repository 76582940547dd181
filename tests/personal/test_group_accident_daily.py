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
import pytest
import yaml
from pydantic import ValidationError

from sme_insure.catalogue.product import Product
from sme_insure.claims.cover import PolicyFacts, check_person_in_force
from sme_insure.customers import complete_resident_id
from sme_insure.errors import StateError
from sme_insure.policies.term import cover_end, person_end
from sme_insure.rating.schedule import rate_schedule
from support.paths import ROOT

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


# The term: each person is covered for their own `days` from the start date; the policy runs the
# longest of them. The repro: two persons at one day each (2,000 fen) ran a year, to 2027-03-10.
START = dt.date(2026, 3, 10)
PERSON = {"id_number": "110105199203150011", "occupational_class": 1}


def _daily(catalogue):
    return catalogue.get(CODE, as_of=START)


def test_a_one_day_roster_runs_one_day(catalogue):
    inputs = {"plan": "daily_a", "persons": [PERSON, {**PERSON, "id_number": "b", "days": 1}]}
    assert cover_end(_daily(catalogue), START, inputs) == dt.date(2026, 3, 11)  # [03-10, 03-11)


def test_a_thirty_day_roster_runs_thirty_days_and_its_one_day_person_one(catalogue):
    product = _daily(catalogue)
    inputs = {"plan": "daily_a", "persons": [{**PERSON, "days": 30}, {**PERSON, "id_number": "b"}]}
    assert cover_end(product, START, inputs) == dt.date(2026, 4, 9)  # 10 March + 30 days
    assert person_end(product, START, {"plan": "daily_a", **inputs["persons"][0]}) == dt.date(2026, 4, 9)
    assert person_end(product, START, {"plan": "daily_a", **inputs["persons"][1]}) == dt.date(2026, 3, 11)


def test_days_given_for_the_whole_roster_are_each_persons(catalogue):
    inputs = {"plan": "daily_a", "days": 7, "persons": [PERSON]}
    assert cover_end(_daily(catalogue), START, inputs) == dt.date(2026, 3, 17)


def test_a_twelve_month_product_is_unchanged(catalogue):
    product = catalogue.get("GROUP_ACCIDENT", as_of=START)
    assert product.policy.term_days_input is None and product.policy.cancellation.basis == "pro_rata"
    assert cover_end(product, START, {"sum_insured": 400000, "persons": [PERSON]}) == dt.date(2027, 3, 10)
    assert person_end(product, START, PERSON) is None


def _facts():
    return PolicyFacts("GROU2026", START, dt.date(2026, 4, 9), None, ((START, {}),))


def test_a_loss_after_the_persons_own_days_is_refused(catalogue):
    product = _daily(catalogue)
    one_day = {"plan": "daily_a", **PERSON}  # days: the product default, 1
    check_person_in_force(_facts(), product, one_day, START)  # within: covered
    with pytest.raises(StateError, match=r"covered under policy GROU2026 for 1 day\(s\), 2026-03-10 – "
                                         r"2026-03-10; the loss on 2026-03-11 is after their cover"):
        check_person_in_force(_facts(), product, one_day, dt.date(2026, 3, 11))
    thirty = {**one_day, "days": 30}
    check_person_in_force(_facts(), product, thirty, dt.date(2026, 4, 8))  # its 30th day
    with pytest.raises(StateError, match="for 30 day"):
        check_person_in_force(_facts(), product, thirty, dt.date(2026, 4, 9))


def test_the_product_states_its_term_in_days_and_no_return_after_start(catalogue):
    policy = _daily(catalogue).policy
    assert (policy.term_days_input, policy.cancellation.basis) == ("days", "none_after_start")


def test_a_term_in_days_is_checked_at_load():
    data = yaml.safe_load((ROOT / "products" / "group_accident_daily" / "2026.1.yaml").read_text("utf-8"))
    policy = data["policy"]
    bad = [({**policy, "term_days_input": "plan"}, "'plan' is not an integer input of the product"),
           ({**policy, "term_days_input": "nope"}, "'nope' is not an integer input of the product"),
           ({**policy, "term_months": 1}, "state term_months or term_days_input, not both"),
           ({**policy, "cancellation": {"basis": "pro_rata"}}, "cancelled on the none_after_start basis")]
    for section, message in bad:
        with pytest.raises(ValidationError, match=message):
            Product.model_validate({**data, "policy": section})
    unbounded = [{k: v for k, v in i.items() if k != "max"} if i["name"] == "days" else i
                 for i in data["inputs"]]
    with pytest.raises(ValidationError, match=r"'days' needs min ≥ 1 and a max"):
        Product.model_validate({**data, "inputs": unbounded})
