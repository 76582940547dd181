"""Closed vocabularies for customers: entity type and enterprise size class.

Entity types follow the reference (§1): enterprises (企业) and individual business households
(个体工商户) both hold a USCC; farmers' professional cooperatives (农民专业合作社) hold one too;
natural persons are identified by the resident identity number.

Only enterprises are classified by size. The 2011 size standard (工信部联企业〔2011〕300号) applies
to enterprises; its art. 9 says individual business households are classified only "by
reference" (参照) to it, and this package keeps them a separate entity type with **no** size class,
as it does farmers' cooperatives and natural persons. Asking for the size class of any of them is
therefore a mistake in the caller, not a value.
"""

from __future__ import annotations

from enum import StrEnum


class EntityType(StrEnum):
    """Who the customer is, legally."""

    ENTERPRISE = "enterprise"
    INDIVIDUAL_BUSINESS = "individual_business"
    FARMERS_COOPERATIVE = "farmers_cooperative"
    NATURAL_PERSON = "natural_person"


class SizeClass(StrEnum):
    """Enterprise size under the 2011 standard, smallest first."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


SIZE_CLASSIFIED_ENTITY_TYPES: frozenset[EntityType] = frozenset({EntityType.ENTERPRISE})


def is_size_classified(entity_type: EntityType) -> bool:
    """Whether the size standard gives this entity type a size class (enterprises only)."""
    return entity_type in SIZE_CLASSIFIED_ENTITY_TYPES
