"""Consistency of what a customer declares about itself, for referral to an underwriter.

A finding is a normal outcome (a value), not an error: the declaration is accepted and referred.
The rules, each with its reason code:

* ``size_class_not_applicable``: a size class declared for an entity the standard does not
  classify (individual business household, farmers' cooperative, natural person; see
  :mod:`.entity`);
* ``figures_missing``: an enterprise has not declared every figure its industry's size test needs,
  so its size class cannot be derived;
* ``size_class_mismatch``: the declared size class differs from the one the figures give under
  the 2011 standard (customer says micro, figures say medium);
* ``industry_code_mismatch``: the declared GB/T 4754 code cannot belong to the declared
  industry group;
* ``entity_type_mismatch``: the USCC's entity type (positions 1-2) differs from the declared one;
* ``revenue_per_employee_low`` / ``_high``: annual revenue per employee outside the illustrative
  plausible band for the industry (``data/revenue_per_employee_bounds.csv``, 万元 per person).
  Zero revenue (a business in its first year) and zero employees are not tested by this rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType

from sme_insure.customers._data import read_table
from sme_insure.customers.entity import EntityType, SizeClass, is_size_classified
from sme_insure.customers.industry import IndustryGroup, candidate_groups
from sme_insure.customers.size_class import (
    CNY_PER_UNIT,
    AmountUnit,
    Measure,
    classify_size,
    figure_issues,
    size_standard,
)
from sme_insure.customers.uscc import UsccEntityKind
from sme_insure.errors import InputError, Issue, TableError


class ConsistencyReason(StrEnum):
    """Why a declaration is referred (see the module docstring)."""

    SIZE_CLASS_NOT_APPLICABLE = "size_class_not_applicable"
    FIGURES_MISSING = "figures_missing"
    SIZE_CLASS_MISMATCH = "size_class_mismatch"
    INDUSTRY_CODE_MISMATCH = "industry_code_mismatch"
    ENTITY_TYPE_MISMATCH = "entity_type_mismatch"
    REVENUE_PER_EMPLOYEE_LOW = "revenue_per_employee_low"
    REVENUE_PER_EMPLOYEE_HIGH = "revenue_per_employee_high"


_ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "entity_type": EntityType,
    "industry_group": IndustryGroup,
    "unit": AmountUnit,
    "size_class": SizeClass,
    "uscc_kind": UsccEntityKind,
}
_OPTIONAL_ENUMS = frozenset({"size_class", "uscc_kind"})


@dataclass(frozen=True, slots=True)
class Declaration:
    """What the customer says. ``None`` means "not declared"; money is in ``unit``."""

    entity_type: EntityType
    industry_group: IndustryGroup
    unit: AmountUnit
    size_class: SizeClass | None = None
    industry_code: str | None = None
    uscc_kind: UsccEntityKind | None = None
    employees: int | None = None
    revenue: float | None = None
    assets: float | None = None

    def __post_init__(self) -> None:
        """Coerce enum fields from their values; refuse impossible figures with InputError."""
        issues = [i for name, kind in _ENUM_FIELDS.items() for i in self._coerce(name, kind)]
        figures = {
            Measure.EMPLOYEES: self.employees,
            Measure.REVENUE: self.revenue,
            Measure.ASSETS: self.assets,
        }
        issues += [i for m, v in figures.items() if v is not None for i in figure_issues(m, v)]
        if issues:
            raise InputError(issues, context="declaration")

    def _coerce(self, name: str, kind: type[StrEnum]) -> list[Issue]:
        value = getattr(self, name)
        if value is None and name in _OPTIONAL_ENUMS:
            return []
        try:
            object.__setattr__(self, name, kind(value))
        except ValueError:
            return [Issue(name, value, f"one of {', '.join(m.value for m in kind)}")]
        return []


@dataclass(frozen=True, slots=True)
class Finding:
    """One inconsistency: its reason code and a sentence for the underwriter."""

    reason: ConsistencyReason
    detail: str


@dataclass(frozen=True, slots=True)
class ConsistencyReport:
    """The size class the figures give (``None`` when not derivable) and every finding."""

    derived_size_class: SizeClass | None
    findings: tuple[Finding, ...]

    @property
    def refer(self) -> bool:
        """Whether an underwriter must look at the declaration."""
        return bool(self.findings)

    @property
    def reasons(self) -> tuple[ConsistencyReason, ...]:
        """The reason codes, in rule order."""
        return tuple(f.reason for f in self.findings)


@cache
def revenue_per_employee_bounds() -> Mapping[IndustryGroup, tuple[float, float]]:
    """Plausible ``(low, high)`` annual revenue per employee in 万元, per industry group."""
    table = read_table("revenue_per_employee_bounds.csv")
    bounds = {
        IndustryGroup(r.industry_group): (float(r.low), float(r.high))
        for r in table.itertuples(index=False)
    }
    bad = [g for g, (low, high) in bounds.items() if not 0 <= low < high]
    missing = sorted(set(IndustryGroup) - set(bounds))
    if bad or missing:
        reason = "one row per IndustryGroup with 0 <= low < high"
        raise TableError([Issue("industry_group", bad + missing, reason)])
    return MappingProxyType(bounds)


def _derive(d: Declaration) -> tuple[SizeClass | None, list[Finding]]:
    needed = size_standard(d.industry_group).thresholds
    declared = {"employees": d.employees, "revenue": d.revenue, "assets": d.assets}
    absent = [str(m) for m in needed if declared[str(m)] is None]
    if absent:
        detail = f"{', '.join(absent)} not declared; the size class cannot be checked"
        return None, [Finding(ConsistencyReason.FIGURES_MISSING, detail)]
    derived = classify_size(d.industry_group, unit=d.unit, **declared)
    if d.size_class is not None and d.size_class != derived:
        detail = f"declared {d.size_class}, figures give {derived} ({d.industry_group})"
        return derived, [Finding(ConsistencyReason.SIZE_CLASS_MISMATCH, detail)]
    return derived, []


def _size_findings(d: Declaration) -> tuple[SizeClass | None, list[Finding]]:
    if is_size_classified(d.entity_type):
        return _derive(d)
    if d.size_class is None:
        return None, []
    detail = f"{d.entity_type} has no size class under the 2011 standard; declared {d.size_class}"
    return None, [Finding(ConsistencyReason.SIZE_CLASS_NOT_APPLICABLE, detail)]


def _industry_findings(d: Declaration) -> list[Finding]:
    if d.industry_code is None:
        return []
    groups = candidate_groups(d.industry_code)
    if d.industry_group in groups:
        return []
    detail = f"code {d.industry_code} maps to {', '.join(sorted(groups))}, not {d.industry_group}"
    return [Finding(ConsistencyReason.INDUSTRY_CODE_MISMATCH, detail)]


def _entity_findings(d: Declaration) -> list[Finding]:
    if d.uscc_kind is None or d.uscc_kind.entity_type() == d.entity_type:
        return []
    detail = f"USCC says {d.uscc_kind}, declared {d.entity_type}"
    return [Finding(ConsistencyReason.ENTITY_TYPE_MISMATCH, detail)]


def _ratio_findings(d: Declaration) -> list[Finding]:
    if not d.employees or not d.revenue:
        return []
    per_head = d.revenue * CNY_PER_UNIT[d.unit] / CNY_PER_UNIT[AmountUnit.WAN_CNY] / d.employees
    low, high = revenue_per_employee_bounds()[d.industry_group]
    shown = f"revenue per employee {per_head:,.2f} 万元 for {d.industry_group}"
    if per_head < low:
        return [Finding(ConsistencyReason.REVENUE_PER_EMPLOYEE_LOW, f"{shown} < {low:g}")]
    if per_head > high:
        return [Finding(ConsistencyReason.REVENUE_PER_EMPLOYEE_HIGH, f"{shown} > {high:g}")]
    return []


def check_declaration(declaration: Declaration) -> ConsistencyReport:
    """Apply every rule of the module docstring and report the findings.

    An inconsistent but possible declaration gives findings; impossible input (a negative figure,
    checked when the :class:`Declaration` is built, or a malformed industry code) raises
    :class:`InputError`.
    """
    derived, findings = _size_findings(declaration)
    findings += _industry_findings(declaration)
    findings += _entity_findings(declaration)
    findings += _ratio_findings(declaration)
    return ConsistencyReport(derived, tuple(findings))
