"""Life annuities and annuities certain, vectorised over ages, rates, terms and deferrals.

Notation (Dickson, Hardy & Waters): v = 1/(1+i), d = i/(1+i), ₙE_x = vⁿ ₙp_x.
Annual annuity-due paying 1 at times k = s, s+1, …, e−1 while (x) is alive:

    ä(s, e) = Σ_{k=s}^{e−1} v^k ₖp_x

whole life (s, e) = (0, ∞), temporary n years (0, n), deferred u years (u, ∞).
An annuity-immediate pays at the end of each period instead: a = ä − (ₛE_x − ₑE_x)/m.

m-thly payments (1/m per payment) come from the annual values by one of two stated methods:

* UDD (deaths uniform over each year of age, exact under that assumption):
  ä^(m)(s, e) = α(m) ä(s, e) − β(m) (ₛE_x − ₑE_x), with
  α(m) = i·d / (i^(m)·d^(m)), β(m) = (i − i^(m)) / (i^(m)·d^(m)).
* Woolhouse, two terms: α(m) = 1, β(m) = (m − 1)/(2m).

Every function returns a numpy array of the broadcast shape (a numpy float for scalar input)
and raises :class:`~sme_insure.errors.InputError` for ages outside the table, negative or
fractional terms, or rates outside (−1, 1].
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from sme_insure.life._grid import (
    FloatArray,
    check_ages,
    check_durations,
    check_frequency,
    check_interest,
    scalar_or_array,
)
from sme_insure.life._sums import discounted_survival, survival_sum
from sme_insure.life.tables import LifeTable


class MthlyMethod(StrEnum):
    """How an m-thly annuity is derived from annual values."""

    UDD = "udd"
    WOOLHOUSE = "woolhouse"


def nominal_rates(interest: npt.ArrayLike, m: int) -> tuple[FloatArray, FloatArray]:
    """i^(m) = m((1+i)^{1/m} − 1) and d^(m) = m(1 − (1+i)^{−1/m})."""
    i = np.asarray(interest, dtype=np.float64)
    return m * ((1.0 + i) ** (1.0 / m) - 1.0), m * (1.0 - (1.0 + i) ** (-1.0 / m))


def mthly_alpha_beta(
    interest: npt.ArrayLike, m: int, method: MthlyMethod
) -> tuple[FloatArray, FloatArray]:
    """α(m), β(m) of the module docstring; at i = 0 UDD's limits are α = 1, β = (m−1)/(2m)."""
    i = np.asarray(interest, dtype=np.float64)
    woolhouse = (np.ones_like(i), np.full_like(i, (m - 1) / (2 * m)))
    if method is MthlyMethod.WOOLHOUSE or m == 1:
        return woolhouse if m > 1 else (np.ones_like(i), np.zeros_like(i))
    # in δ = ln(1 + i) with expm1, and i − i^(m) as its series Σ_{k≥2} δ^k (1 − m^{1−k}) / k!
    # for small δ: the direct differences cancel catastrophically near i = 0 (β was −82 at 1e-9)
    delta = np.log1p(i)
    im = m * np.expm1(delta / m)
    dm = -m * np.expm1(-delta / m)
    d = -np.expm1(-delta)
    zero = np.abs(delta) < 1e-12  # the limits, to 1e-13 (and no underflow of δ² below)
    safe = np.where(zero, 1.0, im * dm)
    series = sum(delta**k * (1.0 - float(m) ** (1 - k)) / math.factorial(k) for k in range(2, 18))
    gap = np.where(np.abs(delta) < 0.1, series, i - im)
    alpha = np.where(zero, 1.0, i * d / safe)
    beta = np.where(zero, woolhouse[1], gap / safe)
    return alpha, beta


def _annuity(
    table: LifeTable,
    age: npt.ArrayLike,
    interest: npt.ArrayLike,
    start: npt.ArrayLike,
    stop: npt.ArrayLike,
    *,
    m: int,
    method: MthlyMethod,
    due: bool,
) -> FloatArray:
    """ä^(m)(s, e) (or a^(m)(s, e) when ``due`` is false) after checking every argument."""
    x, i = check_ages(table, age), check_interest(interest)
    m = check_frequency(m)
    s, e = np.asarray(start, dtype=np.float64), np.asarray(stop, dtype=np.float64)
    annual = survival_sum(table, x, i, s, e)
    ends = discounted_survival(table, x, i, s) - discounted_survival(table, x, i, e)
    alpha, beta = mthly_alpha_beta(i, m, MthlyMethod(method))
    value = alpha * annual - beta * ends
    return scalar_or_array(value if due else value - ends / m)


def whole_life_annuity_due(
    table: LifeTable,
    age: npt.ArrayLike,
    *,
    interest: npt.ArrayLike,
    m: int = 1,
    method: MthlyMethod = MthlyMethod.UDD,
) -> FloatArray:
    """ä^(m)_x = Σ_{k≥0} v^k ₖp_x for m = 1; m-thly by ``method`` (UDD: α ä_x − β)."""
    return _annuity(table, age, interest, 0.0, np.inf, m=m, method=method, due=True)


def whole_life_annuity_immediate(
    table: LifeTable,
    age: npt.ArrayLike,
    *,
    interest: npt.ArrayLike,
    m: int = 1,
    method: MthlyMethod = MthlyMethod.UDD,
) -> FloatArray:
    """a^(m)_x = ä^(m)_x − 1/m; for m = 1, a_x = Σ_{k≥1} v^k ₖp_x = ä_x − 1."""
    return _annuity(table, age, interest, 0.0, np.inf, m=m, method=method, due=False)


def temporary_annuity_due(
    table: LifeTable,
    age: npt.ArrayLike,
    *,
    term: npt.ArrayLike,
    interest: npt.ArrayLike,
    m: int = 1,
    method: MthlyMethod = MthlyMethod.UDD,
) -> FloatArray:
    """ä^(m)_{x:n} = Σ_{k=0}^{n−1} v^k ₖp_x for m = 1; UDD: α ä_{x:n} − β (1 − ₙE_x)."""
    n = check_durations(term, "term")
    return _annuity(table, age, interest, 0.0, n, m=m, method=method, due=True)


def temporary_annuity_immediate(
    table: LifeTable,
    age: npt.ArrayLike,
    *,
    term: npt.ArrayLike,
    interest: npt.ArrayLike,
    m: int = 1,
    method: MthlyMethod = MthlyMethod.UDD,
) -> FloatArray:
    """a^(m)_{x:n} = ä^(m)_{x:n} − (1 − ₙE_x)/m; for m = 1, Σ_{k=1}^{n} v^k ₖp_x."""
    n = check_durations(term, "term")
    return _annuity(table, age, interest, 0.0, n, m=m, method=method, due=False)


def deferred_annuity_due(
    table: LifeTable,
    age: npt.ArrayLike,
    *,
    deferral: npt.ArrayLike,
    interest: npt.ArrayLike,
    m: int = 1,
    method: MthlyMethod = MthlyMethod.UDD,
) -> FloatArray:
    """ᵤ|ä^(m)_x = Σ_{k≥u} v^k ₖp_x (= ᵤE_x ä_{x+u}) for m = 1; UDD: α ᵤ|ä_x − β ᵤE_x."""
    u = check_durations(deferral, "deferral")
    return _annuity(table, age, interest, u, np.inf, m=m, method=method, due=True)


def deferred_annuity_immediate(
    table: LifeTable,
    age: npt.ArrayLike,
    *,
    deferral: npt.ArrayLike,
    interest: npt.ArrayLike,
    m: int = 1,
    method: MthlyMethod = MthlyMethod.UDD,
) -> FloatArray:
    """ᵤ|a^(m)_x = ᵤ|ä^(m)_x − ᵤE_x/m; for m = 1, Σ_{k>u} v^k ₖp_x."""
    u = check_durations(deferral, "deferral")
    return _annuity(table, age, interest, u, np.inf, m=m, method=method, due=False)


def annuity_certain_due(*, term: npt.ArrayLike, interest: npt.ArrayLike, m: int = 1) -> FloatArray:
    """ä^(m)_n̄ = (1 − vⁿ) / d^(m): 1/m paid at the start of each m-th of a year for n years."""
    n, i = check_durations(term, "term", integer=False), check_interest(interest)
    m = check_frequency(m)
    n, i = np.broadcast_arrays(n, i)
    _, dm = nominal_rates(i, m)
    near_zero = np.abs(i) < 1e-12
    value = np.where(near_zero, n, (1.0 - (1.0 + i) ** -n) / np.where(near_zero, 1.0, dm))
    return scalar_or_array(value)


def annuity_certain_immediate(
    *, term: npt.ArrayLike, interest: npt.ArrayLike, m: int = 1
) -> FloatArray:
    """a^(m)_n̄ = (1 − vⁿ) / i^(m) = v^{1/m} ä^(m)_n̄."""
    due = np.asarray(annuity_certain_due(term=term, interest=interest, m=m))
    i = np.asarray(interest, dtype=np.float64)
    return scalar_or_array(due * (1.0 + i) ** (-1.0 / check_frequency(m)))
