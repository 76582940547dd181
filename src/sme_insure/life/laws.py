"""Parametric mortality laws and the tables built from them.

Gompertz: μ_x = B·c^x.  Makeham: μ_x = A + B·c^x.  Survival over t years from age x:

    ₜp_x = exp(−A·t − B/ln c · c^x (c^t − 1))        (Gompertz: A = 0)

A table is built from q_x = 1 − ₁p_x for ages min..max−1 and closed with q_max = 1 (stated in
its provenance): with SULT's parameters ℓ_121/ℓ_65 is below 10⁻¹⁵, so closing at 120 changes no
published figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sme_insure.errors import ConfigurationError, Issue
from sme_insure.life.tables import LifeTable, Sex, TableKind


@dataclass(frozen=True, slots=True)
class MakehamLaw:
    """μ_x = A + B·c^x with B > 0, c > 1, A ≥ 0 (A = 0 is Gompertz)."""

    a: float
    b: float
    c: float

    def __post_init__(self) -> None:
        issues = [
            Issue(name, value, reason)
            for name, value, reason, ok in (
                ("A", self.a, "must be ≥ 0", self.a >= 0),
                ("B", self.b, "must be > 0", self.b > 0),
                ("c", self.c, "must be > 1", self.c > 1),
            )
            if not ok
        ]
        if issues:
            raise ConfigurationError(issues)

    def survival(self, age: npt.ArrayLike, t: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """ₜp_x = exp(−A t − B/ln c · c^x (c^t − 1))."""
        x, years = np.asarray(age, dtype=np.float64), np.asarray(t, dtype=np.float64)
        log_c = math.log(self.c)
        return np.exp(-self.a * years - self.b / log_c * self.c**x * (self.c**years - 1.0))

    def qx(self, ages: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """q_x = 1 − ₁p_x."""
        return 1.0 - self.survival(ages, 1.0)


def gompertz(b: float, c: float) -> MakehamLaw:
    """Gompertz's law μ_x = B·c^x (Makeham with A = 0)."""
    return MakehamLaw(0.0, b, c)


def table_from_law(
    law: MakehamLaw,
    *,
    min_age: int,
    max_age: int,
    table_id: str,
    name: str,
    source: str,
    kind: TableKind = TableKind.STANDARD,
    sex: Sex = Sex.UNISEX,
) -> LifeTable:
    """A closed table of q_x = 1 − ₁p_x for ages min_age..max_age − 1 and q_max = 1."""
    if max_age <= min_age:
        raise ConfigurationError([Issue("max_age", max_age, f"must exceed min_age {min_age}")])
    qx = law.qx(np.arange(min_age, max_age + 1))
    law_text = f"Makeham A={law.a}, B={law.b}, c={law.c}"
    return LifeTable.from_qx(
        qx,
        min_age=min_age,
        table_id=table_id,
        name=name,
        kind=kind,
        sex=sex,
        source=f"{source}; {law_text}",
        close=True,
    )
