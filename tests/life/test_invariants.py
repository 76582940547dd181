"""Hypothesis invariants of the annuity and assurance functions on SULT and the CL tables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure import life
from sme_insure.life import get_table

TABLES = {t: get_table(t) for t in ("SULT", "CL1", "CL6")}
table_ids = st.sampled_from(sorted(TABLES))
rates = st.floats(min_value=0.0, max_value=0.15, allow_nan=False)
terms = st.integers(min_value=0, max_value=60)
FAST = settings(max_examples=60, deadline=None)


def ages_for(table_id: str) -> st.SearchStrategy[int]:
    t = TABLES[table_id]
    return st.integers(min_value=t.min_age, max_value=t.max_age)


@st.composite
def case(draw: st.DrawFn) -> tuple[life.LifeTable, int, float]:
    table_id = draw(table_ids)
    return TABLES[table_id], draw(ages_for(table_id)), draw(rates)


@FAST
@given(case())
def test_whole_life_due_exceeds_immediate_by_one_payment(c):
    table, x, i = c
    due = life.whole_life_annuity_due(table, x, interest=i)
    immediate = life.whole_life_annuity_immediate(table, x, interest=i)
    assert float(due) == pytest.approx(1.0 + float(immediate), rel=1e-12)


@FAST
@given(case(), terms, st.sampled_from([1, 2, 4, 12]))
def test_temporary_due_is_one_plus_immediate_less_last(c, n, m):
    table, x, i = c
    due = float(life.temporary_annuity_due(table, x, term=n, interest=i, m=m))
    immediate = float(life.temporary_annuity_immediate(table, x, term=n, interest=i, m=m))
    n_e_x = float(life.pure_endowment(table, x, term=n, interest=i))
    expected = immediate + (1.0 - n_e_x) / m if n else 0.0
    assert due == pytest.approx(expected, rel=1e-10, abs=1e-12)
    if m == 1:
        assert due == pytest.approx(1.0 + immediate - n_e_x if n else 0.0, abs=1e-12)


@FAST
@given(case(), st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=10))
def test_longer_deferral_lowers_the_deferred_annuity(c, u, extra):
    table, x, i = c
    short = float(life.deferred_annuity_due(table, x, deferral=u, interest=i))
    long = float(life.deferred_annuity_due(table, x, deferral=u + extra, interest=i))
    assert long <= short
    if x + u < table.max_age:
        assert long < short


@FAST
@given(case(), st.floats(min_value=0.001, max_value=0.05))
def test_present_values_fall_as_interest_rises(c, step):
    table, x, i = c
    pair = np.array([i, i + step])
    for values in (
        life.whole_life_annuity_due(table, x, interest=pair, m=12),
        life.whole_life_assurance(table, x, interest=pair),
        life.temporary_annuity_due(table, x, term=10, interest=pair),
        life.term_assurance(table, x, term=10, interest=pair),
    ):
        assert values[1] <= values[0]


@FAST
@given(case(), terms)
def test_assurance_identity_and_bounds(c, n):
    table, x, i = c
    d = i / (1 + i)
    endow = float(life.endowment_assurance(table, x, term=n, interest=i))
    temp = float(life.temporary_annuity_due(table, x, term=n, interest=i))
    assert endow == pytest.approx(1 - d * temp, abs=1e-12)
    term = float(life.term_assurance(table, x, term=n, interest=i))
    whole = float(life.whole_life_assurance(table, x, interest=i))
    assert 0.0 <= term <= whole + 1e-15 <= 1.0 + 1e-12


@FAST
@given(case(), st.floats(min_value=0.0, max_value=50.0))
def test_survival_is_between_zero_and_one_and_decreasing(c, t):
    table, x, _ = c
    p = float(life.survival_probability(table, x, t))
    later = float(life.survival_probability(table, x, t + 0.5))
    assert 0.0 <= later <= p <= 1.0
