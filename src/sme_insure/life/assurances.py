"""Life assurances paying 1 at the end of the year of death, and pure endowments.

    A¹_{x:n} = Σ_{k=0}^{n−1} v^{k+1} ₖp_x q_{x+k}     term assurance
    A_x      = A¹_{x:∞}                                whole-life assurance
    ₙE_x     = vⁿ ₙp_x                                 pure endowment
    A_{x:n}  = A¹_{x:n} + ₙE_x                         endowment assurance

Vectorised over ages, rates and terms with numpy broadcasting; bad arguments raise
:class:`~sme_insure.errors.InputError` (field, value, allowed range).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sme_insure.life._grid import (
    FloatArray,
    check_ages,
    check_durations,
    check_interest,
    scalar_or_array,
)
from sme_insure.life._sums import death_sum, discounted_survival
from sme_insure.life.tables import LifeTable


def whole_life_assurance(
    table: LifeTable, age: npt.ArrayLike, *, interest: npt.ArrayLike
) -> FloatArray:
    """A_x = Σ_{k≥0} v^{k+1} ₖp_x q_{x+k} (= 1 − d ä_x)."""
    x, i = check_ages(table, age), check_interest(interest)
    return scalar_or_array(death_sum(table, x, i, np.float64(0.0), np.float64(np.inf)))


def term_assurance(
    table: LifeTable, age: npt.ArrayLike, *, term: npt.ArrayLike, interest: npt.ArrayLike
) -> FloatArray:
    """A¹_{x:n} = Σ_{k=0}^{n−1} v^{k+1} ₖp_x q_{x+k}."""
    x, i = check_ages(table, age), check_interest(interest)
    n = check_durations(term, "term")
    return scalar_or_array(death_sum(table, x, i, np.float64(0.0), n))


def pure_endowment(
    table: LifeTable, age: npt.ArrayLike, *, term: npt.ArrayLike, interest: npt.ArrayLike
) -> FloatArray:
    """ₙE_x = vⁿ ₙp_x: 1 paid at time n if (x) is then alive."""
    x, i = check_ages(table, age), check_interest(interest)
    n = check_durations(term, "term")
    return scalar_or_array(discounted_survival(table, x, i, n))


def endowment_assurance(
    table: LifeTable, age: npt.ArrayLike, *, term: npt.ArrayLike, interest: npt.ArrayLike
) -> FloatArray:
    """A_{x:n} = A¹_{x:n} + ₙE_x (= 1 − d ä_{x:n})."""
    x, i = check_ages(table, age), check_interest(interest)
    n = check_durations(term, "term")
    value = death_sum(table, x, i, np.float64(0.0), n) + discounted_survival(table, x, i, n)
    return scalar_or_array(value)
