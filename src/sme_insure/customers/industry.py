"""Industry groups of the 2011 size standard, and their mapping from GB/T 4754-2017 codes.

The size standard (工信部联企业〔2011〕300号, art. 3) sets thresholds for 16 industry groups. A
customer's industry arrives as a GB/T 4754-2017 code: a section letter (门类, ``A``-``T``), a
2-digit division (大类, ``01``-``97``), a 3-digit group (中类) or a 4-digit class (小类), the
digits optionally prefixed by their section letter (``C1311``). The mapping is data
(``data/industry_groups.csv``): the most specific listed code that is a prefix of the given code
wins, the section row standing behind its divisions (so ``K`` → other, ``7010`` → real-estate
development).

A code too coarse to decide is refused, never guessed: ``F`` spans wholesale and retail, ``70``
spans real-estate development, property management and other real-estate activities.
Only the first two digits are checked against the classification; finer digits are taken as
given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType

import numpy as np
import pandas as pd

from sme_insure.customers._data import read_table
from sme_insure.errors import InputError, Issue, TableError

_CODE_RE = re.compile(r"(?P<section>[A-Z])?(?P<digits>[0-9]{2,4})?")


class IndustryGroup(StrEnum):
    """The industry groups of the 2011 size standard (one row each in size_thresholds.csv)."""

    AGRICULTURE = "agriculture"
    INDUSTRY = "industry"
    CONSTRUCTION = "construction"
    WHOLESALE = "wholesale"
    RETAIL = "retail"
    TRANSPORT = "transport"
    WAREHOUSING = "warehousing"
    POSTAL = "postal"
    ACCOMMODATION = "accommodation"
    CATERING = "catering"
    INFORMATION_TRANSMISSION = "information_transmission"
    SOFTWARE_IT = "software_it"
    REAL_ESTATE_DEVELOPMENT = "real_estate_development"
    PROPERTY_MANAGEMENT = "property_management"
    LEASING_BUSINESS_SERVICES = "leasing_business_services"
    OTHER = "other"


def as_industry_group(value: str, *, field_name: str = "industry_group") -> IndustryGroup:
    """``value`` as an :class:`IndustryGroup`, or :class:`InputError` naming the allowed values."""
    try:
        return IndustryGroup(value)
    except ValueError:
        allowed = ", ".join(g.value for g in IndustryGroup)
        raise InputError([Issue(field_name, value, f"one of {allowed}")]) from None


@dataclass(frozen=True, slots=True)
class Section:
    """A GB/T 4754-2017 section and the divisions it holds."""

    letter: str
    first_division: int
    last_division: int
    name_zh: str
    name_en: str

    def holds(self, division: int) -> bool:
        """Whether the 2-digit ``division`` belongs to this section."""
        return self.first_division <= division <= self.last_division


@cache
def sections() -> Mapping[str, Section]:
    """GB/T 4754-2017 sections keyed by letter."""
    rows = read_table("gbt4754_sections.csv").itertuples(index=False)
    table = {
        r.section: Section(
            r.section, int(r.first_division), int(r.last_division), r.name_zh, r.name_en
        )
        for r in rows
    }
    return MappingProxyType(table)


def section_of_division(division: int) -> Section:
    """The section holding a 2-digit division, or :class:`InputError` if none does."""
    for section in sections().values():
        if section.holds(division):
            return section
    raise InputError([Issue("industry_code", f"{division:02d}", "not a GB/T 4754-2017 division")])


def _rule_section(code: str) -> str:
    return code if code.isalpha() else section_of_division(int(code[:2])).letter


@cache
def _rules() -> Mapping[str, IndustryGroup]:
    table = read_table("industry_groups.csv")
    allowed = {str(g) for g in IndustryGroup}
    issues = [
        Issue("industry_group", g, "not an IndustryGroup")
        for g in set(table["industry_group"]) - allowed
    ]
    issues += [
        Issue("code", c, "a section letter or 2-4 digits")
        for c in table["code"]
        if not _CODE_RE.fullmatch(c) or not c
    ]
    issues += [Issue("code", c, "listed twice") for c in table["code"][table["code"].duplicated()]]
    if issues:
        raise TableError(issues)
    rules = dict(zip(table["code"], map(IndustryGroup, table["industry_group"]), strict=True))
    _check_every_division_resolves(rules)
    return MappingProxyType(rules)


def _check_every_division_resolves(rules: Mapping[str, IndustryGroup]) -> None:
    """Each division needs its own row or its section's row (finer rows alone leave gaps)."""
    missing = [
        f"{d:02d}"
        for s in sections().values()
        for d in range(s.first_division, s.last_division + 1)
        if s.letter not in rules and f"{d:02d}" not in rules
    ]
    if missing:
        raise TableError([Issue("code", missing, "divisions with no industry group")])


def _parse(code: str) -> tuple[str, str]:
    text = code.strip().upper()
    match = _CODE_RE.fullmatch(text)
    if not text or match is None:
        reason = "a GB/T 4754-2017 code: section letter A-T and/or 2-4 digits, e.g. C, 13, C1311"
        raise InputError([Issue("industry_code", code, reason)])
    given, digits = match["section"], match["digits"] or ""
    if given and given not in sections():
        raise InputError([Issue("industry_code", code, "section letters are A to T")])
    letter = section_of_division(int(digits[:2])).letter if digits else given
    if given and given != letter:
        reason = f"division {digits[:2]} is in section {letter}, not {given}"
        raise InputError([Issue("industry_code", code, reason)])
    return letter, digits


def _finer_groups(letter: str, digits: str) -> set[IndustryGroup]:
    """Groups of listed codes strictly finer than the given one."""
    rules = _rules()
    if digits:
        return {g for key, g in rules.items() if key.startswith(digits) and key != digits}
    return {g for key, g in rules.items() if key != letter and _rule_section(key) == letter}


def candidate_groups(code: str) -> frozenset[IndustryGroup]:
    """Every industry group a company coded ``code`` could fall in (one when ``code`` decides)."""
    letter, digits = _parse(code)
    rules = _rules()
    own = [rules[k] for k in (letter, digits[:2], digits[:3], digits) if k and k in rules]
    return frozenset(own[-1:]) | _finer_groups(letter, digits)


def industry_group_for(code: str) -> IndustryGroup:
    """The size-standard industry group for a GB/T 4754-2017 code; refuses ambiguous codes."""
    groups = candidate_groups(code)
    if len(groups) != 1:
        reason = (
            f"spans {', '.join(sorted(groups))}; give a finer code (2-digit division, "
            "4-digit class for real estate)"
        )
        raise InputError([Issue("industry_code", code, reason)])
    return next(iter(groups))


def industry_groups_for(codes: pd.Series) -> pd.Series:
    """Vectorised :func:`industry_group_for`: maps each distinct code once, same index.

    Raises one :class:`InputError` listing every row whose code is missing, malformed or
    ambiguous (``row`` is the 0-based position).
    """
    mapping: dict[object, str] = {}
    refused: dict[object, str] = {}
    for code in pd.unique(codes.dropna()):
        try:
            mapping[code] = industry_group_for(str(code)).value
        except InputError as exc:
            refused[code] = exc.issues[0].reason
    bad = (codes.isna() | codes.isin(list(refused))).to_numpy()
    values = codes.to_numpy()
    issues = [
        Issue("industry_code", None, "an industry code is required", row=int(i))
        if pd.isna(values[i])
        else Issue("industry_code", values[i], refused[values[i]], row=int(i))
        for i in np.flatnonzero(bad)
    ]
    if issues:
        raise InputError(issues, context="industry codes")
    return codes.map(mapping).astype("string")
