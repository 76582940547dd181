"""Loss reserving from claim and premium transactions, composing chainladder.

Flow: transactions (:mod:`.transactions`, validated; :mod:`.importing` for CSV/Parquet) →
triangles at a valuation date (:mod:`.triangles`, earned premium from :mod:`.earning`) → a plan
per segment (:mod:`.plan`: configuration, own or benchmark pattern, method) → chainladder methods
with fallbacks for zero origins (:mod:`.model`, :mod:`.fallback`) → results and reports
(:mod:`.results`, :mod:`.report`). :func:`run_reserving` does it all in one call.
"""

from __future__ import annotations

from sme_insure.reserving.config import (
    BootstrapConfig,
    DevelopmentConfig,
    LineConfig,
    ReservingConfig,
    TailConfig,
    load_config,
    parse_config,
)
from sme_insure.reserving.earning import earned_between, earned_by_origin
from sme_insure.reserving.importing import read_claim_transactions, read_premium_transactions
from sme_insure.reserving.model import ReservingModel
from sme_insure.reserving.results import ReservingResult
from sme_insure.reserving.run import run_reserving
from sme_insure.reserving.transactions import (
    CLAIM_COLUMNS,
    PREMIUM_COLUMNS,
    ValidatedFrame,
    validate_claim_transactions,
    validate_premium_transactions,
)
from sme_insure.reserving.triangles import TriangleSet, build_triangles
from sme_insure.reserving.vocabulary import (
    Averaging,
    Basis,
    BenchmarkLob,
    Grain,
    Line,
    MethodName,
    TailKind,
    TransactionKind,
)

__all__ = [
    "CLAIM_COLUMNS",
    "PREMIUM_COLUMNS",
    "Averaging",
    "Basis",
    "BenchmarkLob",
    "BootstrapConfig",
    "DevelopmentConfig",
    "Grain",
    "Line",
    "LineConfig",
    "MethodName",
    "ReservingConfig",
    "ReservingModel",
    "ReservingResult",
    "TailConfig",
    "TailKind",
    "TransactionKind",
    "TriangleSet",
    "ValidatedFrame",
    "build_triangles",
    "earned_between",
    "earned_by_origin",
    "load_config",
    "parse_config",
    "read_claim_transactions",
    "read_premium_transactions",
    "run_reserving",
    "validate_claim_transactions",
    "validate_premium_transactions",
]
