"""Customers: who they are and how big.

Domain only (no database, no web framework). Identity numbers (:mod:`.resident_id`,
:mod:`.uscc`, vectorised in :mod:`.resident_id_batch` and :mod:`.uscc_batch`), provinces from
division codes (:mod:`.regions`), masking of personal data for display and logs
(:mod:`.masking`), GB/T 4754 industries (:mod:`.industry`), the 2011 enterprise size standard
(:mod:`.size_class`, :mod:`.size_class_batch`) and the consistency of a customer's declaration
(:mod:`.consistency`). Tables are package data described in :mod:`._data`.
"""

from __future__ import annotations

from sme_insure.customers.consistency import (
    ConsistencyReason,
    ConsistencyReport,
    Declaration,
    Finding,
    check_declaration,
)
from sme_insure.customers.entity import EntityType, SizeClass, is_size_classified
from sme_insure.customers.identifiers import (
    ResidentId,
    ResidentIdProblem,
    Sex,
    UsccEntityKind,
    UsccProblem,
    UsccResult,
    complete_resident_id,
    complete_uscc,
    is_valid_resident_id,
    malformed_uscc_issues,
    organisation_code_check_char,
    resident_id_check_char,
    resident_id_issues,
    resident_id_problems,
    uscc_check_char,
    uscc_problems,
    validate_resident_id,
    validate_resident_ids,
    validate_uscc,
    validate_usccs,
)
from sme_insure.customers.industry import (
    IndustryGroup,
    candidate_groups,
    industry_group_for,
    industry_groups_for,
)
from sme_insure.customers.masking import (
    PersonalDataFilter,
    mask_id_number,
    mask_mobile,
    mask_text,
)
from sme_insure.customers.regions import CodeScheme, Province, find_province, provinces
from sme_insure.customers.size_class import (
    AmountUnit,
    IndustryStandard,
    Measure,
    classify_size,
    size_standard,
    size_standards,
)
from sme_insure.customers.size_class_batch import classify_sizes

__all__ = [
    "AmountUnit",
    "CodeScheme",
    "ConsistencyReason",
    "ConsistencyReport",
    "Declaration",
    "EntityType",
    "Finding",
    "IndustryGroup",
    "IndustryStandard",
    "Measure",
    "PersonalDataFilter",
    "Province",
    "ResidentId",
    "ResidentIdProblem",
    "Sex",
    "SizeClass",
    "UsccEntityKind",
    "UsccProblem",
    "UsccResult",
    "candidate_groups",
    "check_declaration",
    "classify_size",
    "classify_sizes",
    "complete_resident_id",
    "complete_uscc",
    "find_province",
    "industry_group_for",
    "industry_groups_for",
    "is_size_classified",
    "is_valid_resident_id",
    "malformed_uscc_issues",
    "mask_id_number",
    "mask_mobile",
    "mask_text",
    "organisation_code_check_char",
    "provinces",
    "resident_id_check_char",
    "resident_id_issues",
    "resident_id_problems",
    "size_standard",
    "size_standards",
    "uscc_check_char",
    "uscc_problems",
    "validate_resident_id",
    "validate_resident_ids",
    "validate_uscc",
    "validate_usccs",
]
