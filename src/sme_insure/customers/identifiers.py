"""Identity numbers of customers, in one import: resident ID numbers and USCCs.

The rules live in :mod:`.resident_id` (GB 11643-1999) and :mod:`.uscc` (GB 32100-2015); their
vectorised forms in :mod:`.resident_id_batch` and :mod:`.uscc_batch`. A resident-ID failure is an
input error (raised); a USCC check failure is a referral (returned), only a malformed USCC raises.
"""

from __future__ import annotations

from sme_insure.customers.resident_id import (
    ResidentId,
    ResidentIdProblem,
    Sex,
    complete_resident_id,
    is_valid_resident_id,
    resident_id_check_char,
    resident_id_problems,
    validate_resident_id,
)
from sme_insure.customers.resident_id_batch import resident_id_issues, validate_resident_ids
from sme_insure.customers.uscc import (
    UsccEntityKind,
    UsccProblem,
    UsccResult,
    complete_uscc,
    organisation_code_check_char,
    uscc_check_char,
    uscc_problems,
    validate_uscc,
)
from sme_insure.customers.uscc_batch import malformed_uscc_issues, validate_usccs

__all__ = [
    "ResidentId",
    "ResidentIdProblem",
    "Sex",
    "UsccEntityKind",
    "UsccProblem",
    "UsccResult",
    "complete_resident_id",
    "complete_uscc",
    "is_valid_resident_id",
    "malformed_uscc_issues",
    "organisation_code_check_char",
    "resident_id_check_char",
    "resident_id_issues",
    "resident_id_problems",
    "uscc_check_char",
    "uscc_problems",
    "validate_resident_id",
    "validate_resident_ids",
    "validate_uscc",
    "validate_usccs",
]
