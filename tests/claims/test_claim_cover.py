"""The coverage check at first notice: dates in force, cover after endorsements, peril and
coverage bought, the schedule of a group policy, documents asked once in full."""

from __future__ import annotations

import datetime as dt

import pytest

from sme_insure.claims.cover import (
    PolicyFacts,
    check_in_force,
    check_loss_date,
    claim_documents,
    find_coverage,
    outstanding,
    person_inputs,
)
from sme_insure.customers import complete_resident_id
from sme_insure.errors import InputError, StateError

D = dt.date
BASE = {"sum_insured": 2_000_000, "deductible": 5000}
FACTS = PolicyFacts("P1", D(2026, 3, 10), D(2027, 3, 10), None,
                    ((D(2026, 3, 10), BASE), (D(2026, 9, 10), {**BASE, "sum_insured": 3_000_000})))


def test_in_force_from_start_to_the_day_before_end():
    check_in_force(FACTS, D(2026, 3, 10))
    check_in_force(FACTS, D(2027, 3, 9))
    with pytest.raises(StateError, match="not in force"):
        check_in_force(FACTS, D(2026, 3, 9))
    with pytest.raises(StateError, match="expired"):
        check_in_force(FACTS, D(2027, 3, 10))


def test_cancelled_from_its_effective_date():
    cancelled = PolicyFacts("P1", D(2026, 3, 10), D(2027, 3, 10), D(2026, 5, 1), FACTS.history)
    check_in_force(cancelled, D(2026, 4, 30))
    with pytest.raises(StateError, match="cancelled from 2026-05-01"):
        check_in_force(cancelled, D(2026, 5, 1))


def test_future_loss_date():
    check_loss_date(D(2026, 6, 1), D(2026, 6, 1))
    with pytest.raises(InputError, match="future"):
        check_loss_date(D(2026, 6, 2), D(2026, 6, 1))


def test_cover_on_the_loss_date_follows_endorsements():
    assert FACTS.inputs_at(D(2026, 9, 9))["sum_insured"] == 2_000_000
    assert FACTS.inputs_at(D(2026, 9, 10))["sum_insured"] == 3_000_000


def test_peril_and_coverage(catalogue):
    product = catalogue.get("SME_PROPERTY", "2026.1")
    assert find_coverage(product, BASE, "flood", None).code == "natcat"
    assert find_coverage(product, {**BASE, "cover_earthquake": True}, "earthquake", None).code == "earthquake"
    with pytest.raises(InputError, match="insured perils"):
        find_coverage(product, BASE, "earthquake", None)
    with pytest.raises(StateError, match="not bought"):
        find_coverage(product, BASE, "earthquake", "earthquake")
    with pytest.raises(InputError, match="not a coverage"):
        find_coverage(product, BASE, "fire", "motor")
    with pytest.raises(InputError, match="not insured by coverage natcat"):
        find_coverage(product, BASE, "fire", "natcat")


def test_documents_per_coverage_asked_once(catalogue):
    product = catalogue.get("GROUP_ACCIDENT", "2026.1")
    death = [d.code for d in claim_documents(product, "death_disability")]
    medical = [d.code for d in claim_documents(product, "accident_medical")]
    assert death == ["accident_report", "claimant_id", "death_certificate", "disability_assessment"]
    assert medical == ["accident_report", "claimant_id", "medical_records"]
    assert outstanding(medical, ["claimant_id", "claimant_id"]) == ["accident_report", "medical_records"]


def test_person_on_the_schedule():
    one, two = complete_resident_id("11010519900101001"), complete_resident_id("11010519900101002")
    inputs = {"sum_insured": 400_000, "persons": [{"id_number": one, "sum_insured": 200_000}]}
    assert person_inputs(inputs, one.lower(), D(2026, 6, 1)) == {"sum_insured": 200_000, "id_number": one}
    with pytest.raises(StateError, match="not on the policy's schedule"):
        person_inputs(inputs, two, D(2026, 6, 1))
    assert person_inputs(BASE, one, D(2026, 6, 1)) is BASE
