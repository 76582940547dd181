"""SULT at 5 %: published values, and values recomputed by routes independent of the library."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sme_insure import life
from sme_insure.life import get_table

A, B, C = 0.00022, 2.7e-6, 1.124
RATE = 0.05
V = 1 / (1 + RATE)


def l_closed(x: float) -> float:
    """ℓx = 100000·exp(−A(x−20) − B/ln c·(c^x − c^20)), the SULT closed form."""
    return 100_000 * math.exp(-A * (x - 20) - B / math.log(C) * (C**x - C**20))


def a_due_loop(x: int, n: int = 200) -> float:
    """Brute force ä_{x:n} = Σ v^k ℓ_{x+k}/ℓ_x from the closed form (SULT ends at 120)."""
    return sum(V**k * l_closed(x + k) / l_closed(x) for k in range(min(n, 121 - x)))


def assurance_loop(x: int, n: int = 200) -> float:
    """Brute force A¹_{x:n} = Σ v^{k+1} (ℓ_{x+k} − ℓ_{x+k+1})/ℓ_x, everyone dead by 121."""
    total = 0.0
    for k in range(min(n, 121 - x)):
        survivors_next = l_closed(x + k + 1) if x + k + 1 <= 120 else 0.0
        total += V ** (k + 1) * (l_closed(x + k) - survivors_next) / l_closed(x)
    return total


@pytest.fixture(scope="module")
def sult() -> life.LifeTable:
    return get_table("SULT")


def test_published_annuity_and_assurance_at_65(sult):
    assert round(float(life.whole_life_annuity_due(sult, 65, interest=RATE)), 4) == 13.5498
    assert round(float(life.whole_life_assurance(sult, 65, interest=RATE)), 5) == 0.35477


@pytest.mark.parametrize("x", [20, 40, 50, 65, 80, 100])
def test_whole_life_values_match_a_loop_over_the_closed_form(sult, x):
    assert float(life.whole_life_annuity_due(sult, x, interest=RATE)) == pytest.approx(
        a_due_loop(x), rel=1e-12
    )
    assert float(life.whole_life_assurance(sult, x, interest=RATE)) == pytest.approx(
        assurance_loop(x), rel=1e-10
    )


@pytest.mark.parametrize(("x", "n"), [(30, 10), (45, 20), (60, 5), (65, 30)])
def test_temporary_and_term_match_loops(sult, x, n):
    assert float(life.temporary_annuity_due(sult, x, term=n, interest=RATE)) == pytest.approx(
        a_due_loop(x, n), rel=1e-12
    )
    assert float(life.term_assurance(sult, x, term=n, interest=RATE)) == pytest.approx(
        assurance_loop(x, n), rel=1e-10
    )
    n_e_x = V**n * l_closed(x + n) / l_closed(x)
    assert float(life.pure_endowment(sult, x, term=n, interest=RATE)) == pytest.approx(n_e_x)
    assert float(life.endowment_assurance(sult, x, term=n, interest=RATE)) == pytest.approx(
        assurance_loop(x, n) + n_e_x, rel=1e-10
    )


def test_premium_identities_hold(sult):
    ages = np.arange(20, 101)
    d = RATE / (1 + RATE)
    a_due = life.whole_life_annuity_due(sult, ages, interest=RATE)
    assert life.whole_life_assurance(sult, ages, interest=RATE) == pytest.approx(1 - d * a_due)
    a_imm = life.whole_life_annuity_immediate(sult, ages, interest=RATE)
    assert a_due == pytest.approx(1 + a_imm)
    temp = life.temporary_annuity_due(sult, ages, term=10, interest=RATE)
    deferred = life.deferred_annuity_due(sult, ages, deferral=10, interest=RATE)
    assert deferred == pytest.approx(a_due - temp)
    endow = life.endowment_assurance(sult, ages, term=10, interest=RATE)
    assert endow == pytest.approx(1 - d * temp)


def test_deferred_equals_pure_endowment_times_later_annuity(sult):
    value = life.deferred_annuity_due(sult, 45, deferral=20, interest=RATE)
    expected = life.pure_endowment(sult, 45, term=20, interest=RATE) * life.whole_life_annuity_due(
        sult, 65, interest=RATE
    )
    assert float(value) == pytest.approx(float(expected), rel=1e-12)


def test_monthly_annuity_udd_and_woolhouse(sult):
    a65 = a_due_loop(65)
    im, dm = 12 * ((1 + RATE) ** (1 / 12) - 1), 12 * (1 - (1 + RATE) ** (-1 / 12))
    d = RATE / (1 + RATE)
    alpha, beta = RATE * d / (im * dm), (RATE - im) / (im * dm)
    udd = life.whole_life_annuity_due(sult, 65, interest=RATE, m=12)
    assert float(udd) == pytest.approx(alpha * a65 - beta, rel=1e-12)
    wool = life.whole_life_annuity_due(sult, 65, interest=RATE, m=12, method="woolhouse")
    assert float(wool) == pytest.approx(a65 - 11 / 24, rel=1e-12)
    assert float(life.whole_life_annuity_immediate(sult, 65, interest=RATE, m=12)) == pytest.approx(
        float(udd) - 1 / 12
    )


def test_expectations_of_life(sult):
    e65 = sum(l_closed(65 + k) / l_closed(65) for k in range(1, 56))
    assert float(life.curtate_expectation(sult, 65)) == pytest.approx(e65, rel=1e-10)
    assert float(life.complete_expectation(sult, 65)) == pytest.approx(e65 + 0.5, rel=1e-10)


def test_fractional_survival_is_udd(sult):
    q65 = 1 - l_closed(66) / l_closed(65)
    assert float(life.survival_probability(sult, 65, 0.25)) == pytest.approx(1 - 0.25 * q65)
    p_1_5 = l_closed(66) / l_closed(65) * (1 - 0.5 * (1 - l_closed(67) / l_closed(66)))
    assert float(life.survival_probability(sult, 65, 1.5)) == pytest.approx(p_1_5)
    assert float(life.survival_probability(sult, 65, 60)) == 0.0


def test_broadcasting_ages_against_rates(sult):
    ages, rates = np.array([40, 65]), np.array([[0.03], [0.05]])
    grid = life.whole_life_annuity_due(sult, ages, interest=rates)
    assert grid.shape == (2, 2)
    assert grid[1, 1] == pytest.approx(13.5498, abs=5e-5)
    assert grid[0, 1] > grid[1, 1]


def test_annuity_certain():
    assert float(life.annuity_certain_due(term=10, interest=0.05)) == pytest.approx(
        sum(V**k for k in range(10))
    )
    monthly = life.annuity_certain_due(term=10, interest=0.05, m=12)
    brute = sum((1 + RATE) ** (-k / 12) for k in range(120)) / 12
    assert float(monthly) == pytest.approx(brute, rel=1e-12)
    assert float(life.annuity_certain_due(term=10, interest=0.0, m=12)) == 10.0
