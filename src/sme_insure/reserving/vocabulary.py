"""Closed vocabularies of the reserving package (``StrEnum``: the value is the text in files).

A file, a configuration or an API body names these by value (``"public_liability"``), so a typo is
an error listing what is allowed, never a silent new category.
"""

from __future__ import annotations

from enum import StrEnum


class Line(StrEnum):
    """Lines of business the engine writes for small businesses."""

    PROPERTY = "property"
    SHOP_PACKAGE = "shop_package"
    PUBLIC_LIABILITY = "public_liability"
    PRODUCT_LIABILITY = "product_liability"
    EMPLOYERS_LIABILITY = "employers_liability"
    EXPORT_CREDIT = "export_credit"
    CARGO = "cargo"
    GROUP_ACCIDENT = "group_accident"
    GROUP_HEALTH = "group_health"
    GROUP_TERM_LIFE = "group_term_life"


class TransactionKind(StrEnum):
    """What a claim transaction row records.

    ``payment`` and ``recovery`` move ``paid_fen`` (a recovery is negative: salvage, subrogation,
    a refund); ``reserve_set`` and ``reserve_change`` move the case reserve; ``reopen`` and
    ``close`` record a status change and may carry a reserve change (closing releases it).
    """

    RESERVE_SET = "reserve_set"
    RESERVE_CHANGE = "reserve_change"
    PAYMENT = "payment"
    RECOVERY = "recovery"
    REOPEN = "reopen"
    CLOSE = "close"


class Grain(StrEnum):
    """Length of origin and development periods (always the same for both)."""

    ANNUAL = "annual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"

    @property
    def code(self) -> str:
        """The letter chainladder uses in ``Triangle.grain("O?D?")``."""
        return {"annual": "Y", "quarterly": "Q", "monthly": "M"}[self.value]

    @property
    def months(self) -> int:
        """Months in one period."""
        return {"annual": 12, "quarterly": 3, "monthly": 1}[self.value]


class Basis(StrEnum):
    """Which loss triangle a method projects: cumulative paid or case-incurred (paid + case)."""

    PAID = "paid"
    INCURRED = "incurred"


class MethodName(StrEnum):
    """Reserving methods, as the textbooks name them."""

    CHAINLADDER = "chainladder"
    MACK = "mack"
    BORNHUETTER_FERGUSON = "bornhuetter_ferguson"
    BENKTANDER = "benktander"
    CAPE_COD = "cape_cod"
    EXPECTED_LOSS = "expected_loss"


class Averaging(StrEnum):
    """How age-to-age factors are averaged over origins (chainladder ``Development.average``)."""

    VOLUME = "volume"
    SIMPLE = "simple"
    REGRESSION = "regression"


class SigmaInterpolation(StrEnum):
    """Mack's extrapolation of the last sigma: R's default log-linear, or Mack (1993)."""

    LOG_LINEAR = "log-linear"
    MACK = "mack"


class TailKind(StrEnum):
    """Tail factor beyond the last observed age."""

    NONE = "none"
    CONSTANT = "constant"
    EXPONENTIAL = "exponential"
    INVERSE_POWER = "inverse_power"


class BenchmarkLob(StrEnum):
    """Lines of the CAS Loss Reserve Database (``cl.load_sample('clrd')``) usable as benchmarks."""

    OTHER_LIABILITY = "othliab"
    PRODUCT_LIABILITY = "prodliab"
    WORKERS_COMPENSATION = "wkcomp"
    COMMERCIAL_AUTO = "comauto"
    PRIVATE_AUTO = "ppauto"
    MEDICAL_MALPRACTICE = "medmal"


class PatternSource(StrEnum):
    """Where a segment's development pattern comes from."""

    OWN = "own"
    BENCHMARK = "benchmark"
    NONE = "none"


#: Segment columns a claim or premium frame may carry; missing ones read as ``UNSPECIFIED``.
SEGMENT_COLUMNS: tuple[str, ...] = ("region", "size_class", "entity_type")

#: Label of a missing segment value, so that ``groupby`` never drops rows with a null key.
UNSPECIFIED = "unspecified"
