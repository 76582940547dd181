"""The vectorised engine against the scalar reference, and properties of the projection."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure.pension import (
    AdHocContribution,
    MemberPlan,
    Scenario,
    SleeveSwitch,
    illustrate,
    illustrate_book,
    load_terms,
    plans_to_frames,
)
from sme_insure.pension import reference as ref

TERMS = load_terms(Path(__file__).with_name("terms_example.yaml"))
money = st.one_of(
    st.just(0.0), st.floats(min_value=0.0, max_value=5_000.0).map(lambda x: round(x, 3))
)


@st.composite
def plans(draw: st.DrawFn, member_id: str = "m") -> MemberPlan:
    age = draw(st.integers(min_value=18, max_value=64))
    retire = draw(st.integers(max(60, age + 1), min(75, max(60, age + 30))))
    years = retire - age
    fixed = draw(st.booleans())
    ad_hoc = draw(
        st.lists(
            st.builds(
                AdHocContribution,
                st.integers(1, years),
                st.integers(1, 12),
                st.floats(0, 50_000).map(lambda x: round(x, 2)),
            ),
            max_size=3,
        )
    )
    switches = draw(
        st.lists(
            st.builds(
                SleeveSwitch, st.integers(1, years), st.sampled_from(["steady", "aggressive"])
            ),
            max_size=2,
        )
    )
    return MemberPlan(
        member_id=member_id,
        sex=draw(st.sampled_from(["male", "female"])),
        age=age,
        retirement_age=retire,
        sleeve=draw(st.sampled_from(["steady", "aggressive"])),
        payout="fixed_term" if fixed else "life",
        fixed_term_years=draw(st.integers(10, 30)) if fixed else None,
        monthly_contribution=draw(money),
        annual_contribution=draw(money),
        topup_monthly=draw(money),
        topup_annual=draw(money),
        ad_hoc=tuple(ad_hoc),
        switches=tuple(switches),
    )


@settings(max_examples=15, deadline=None)
@given(st.lists(plans(), min_size=1, max_size=6))
def test_vectorised_book_equals_scalar_reference_to_the_fen(batch):
    batch = [replace(p, member_id=f"m{k}") for k, p in enumerate(batch)]
    result = illustrate_book(TERMS, *plans_to_frames(batch))
    assert result.issues == []
    for m, plan in enumerate(batch):
        years = plan.retirement_age - plan.age
        for k, scenario in enumerate(Scenario):
            expected = ref.year_end_accounts(TERMS, plan, scenario)
            assert result.year_end[k, m, :years].tolist() == expected
            assert result.monthly_pension[k, m] == ref.monthly_pension(TERMS, plan, scenario)


def test_single_illustration_equals_its_row_in_a_batch():
    plans_ = [
        MemberPlan("a", "female", 30, 65, "aggressive", monthly_contribution=800),
        MemberPlan("b", "male", 45, 60, "steady", "fixed_term", 20, annual_contribution=12_000),
    ]
    book = illustrate_book(TERMS, *plans_to_frames(plans_))
    for m, plan in enumerate(plans_):
        assert illustrate(TERMS, plan) == book.member(m)


def test_credited_rate_never_below_the_guarantee():
    terms = TERMS.model_copy(
        update={
            "sleeves": {
                **TERMS.sleeves,
                "steady": TERMS.sleeves["steady"].model_copy(update={"low": -0.03}),
            }
        }
    )
    plan = MemberPlan("g", "male", 50, 60, "steady", annual_contribution=10_000)
    floor = illustrate(terms, plan)
    assert floor.rows[-1].account["low"] == illustrate(TERMS, plan).rows[-1].account["low"]
    assert terms.sleeves["steady"].credited("low") == terms.sleeves["steady"].guaranteed_rate


def test_switching_sleeve_changes_the_rate_from_that_year():
    base = MemberPlan("s", "male", 40, 60, "steady", monthly_contribution=1_000)
    switched = replace(base, switches=(SleeveSwitch(11, "aggressive"),))
    a, b = illustrate(TERMS, base), illustrate(TERMS, switched)
    assert [r.account for r in a.rows[:10]] == [r.account for r in b.rows[:10]]
    assert [r.sleeve for r in b.rows] == ["steady"] * 10 + ["aggressive"] * 10
    assert b.rows[-1].account["high"] > a.rows[-1].account["high"]


def test_more_contribution_more_pension_and_zero_gives_zero():
    small = MemberPlan("p", "female", 35, 60, "steady", monthly_contribution=500)
    large = replace(small, monthly_contribution=600)
    assert all(
        illustrate(TERMS, large).monthly_pension[s] > illustrate(TERMS, small).monthly_pension[s]
        for s in Scenario
    )
    nothing = illustrate(TERMS, replace(small, monthly_contribution=0))
    assert set(nothing.monthly_pension.values()) == {0}


def test_fixed_term_pension_uses_the_annuity_certain():
    plan = MemberPlan("f", "male", 50, 60, "steady", "fixed_term", 10, annual_contribution=10_000)
    ill = illustrate(TERMS, plan)
    i = TERMS.annuity.interest_rate
    certain = sum((1 + i) ** (-k / 12) for k in range(120)) / 12
    assert ill.annuity_factor == pytest.approx(certain, rel=1e-12)
    expected = np.floor(ill.retirement_account["medium"] / (12 * certain) + 0.5)
    assert ill.monthly_pension["medium"] == int(expected)


def test_surrender_values_apply_the_schedule_then_none():
    ill = illustrate(TERMS, MemberPlan("v", "female", 50, 60, "steady", annual_contribution=10_000))
    for row in ill.rows:
        charge = TERMS.surrender_charges.get(row.policy_year, 0.0)
        assert row.surrender_charge_rate == charge
        for s, account in row.account.items():
            assert row.surrender_value[s] == account - int(np.floor(account * charge + 0.5))
    assert ill.rows[-1].surrender_value == ill.rows[-1].account


@settings(max_examples=5, deadline=None)
@given(st.lists(plans(), min_size=5, max_size=12))
def test_block_size_does_not_change_results(batch):
    from sme_insure.pension import project_accounts, validate_book

    batch = [replace(p, member_id=f"m{k}") for k, p in enumerate(batch)]
    book, issues = validate_book(TERMS, *plans_to_frames(batch))
    assert not issues
    whole = project_accounts(TERMS, book)
    assert np.array_equal(project_accounts(TERMS, book, block=2), whole)
