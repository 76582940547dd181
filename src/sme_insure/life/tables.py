"""Life tables: one-year mortality rates q_x by integer age, with metadata and provenance.

A :class:`LifeTable` holds q_x for consecutive integer ages ``min_age .. max_age`` and must be
*closed*: q at ``max_age`` is 1, so nobody survives past ``max_age + 1`` and every present value
is a finite sum. A table whose last q_x is below 1 is rejected unless the caller asks for
``close=True``, which sets q_max = 1 and says so in the provenance (no silent change).

Survivorship is derived once: ℓ_min = radix, ℓ_{x+1} = ℓ_x · (1 − q_x), and ℓ = 0 after the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

import numpy as np
import numpy.typing as npt

from sme_insure.errors import Issue, TableError
from sme_insure.life._grid import check_ages, scalar_or_array

RADIX = 100_000.0


class TableKind(StrEnum):
    """What a table is for: protection/savings business, annuities, or a textbook standard."""

    NON_ANNUITY = "non-annuity"
    ANNUITY = "annuity"
    STANDARD = "standard"


class Sex(StrEnum):
    """Sex of the lives a table describes; ``unisex`` for aggregate tables such as SULT."""

    MALE = "male"
    FEMALE = "female"
    UNISEX = "unisex"

    @classmethod
    def parse(cls, value: object) -> Sex:
        """Accept ``male``/``female``/``unisex`` or ``m``/``f``/``u`` in any case."""
        text = str(value).strip().lower()
        aliases = {"m": cls.MALE, "f": cls.FEMALE, "u": cls.UNISEX}
        if text in aliases:
            return aliases[text]
        return cls(text)


@dataclass(frozen=True, eq=False)
class LifeTable:
    """q_x for integer ages ``min_age .. min_age + len(qx) − 1``, closed at the last age.

    ``source`` records provenance (publisher, document, package and version, or file path).
    """

    table_id: str
    name: str
    kind: TableKind
    sex: Sex
    source: str
    min_age: int
    qx: npt.NDArray[np.float64] = field(repr=False)
    description: str = ""

    def __post_init__(self) -> None:
        issues = _qx_issues(self.qx, self.min_age, self.table_id)
        if issues:
            raise TableError(issues)
        frozen = np.array(self.qx, dtype=np.float64)
        frozen.setflags(write=False)
        object.__setattr__(self, "qx", frozen)

    @classmethod
    def from_qx(
        cls,
        qx: npt.ArrayLike,
        *,
        min_age: int,
        table_id: str,
        name: str,
        kind: TableKind,
        sex: Sex,
        source: str,
        description: str = "",
        close: bool = False,
    ) -> LifeTable:
        """Build a table from q_x values; ``close=True`` sets the last q_x to 1 and records it."""
        values = np.array(qx, dtype=np.float64)
        if close and values.size and values[-1] != 1.0:
            values[-1] = 1.0
            source = f"{source}; closed by setting q_{min_age + values.size - 1} = 1"
        return cls(table_id, name, kind, sex, source, int(min_age), values, description)

    @property
    def max_age(self) -> int:
        """The last age with a q_x (q_max = 1)."""
        return self.min_age + int(self.qx.size) - 1

    @property
    def ages(self) -> npt.NDArray[np.int64]:
        """The integer ages ``min_age .. max_age``."""
        return np.arange(self.min_age, self.max_age + 1, dtype=np.int64)

    @cached_property
    def lx(self) -> npt.NDArray[np.float64]:
        """ℓ_x for ages ``min_age .. max_age + 1``: ℓ_{x+1} = ℓ_x (1 − q_x), ℓ_min = 100,000."""
        survival = np.concatenate(([1.0], np.cumprod(1.0 - self.qx)))
        return RADIX * survival

    def q(self, age: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """q_x at integer ages of the table (InputError outside it)."""
        return scalar_or_array(self.qx[check_ages(self, age) - self.min_age])

    def survivors(self, age: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """ℓ_x at integer ages of the table (InputError outside it)."""
        return scalar_or_array(self.lx[check_ages(self, age) - self.min_age])


def _qx_issues(qx: npt.NDArray[np.float64], min_age: int, table_id: str) -> list[Issue]:
    """Every reason a q_x vector cannot form a closed life table."""
    values = np.asarray(qx, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        return [Issue("qx", values.shape, "must be a non-empty 1-d sequence", source=table_id)]
    issues = [
        Issue("qx", float(v), "must be a number in [0, 1]", row=int(k), source=table_id)
        for k, v in enumerate(values)
        if not (np.isfinite(v) and 0.0 <= v <= 1.0)
    ]
    early_end = np.flatnonzero(values[:-1] == 1.0)
    issues += [
        Issue("qx", 1.0, "only the last age may have q_x = 1", row=int(k), source=table_id)
        for k in early_end
    ]
    if min_age < 0:
        issues.append(Issue("min_age", min_age, "must be ≥ 0", source=table_id))
    if not issues and values[-1] != 1.0:
        last = min_age + values.size - 1
        reason = "the last q_x must be 1 (a closed table); pass close=True to close it"
        issues.append(Issue(f"qx[age {last}]", float(values[-1]), reason, source=table_id))
    return issues
